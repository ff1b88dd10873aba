"""A version that requires consent again: members are asked at login, optional processing stops."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.test import Client

from privacy.ledger import consent_is_granted, consent_record
from privacy.models import ConsentMethod, ConsentRecord, PolicyVersion
from privacy.policy.services import policy_version_publish
from tests.members.factories import DEFAULT_PASSWORD, MemberFactory

pytestmark = pytest.mark.django_db

JOINED = datetime.datetime(2026, 1, 10, 3, 0, tzinfo=datetime.UTC)
AFTER = datetime.datetime(2026, 12, 11, 3, 0, tzinfo=datetime.UTC)


@pytest.fixture
def member():
    with time_machine.travel(JOINED, tick=False):
        policy_version_publish(version="1.0", effective_on=datetime.date(2024, 7, 1))
        member = MemberFactory()
        consent_record(subject_ref=member.subject_ref, member=member,
                       consent="marketing_email", granted=True,
                       method=ConsentMethod.SIGNUP_FORM)
        policy_version_publish(version="2.0", effective_on=datetime.date(2026, 12, 10),
                               requires_reconsent=True, summary="New marketing partner.")
    return member


def log_in(client: Client, member) -> None:
    assert client.login(username=member.username, password=DEFAULT_PASSWORD)


def test_grants_count_until_the_version_takes_effect_then_stop(member) -> None:
    with time_machine.travel(datetime.datetime(2026, 12, 9, 3, 0, tzinfo=datetime.UTC)):
        assert consent_is_granted(subject_ref=member.subject_ref, consent="marketing_email")
    with time_machine.travel(AFTER):
        assert not consent_is_granted(subject_ref=member.subject_ref, consent="marketing_email")


def test_member_is_asked_at_login_and_consent_counts_again_after(client: Client, member) -> None:
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    with time_machine.travel(AFTER):
        response = client.post("/accounts/login/", {"login": member.username,
                                                    "password": DEFAULT_PASSWORD})
        assert response.status_code == 302
        response = client.get(response["Location"])
        assert response.status_code == 302
        assert response["Location"].startswith("/privacy/reconsent/?next=")
        page = client.get(response["Location"])
        html = page.content.decode()
        assert page.status_code == 200
        assert 'name="marketing_email"' in html
        assert "checked" not in html  # every box starts unticked
        assert 'href="/privacy/policy/2.0/"' in html

        response = client.post("/privacy/reconsent/", {"marketing_email": "on", "next": "/"})
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert client.get("/").status_code == 200
        assert consent_is_granted(subject_ref=member.subject_ref, consent="marketing_email")
        assert not consent_is_granted(subject_ref=member.subject_ref, consent="marketing_sms")
        answers = ConsentRecord.objects.filter(method=ConsentMethod.RECONSENT)
        assert set(answers.values_list("policy_version__version", flat=True)) == {"2.0"}
        assert answers.filter(granted=True).count() == 1


def test_every_page_redirects_until_answered_but_the_policy_and_logout(
    client: Client, member
) -> None:
    with time_machine.travel(AFTER):
        log_in(client, member)
        for path in ("/", "/consultations/", "/privacy/complaints/"):
            assert client.get(path)["Location"].startswith("/privacy/reconsent/")
        assert client.get("/privacy/policy/2.0/").status_code == 200
        assert client.post("/accounts/logout/").status_code == 302
        assert client.get("/").status_code == 200  # logged out: nobody to ask


def test_refusing_everything_is_an_answer_too(client: Client, member) -> None:
    with time_machine.travel(AFTER):
        log_in(client, member)
        assert client.post("/privacy/reconsent/", {"next": "/"})["Location"] == "/"
        client.logout()
        log_in(client, member)  # a new session asks the ledger again
        assert client.get("/").status_code == 200
        assert not consent_is_granted(subject_ref=member.subject_ref, consent="marketing_email")


def test_members_who_joined_under_the_new_version_are_not_asked(client: Client, member) -> None:
    with time_machine.travel(AFTER):
        newcomer = MemberFactory()
        log_in(client, newcomer)
        assert client.get("/").status_code == 200


def test_an_unsafe_next_is_ignored(client: Client, member) -> None:
    with time_machine.travel(AFTER):
        log_in(client, member)
        response = client.post("/privacy/reconsent/", {"next": "https://evil.example/"})
        assert response["Location"] == "/"


def test_without_a_reconsent_version_nothing_changes(client: Client) -> None:
    policy_version_publish(version="1.0", effective_on=datetime.date(2024, 7, 1))
    member = MemberFactory()
    log_in(client, member)
    assert client.get("/").status_code == 200
    assert client.get("/privacy/reconsent/")["Location"] == "/"
    assert PolicyVersion.objects.count() == 1
