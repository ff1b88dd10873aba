"""`privacy remind-consents`: every two years of a marketing consent, once per period."""

from __future__ import annotations

import re
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command

from privacy.marketing.campaigns import AD_MARK, consent_reminders_due, consent_reminders_send
from privacy.models import ConsentReminder
from tests.privacy.marketing.factories import ReachableMemberFactory, consent

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
GRANTED = datetime(2024, 3, 10, 15, 0, tzinfo=SEOUL)


def run(*args: str, at: str) -> str:
    out = StringIO()
    with time_machine.travel(datetime.fromisoformat(at), tick=False):
        call_command("privacy", "remind-consents", *args, stdout=out)
    return out.getvalue()


def test_reminded_after_two_years_with_fact_date_and_how_to_withdraw() -> None:
    member = ReachableMemberFactory()
    consent(member, "marketing_email", at=GRANTED)
    consent(member, "marketing_sms", at=GRANTED)

    assert "0 member(s) due" in run(at="2026-03-10T14:59:00+09:00")  # a minute early
    assert mail.outbox == []
    output = run(at="2026-03-10T15:00:00+09:00")

    assert "1 member(s) due, 2 consent(s) to remind" in output and "sent 1" in output
    [message] = mail.outbox
    assert message.to == [member.email]
    assert AD_MARK not in message.subject and AD_MARK not in message.body  # a notice, not an ad
    assert message.body.count("2024-03-10") == 2
    assert len(re.findall(r"/privacy/unsubscribe/[^/\s]+/", message.body)) == 2
    assert "02-6677-0010" in message.body
    assert ConsentReminder.objects.filter(subject_ref=member.subject_ref).count() == 2


def test_once_per_period_then_two_years_after_the_reminder() -> None:
    member = ReachableMemberFactory()
    consent(member, "marketing_email", at=GRANTED)
    run(at="2026-04-01T10:00:00+09:00")
    run(at="2026-04-02T10:00:00+09:00")
    assert "0 member(s) due" in run(at="2028-03-31T10:00:00+09:00")
    assert len(mail.outbox) == 1
    run(at="2028-04-01T10:00:00+09:00")
    assert len(mail.outbox) == 2
    periods = list(ConsentReminder.objects.order_by("sent_at").values_list("period_start",
                                                                            flat=True))
    assert periods[0] == GRANTED
    assert periods[1] == datetime(2026, 4, 1, 10, 0, tzinfo=SEOUL)


def test_withdrawn_or_never_given_consent_is_not_reminded() -> None:
    withdrawn = ReachableMemberFactory()
    consent(withdrawn, "marketing_email", at=GRANTED)
    consent(withdrawn, "marketing_email", granted=False, at=datetime(2025, 1, 1, tzinfo=SEOUL))
    ReachableMemberFactory()
    inactive = ReachableMemberFactory(is_active=False)
    consent(inactive, "marketing_email", at=GRANTED)
    assert "0 member(s) due" in run(at="2026-06-01T10:00:00+09:00")
    assert mail.outbox == []


def test_a_new_grant_starts_a_new_period() -> None:
    member = ReachableMemberFactory()
    consent(member, "marketing_email", at=GRANTED)
    run(at="2026-04-01T10:00:00+09:00")
    consent(member, "marketing_email", granted=False, at=datetime(2026, 5, 1, tzinfo=SEOUL))
    regranted = datetime(2026, 6, 1, 9, 0, tzinfo=SEOUL)
    consent(member, "marketing_email", at=regranted)
    assert "0 member(s) due" in run(at="2028-05-31T10:00:00+09:00")
    run(at="2028-06-01T10:00:00+09:00")
    assert len(mail.outbox) == 2
    assert ConsentReminder.objects.filter(period_start=regranted).count() == 1
    assert "2026-06-01" in mail.outbox[1].body


def test_dry_run_counts_and_changes_nothing() -> None:
    consent(ReachableMemberFactory(), "marketing_night", at=GRANTED)
    output = run("--dry-run", at="2026-06-01T10:00:00+09:00")
    assert "1 member(s) due, 1 consent(s) to remind" in output and "dry run" in output
    assert mail.outbox == [] and not ConsentReminder.objects.exists()


def test_a_failed_send_records_nothing_and_the_next_run_retries(settings) -> None:
    member = ReachableMemberFactory()
    consent(member, "marketing_email", at=GRANTED)
    settings.EMAIL_BACKEND = "tests.privacy.marketing.test_reminders.BrokenMailBackend"
    with time_machine.travel(datetime(2026, 6, 1, tzinfo=SEOUL), tick=False):
        report = consent_reminders_send()
    assert (report.sent, report.failed) == (0, 1)
    assert not ConsentReminder.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run(at="2026-06-02T10:00:00+09:00")
    assert len(mail.outbox) == 1 and ConsentReminder.objects.count() == 1


def test_queries_do_not_grow_with_members(django_assert_max_num_queries) -> None:
    for _ in range(10):
        consent(ReachableMemberFactory(), "marketing_email", at=GRANTED)
    with django_assert_max_num_queries(3):  # one per marketing consent

        due = consent_reminders_due(now=datetime(2026, 6, 1, tzinfo=SEOUL))
    assert len(due) == 10




class BrokenMailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")
