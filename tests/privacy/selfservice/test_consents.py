"""Consents page: each optional consent with its date and version, one click to change."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from privacy import registry
from privacy.ledger import consent_is_granted
from privacy.models import ConsentMethod, ConsentRecord, RightsRequest
from tests.members.factories import log_in
from tests.privacy.factories import ProcessorFactory

pytestmark = pytest.mark.django_db

URL = "/privacy/consents/"


def test_each_optional_consent_is_listed_with_date_and_version(client: Client,
                                                               owner: Any) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    processor = ProcessorFactory(requires_consent=True)
    log_in(client, owner)
    html = client.get(URL).content.decode()
    for consent in registry.MEMBER_CONSENTS:
        assert f'id="consent-{consent.key}"' in html
    assert f'id="consent-{processor.consent_key}"' in html
    assert "1.0" in html  # the policy version of the latest entry
    # What a withdrawal of the optional items destroys, and when.
    assert "home address" in html and "next daily destruction run" in html


def test_withdrawing_stops_the_processing_at_once(client: Client, owner: Any) -> None:
    log_in(client, owner)
    assert consent_is_granted(subject_ref=owner.subject_ref, consent="marketing_email")
    response = client.post(URL, {"consent": "marketing_email", "grant": "0"},
                           REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 302
    assert not consent_is_granted(subject_ref=owner.subject_ref, consent="marketing_email")
    record = ConsentRecord.objects.filter(consent="marketing_email").latest("recorded_at", "id")
    assert record.method == ConsentMethod.CONSENT_PAGE and record.ip_address == "192.0.2.9"
    assert RightsRequest.objects.get(kind="consent_withdrawal").completed_at is not None

    client.post(URL, {"consent": "marketing_email", "grant": "1"})
    assert consent_is_granted(subject_ref=owner.subject_ref, consent="marketing_email")


def test_an_unknown_consent_changes_nothing(client: Client, owner: Any) -> None:
    log_in(client, owner)
    before = ConsentRecord.objects.count()
    for data in ({"consent": "guest_consultation", "grant": "0"},
                 {"consent": "nonsense", "grant": "1"},
                 {"consent": "marketing_email", "grant": "maybe"}):
        assert client.post(URL, data).status_code == 302
    assert ConsentRecord.objects.count() == before


def test_the_page_changes_only_the_logged_in_members_consents(
    client: Client, owner: Any, other: Any
) -> None:
    log_in(client, other)
    client.post(URL, {"consent": "marketing_email", "grant": "0"})
    assert consent_is_granted(subject_ref=owner.subject_ref, consent="marketing_email")
    assert not consent_is_granted(subject_ref=other.subject_ref, consent="marketing_email")


def test_a_processor_consent_is_given_in_one_click(client: Client, owner: Any) -> None:
    processor = ProcessorFactory(requires_consent=True)
    log_in(client, owner)
    client.post(URL, {"consent": processor.consent_key, "grant": "1"})
    assert consent_is_granted(subject_ref=owner.subject_ref, consent=processor.consent_key)
