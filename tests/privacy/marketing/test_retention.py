"""The retention rules of the marketing records, as the privacy purge will apply them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from privacy.marketing.campaigns import (
    campaign_deliveries_due_for_destruction,
    campaign_send,
    consent_reminders_due_for_destruction,
    consent_reminders_send,
)
from privacy.models import ConsentReminder
from privacy.restrictions import (
    restriction_lift,
    restriction_start,
    restrictions_due_for_destruction,
)
from tests.privacy.marketing.factories import CampaignFactory, ReachableMemberFactory, consent

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
T0 = datetime(2024, 3, 4, 12, 0, tzinfo=SEOUL)


def test_deliveries_go_a_year_after_the_send() -> None:
    consent(ReachableMemberFactory(), "marketing_email", at=T0)
    campaign_send(campaign=CampaignFactory(), now=T0)
    assert not campaign_deliveries_due_for_destruction(now=T0 + timedelta(days=364)).exists()
    assert campaign_deliveries_due_for_destruction(now=T0 + timedelta(days=365)).count() == 1


def test_reminders_go_three_years_after_the_consent_ends() -> None:
    member = ReachableMemberFactory()
    consent(member, "marketing_email", at=T0)
    with time_machine.travel(T0 + timedelta(days=800), tick=False):
        consent_reminders_send()
    assert ConsentReminder.objects.count() == 1
    withdrawn = T0 + timedelta(days=900)
    assert not consent_reminders_due_for_destruction(now=withdrawn).exists()  # still granted
    consent(member, "marketing_email", granted=False, at=withdrawn)
    assert not consent_reminders_due_for_destruction(
        now=withdrawn + timedelta(days=3 * 365 - 1)).exists()
    assert consent_reminders_due_for_destruction(
        now=withdrawn + timedelta(days=3 * 365)).count() == 1


def test_restrictions_go_three_years_after_they_are_lifted() -> None:
    member = ReachableMemberFactory()
    open_one = restriction_start(subject_ref=member.subject_ref, items=["email"], now=T0)
    lifted = restriction_start(subject_ref=member.subject_ref, items=["mobile_phone"], now=T0)
    restriction_lift(restriction=lifted, now=T0 + timedelta(days=10))
    later = T0 + timedelta(days=10 + 3 * 365)
    assert list(restrictions_due_for_destruction(now=later)) == [lifted]
    assert open_one not in restrictions_due_for_destruction(now=later + timedelta(days=9999))
