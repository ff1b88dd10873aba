"""Members under 14: a legal representative confirms through a signed link within 7 days."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import Client
from django.utils import timezone

from members.models import LegalRepresentative, Member
from members.selectors import children_unconfirmed_due_for_destruction, member_represents
from privacy.models import ConsentActor, ConsentMethod, ConsentRecord
from tests.members.conftest import STRONG_PASSWORD
from tests.members.factories import MemberFactory, log_in, reauthenticate

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/accounts/signup/"
LINK = re.compile(r"http://testserver(/accounts/representative/[^/\s]+/)")


def child_birthday() -> str:
    today = timezone.localdate()
    return date(today.year - 10, 1, 1).isoformat()


@pytest.fixture
def child_data(signup_data: dict[str, str]) -> dict[str, str]:
    signup_data.update(
        name="김아이", username="kid_kim", email="kid@example.com",
        date_of_birth=child_birthday(), consent_marketing_email="on",
        representative_name="김보호", representative_email="parent@example.com",
        representative_phone="010-9999-8888", representative_relation="parent",
    )
    return signup_data


def sign_up_child(client: Client, data: dict[str, str]) -> str:
    response = client.post(SIGNUP_URL, data)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/representative/pending/"
    (message,) = [m for m in mail.outbox if "parent@example.com" in m.to]
    return LINK.search(message.body).group(1)


def test_under_14_without_a_representative_is_refused(
    client: Client, child_data: dict[str, str]
) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for name in ("representative_name", "representative_email", "representative_relation"):
        child_data[name] = ""
    response = client.post(SIGNUP_URL, child_data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    for name in ("representative_name", "representative_email", "representative_relation"):
        assert "under 14 need a legal representative" in errors[name][0]
    assert not Member.objects.exists()
    assert not mail.outbox


def test_the_representative_email_must_not_be_the_childs_own(
    client: Client, child_data: dict[str, str]
) -> None:
    child_data["representative_email"] = "KID@example.com"
    response = client.post(SIGNUP_URL, child_data)
    assert "representative_email" in response.context["form"].errors
    assert not Member.objects.exists()


def test_a_child_account_stays_inactive_until_the_representative_confirms(
    client: Client, child_data: dict[str, str]
) -> None:
    path = sign_up_child(client, child_data)
    child = Member.objects.with_login_id("kid_kim").get()
    assert not child.is_active
    representative = LegalRepresentative.objects.get(child=child)
    assert representative.name == "김보호"
    assert representative.phone == "010-9999-8888"
    raw = LegalRepresentative.objects.filter(pk=representative.pk).values("name", "email").get()
    assert "김보호" not in raw["name"] and "parent" not in raw["email"]
    # The child cannot log in yet and is told why.
    response = client.post("/accounts/login/", {"login": "kid_kim", "password": STRONG_PASSWORD})
    assert response["Location"] == "/accounts/representative/pending/"
    assert "_auth_user_id" not in client.session

    # Opening the link changes nothing (mail scanners follow links); the POST confirms.
    page = client.get(path)
    assert page.status_code == 200
    assert "김아이" in page.content.decode()
    child.refresh_from_db()
    assert not child.is_active
    response = client.post(path)
    assert response.status_code == 200
    child.refresh_from_db()
    assert child.is_active
    records = ConsentRecord.objects.filter(member=child, actor=ConsentActor.REPRESENTATIVE)
    assert records.count() == 5
    assert records.get(consent="marketing_email").granted is True
    assert all(r.method == ConsentMethod.EMAIL_LINK for r in records)


def test_an_expired_link_shows_a_clear_page_and_changes_nothing(
    client: Client, child_data: dict[str, str]
) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    path = sign_up_child(client, child_data)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        for response in (client.get(path), client.post(path)):
            assert response.status_code == 400
            assert "This link has expired" in response.content.decode()
    child = Member.objects.with_login_id("kid_kim").get()
    assert not child.is_active
    assert LegalRepresentative.objects.get(child=child).confirmed_at is None
    assert not ConsentRecord.objects.filter(actor=ConsentActor.REPRESENTATIVE).exists()


def test_a_tampered_link_shows_a_clear_page_and_changes_nothing(
    client: Client, child_data: dict[str, str]
) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    path = sign_up_child(client, child_data)
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    response = client.post(tampered)
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert not Member.objects.with_login_id("kid_kim").get().is_active


def test_unconfirmed_children_are_due_for_destruction_after_7_days(
    client: Client, child_data: dict[str, str]
) -> None:
    sign_up_child(client, child_data)
    now = timezone.now()
    assert not children_unconfirmed_due_for_destruction(now=now).exists()
    due = children_unconfirmed_due_for_destruction(now=now + timedelta(days=7, seconds=1))
    assert [member.username for member in due] == ["kid_kim"]


def test_a_representative_who_is_a_member_sees_and_edits_the_childs_profile(
    client: Client, child_data: dict[str, str]
) -> None:
    parent = MemberFactory(username="parent_kim", email="parent@example.com")
    path = sign_up_child(client, child_data)
    log_in(client, parent)
    client.post(path)
    child = Member.objects.with_login_id("kid_kim").get()
    assert member_represents(representative=parent, child=child)

    my_page = client.get("/accounts/profile/").content.decode()
    assert f"/accounts/profile/children/{child.pk}/" in my_page
    profile = client.get(f"/accounts/profile/children/{child.pk}/")
    assert profile.status_code == 200
    assert "kid@example.com" in profile.content.decode()
    reauthenticate(client)
    response = client.post(f"/accounts/profile/children/{child.pk}/edit/", {
        "name": "김아이", "mobile_phone": "01055556666", "home_phone": "", "home_address": "",
        "desired_area": "", "date_of_birth": child.date_of_birth,
    })
    assert response.status_code == 302, response["Location"]
    assert response["Location"] == "/accounts/profile/"
    child.refresh_from_db()
    assert child.mobile_phone == "010-5555-6666"


def test_another_member_cannot_see_a_child(client: Client, child_data: dict[str, str]) -> None:
    path = sign_up_child(client, child_data)
    client.post(path)
    child = Member.objects.with_login_id("kid_kim").get()
    stranger = MemberFactory()
    log_in(client, stranger)
    reauthenticate(client)
    assert not member_represents(representative=stranger, child=child)
    assert client.get(f"/accounts/profile/children/{child.pk}/").status_code == 404
    response = client.post(f"/accounts/profile/children/{child.pk}/edit/", {"name": "x"})
    assert response.status_code == 404


def test_member_represents_is_false_for_anonymous_and_unconfirmed(
    client: Client, child_data: dict[str, str], django_user_model: Any
) -> None:
    parent = MemberFactory(email="parent@example.com")
    sign_up_child(client, child_data)
    child = Member.objects.with_login_id("kid_kim").get()
    assert not member_represents(representative=AnonymousUser(), child=child)
    assert not member_represents(representative=parent, child=child)  # not yet confirmed


def test_a_logged_in_stranger_who_opens_the_link_is_not_linked_to_the_child(
    client: Client, child_data: dict[str, str]
) -> None:
    stranger = MemberFactory(email="someone.else@example.com")
    path = sign_up_child(client, child_data)
    log_in(client, stranger)
    client.post(path)
    child = Member.objects.with_login_id("kid_kim").get()
    assert child.is_active  # the consent itself came through the emailed link
    assert not member_represents(representative=stranger, child=child)


def test_confirming_twice_records_the_consents_once(
    client: Client, child_data: dict[str, str]
) -> None:
    path = sign_up_child(client, child_data)
    client.post(path)
    response = client.post(path)
    assert response.status_code == 200
    assert ConsentRecord.objects.filter(actor=ConsentActor.REPRESENTATIVE).count() == 5
