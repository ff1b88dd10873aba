"""My page: profile, edits behind reauthentication, sessions, password and email changes."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from members.emails import email_stand_in
from members.models import LegalRepresentative
from privacy.models import ConsentMethod, ConsentRecord, RightsRequest
from tests.members.factories import DEFAULT_PASSWORD, MemberFactory, log_in, reauthenticate

pytestmark = pytest.mark.django_db

EDIT_URL = "/accounts/profile/edit/"


def profile_post(**changes: str) -> dict[str, str]:
    return {"name": "김회원", "mobile_phone": "010-7777-8888", "home_phone": "",
            "home_address": "", "desired_area": "", "date_of_birth": "1985-03-02", **changes}


def test_my_page_needs_login(client: Client) -> None:
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_my_page_shows_the_members_own_profile(client: Client) -> None:
    member = MemberFactory(mobile_phone="010-4444-5555", date_of_birth="1985-03-02")
    log_in(client, member)
    html = client.get("/accounts/profile/").content.decode()
    for value in (member.username, member.name, member.email, "010-4444-5555", "1985-03-02"):
        assert value in html
    for link in ("/accounts/profile/edit/", "/accounts/password/change/", "/accounts/email/",
                 "/accounts/sessions/"):
        assert f'href="{link}"' in html


def test_editing_the_mobile_number_requires_reauthentication(client: Client) -> None:
    member = MemberFactory(mobile_phone="010-1111-2222")
    log_in(client, member)
    response = client.post(EDIT_URL, profile_post(mobile_phone="010-9999-0000"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    member.refresh_from_db()
    assert member.mobile_phone == "010-1111-2222"

    reauthenticate(client)
    response = client.post(EDIT_URL, profile_post(mobile_phone="010 9999 0000"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.mobile_phone == "010-9999-0000"


def test_an_invalid_mobile_number_on_edit_is_refused(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    member = MemberFactory(mobile_phone="010-1111-2222")
    log_in(client, member)
    reauthenticate(client)
    response = client.post(EDIT_URL, profile_post(mobile_phone="02-123-4567"))
    assert response.status_code == 200
    assert "starting with 010" in response.content.decode()
    member.refresh_from_db()
    assert member.mobile_phone == "010-1111-2222"


def test_optional_items_need_their_consent_and_withdrawal_deletes_them(
    client: Client, area: Any
) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    member = MemberFactory()
    log_in(client, member)
    reauthenticate(client)
    response = client.post(EDIT_URL, profile_post(home_address="서울시 중구"))
    assert "without ticking the consent" in response.content.decode()

    response = client.post(EDIT_URL, profile_post(
        home_address="서울시 중구", desired_area=str(area.pk),
        consent_optional_items="on", consent_sensitive_health="on",
    ))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.home_address == "서울시 중구" and member.desired_area == area
    granted = ConsentRecord.objects.filter(member=member, granted=True)
    assert {r.consent for r in granted} == {"optional_items", "sensitive_health"}
    assert all(r.method == ConsentMethod.CONSENT_PAGE for r in granted)

    # Withdrawing the consent (unticking) deletes the items it covered.
    response = client.post(EDIT_URL, profile_post(
        home_address="서울시 중구", desired_area=str(area.pk), consent_sensitive_health="on",
    ))
    assert "without ticking the consent" in response.content.decode()
    response = client.post(EDIT_URL, profile_post(desired_area=str(area.pk),
                                                  consent_sensitive_health="on"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.home_address == "" and member.desired_area == area
    latest = ConsentRecord.objects.filter(member=member, consent="optional_items").first()
    assert latest.granted is False


def test_password_change_requires_the_current_password(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    member = MemberFactory()
    log_in(client, member)
    new = "Another-strong-pass-77"
    response = client.post("/accounts/password/change/", {
        "oldpassword": "not-my-password", "password1": new, "password2": new,
    })
    assert response.status_code == 200
    assert "oldpassword" in response.context["form"].errors
    member.refresh_from_db()
    assert not member.check_password(new)
    client.post("/accounts/password/change/", {
        "oldpassword": DEFAULT_PASSWORD, "password1": new, "password2": new,
    })
    member.refresh_from_db()
    assert member.check_password(new)


def test_email_change_requires_reauthentication(client: Client) -> None:
    member = MemberFactory()
    log_in(client, member)
    response = client.post("/accounts/email/", {"action_add": "", "email": "new@example.com"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not member.emailaddress_set.filter(email=email_stand_in("new@example.com")).exists()


def test_own_sessions_are_listed_and_others_can_be_signed_out(client: Client) -> None:
    member = MemberFactory()
    other_device = Client(REMOTE_ADDR="198.51.100.9")
    log_in(other_device, member)
    assert other_device.get("/accounts/profile/").status_code == 200
    log_in(client, member)
    page = client.get("/accounts/sessions/")
    assert page.status_code == 200
    assert page.context["session_count"] == 2
    client.post("/accounts/sessions/")
    assert other_device.get("/accounts/profile/").status_code == 302
    assert client.get("/accounts/profile/").status_code == 200


def test_the_date_of_birth_is_corrected_in_the_profile_and_recorded(client: Client) -> None:
    member = MemberFactory(date_of_birth="1985-03-02")
    log_in(client, member)
    reauthenticate(client)
    form = client.get(EDIT_URL).content.decode()
    assert 'name="date_of_birth"' in form and 'value="1985-03-02"' in form
    response = client.post(EDIT_URL, profile_post(
        name=member.name, mobile_phone=member.mobile_phone, date_of_birth="1986-03-02"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.birth_date == date(1986, 3, 2)
    request = RightsRequest.objects.get(subject_ref=member.subject_ref, kind="correction")
    assert request.items == ["date_of_birth"]


@pytest.mark.parametrize(("value", "message"), [
    ("2020-01-01", "법정대리인"),  # under 14, no representative
    ("2999-01-01", "실제 생년월일"),  # in the future
    ("1850-01-01", "실제 생년월일"),
    ("1985-13-45", "날짜"),
    ("", "필수"),
])
def test_a_date_of_birth_the_rules_refuse_changes_nothing(
    client: Client, value: str, message: str,
) -> None:
    member = MemberFactory(date_of_birth="1985-03-02")
    log_in(client, member)
    reauthenticate(client)
    response = client.post(EDIT_URL, profile_post(date_of_birth=value))
    assert response.status_code == 200
    assert message in response.content.decode()
    member.refresh_from_db()
    assert member.date_of_birth == "1985-03-02"
    assert not RightsRequest.objects.filter(subject_ref=member.subject_ref).exists()


def test_a_child_with_a_confirmed_representative_may_hold_a_date_under_14(
    client: Client,
) -> None:
    child = MemberFactory(date_of_birth="2014-01-01")
    parent = MemberFactory()
    LegalRepresentative.objects.create(
        child=child, name="보호자", email=parent.email, relation="parent",
        representative_member=parent, confirmed_at=timezone.now(),
    )
    log_in(client, parent)
    reauthenticate(client)
    url = f"/accounts/profile/children/{child.pk}/edit/"
    response = client.post(url, profile_post(date_of_birth="2015-01-01"))
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.date_of_birth == "2015-01-01"
