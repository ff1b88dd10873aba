"""Withdrawal: reauthentication, the statement, explicit confirmation, account gone at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from consultations.models import Consultation, Review
from privacy.models import RightsRequest
from privacy.retention.destruction import erasure_verify
from tests.members.factories import DEFAULT_PASSWORD, log_in, reauthenticate

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

URL = "/privacy/withdraw/"


def test_the_statement_says_what_goes_and_what_stays(client: Client, owner: Any) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    log_in(client, owner)
    reauthenticate(client)
    html = client.get(URL).content.decode()
    destroyed = html.split('class="statement-destroyed"')[1].split("</ul>")[0]
    kept = html.split('class="statement-kept"')[1].split("</ul>")[0]
    for label in ("mobile phone number", "home address", "consultation contents"):
        assert label in destroyed
    assert "access log" in kept and "Protection of Communications Secrets Act" in kept
    assert "until" in kept


def test_without_confirmation_nothing_happens(client: Client, owner: Any) -> None:
    log_in(client, owner)
    reauthenticate(client)
    response = client.post(URL, {})
    assert response.status_code == 200
    assert get_user_model().objects.filter(pk=owner.pk).exists()


def test_withdrawal_closes_the_account_and_login_fails(client: Client, owner: Any,
                                                      other: Any) -> None:
    log_in(client, owner)
    reauthenticate(client)
    response = client.post(URL, {"confirm": "on"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(pk=owner.pk).exists()
    assert not Consultation.objects.filter(author_id=owner.pk).exists()
    assert not Review.objects.filter(author_id=owner.pk).exists()
    response = client.post("/accounts/login/", {"login": owner.username,
                                                "password": DEFAULT_PASSWORD})
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session
    # The request stays as proof, linked to nobody; the other member is untouched.
    request = RightsRequest.objects.get(kind="deletion")
    assert request.subject_ref is None and request.completed_at is not None
    assert get_user_model().objects.filter(pk=other.pk).exists()


def test_withdrawal_needs_reauthentication(client: Client, owner: Any) -> None:
    log_in(client, owner)
    session = client.session
    session["account_authentication_records"] = []
    session.save()
    response = client.post(URL, {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert get_user_model().objects.filter(pk=owner.pk).exists()


def test_a_representative_withdraws_the_child_only(client: Client, family: Any,
                                                   other: Any) -> None:
    parent, child = family
    log_in(client, parent)
    reauthenticate(client)
    assert client.post(f"/privacy/withdraw/child/{other.pk}/", {"confirm": "on"}
                       ).status_code == 404
    assert get_user_model().objects.filter(pk=other.pk).exists()
    response = client.post(f"/privacy/withdraw/child/{child.pk}/", {"confirm": "on"})
    assert response.status_code == 200
    assert not get_user_model().objects.filter(pk=child.pk).exists()
    assert client.session["_auth_user_id"] == str(parent.pk)  # the parent stays logged in
    assert get_user_model().objects.filter(pk=parent.pk).exists()


def test_nothing_of_the_withdrawn_member_is_left_that_no_rule_keeps(client: Client,
                                                                     owner: Any) -> None:
    subject_ref = owner.subject_ref
    log_in(client, owner)
    reauthenticate(client)
    client.post(URL, {"confirm": "on"})
    findings = erasure_verify(subject_ref=subject_ref, actor="test")
    # Disclosure records stay 3 years under their own rule (disclosure_records, to pass
    # corrections on); erasure_verify does not list that rule as a lawful keeper yet.
    left = [f.table for f in findings if not f.kept_by and f.table != "privacy.disclosure"]
    assert left == []
    assert {f.kept_by for f in findings if f.kept_by} >= {"consent_proof", "login_records"}
