"""The queue's settings: a malformed one stops start-up with one line naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clinic_site.test_configuration import PRODUCTION, assert_one_clear_line, manage


@pytest.mark.parametrize(("variable", "value"), [
    ("TASKS_BACKEND", "celery"),
    ("TASKS_BACKEND", ""),
    ("TASKS_MAX_ATTEMPTS", "0"),
    ("TASKS_MAX_ATTEMPTS", "many"),
    ("TASKS_RETRY_SECONDS", "-5"),
    ("TASKS_RETRY_SECONDS", "1e9"),
])
def test_a_malformed_queue_setting_stops_start_up_naming_it(
    tmp_path: Path, variable: str, value: str
) -> None:
    result = manage("check", tmp_path=tmp_path, **{**PRODUCTION, variable: value})
    assert_one_clear_line(result, variable)


def test_the_database_queue_is_the_default(tmp_path: Path) -> None:
    result = manage("shell", "-c", "from django.conf import settings; "
                    "print(settings.TASKS['default']['BACKEND'])",
                    tmp_path=tmp_path, **{**PRODUCTION, "TASKS_BACKEND": "database"})
    last_line = result.stdout.strip().splitlines()[-1]
    assert last_line == "django_tasks_db.DatabaseBackend", result.stderr
