"""A crash at any step of a move between the two databases, then a re-run: every record ends in
exactly one place (retention or live), and the ledger is complete."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine

from consultations.models import Review
from members.models import Member
from privacy.models import (
    Complaint,
    ComplaintStatus,
    DestructionRecord,
    RetainedRecord,
    RetentionKey,
)
from privacy.retention import destruction
from privacy.retention.destruction import PurgeRule, member_erase, purge
from privacy.retention.store import Retention, source_ref_for
from tests.consultations.factories import ReviewFactory
from tests.privacy.retention.conftest import at

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

STEPS = ["_ledger_open", "_store", "_destroy", "_ledger_close"]
NOW = at(2026, 12, 1, 15, 0)


class Crash(Exception):
    pass


def crash_once(monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    """Make ``step`` fail the first time it is called, as a killed process would."""
    real = getattr(destruction, step)
    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise Crash(step)
        return real(*args, **kwargs)

    monkeypatch.setattr(destruction, step, failing)


# A rule whose rows a law partly keeps: reviews marked "old", kept as complaint records.
def _old_reviews(now: datetime.datetime) -> Any:
    # Titles are sealed: "old" is found by its search digests.
    return Review.objects.title_matching("old")


def _destroy_reviews(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
    return Review.objects.filter(pk__in=pks).delete()[1].get("consultations.Review", 0)


def _keep_reviews(rows: Any, now: datetime.datetime) -> Any:
    for review in rows.select_related("author", "data_key"):
        yield Retention(
            source=f"test-review:{review.pk}", subject_ref=review.author.subject_ref,
            item_key="review_content", rule_key="complaint_records",
            started_by="complaint_closed", started_at=now, payload={"title": review.title},
        )


TRANSFER_RULE = PurgeRule(
    key="test_transfer", retention_rule="complaint_records", model="consultations.Review",
    due=_old_reviews, destroy=_destroy_reviews, retain=_keep_reviews,
    item_keys=("review_content",),
)


@pytest.fixture
def transfer_rule(monkeypatch: pytest.MonkeyPatch) -> PurgeRule:
    real = destruction.purge_rules
    monkeypatch.setattr(destruction, "purge_rules",
                        lambda: {**real(), TRANSFER_RULE.key: TRANSFER_RULE})
    return TRANSFER_RULE


def assert_each_in_exactly_one_place(review_pks: list[int]) -> None:
    assert not Review.objects.filter(pk__in=review_pks).exists()
    kept = list(RetainedRecord.objects.filter(item_key="review_content"))
    assert len(kept) == len(review_pks)
    assert len({record.source_ref for record in kept}) == len(review_pks)
    assert RetentionKey.objects.count() == RetainedRecord.objects.count()
    ledger = DestructionRecord.objects.filter(rule_key="test_transfer")
    assert not ledger.filter(done_at=None).exists()
    assert sum(ledger.values_list("count", flat=True)) == len(review_pks)


@pytest.mark.parametrize("step", STEPS)
def test_a_crash_at_any_step_of_a_purge_then_a_rerun(
    step: str, monkeypatch: pytest.MonkeyPatch, transfer_rule: PurgeRule
) -> None:
    reviews = [ReviewFactory(title=f"old {n}") for n in range(5)]
    pks = [review.pk for review in reviews]
    crash_once(monkeypatch, step)
    with time_machine.travel(NOW, tick=False):
        first = purge(rule_keys=["test_transfer"], batch_size=2)
    assert [rule.error for rule in first.failed] == ["Crash"]
    # In between, no record is lost: each is still live, or its copy is in the retention store.
    live = set(Review.objects.filter(pk__in=pks).values_list("pk", flat=True))
    copied = {
        pk for pk in pks
        if RetainedRecord.objects.filter(source_ref=source_ref_for(f"test-review:{pk}")).exists()
    }
    assert live | copied == set(pks)
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        second = purge(rule_keys=["test_transfer"], batch_size=2)
    assert not second.failed
    assert_each_in_exactly_one_place(pks)


def test_a_rerun_after_a_crash_does_not_copy_twice(
    monkeypatch: pytest.MonkeyPatch, transfer_rule: PurgeRule
) -> None:
    review = ReviewFactory(title="old one")
    crash_once(monkeypatch, "_destroy")
    purge(rule_keys=["test_transfer"])
    assert Review.objects.filter(pk=review.pk).exists()
    assert RetainedRecord.objects.count() == 1  # copied, not yet deleted from live
    purge(rule_keys=["test_transfer"])
    assert RetainedRecord.objects.count() == 1
    assert not Review.objects.filter(pk=review.pk).exists()


@pytest.mark.parametrize("step", STEPS)
def test_a_crash_at_any_step_of_a_withdrawal_then_a_rerun(
    step: str, monkeypatch: pytest.MonkeyPatch, member_with_data: Any
) -> None:
    member = member_with_data
    ref = member.subject_ref
    crash_once(monkeypatch, step)
    with time_machine.travel(NOW, tick=False), pytest.raises(Crash):
        member_erase(member=member, reason="withdrawal")
    if step == "_ledger_open":
        # Nothing happened yet: the member is still whole, and the withdrawal is simply retried.
        assert Member.objects.filter(subject_ref=ref).exists()
        assert not RetainedRecord.objects.exists() and not DestructionRecord.objects.exists()
        with time_machine.travel(NOW, tick=False):
            member_erase(member=member, reason="withdrawal")
    else:
        # The next scheduled purge finishes the interrupted withdrawal.
        with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
            report = purge()
        assert not report.failed
        by_key = {rule.key: rule for rule in report.rules}
        assert by_key["membership"].finished == 1
    assert not Member.objects.filter(subject_ref=ref).exists()
    assert RetainedRecord.objects.filter(subject_ref=ref).count() == 1
    entries = DestructionRecord.objects.filter(subject_ref=ref)
    assert [(e.rule_key, e.count, e.done_at is not None) for e in entries] == [
        ("membership", 1, True)
    ]


@pytest.mark.parametrize("step", STEPS)
def test_closed_complaints_end_in_exactly_one_place_after_a_crash_and_a_rerun(
    step: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real transfer rule (``complaint_records``): closed complaints move to the retention
    database; a crash at any step, then the next purge, leaves each in one place only."""

    complaints = [
        Complaint.objects.create(name=f"민원인{n}", contact="010-1212-3434", body="열람 요청",
                                 status=ComplaintStatus.CLOSED)
        for n in range(5)
    ]
    refs = {complaint.subject_ref for complaint in complaints}
    crash_once(monkeypatch, step)
    with time_machine.travel(NOW, tick=False):
        first = purge(rule_keys=["complaint_records"], batch_size=2)
    assert [rule.error for rule in first.failed] == ["Crash"]
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        second = purge(rule_keys=["complaint_records"], batch_size=2)
    assert not second.failed
    assert not Complaint.objects.exists()
    kept = RetainedRecord.objects.filter(rule_key="complaint_records")
    assert sorted(kept.values_list("subject_ref", flat=True)) == sorted(refs)
    # Each copy counts its 3 years from its move (an interrupted one: from the first attempt).
    assert set(kept.values_list("destroy_after", flat=True)) == {datetime.date(2029, 11, 30)}
    ledger = DestructionRecord.objects.filter(rule_key="complaint_records")
    assert not ledger.filter(done_at=None).exists()
    assert sum(ledger.values_list("count", flat=True)) == 5
