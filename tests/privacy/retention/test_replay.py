"""After a restore of the live database from backup, replay-destruction destroys again."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.management.base import CommandError

from consultations.models import Answer, Consultation, Review
from members.models import Member
from privacy.models import DataKey, DestructionRecord
from privacy.retention.destruction import member_erase, purge
from tests.privacy.retention.conftest import at, run, unconfirmed_member

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

# What a backup of the live database holds, parents first.
BACKED_UP = [DataKey, Member, EmailAddress, Consultation, Answer, Review]


def backup() -> list[tuple[Any, list[dict[str, Any]]]]:
    return [(model, list(model._base_manager.values())) for model in BACKED_UP]


def restore(snapshot: list[tuple[Any, list[dict[str, Any]]]]) -> None:
    """Bring back the live rows as they were (the ledger, in the retention database, stays)."""
    for model, rows in snapshot:
        existing = set(model._base_manager.values_list("pk", flat=True))
        model._base_manager.bulk_create(
            [model(**row) for row in rows if row["id"] not in existing]
        )


def test_replay_destroys_again_a_withdrawal_and_a_purge_undone_by_a_restore(
    member_with_data: Any,
) -> None:
    member = member_with_data
    stale = unconfirmed_member(date_joined=at(2026, 11, 1))
    with time_machine.travel(at(2026, 12, 1, 3, 0), tick=False):
        snapshot = backup()  # the nightly backup
    with time_machine.travel(at(2026, 12, 2, 10, 0), tick=False):
        member_erase(member=member, reason="withdrawal")
        purge()
    assert not Member.objects.filter(pk__in=[member.pk, stale.pk]).exists()
    restore(snapshot)
    assert Member.objects.filter(pk__in=[member.pk, stale.pk]).count() == 2

    with time_machine.travel(at(2026, 12, 3, 9, 0), tick=False):
        dry = run("replay-destruction", "--since", "2026-12-01", "--dry-run")
        assert "would destroy 2 records again" in dry
        assert Member.objects.filter(pk__in=[member.pk, stale.pk]).count() == 2
        output = run("replay-destruction", "--since", "2026-12-01")
    assert "destroyed 2 records again" in output
    assert not Member.objects.filter(pk__in=[member.pk, stale.pk]).exists()
    assert not Consultation.objects.filter(author_id=member.pk).exists()
    assert not DataKey.objects.filter(pk=member.data_key_id).exists()
    assert "verified" in run("verify-erasure", "--member-ref", str(member.subject_ref))


def test_replay_ignores_what_was_destroyed_before_the_backup(member_with_data: Any) -> None:
    with time_machine.travel(at(2026, 12, 2, 10, 0), tick=False):
        member_erase(member=member_with_data, reason="withdrawal")
    with time_machine.travel(at(2026, 12, 10, 10, 0), tick=False):
        assert "0 ledger entries" in run("replay-destruction", "--since", "2026-12-05")


@pytest.mark.parametrize(("since", "message"), [
    ("2026-13-01", "must be a date"), ("yesterday", "must be a date"),
    ("2999-01-01", "in the future"),
])
def test_replay_refuses_bad_dates_and_changes_nothing(since: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("replay-destruction", "--since", since)
    assert not DestructionRecord.objects.exists()
