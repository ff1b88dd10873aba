"""Campaigns in the admin: created by staff, delivery counts, sending only after confirmation."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from privacy.marketing.campaigns import campaign_send
from privacy.models import Campaign, CampaignChannel, CampaignDelivery, CampaignStatus
from tests.consultations.factories import ConsultationAreaFactory
from tests.members.factories import StaffFactory
from tests.privacy.marketing.factories import CampaignFactory, ReachableMemberFactory, consent

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:privacy_campaign_changelist")


@pytest.fixture(autouse=True)
def _daytime(time_machine) -> None:
    time_machine.move_to("2026-03-02 12:00 +09:00")


@pytest.fixture
def marketer(client):
    staff = StaffFactory()
    staff.user_permissions.set(Permission.objects.filter(
        codename__in=["add_campaign", "change_campaign", "view_campaign", "send_campaign"]
    ))
    client.force_login(staff)
    return staff


def test_staff_create_a_campaign_with_an_audience(client, marketer) -> None:
    area = ConsultationAreaFactory()
    response = client.post(reverse("admin:privacy_campaign_add"), {
        "title": "눈 성형 이벤트", "channel": "email", "body": "상담 예약 시 할인",
        "areas": [area.pk],
    })
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.created_by == marketer and campaign.status == CampaignStatus.DRAFT
    assert list(campaign.areas.all()) == [area]


def test_body_length_is_limited(client, marketer) -> None:
    response = client.post(reverse("admin:privacy_campaign_add"), {
        "title": "문자 이벤트", "channel": "sms", "body": "가" * 701,
    })
    assert response.status_code == 200
    assert "700" in response.content.decode()
    too_long = client.post(reverse("admin:privacy_campaign_add"), {
        "title": "메일", "channel": "email", "body": "가" * 2001,
    })
    assert too_long.status_code == 200
    assert not Campaign.objects.exists()


def test_changelist_shows_delivery_counts_in_few_queries(
    client, marketer, django_assert_max_num_queries
) -> None:
    for _ in range(3):
        consent(ReachableMemberFactory(), "marketing_email")
    for _ in range(5):
        campaign_send(campaign=CampaignFactory())
    client.get(CHANGELIST)  # warm the site-wide caches: steady state is counted
    with django_assert_max_num_queries(8):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    rows = response.context["cl"].result_list
    assert [row.sent_count for row in rows] == [3] * 5


def test_change_page_shows_the_delivery_counts(client, marketer) -> None:
    consent(ReachableMemberFactory(), "marketing_email")
    campaign = CampaignFactory()
    campaign_send(campaign=campaign)
    response = client.get(reverse("admin:privacy_campaign_change", args=[campaign.pk]))
    assert response.status_code == 200
    assert response.context["original"].sent_count == 1


def test_sending_asks_for_confirmation_first(client, marketer) -> None:
    consent(ReachableMemberFactory(), "marketing_email")
    consent(ReachableMemberFactory(), "marketing_email")
    campaign = CampaignFactory()
    ask = client.post(CHANGELIST, {"action": "send_campaign", "_selected_action": [campaign.pk]})
    assert ask.status_code == 200
    assert ask.context["plan"].to_send == 2
    assert mail.outbox == [] and not CampaignDelivery.objects.exists()

    done = client.post(CHANGELIST, {"action": "send_campaign", "_selected_action": [campaign.pk],
                                    "confirm": "yes"})
    assert done.status_code == 302
    assert len(mail.outbox) == 2
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_a_sent_campaign_can_no_longer_be_edited_or_deleted(client, marketer) -> None:
    campaign = CampaignFactory(status=CampaignStatus.SENT)
    client.post(reverse("admin:privacy_campaign_change", args=[campaign.pk]),
                {"title": "바뀐 제목", "channel": "sms", "body": "바뀐 본문"})
    campaign.refresh_from_db()
    assert campaign.title != "바뀐 제목" and campaign.channel == CampaignChannel.EMAIL
    marketer.user_permissions.add(Permission.objects.get(codename="delete_campaign"))
    response = client.post(reverse("admin:privacy_campaign_delete", args=[campaign.pk]),
                           {"post": "yes"})
    assert response.status_code == 403
    assert Campaign.objects.filter(pk=campaign.pk).exists()


def test_without_the_send_permission_there_is_no_send_action(client) -> None:
    staff = StaffFactory()
    staff.user_permissions.set(Permission.objects.filter(
        codename__in=["change_campaign", "view_campaign"]))
    client.force_login(staff)
    consent(ReachableMemberFactory(), "marketing_email")
    campaign = CampaignFactory()
    client.post(CHANGELIST, {"action": "send_campaign", "_selected_action": [campaign.pk],
                             "confirm": "yes"})
    assert mail.outbox == [] and not CampaignDelivery.objects.exists()
