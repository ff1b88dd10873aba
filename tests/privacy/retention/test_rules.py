"""Each purge rule on its boundary dates, with a frozen clock; dry runs change nothing."""

from __future__ import annotations

import datetime
import uuid

import pytest
import time_machine
from allauth.account.models import EmailAddress

from members.emails import email_stand_in
from privacy import registry
from privacy.ledger import consent_record
from privacy.models import (
    AccessLogEntry,
    ConsentMethod,
    ConsentRecord,
    DestructionRecord,
    RetainedRecord,
    RetentionKey,
)
from privacy.retention.destruction import purge, purge_rules, unplugged_rules
from privacy.retention.store import Retention, retention_store
from tests.members.factories import MemberFactory
from tests.privacy.retention.conftest import at, purge_on, run, unconfirmed_member

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

DAY = datetime.timedelta(days=1)


def test_every_registry_rule_has_a_purge_rule_or_is_declared_pending() -> None:
    assert unplugged_rules() == []
    plugged = {rule.retention_rule for rule in purge_rules().values()}
    # A pending rule that has a purge rule must leave the pending set (the lead empties it).
    assert plugged.isdisjoint(registry.PENDING_PURGE_RULES)
    assert set(registry.RULES_BY_KEY) >= registry.PENDING_PURGE_RULES


@pytest.mark.parametrize(("offset", "destroyed"), [(-DAY, False), (0 * DAY, True), (DAY, True)])
def test_unconfirmed_signup_goes_7_days_after_joining(
    offset: datetime.timedelta, destroyed: bool
) -> None:
    joined = at(2026, 3, 1, 9, 30)
    member = unconfirmed_member(date_joined=joined)
    purge_on(joined + datetime.timedelta(days=7) + offset, "unconfirmed_signup")
    assert MemberFactory._meta.model.objects.filter(pk=member.pk).exists() is not destroyed
    assert EmailAddress.objects.filter(email=email_stand_in(member.email)).exists() is not destroyed


def test_confirmed_logged_in_and_staff_accounts_are_not_unconfirmed_signups() -> None:
    joined = at(2026, 3, 1, 9, 30)
    confirmed = MemberFactory(date_joined=joined)
    EmailAddress.objects.create(user=confirmed, email=confirmed.email, verified=True)
    logged_in = unconfirmed_member(date_joined=joined, last_login=joined)
    staff = unconfirmed_member(date_joined=joined, is_staff=True)
    no_address = MemberFactory(date_joined=joined)  # created by staff, not by sign-up
    purge_on(joined + datetime.timedelta(days=30), "unconfirmed_signup")
    remaining = set(MemberFactory._meta.model.objects.values_list("pk", flat=True))
    assert {confirmed.pk, logged_in.pk, staff.pk, no_address.pk} <= remaining


@pytest.mark.parametrize(("offset", "destroyed"), [(-DAY, False), (0 * DAY, True), (DAY, True)])
def test_consent_proof_goes_3_years_after_the_consent_ends(
    offset: datetime.timedelta, destroyed: bool
) -> None:
    subject = uuid.uuid4()
    with time_machine.travel(at(2023, 1, 10, 12, 0), tick=False):
        consent_record(subject_ref=subject, consent="marketing_sms", granted=True,
                       method=ConsentMethod.SIGNUP_FORM)
    ended = at(2023, 6, 1, 12, 0)
    with time_machine.travel(ended, tick=False):
        consent_record(subject_ref=subject, consent="marketing_sms", granted=False,
                       method=ConsentMethod.CONSENT_PAGE)
        consent_record(subject_ref=subject, consent="marketing_email", granted=True,
                       method=ConsentMethod.CONSENT_PAGE)
    purge_on(ended + datetime.timedelta(days=3 * 365) + offset, "consent_proof")
    sms = ConsentRecord.objects.filter(subject_ref=subject, consent="marketing_sms")
    assert sms.count() == (0 if destroyed else 2)
    # A consent still granted is proof still needed, however old.
    assert ConsentRecord.objects.filter(subject_ref=subject, consent="marketing_email").count() == 1


def test_a_consent_given_again_after_withdrawal_keeps_its_history() -> None:
    subject = uuid.uuid4()
    for moment, granted in ((at(2020, 1, 1), True), (at(2020, 2, 1), False),
                            (at(2025, 1, 1), True)):
        with time_machine.travel(moment, tick=False):
            consent_record(subject_ref=subject, consent="marketing_sms", granted=granted,
                           method=ConsentMethod.CONSENT_PAGE)
    purge_on(at(2026, 6, 1), "consent_proof")
    assert ConsentRecord.objects.filter(subject_ref=subject).count() == 3


@pytest.mark.parametrize(("offset", "destroyed"), [(-DAY, False), (0 * DAY, True), (DAY, True)])
def test_staff_access_log_goes_after_2_years(offset: datetime.timedelta, destroyed: bool) -> None:
    moment = at(2024, 5, 5, 8, 0)
    AccessLogEntry.objects.create(actor="staff", action="retention:list", at=moment)
    purge_on(moment + datetime.timedelta(days=2 * 365) + offset, "staff_access_log")
    assert AccessLogEntry.objects.filter(at=moment).exists() is not destroyed


def _retained(destroy_after_start: datetime.datetime) -> RetainedRecord:
    subject = uuid.uuid4()
    retention_store([Retention(
        source=f"test:{subject}", subject_ref=subject, item_key="access_log",
        rule_key="login_records", started_by="last_login", started_at=destroy_after_start,
        payload={"login_id": "someone"},
    )], today=datetime.date(2000, 1, 1))
    return RetainedRecord.objects.get(subject_ref=subject)


@pytest.mark.parametrize(("offset", "destroyed"), [(-DAY, False), (0 * DAY, False), (DAY, True)])
def test_retained_record_and_its_key_go_the_day_after_destroy_after(
    offset: datetime.timedelta, destroyed: bool
) -> None:
    record = _retained(at(2026, 1, 1, 10, 0))
    assert record.destroy_after == datetime.date(2026, 4, 1)  # 90 days (login records)
    purge_on(at(2026, 4, 1, 12, 0) + offset, "retention_period_ended")
    assert RetainedRecord.objects.filter(pk=record.pk).exists() is not destroyed
    assert RetentionKey.objects.filter(pk=record.key_id).exists() is not destroyed


def test_dry_run_changes_nothing_and_counts_per_rule() -> None:
    joined = at(2026, 3, 1, 9, 30)
    for _ in range(3):
        unconfirmed_member(date_joined=joined)
    AccessLogEntry.objects.create(actor="staff", action="x", at=at(2020, 1, 1))
    record = _retained(at(2025, 1, 1))
    before = (
        MemberFactory._meta.model.objects.count(), AccessLogEntry.objects.count(),
        RetainedRecord.objects.count(), DestructionRecord.objects.count(),
        ConsentRecord.objects.count(),
    )
    with time_machine.travel(at(2026, 6, 1), tick=False):
        output = run("purge", "--dry-run")
    assert "unconfirmed_signup: would destroy 3" in output
    assert "staff_access_log: would destroy 1" in output
    assert "retention_period_ended: would destroy 1" in output
    assert "(dry run)" in output and "would destroy 5 records" in output
    after = (
        MemberFactory._meta.model.objects.count(), AccessLogEntry.objects.count(),
        RetainedRecord.objects.count(), DestructionRecord.objects.count(),
        ConsentRecord.objects.count(),
    )
    assert after == before
    assert RetainedRecord.objects.filter(pk=record.pk).exists()


def test_purge_writes_a_ledger_without_personal_data() -> None:
    joined = at(2026, 3, 1, 9, 30)
    members = [unconfirmed_member(date_joined=joined) for _ in range(5)]
    with time_machine.travel(at(2026, 3, 20), tick=False):
        purge(rule_keys=["unconfirmed_signup"], batch_size=2)
    entries = list(DestructionRecord.objects.filter(rule_key="unconfirmed_signup"))
    assert [entry.count for entry in entries] == [2, 2, 1]
    assert all(entry.done_at is not None for entry in entries)
    assert entries[0].first_pk == members[0].pk and entries[-1].last_pk == members[-1].pk
    assert "name" in entries[0].item_keys.split(",")
    text = " ".join(str(vars(entry)) for entry in entries)
    for member in members:
        assert member.username not in text and member.email not in text
