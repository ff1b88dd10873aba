"""`privacy scheduled <job>`: the periodic jobs the systemd timers start, each under the lock."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from consultations.tasks import consultation_answered_notify
from privacy.actions.scheduled import EXIT_LOCKED
from privacy.console.jobs import JOBS
from privacy.models import BreachIncident, SentMessage
from privacy.retention.destruction import purge_lock

pytestmark = pytest.mark.django_db(databases=["default", "retention"])


def run(*args: str) -> str:
    out = StringIO()
    call_command("privacy", "scheduled", *args, stdout=out)
    return out.getvalue()


def incident(*, hours_ago: float) -> BreachIncident:
    now = timezone.now()
    return BreachIncident.objects.create(
        items=["email"], since=now - datetime.timedelta(days=3), description="x",
        discovered_at=now - datetime.timedelta(hours=hours_ago),
    )


@pytest.mark.parametrize("job", list(JOBS))
def test_every_job_runs_and_says_what_it_did(job: str) -> None:
    assert run(job).startswith(f"{job}: ")


@pytest.mark.parametrize("job", list(JOBS))
def test_a_job_that_finds_the_purge_lock_held_does_nothing_and_exits_75(job: str) -> None:
    incident(hours_ago=70)
    with purge_lock(), pytest.raises(CommandError, match="holds the purge lock") as raised:
        run(job)
    assert raised.value.returncode == EXIT_LOCKED
    assert mail.outbox == []


def test_an_unknown_job_is_refused() -> None:
    with pytest.raises(CommandError, match="invalid choice: 'backup'"):
        run("backup")


def test_breach_deadlines_tells_the_officer_of_incidents_near_or_past_the_deadline(
    settings: Any,
) -> None:
    near, late, early = incident(hours_ago=60), incident(hours_ago=80), incident(hours_ago=10)
    assert "2 incident(s) brought to the officer" in run("breach-deadlines")
    (message,) = mail.outbox
    assert message.to == [settings.PRIVACY_OFFICER["email"]]
    assert "통지 기한이 임박한 유출 사고 2건" in message.subject
    assert f"#{near.pk}: 12.0시간 남음" in message.body
    assert f"#{late.pk}: 기한을 8.0시간 넘김" in message.body
    assert f"#{early.pk}" not in message.body


def test_prune_tasks_deletes_old_finished_rows_and_keeps_waiting_ones(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    waiting = consultation_answered_notify.enqueue(answer_id=1, site_url="", key="k")
    done = consultation_answered_notify.enqueue(answer_id=2, site_url="", key="k")
    long_ago = timezone.now() - datetime.timedelta(days=8)
    DBTaskResult.objects.filter(id=done.id).update(status="SUCCESSFUL", finished_at=long_ago)
    SentMessage.objects.create(key="6f1c9e0e-8d1e-4d55-9a57-1d0c5e8f0a11", task="t",
                               sent_at=timezone.now() - datetime.timedelta(days=31))
    assert "deleted 1 finished task(s), 1 send record(s)" in run("prune-tasks")
    assert [str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)] == [waiting.id]
