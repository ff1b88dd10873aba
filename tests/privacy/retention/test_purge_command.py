"""`privacy purge` as cron and the operator see it: counts, summary, exit code, lock."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from members.models import Member
from privacy.models import AccessLogEntry, DestructionRecord
from privacy.retention import destruction
from privacy.retention.destruction import purge_lock, purge_rules
from tests.privacy.retention.conftest import at, run, unconfirmed_member

pytestmark = pytest.mark.django_db(databases=["default", "retention"])


def test_purge_prints_per_rule_counts_and_a_one_line_summary() -> None:
    for _ in range(3):
        unconfirmed_member(date_joined=at(2026, 1, 1))
    AccessLogEntry.objects.create(actor="staff", action="x", at=at(2020, 1, 1))
    with time_machine.travel(at(2026, 6, 1), tick=False):
        output = run("purge")
    lines = output.splitlines()
    assert "unconfirmed_signup: due 3, destroyed 3, retained 0" in lines
    assert "staff_access_log: due 1, destroyed 1, retained 0" in lines
    rules = purge_rules()
    assert lines[-1] == (
        f"privacy purge: {len(rules)} rules, destroyed 4 records, 0 moved to the retention "
        "database"
    )
    # Every rule ran, each with its own line (the apps' rules too).
    assert [line.split(":")[0] for line in lines[:-1]] == list(rules)
    assert {"login_records", "guest_consultation", "analytics_visits", "sessions"} <= set(rules)
    assert not Member.objects.exists()


def test_one_rule_only() -> None:
    unconfirmed_member(date_joined=at(2026, 1, 1))
    AccessLogEntry.objects.create(actor="staff", action="x", at=at(2020, 1, 1))
    with time_machine.travel(at(2026, 6, 1), tick=False):
        output = run("purge", "--rule", "staff_access_log")
    assert output.splitlines()[0] == "staff_access_log: due 1, destroyed 1, retained 0"
    assert Member.objects.count() == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--rule", "shoe_sizes"], "unknown purge rule shoe_sizes; known rules: membership"),
    (["--batch-size", "0"], "--batch-size must be at least 1"),
])
def test_bad_arguments_are_clear_errors_and_change_nothing(args: list[str], message: str) -> None:
    unconfirmed_member(date_joined=at(2026, 1, 1))
    with time_machine.travel(at(2026, 6, 1), tick=False), pytest.raises(
        CommandError, match=message
    ):
        run("purge", *args)
    assert Member.objects.count() == 1
    assert not DestructionRecord.objects.exists()


def test_a_failing_rule_exits_non_zero_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unconfirmed_member(date_joined=at(2026, 1, 1))
    AccessLogEntry.objects.create(actor="staff", action="x", at=at(2020, 1, 1))
    rules = destruction.purge_rules()

    def broken(*args: Any, **kwargs: Any) -> int:
        raise OSError("disk full")


    rules["unconfirmed_signup"] = replace(rules["unconfirmed_signup"], destroy=broken)
    monkeypatch.setattr(destruction, "purge_rules", lambda: rules)
    out = io.StringIO()
    with time_machine.travel(at(2026, 6, 1), tick=False), pytest.raises(
        CommandError, match="FAILED: unconfirmed_signup"
    ):
        call_command("privacy", "purge", stdout=out)
    assert "unconfirmed_signup: FAILED (OSError)" in out.getvalue()
    assert Member.objects.count() == 1  # its transaction rolled back
    assert not AccessLogEntry.objects.exists()  # the next rule ran


def test_a_second_run_exits_with_a_clear_message_while_one_is_running() -> None:
    unconfirmed_member(date_joined=at(2026, 1, 1))
    with purge_lock():
        with time_machine.travel(at(2026, 6, 1), tick=False), pytest.raises(
            CommandError, match="another privacy purge or replay-destruction is running"
        ):
            run("purge")
        with pytest.raises(CommandError, match="is running"):
            run("replay-destruction", "--since", "2026-01-01")
    assert Member.objects.count() == 1
    with time_machine.travel(at(2026, 6, 1), tick=False):
        run("purge")  # the lock is free again
    assert not Member.objects.exists()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_on_a_terminal() -> None:
    for _ in range(5):
        unconfirmed_member(date_joined=at(2026, 1, 1))
    out = Terminal()
    with time_machine.travel(at(2026, 6, 1), tick=False):
        call_command("privacy", "purge", "--batch-size", "2", stdout=out)
    assert "unconfirmed_signup (batches of 2)" in out.getvalue()
    assert "3/3" in out.getvalue()
