"""The one-click unsubscribe link: valid, tampered, replayed; no log-in needed."""

from __future__ import annotations

import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from privacy.ledger import consent_is_granted
from privacy.marketing.campaigns import (
    UNSUBSCRIBE_SALT,
    campaign_recipients,
    campaign_send,
    unsubscribe_token,
)
from privacy.models import ConsentMethod, ConsentRecord
from tests.privacy.marketing.factories import CampaignFactory, ReachableMemberFactory, consent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _daytime(time_machine) -> None:
    time_machine.move_to("2026-03-02 12:00 +09:00")


@pytest.fixture
def member():
    member = ReachableMemberFactory()
    consent(member, "marketing_email")
    consent(member, "marketing_sms")
    return member


def link_for(member, key: str = "marketing_email") -> str:
    return reverse("privacy:unsubscribe",
                   args=[unsubscribe_token(subject_ref=member.subject_ref, consent=key)])


def withdrawals(member) -> list[ConsentRecord]:
    return list(ConsentRecord.objects.filter(subject_ref=member.subject_ref, granted=False))


def test_get_shows_a_confirmation_and_records_nothing(client, member) -> None:
    response = client.get(link_for(member))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<form method=\"post\">" in page
    assert member.username not in page and member.email not in page
    assert withdrawals(member) == []
    assert response["Cache-Control"].startswith("max-age=0")


def test_post_records_the_withdrawal_in_the_ledger(client, member) -> None:
    response = client.post(link_for(member), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    [record] = withdrawals(member)
    assert record.consent == "marketing_email"
    assert record.method == ConsentMethod.EMAIL_LINK
    assert record.member == member and record.ip_address == "203.0.113.9"
    assert not consent_is_granted(subject_ref=member.subject_ref, consent="marketing_email")
    # Only the consent in the link is withdrawn.
    assert consent_is_granted(subject_ref=member.subject_ref, consent="marketing_sms")


def test_replayed_link_is_already_unsubscribed_without_a_second_entry(client, member) -> None:
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    first = client.post(link_for(member), **english)
    assert first.context["already"] is False
    assert "You are unsubscribed" in first.content.decode()
    again = client.post(link_for(member), **english)
    assert again.status_code == 200 and again.context["already"] is True
    assert "You are already unsubscribed" in again.content.decode()
    assert len(withdrawals(member)) == 1
    shown = client.get(link_for(member), **english)
    assert shown.status_code == 200 and shown.context["already"] is True
    assert "You are already unsubscribed" in shown.content.decode()
    assert '<form method="post">' not in shown.content.decode()
    assert len(withdrawals(member)) == 1


def test_csrf_is_enforced_on_the_post(member) -> None:
    response = Client(enforce_csrf_checks=True).post(link_for(member))
    assert response.status_code == 403
    assert withdrawals(member) == []


@pytest.mark.parametrize("how", ["payload", "signature", "other_salt", "garbage", "not_marketing"])
def test_tampered_link_is_a_400_and_records_nothing(client, member, how: str) -> None:
    token = unsubscribe_token(subject_ref=member.subject_ref, consent="marketing_email")
    other = ReachableMemberFactory()
    if how == "payload":  # someone else's subject in a copied signature
        forged = unsubscribe_token(subject_ref=other.subject_ref, consent="marketing_email")
        token = forged.split(":")[0] + ":" + token.split(":")[1]
    elif how == "signature":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    elif how == "other_salt":  # a value signed for another purpose with the same key
        token = signing.dumps({"s": str(member.subject_ref), "c": "marketing_email"})
    elif how == "garbage":
        token = "not-a-token"
    else:  # validly signed, but not a marketing consent
        token = signing.dumps({"s": str(member.subject_ref), "c": "sensitive_health"},
                              salt=UNSUBSCRIBE_SALT)
    before = ConsentRecord.objects.count()
    for method in (client.get, client.post):
        response = method(reverse("privacy:unsubscribe", args=[token]))
        assert response.status_code == 400
        assert "02-6677-0010" in response.content.decode()
    assert ConsentRecord.objects.count() == before


def test_the_link_in_a_sent_email_works_and_stops_the_next_campaign(client, member) -> None:
    campaign_send(campaign=CampaignFactory())
    [path] = re.findall(r"https://www\.jangps\.example(/privacy/unsubscribe/[^/\s]+/)",
                        mail.outbox[0].body)
    assert client.post(path).status_code == 200

    assert list(campaign_recipients(campaign=CampaignFactory(), now=timezone.now())) == []


def test_an_erased_member_s_link_still_works_and_records_once(client, member) -> None:
    path = link_for(member)
    member.delete()
    assert client.post(path).status_code == 200
    assert client.post(path).context["already"] is True
    assert ConsentRecord.objects.filter(granted=False, member=None).count() == 1
