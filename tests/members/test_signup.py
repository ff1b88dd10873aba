"""Sign-up: the policy's items, registry-driven consents, ledger entries, email confirmation."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from members.models import Member
from members.selectors import member_may_post
from members.services import member_block
from privacy import registry
from privacy.models import ConsentMethod, ConsentRecord, PolicyVersion
from tests.members.factories import MemberFactory, StaffFactory, verify_email

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/accounts/signup/"


def test_the_form_shows_exactly_the_policy_items_and_separate_unticked_consents(
    client: Client,
) -> None:
    response = client.get(SIGNUP_URL)
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("name", "username", "password1", "password2", "email", "mobile_phone",
                 "date_of_birth", "home_phone", "home_address", "desired_area"):
        assert f'name="{name}"' in html
    form = response.context["form"]
    for field_name, item_key in {"home_phone": "home_phone", "home_address": "home_address",
                                 "desired_area": "desired_area", "name": "name",
                                 "mobile_phone": "mobile_phone",
                                 "date_of_birth": "date_of_birth"}.items():
        assert form.fields[field_name].required is registry.item(item_key).required
    for consent in registry.MEMBER_CONSENTS:
        box = f'name="consent_{consent.key}"'
        assert box in html
        tag = html[html.index(box) - 200: html.index(box) + 200]
        assert "checked" not in tag
        assert str(consent.notice)[:20] in html
    # A guest's consent is asked on the guest form, never at sign-up.
    assert 'name="consent_guest_consultation"' not in html
    # Contract-basis items are a notice without a box.
    assert "consent_name" not in html and "consent_email" not in html
    assert str(registry.item("mobile_phone").label) in html
    assert str(registry.MEMBERSHIP.achieved_when) in html


def test_english_sign_up_page(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(SIGNUP_URL).content.decode()
    assert "Items needed to provide membership" in html
    assert "Marketing at night (21:00-08:00)" in html


def test_korean_sign_up_page(client: Client) -> None:
    html = client.get(SIGNUP_URL).content.decode()
    assert '<html lang="ko">' in html
    assert "회원가입" in html
    assert "야간" in html


def _box(html: str, name: str) -> str:
    """The <input> tag of the check box ``name``."""
    return re.search(rf'<input type="checkbox" name="{name}"[^>]*>', html).group(0)


def test_a_form_sent_back_shows_what_was_ticked_and_typed_after_new_forms_were_shown(
    client: Client, signup_data: dict[str, str]
) -> None:
    """The empty consent boxes and representative fields of a new form are kept per language;
    a form sent back with an error shows the visitor's own choices, never the kept ones."""
    client.get(SIGNUP_URL)  # a new form: its empty boxes are kept
    signup_data.update(password2="another-Passw0rd!", consent_marketing_email="on",
                       representative_name="홍부모")
    html = client.post(SIGNUP_URL, signup_data).content.decode()
    assert " checked" in _box(html, "consent_marketing_email")
    assert 'value="홍부모"' in html
    assert not Member.objects.exists()
    new_form = client.get(SIGNUP_URL).content.decode()
    assert " checked" not in _box(new_form, "consent_marketing_email")
    assert "홍부모" not in new_form
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Legal representative (members under 14 only)" in client.get(SIGNUP_URL).content.decode()


def test_signup_with_every_optional_box_empty_succeeds_and_records_each_refusal(
    client: Client, signup_data: dict[str, str], policy_version: Any
) -> None:
    response = client.post(SIGNUP_URL, signup_data, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    member = Member.objects.with_login_id("hong_gildong").get()
    assert member.is_active
    assert member.name == "홍길동"
    assert member.mobile_phone == "010-1234-5678"  # normalised
    assert member.birth_date.isoformat() == "1990-05-17"
    assert member.home_phone == "" and member.desired_area is None
    records = ConsentRecord.objects.filter(member=member)
    asked = {consent.key for consent in registry.MEMBER_CONSENTS}
    assert {record.consent for record in records} == asked
    assert all(not record.granted for record in records)
    assert all(record.method == ConsentMethod.SIGNUP_FORM for record in records)
    assert all(record.policy_version == policy_version for record in records)
    assert all(record.ip_address == "203.0.113.7" for record in records)
    # Email confirmation is mandatory: a confirmation mail, and no log-in until it is used.
    assert len(mail.outbox) == 1
    assert "hong@example.com" in mail.outbox[0].to
    assert not EmailAddress.objects.get(user=member).verified
    assert "_auth_user_id" not in client.session


def test_encrypted_items_are_not_stored_in_plain_text(
    client: Client, signup_data: dict[str, str], area: Any
) -> None:
    signup_data.update(home_phone="02-6677-0010", home_address="서울시 강남구 테헤란로 1",
                       desired_area=str(area.pk), consent_optional_items="on",
                       consent_sensitive_health="on", consent_marketing_sms="on")
    assert client.post(SIGNUP_URL, signup_data).status_code == 302
    member = Member.objects.with_login_id("hong_gildong").get()
    assert member.home_phone == "02-6677-0010"
    assert member.home_address == "서울시 강남구 테헤란로 1"
    assert member.desired_area == area
    raw = Member.objects.filter(pk=member.pk).values(
        "home_phone", "home_address", "date_of_birth", "mobile_phone"
    ).get()
    assert "6677" not in raw["home_phone"]
    assert "강남" not in raw["home_address"]
    assert "1990" not in raw["date_of_birth"]
    assert "1234" not in raw["mobile_phone"]
    granted = {r.consent for r in ConsentRecord.objects.filter(member=member, granted=True)}
    assert granted == {"optional_items", "sensitive_health", "marketing_sms"}


@pytest.mark.parametrize(("field", "value", "consent"), [
    ("home_phone", "02-6677-0010", "optional_items"),
    ("home_address", "서울시 강남구", "optional_items"),
    ("desired_area", None, "sensitive_health"),
])
def test_an_optional_item_without_its_consent_is_refused_by_name(
    client: Client, signup_data: dict[str, str], area: Any, field: str, value: str | None,
    consent: str,
) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    signup_data[field] = value or str(area.pk)
    response = client.post(SIGNUP_URL, signup_data)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert "without ticking the consent" in errors[0]
    assert str(registry.consent(consent).label) in errors[0]
    assert not Member.objects.exists()
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("home_address", "서울시 강남구", "자택 주소를 입력하셨습니다"),
    ("home_phone", "02-6677-0010", "자택 전화번호를 입력하셨습니다"),
])
def test_the_korean_refusal_fits_the_particle_to_the_item(
    client: Client, signup_data: dict[str, str], field: str, value: str, expected: str,
) -> None:
    signup_data[field] = value
    response = client.post(SIGNUP_URL, signup_data)
    html = response.content.decode()
    assert expected in html
    assert "을(를)" not in html
    assert not Member.objects.exists()


def test_an_invalid_phone_number_is_refused(client: Client, signup_data: dict[str, str]) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    signup_data.update(mobile_phone="02-123-4567", home_phone="12345",
                       consent_optional_items="on")
    response = client.post(SIGNUP_URL, signup_data)
    errors = response.context["form"].errors
    assert "starting with 010" in errors["mobile_phone"][0]
    assert "with its area code" in errors["home_phone"][0]
    assert "starting with 010" in response.content.decode()
    assert not Member.objects.exists()


def test_a_duplicate_login_id_is_refused(client: Client, signup_data: dict[str, str]) -> None:
    MemberFactory(username="hong_gildong", email="other@example.com")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post(SIGNUP_URL, signup_data)
    assert response.status_code == 200
    assert "username already exists" in response.context["form"].errors["username"][0]
    assert Member.objects.count() == 1


def test_a_login_id_in_other_case_is_the_same_login_id(
    client: Client, signup_data: dict[str, str]
) -> None:
    MemberFactory(username="hong_gildong", email="other@example.com")
    signup_data["username"] = "Hong_Gildong"
    response = client.post(SIGNUP_URL, signup_data)
    assert "username" in response.context["form"].errors
    assert Member.objects.count() == 1


@pytest.mark.parametrize("login_id", ["ab", "1abc", "hong gil", "홍길동", "a" * 21])
def test_login_id_rules(client: Client, signup_data: dict[str, str], login_id: str) -> None:
    signup_data["username"] = login_id
    response = client.post(SIGNUP_URL, signup_data)
    assert "username" in response.context["form"].errors
    assert not Member.objects.exists()


def test_a_duplicate_email_creates_no_account_and_tells_only_the_owner(
    client: Client, signup_data: dict[str, str]
) -> None:
    """allauth's enumeration protection: the page does not reveal that the address is taken;
    the address's owner is told by email."""
    owner = MemberFactory(username="existing", email="hong@example.com")
    EmailAddress.objects.create(user=owner, email="hong@example.com", verified=True,
                                primary=True)
    response = client.post(SIGNUP_URL, signup_data)
    assert response.status_code == 302
    assert not Member.objects.with_login_id("hong_gildong").exists()
    assert not ConsentRecord.objects.exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hong@example.com"]
    assert "already" in mail.outbox[0].body.lower() or "이미" in mail.outbox[0].body
    assert "hong@example.com" in mail.outbox[0].body
    assert "sealed.invalid" not in mail.outbox[0].body


@pytest.mark.parametrize(("password", "message"), [
    ("password1234", "too common"),
    ("short-1A", "too short"),
    ("1234567890123", "entirely numeric"),
    ("hong_gildong-x", "too similar"),
])
def test_password_validators(client: Client, signup_data: dict[str, str], password: str,
                             message: str) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    signup_data.update(password1=password, password2=password)
    response = client.post(SIGNUP_URL, signup_data)
    assert message in " ".join(response.context["form"].errors["password1"])
    assert not Member.objects.exists()


def test_length_limits(client: Client, signup_data: dict[str, str]) -> None:
    signup_data.update(name="가" * 51, home_address="가" * 201, consent_optional_items="on")
    response = client.post(SIGNUP_URL, signup_data)
    errors = response.context["form"].errors
    assert "name" in errors and "home_address" in errors
    assert not Member.objects.exists()


def test_a_date_of_birth_in_the_future_is_refused(
    client: Client, signup_data: dict[str, str]
) -> None:
    signup_data["date_of_birth"] = "2999-01-01"
    response = client.post(SIGNUP_URL, signup_data)
    assert "date_of_birth" in response.context["form"].errors
    assert not Member.objects.exists()


def test_login_before_email_confirmation_sends_to_confirmation(
    client: Client, signup_data: dict[str, str]
) -> None:
    client.post(SIGNUP_URL, signup_data)
    client.logout()
    response = client.post("/accounts/login/", {"login": "hong_gildong",
                                                "password": signup_data["password1"]})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_consents_are_recorded_against_the_policy_version_the_page_showed(
    client: Client, signup_data: dict[str, str], policy_version: Any
) -> None:

    html = client.get(SIGNUP_URL).content.decode()
    assert 'name="policy_version" value="1.0"' in html
    PolicyVersion.objects.create(version="2.0", effective_on=date(2025, 1, 1))
    signup_data["policy_version"] = "1.0"
    client.post(SIGNUP_URL, signup_data)
    versions = set(ConsentRecord.objects.values_list("policy_version__version", flat=True))
    assert versions == {"1.0"}


def test_member_may_post_only_after_email_confirmation_and_while_not_blocked() -> None:
    member = MemberFactory()
    assert not member_may_post(member)
    verify_email(member)
    assert member_may_post(member)
    member_block(member=member, reason="Spam", actor=StaffFactory())
    assert not member_may_post(member)
