"""The consent page: withdrawing the sensitive consent lists the health information first and
destroys it on confirmation; a legal representative decides each consent of the child."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from consultations.models import Answer, Consultation, ProcedureRecord, Review
from privacy.ledger import consent_is_granted, consents_current_for
from privacy.models import RightsRequest
from tests.consultations.factories import ProcedureRecordFactory
from tests.members.factories import MemberFactory, log_in

pytestmark = pytest.mark.django_db

WITHDRAW = "/privacy/consents/sensitive/withdraw/"


def english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def test_the_statement_lists_what_goes_and_nothing_goes_before_confirmation(
        client: Client, owner: Any, django_assert_max_num_queries: Any) -> None:
    ProcedureRecordFactory(member=owner, procedure_name="쌍꺼풀 수술")
    log_in(english(client), owner)
    response = client.post("/privacy/consents/", {"consent": "sensitive_health", "grant": "0"})
    assert response["Location"] == WITHDRAW
    with django_assert_max_num_queries(12):
        page = client.get(WITHDRAW).content.decode()
    assert "부위-own" in page or "Area own" in page  # the desired area
    consultation = Consultation.objects.get(author=owner)
    assert consultation.title in page and "with 1 answer" in page
    assert Review.objects.get(author=owner).title in page
    assert "쌍꺼풀 수술" in page
    assert "cannot be restored" in page
    assert consent_is_granted(subject_ref=owner.subject_ref, consent="sensitive_health")

    # Without the confirmation box: the page again, nothing destroyed.
    response = client.post(WITHDRAW, {})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert Consultation.objects.filter(author=owner).exists()


def test_confirming_destroys_the_health_information_and_keeps_the_account(
        client: Client, owner: Any, other: Any) -> None:
    ProcedureRecordFactory(member=owner)
    log_in(english(client), owner)
    response = client.post(WITHDRAW, {"confirm": "on"}, follow=True)
    assert "the health information it allowed is destroyed" in response.content.decode()
    assert not consent_is_granted(subject_ref=owner.subject_ref, consent="sensitive_health")
    assert not Consultation.objects.filter(author=owner).exists()
    assert not Answer.objects.filter(consultation__author=owner).exists()
    assert not Review.objects.filter(author=owner).exists()
    assert not ProcedureRecord.objects.filter(member=owner).exists()
    owner.refresh_from_db()
    assert owner.desired_area is None and owner.is_active
    assert RightsRequest.objects.get(kind="consent_withdrawal").subject_ref == owner.subject_ref
    # Another member's posts are untouched.
    assert Consultation.objects.filter(author=other).exists()
    assert Review.objects.filter(author=other).exists()


def test_the_statement_page_needs_the_consent_given(client: Client) -> None:
    member = MemberFactory()
    log_in(english(client), member)
    response = client.get(WITHDRAW, follow=True)
    assert "This consent is not given." in response.content.decode()


def test_a_representative_decides_each_consent_of_the_child(
        client: Client, family: tuple[Any, Any], django_assert_max_num_queries: Any) -> None:
    parent, child = family
    url = f"/privacy/consents/child/{child.pk}/"
    log_in(english(client), parent)
    with django_assert_max_num_queries(14):
        page = client.get(url).content.decode()
    assert "Consents of 어린이" in page and "Marketing by email" in page
    client.post(url, {"consent": "marketing_sms", "grant": "1"})
    client.post(url, {"consent": "marketing_email", "grant": "0"})
    current = consents_current_for(subject_ref=child.subject_ref)
    assert current["marketing_sms"].granted and not current["marketing_email"].granted
    assert current["marketing_sms"].actor == "representative"
    assert current["marketing_sms"].actor_user == parent
    assert current["optional_items"].granted  # the others untouched
    # Each advertising change is confirmed to the child's contacts.
    assert [m.to for m in mail.outbox] == [[child.email]]
    # The sensitive consent goes through the same statement, for the child.
    response = client.post(url, {"consent": "sensitive_health", "grant": "0"})
    assert response["Location"] == f"/privacy/consents/child/{child.pk}/sensitive/withdraw/"
    client.post(response["Location"], {"confirm": "on"})
    assert not Consultation.objects.filter(author=child).exists()
    assert not consent_is_granted(subject_ref=child.subject_ref, consent="sensitive_health")


def test_only_the_confirmed_representative_reaches_a_childs_consents(
        client: Client, family: tuple[Any, Any], other: Any) -> None:
    _parent, child = family
    log_in(client, other)
    for url in (f"/privacy/consents/child/{child.pk}/",
                f"/privacy/consents/child/{child.pk}/sensitive/withdraw/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {"consent": "marketing_sms", "grant": "1",
                                 "confirm": "on"}).status_code == 404
    assert not consent_is_granted(subject_ref=child.subject_ref, consent="marketing_sms")
    assert Consultation.objects.filter(author=child).exists()
