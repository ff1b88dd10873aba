"""Sending a campaign: the mark, sender and link in every message; resumable; never twice."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError

import privacy.marketing.campaigns
from privacy.marketing.campaigns import AD_MARK, campaign_send
from privacy.models import (
    CampaignChannel,
    CampaignDelivery,
    CampaignStatus,
    ConsentRecord,
    DeliveryOutcome,
)
from privacy.processors import sms
from tests.privacy.marketing.factories import CampaignFactory, ReachableMemberFactory, consent

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https://www\.jangps\.example/privacy/unsubscribe/[^/\s]+/")


@pytest.fixture(autouse=True)
def _daytime(time_machine) -> None:
    time_machine.move_to("2026-03-02 12:00 +09:00", tick=False)


def consenting(count: int, key: str = "marketing_email") -> list:
    members = [ReachableMemberFactory() for _ in range(count)]
    for member in members:
        consent(member, key)
    return members


def run(*args: str) -> str:
    out = StringIO()
    call_command("privacy", *args, stdout=out)
    return out.getvalue()


def test_every_email_carries_mark_sender_contact_and_own_link() -> None:
    members = consenting(3)
    ReachableMemberFactory()  # no consent: gets nothing
    campaign = CampaignFactory(title="봄 이벤트", body="쌍꺼풀 상담 할인")

    report = campaign_send(campaign=campaign)

    assert report.sent == 3 and report.failed == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in members)
    links = set()
    for message in mail.outbox:
        assert message.subject == f"{AD_MARK} 봄 이벤트"
        assert message.body.startswith(f"{AD_MARK} 장성형외과")
        assert "쌍꺼풀 상담 할인" in message.body
        assert "02-6677-0010" in message.body and "jangplasticsurgery@naver.com" in message.body
        assert "수신을 원하지 않으시면" in message.body  # opt-out in Korean and English
        assert "To stop receiving it, open this link" in message.body
        [link] = LINK.findall(message.body)
        assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
        links.add(link)
    assert len(links) == 3  # each member's link is their own
    assert campaign.status == CampaignStatus.SENT
    assert set(CampaignDelivery.objects.values_list("outcome", flat=True)) == {"sent"}


def test_every_sms_carries_mark_sender_contact_and_link() -> None:
    members = consenting(2, "marketing_sms")
    campaign = CampaignFactory(channel=CampaignChannel.SMS, body="코 성형 이벤트")

    campaign_send(campaign=campaign)

    assert mail.outbox == []
    assert sorted(m.to for m in sms.outbox) == sorted(m.mobile_phone for m in members)
    for message in sms.outbox:
        assert message.body.startswith(f"{AD_MARK} 장성형외과 02-6677-0010")
        assert "코 성형 이벤트" in message.body
        assert len(LINK.findall(message.body)) == 1


def test_html_is_not_escaped_in_plain_text() -> None:
    consenting(1)
    campaign_send(campaign=CampaignFactory(body="A & B <할인>"))
    assert "A & B <할인>" in mail.outbox[0].body


def test_a_rerun_sends_nobody_twice_and_reaches_new_consenters() -> None:
    consenting(3)
    campaign = CampaignFactory()
    campaign_send(campaign=campaign)
    assert len(mail.outbox) == 3
    again = campaign_send(campaign=campaign)
    assert again.sent == 0 and again.already_delivered == 3 and len(mail.outbox) == 3
    consenting(1)
    campaign_send(campaign=campaign)
    assert len(mail.outbox) == 4


class Crash(BaseException):
    """Stands for the process dying (not an Exception: the run cannot catch it)."""


class CrashingBackend(sms.LocmemBackend):
    """Accepts a few messages, then the process dies in the middle of a batch."""

    budget = 0

    def send_messages(self, messages: list[sms.SmsMessage]) -> int:
        if CrashingBackend.budget <= 0:
            raise Crash
        CrashingBackend.budget -= len(messages)
        return super().send_messages(messages)


def test_resume_after_a_crash_mid_batch_sends_nobody_twice(settings) -> None:
    members = consenting(7, "marketing_sms")
    campaign = CampaignFactory(channel=CampaignChannel.SMS)
    settings.SMS_BACKEND = "tests.privacy.marketing.test_send.CrashingBackend"
    CrashingBackend.budget = 4  # batch 1 (3 members) goes out, batch 2 dies after one message

    with pytest.raises(Crash):
        campaign_send(campaign=campaign, batch_size=3)

    assert len(sms.outbox) == 4
    first_run = [m.to for m in sms.outbox]
    assert CampaignDelivery.objects.filter(outcome=DeliveryOutcome.SENT).count() == 3
    # The crashed batch was claimed before sending: its rows stay pending, never re-sent.
    assert CampaignDelivery.objects.filter(outcome=DeliveryOutcome.PENDING).count() == 3
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING

    settings.SMS_BACKEND = "privacy.processors.sms.LocmemBackend"
    report = campaign_send(campaign=campaign, batch_size=3)

    assert report.unconfirmed == 3 and report.to_send == 1 and report.sent == 1
    phones = [m.to for m in sms.outbox]
    assert len(phones) == len(set(phones)) == 5  # nobody twice
    assert phones[:4] == first_run
    assert set(phones) <= {m.mobile_phone for m in members}
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


class RefusingBackend(sms.LocmemBackend):
    def send_messages(self, messages: list[sms.SmsMessage]) -> int:
        if messages[0].to.endswith("-0000"):
            raise sms.SmsError("number not reachable")
        return super().send_messages(messages)


def test_a_refused_message_is_one_failure_not_the_end(settings) -> None:
    good = consenting(2, "marketing_sms")
    bad = ReachableMemberFactory(mobile_phone="010-0000-0000")
    consent(bad, "marketing_sms")
    settings.SMS_BACKEND = "tests.privacy.marketing.test_send.RefusingBackend"

    report = campaign_send(campaign=CampaignFactory(channel=CampaignChannel.SMS))

    assert (report.sent, report.failed) == (2, 1)
    assert sorted(m.to for m in sms.outbox) == sorted(m.mobile_phone for m in good)
    failed = CampaignDelivery.objects.get(outcome=DeliveryOutcome.FAILED)
    assert failed.subject_ref == bad.subject_ref and failed.sent_at is None


def test_bounded_queries_per_batch(django_assert_max_num_queries) -> None:
    consenting(12)
    # Fixed: areas, processors, 4 counts, 2 status writes, the last (empty) areas, processors
    # and select. Per batch: areas, processors delivering the channel, select, claim (an insert
    # in a savepoint: 3 statements here), mark sent.
    fixed, per_batch = 11, 7
    first, second = CampaignFactory(), CampaignFactory()
    campaign_send(campaign=CampaignFactory(), dry_run=True)  # warms the policy-version cache
    with django_assert_max_num_queries(fixed + 3 * per_batch):
        assert campaign_send(campaign=first, batch_size=5).sent == 12
    # The same members in one batch: the count does not grow with the members.
    with django_assert_max_num_queries(fixed + per_batch):
        assert campaign_send(campaign=second, batch_size=100).sent == 12


def test_dry_run_counts_and_changes_nothing() -> None:
    consenting(3)
    campaign = CampaignFactory()
    records = ConsentRecord.objects.count()

    output = run("send-campaign", str(campaign.pk), "--dry-run")

    assert "3 eligible now, 0 already reached, 3 to send" in output
    assert "dry run: nothing sent" in output
    assert mail.outbox == [] and not CampaignDelivery.objects.exists()
    assert ConsentRecord.objects.count() == records
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_command_sends_and_reports() -> None:
    consenting(2)
    campaign = CampaignFactory()
    output = run("send-campaign", str(campaign.pk))
    assert "2 to send" in output and "sent 2, failed 0" in output
    assert len(mail.outbox) == 2
    assert "0 to send" in run("send-campaign", str(campaign.pk))
    assert len(mail.outbox) == 2


def test_command_reports_the_night(time_machine) -> None:
    campaign = CampaignFactory()
    time_machine.move_to("2026-03-02 22:00 +09:00", tick=False)
    assert "night hours" in run("send-campaign", str(campaign.pk), "--dry-run")


@pytest.mark.parametrize(
    ("args", "error"),
    [(["9999"], "no campaign 9999"), (["abc"], "campaign id must be a number"),
     (["1", "--batch-size", "0"], "--batch-size must be at least 1")],
)
def test_command_bad_input_is_a_clear_error(args: list[str], error: str) -> None:
    CampaignFactory(pk=1)
    with pytest.raises(CommandError, match=error):
        run("send-campaign", *args)
    assert not CampaignDelivery.objects.exists()


def test_an_unconfirmed_email_address_gets_no_advertising() -> None:
    confirmed = ReachableMemberFactory()
    unconfirmed = ReachableMemberFactory(confirmed_email=False)
    for member in (confirmed, unconfirmed):
        consent(member, "marketing_email")
    campaign_send(campaign=CampaignFactory())
    assert [m.to for m in mail.outbox] == [[confirmed.email]]


def test_a_run_that_reaches_21h_goes_on_with_night_consenters_only(time_machine) -> None:
    time_machine.move_to("2026-03-02 20:59:59 +09:00", tick=False)
    members = [ReachableMemberFactory() for _ in range(4)]
    for member in members:
        consent(member, "marketing_sms")
    consent(members[3], "marketing_night")

    class ClockBackend(sms.LocmemBackend):
        def send_messages(self, messages):
            time_machine.move_to("2026-03-02 21:00:00 +09:00", tick=False)  # the night begins
            return super().send_messages(messages)

    campaign = CampaignFactory(channel=CampaignChannel.SMS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sms, "get_backend", lambda *a, **k: ClockBackend())
        report = campaign_send(campaign=campaign, batch_size=1)

    assert [m.to for m in sms.outbox] == [members[0].mobile_phone, members[3].mobile_phone]
    assert report.sent == 2
    # In the morning a re-run reaches the two who waited, and nobody twice.
    time_machine.move_to("2026-03-03 08:00 +09:00", tick=False)
    campaign_send(campaign=campaign)
    assert sorted(m.to for m in sms.outbox) == sorted(m.mobile_phone for m in members)


def test_a_parallel_run_that_claimed_first_stops_this_one_before_sending(monkeypatch) -> None:
    members = consenting(3)
    campaign = CampaignFactory()
    # Another run claims a member between this run's select and its claim.
    CampaignDelivery.objects.create(campaign=campaign, subject_ref=members[1].subject_ref)
    monkeypatch.setattr(privacy.marketing.campaigns, "_not_yet_delivered",
                        lambda members, campaign: members)

    with pytest.raises(CommandError, match="being sent by another run"):
        run("send-campaign", str(campaign.pk))

    assert mail.outbox == []
    assert CampaignDelivery.objects.count() == 1  # this run's claims were rolled back


class DownMailBackend(BaseEmailBackend):
    def open(self):
        raise ConnectionRefusedError("mail server down")

    def send_messages(self, email_messages):  # pragma: no cover - never reached
        raise AssertionError("sent without a connection")


def test_a_mail_server_that_is_down_claims_nobody(settings) -> None:
    consenting(2)
    campaign = CampaignFactory()
    settings.EMAIL_BACKEND = "tests.privacy.marketing.test_send.DownMailBackend"
    with pytest.raises(ConnectionRefusedError):
        campaign_send(campaign=campaign)
    assert not CampaignDelivery.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert campaign_send(campaign=campaign).sent == 2
