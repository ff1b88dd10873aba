"""Who may receive an advertisement: consent per channel, night hours, restrictions, blocks."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from members.services import member_block
from privacy.ledger import consent_is_granted, policy_versions_cache_clear
from privacy.marketing.campaigns import campaign_recipients, is_night
from privacy.models import CampaignChannel, PolicyVersion, Processor
from privacy.restrictions import restriction_lift, restriction_start
from tests.consultations.factories import (
    ConsultationAreaFactory,
    ConsultationFactory,
    ReviewFactory,
)
from tests.members.factories import StaffFactory
from tests.privacy.marketing.factories import CampaignFactory, ReachableMemberFactory, consent

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=SEOUL)


@pytest.fixture(autouse=True)
def _frozen_at_noon(time_machine) -> None:
    time_machine.move_to(NOON, tick=False)


def recipients(campaign, now=NOON) -> set[str]:
    return {member.username for member in campaign_recipients(campaign=campaign, now=now)}


def test_each_consent_state_of_the_channel() -> None:
    never = ReachableMemberFactory(username="never")
    granted = ReachableMemberFactory(username="granted")
    consent(granted, "marketing_email")
    withdrawn = ReachableMemberFactory(username="withdrawn")
    consent(withdrawn, "marketing_email")
    consent(withdrawn, "marketing_email", granted=False)
    regranted = ReachableMemberFactory(username="regranted")
    consent(regranted, "marketing_email")
    consent(regranted, "marketing_email", granted=False)
    consent(regranted, "marketing_email")
    refused = ReachableMemberFactory(username="refused")
    consent(refused, "marketing_email", granted=False)
    other_channel = ReachableMemberFactory(username="smsonly")
    consent(other_channel, "marketing_sms")

    assert recipients(CampaignFactory(channel=CampaignChannel.EMAIL)) == {"granted", "regranted"}
    assert recipients(CampaignFactory(channel=CampaignChannel.SMS)) == {"smsonly"}
    # The batch query and the one consent check of the project agree on every state.
    for member in (never, granted, withdrawn, regranted, refused, other_channel):
        assert (member.username in {"granted", "regranted"}) == consent_is_granted(
            subject_ref=member.subject_ref, consent="marketing_email"
        )


def test_same_second_grant_then_withdrawal_counts_as_withdrawn() -> None:
    member = ReachableMemberFactory(username="quick")
    moment = datetime(2026, 3, 1, 9, 0, tzinfo=SEOUL)
    consent(member, "marketing_email", at=moment)
    consent(member, "marketing_email", granted=False, at=moment)
    assert recipients(CampaignFactory()) == set()
    assert not consent_is_granted(subject_ref=member.subject_ref, consent="marketing_email")


@pytest.mark.parametrize(
    ("hour", "minute", "night"),
    [(20, 59, False), (21, 0, True), (23, 30, True), (0, 0, True), (7, 59, True), (8, 0, False)],
)
def test_night_hours_need_night_consent(hour: int, minute: int, night: bool) -> None:
    day_only = ReachableMemberFactory(username="dayonly")
    consent(day_only, "marketing_sms")
    night_too = ReachableMemberFactory(username="nighttoo")
    consent(night_too, "marketing_sms")
    consent(night_too, "marketing_night")
    night_withdrawn = ReachableMemberFactory(username="nightwithdrawn")
    consent(night_withdrawn, "marketing_sms")
    consent(night_withdrawn, "marketing_night")
    consent(night_withdrawn, "marketing_night", granted=False)
    night_only = ReachableMemberFactory(username="nightonly")  # night consent alone allows nothing
    consent(night_only, "marketing_night")

    now = datetime(2026, 3, 2, hour, minute, tzinfo=SEOUL)
    assert is_night(now) is night
    expected = {"nighttoo"} if night else {"dayonly", "nighttoo", "nightwithdrawn"}
    assert recipients(CampaignFactory(channel=CampaignChannel.SMS), now=now) == expected


def test_night_is_korean_time_whatever_the_clock_zone() -> None:
    utc_noon = datetime(2026, 3, 2, 12, 0, tzinfo=ZoneInfo("UTC"))  # 21:00 in Seoul
    assert is_night(utc_noon)
    assert not is_night(datetime(2026, 3, 2, 23, 0, tzinfo=ZoneInfo("UTC")))  # 08:00 in Seoul


def test_restricted_item_is_skipped_for_its_channel_only_while_in_force() -> None:
    member = ReachableMemberFactory(username="restricted")
    consent(member, "marketing_email")
    consent(member, "marketing_sms")
    restriction = restriction_start(subject_ref=member.subject_ref, items=["email"],
                                    reference="REQ-1")
    assert recipients(CampaignFactory(channel=CampaignChannel.EMAIL)) == set()
    assert recipients(CampaignFactory(channel=CampaignChannel.SMS)) == {"restricted"}
    restriction_lift(restriction=restriction)
    assert recipients(CampaignFactory(channel=CampaignChannel.EMAIL)) == {"restricted"}


def test_restricting_the_phone_stops_sms() -> None:
    member = ReachableMemberFactory(username="nophone")
    consent(member, "marketing_sms")
    restriction_start(subject_ref=member.subject_ref, items=["home_phone", "mobile_phone"])
    assert recipients(CampaignFactory(channel=CampaignChannel.SMS)) == set()


def test_inactive_members_are_skipped() -> None:
    blocked = ReachableMemberFactory(username="blocked", is_active=False)
    consent(blocked, "marketing_email")
    assert recipients(CampaignFactory()) == set()


def test_sms_needs_a_phone_number() -> None:
    member = ReachableMemberFactory(username="nonumber", mobile_phone="")
    consent(member, "marketing_sms")
    assert recipients(CampaignFactory(channel=CampaignChannel.SMS)) == set()


def test_audience_by_the_desired_area_given_with_the_sensitive_consent() -> None:
    eyes, nose, lips = (ConsultationAreaFactory(slug=s) for s in ("eyes", "nose", "lips"))
    wants_eyes = ReachableMemberFactory(username="wants_eyes", desired_area=eyes)
    wants_nose = ReachableMemberFactory(username="wants_nose", desired_area=nose)
    withdrew = ReachableMemberFactory(username="withdrew", desired_area=eyes)
    # What a member wrote on the boards was given to be answered, never to be advertised to.
    asked = ReachableMemberFactory(username="asked")
    ConsultationFactory(author=asked, area=eyes)
    ReviewFactory(author=asked, area=nose)
    elsewhere = ReachableMemberFactory(username="elsewhere", desired_area=lips)
    for member in (wants_eyes, wants_nose, withdrew, asked, elsewhere):
        consent(member, "marketing_email")
        consent(member, "sensitive_health")
    consent(withdrew, "sensitive_health", granted=False)

    assert recipients(CampaignFactory(areas=[eyes, nose])) == {"wants_eyes", "wants_nose"}
    assert recipients(CampaignFactory()) == {
        "wants_eyes", "wants_nose", "withdrew", "asked", "elsewhere"
    }
    assert len(list(campaign_recipients(campaign=CampaignFactory(areas=[lips]), now=NOON))) == 1


def test_query_count_does_not_grow_with_members(django_assert_num_queries) -> None:
    area = ConsultationAreaFactory()
    for _ in range(30):
        member = ReachableMemberFactory(desired_area=area)
        consent(member, "marketing_sms")
        consent(member, "marketing_night")
        consent(member, "sensitive_health")
    restriction_start(subject_ref=member.subject_ref, items=["mobile_phone"])
    campaign = CampaignFactory(channel=CampaignChannel.SMS, areas=[area])
    night = datetime(2026, 3, 2, 23, 0, tzinfo=SEOUL)
    list(campaign_recipients(campaign=campaign, now=night))  # warms the policy-version cache
    # The campaign's areas, the processors delivering text messages (delegation consent), the
    # members (with their data keys).
    with django_assert_num_queries(3):
        members = list(campaign_recipients(campaign=campaign, now=night))
        phones = [member.mobile_phone for member in members]  # decrypting needs no query
    assert len(phones) == 29
    assert all(phone.startswith("010-") for phone in phones)


def test_blocked_members_are_skipped() -> None:
    blocked = ReachableMemberFactory(username="blocked")
    kept = ReachableMemberFactory(username="kept")
    for member in (blocked, kept):
        consent(member, "marketing_email")
    member_block(member=blocked, reason="Fraud", actor=StaffFactory())
    assert recipients(CampaignFactory()) == {"kept"}


def test_a_grant_under_a_version_that_asks_again_no_longer_counts() -> None:
    before = ReachableMemberFactory(username="before")
    consent(before, "marketing_email")
    PolicyVersion.objects.create(version="9.0", effective_on=date(2020, 1, 1),
                                 requires_reconsent=True)
    policy_versions_cache_clear()
    again = ReachableMemberFactory(username="again")
    consent(again, "marketing_email")
    assert recipients(CampaignFactory()) == {"again"}
    assert not consent_is_granted(subject_ref=before.subject_ref, consent="marketing_email")


def test_a_mail_processor_needing_consent_receives_only_consenting_members() -> None:
    provider = Processor.objects.create(
        name="Hanbit Mail", tasks_ko="이메일 발송", tasks_en="sending email",
        items=["email"], since=date(2020, 1, 1), sends_email=True, requires_consent=True,
    )
    agreed = ReachableMemberFactory(username="agreed")
    silent = ReachableMemberFactory(username="silent")
    for member in (agreed, silent):
        consent(member, "marketing_email")
    consent(agreed, provider.consent_key)
    assert recipients(CampaignFactory()) == {"agreed"}
