"""A member downloads a Kantara-style receipt of each of their own ledger entries, nobody else's."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client
from django.utils import translation

from privacy import registry
from privacy.consents.receipts import RECEIPT_VERSION
from privacy.ledger import consent_record
from privacy.models import ConsentMethod
from privacy.policy.services import policy_version_publish
from tests.members.factories import MemberFactory
from tests.privacy.factories import ProcessorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_with_entries():
    policy_version_publish(version="1.0", effective_on=datetime.date(2024, 7, 1))
    member = MemberFactory()
    granted = consent_record(subject_ref=member.subject_ref, member=member,
                             consent="sensitive_health", granted=True,
                             method=ConsentMethod.SIGNUP_FORM, ip_address="203.0.113.9")
    withdrawn = consent_record(subject_ref=member.subject_ref, member=member,
                               consent="marketing_email", granted=False,
                               method=ConsentMethod.CONSENT_PAGE)
    return member, granted, withdrawn


def download(client: Client, pk: int):
    return client.get(f"/privacy/consents/receipt/{pk}/")


def test_receipts_match_the_ledger_entries(client: Client, member_with_entries, settings) -> None:
    member, granted, withdrawn = member_with_entries
    client.force_login(member)
    response = download(client, granted.pk)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    receipt = json.loads(response.content)
    assert receipt["version"] == RECEIPT_VERSION
    assert receipt["jurisdiction"] == "KR"
    assert receipt["consentTimestamp"] == int(granted.recorded_at.timestamp())
    assert receipt["piiPrincipalId"] == str(member.subject_ref)
    with translation.override("ko"):
        assert receipt["collectionMethod"] == str(ConsentMethod.SIGNUP_FORM.label)
    assert receipt["language"] == "ko"
    assert receipt["consentGranted"] is True
    assert receipt["consentGivenBy"] == "subject"
    assert receipt["policyVersion"] == "1.0"
    assert receipt["policyUrl"] == f"{settings.SITE_URL}/privacy/policy/1.0/"
    assert receipt["sensitive"] is True
    assert receipt["piiControllers"][0]["email"] == settings.PRIVACY_OFFICER["email"]
    purposes = receipt["services"][0]["purposes"]
    assert purposes and purposes[0]["consentType"] == "EXPLICIT"
    assert len(purposes[0]["piiCategory"]) == 4  # area, consultation, review, procedures
    assert member.username not in response.content.decode()  # pseudonymous only

    again = json.loads(download(client, granted.pk).content)
    assert again["consentReceiptID"] == receipt["consentReceiptID"]
    other = json.loads(download(client, withdrawn.pk).content)
    assert other["consentReceiptID"] != receipt["consentReceiptID"]
    assert other["consentGranted"] is False
    assert other["sensitive"] is False


def test_another_member_and_anonymous_get_404(client: Client, member_with_entries) -> None:
    _member, granted, _withdrawn = member_with_entries
    assert download(client, granted.pk).status_code == 404
    client.force_login(MemberFactory())
    assert download(client, granted.pk).status_code == 404
    assert download(client, 999999).status_code == 404


def test_the_list_shows_only_own_entries_with_links(
    client: Client, member_with_entries, django_assert_max_num_queries
) -> None:
    member, granted, withdrawn = member_with_entries
    stranger = MemberFactory()
    theirs = consent_record(subject_ref=stranger.subject_ref, member=stranger,
                            consent="marketing_sms", granted=True,
                            method=ConsentMethod.SIGNUP_FORM)
    for _ in range(10):
        consent_record(subject_ref=member.subject_ref, member=member, consent="marketing_sms",
                       granted=True, method=ConsentMethod.CONSENT_PAGE)
    client.force_login(member)
    client.get("/privacy/consents/receipts/")
    with django_assert_max_num_queries(6):
        html = client.get("/privacy/consents/receipts/").content.decode()
    assert f'href="/privacy/consents/receipt/{granted.pk}/"' in html
    assert f'href="/privacy/consents/receipt/{withdrawn.pk}/"' in html
    assert f'href="/privacy/consents/receipt/{theirs.pk}/"' not in html
    with translation.override("ko"):
        assert str(registry.consent("sensitive_health").label) in html


def test_the_list_needs_a_login(client: Client) -> None:
    assert client.get("/privacy/consents/receipts/")["Location"].startswith("/accounts/login/")


def test_a_processor_consent_names_the_third_party(client: Client) -> None:
    member = MemberFactory()
    processor = ProcessorFactory(name="Hanbit Mail Co.", requires_consent=True)
    record = consent_record(subject_ref=member.subject_ref, member=member,
                            consent=processor.consent_key, granted=True,
                            method=ConsentMethod.CONSENT_PAGE)
    client.force_login(member)
    purpose = json.loads(download(client, record.pk).content)["services"][0]["purposes"][0]
    assert purpose["thirdPartyDisclosure"] is True
    assert purpose["thirdPartyName"] == "Hanbit Mail Co."
