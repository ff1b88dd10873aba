"""Hostile input on the forms of the members, consultations and privacy apps (property-based).

Each example mixes valid values with hostile ones (arbitrary unicode, control characters, very
long strings, markup, SQL-looking text, malformed phone numbers and dates), so both refusals
and acceptances happen. Whatever is sent: never a server error; a refusal shows a form error
(or a 4xx) and stores nothing, not even a ledger entry; an acceptance stores what was typed.
"""

from __future__ import annotations

import itertools
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from hypothesis import event, given, settings
from hypothesis import strategies as st

from consultations.models import Consultation, GuestConsultation, ProcedureRecord, Review
from members.models import LegalRepresentative
from privacy import registry
from privacy.models import Complaint, ConsentRecord, RightsRequest
from tests.consultations.factories import (
    GUEST_PASSWORD,
    ConsultationAreaFactory,
    GuestConsultationFactory,
    ProcedureRecordFactory,
)
from tests.members.factories import PosterFactory, reauthenticate
from tests.security.hostile import (
    HOSTILE,
    REDIRECTS,
    assert_safe,
    dates,
    hostile_text,
    phones,
)
from tests.security.test_hostile_input import fresh_client

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

Member = get_user_model()
# The forms below build whole pages with several fields: fewer examples keep the suite fast.
FEW = settings(HOSTILE, max_examples=12)
STORED_MOBILE = re.compile(r"^01[016789]-\d{3,4}-\d{4}$")


def mixed(draw: st.DrawFn, valid: dict[str, Any],
          hostile: dict[str, st.SearchStrategy[Any]]) -> dict[str, Any]:
    """A valid form with up to three of its fields hostile, so that examples mix refusals
    with acceptances (of hostile-looking text that is fine to store)."""
    chosen = draw(st.sets(st.sampled_from(sorted(hostile)), max_size=3))
    event(f"{len(chosen)} hostile field(s)")
    return {**valid, **{name: draw(hostile[name]) for name in chosen}}


def outcome(response: Any) -> None:
    event(f"status {response.status_code}")


def counts(*models: Any) -> tuple[int, ...]:
    return tuple(model._default_manager.count() for model in models)


def logged_in(member: Any) -> Client:
    client = fresh_client()
    client.force_login(member)
    return client


@pytest.fixture
def area() -> Any:
    return ConsultationAreaFactory(slug="hostile-area")


@pytest.fixture
def patient(area: Any) -> Any:
    """A member who may post and has a procedure on record (after-care, reviews)."""
    member = PosterFactory()
    ProcedureRecordFactory(member=member, area=area)
    return member


# --- Sign-up: every field of main's form -------------------------------------------------------

_usernames = itertools.count()


@st.composite
def signup_forms(draw: st.DrawFn, area_pk: int) -> dict[str, Any]:
    n = next(_usernames)
    valid = {
        "name": "홍길동", "username": f"hostile_{n:04d}", "email": f"hostile{n}@example.com",
        "password1": "correct-horse-battery-9", "password2": "correct-horse-battery-9",
        "mobile_phone": "010-1234-5678", "date_of_birth": "1990-05-17", "home_phone": "",
        "home_address": "", "desired_area": "", "policy_version": "",
        "representative_name": "", "representative_email": "", "representative_phone": "",
        "representative_relation": "",
    }
    hostile: dict[str, st.SearchStrategy[Any]] = {
        name: hostile_text() for name in valid if name not in {"mobile_phone", "home_phone"}
    }
    hostile.update(mobile_phone=phones, home_phone=phones, representative_phone=phones,
                   date_of_birth=dates,
                   desired_area=st.one_of(st.just(str(area_pk)), hostile_text()))
    for consent in registry.MEMBER_CONSENTS:
        valid[f"consent_{consent.key}"] = ""
        hostile[f"consent_{consent.key}"] = st.one_of(st.just("on"), hostile_text())
    return mixed(draw, valid, hostile)


@FEW
@given(data=st.data())
def test_signup_with_hostile_fields_refuses_clearly_or_stores_what_was_typed(
    area: Any, data: st.DataObject
) -> None:
    form = data.draw(signup_forms(area.pk))
    models = (Member, EmailAddress, ConsentRecord, LegalRepresentative)
    before = counts(*models)
    response = fresh_client().post(reverse("account_signup"), form)
    outcome(response)
    assert_safe(response, *form.values())
    if response.status_code == 200:
        assert response.context["form"].errors
        assert counts(*models) == before
    else:
        assert response.status_code == 302, response.status_code
        member = Member.objects.with_login_id(form["username"].strip()).get()
        assert member.email.lower() == form["email"].strip().lower()
        assert member.name == form["name"].strip()
        assert STORED_MOBILE.match(member.mobile_phone)


@pytest.mark.parametrize("field", ["mobile_phone", "date_of_birth"])
@pytest.mark.parametrize("value", ["02-123-4567", "2026-02-30", "9999-12-31", "010-1234-567"])
def test_signup_names_the_malformed_phone_or_date(field: str, value: str) -> None:
    """Named examples, so that a regression reads plainly."""
    form = {"name": "홍길동", "username": "named_example", "email": "named@example.com",
            "password1": "correct-horse-battery-9", "password2": "correct-horse-battery-9",
            "mobile_phone": "010-1234-5678", "date_of_birth": "1990-05-17", field: value}
    response = fresh_client().post(reverse("account_signup"), form)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Member.objects.with_login_id("named_example").exists()


# --- Guest consultations -------------------------------------------------------------------------

@FEW
@given(data=st.data())
def test_guest_consultation_with_hostile_fields_refuses_or_stores_what_was_typed(
    area: Any, data: st.DataObject
) -> None:
    valid = {"name": "홍길동", "mobile_phone": "010-9876-5432", "area": str(area.pk),
             "title": "코 성형 문의", "body": "비염이 있는데 코 수술이 가능한가요?",
             "password": "guest-pass-4821-x", "password_again": "guest-pass-4821-x",
             "consent": "on"}
    hostile = {name: hostile_text() for name in valid}
    hostile["mobile_phone"] = phones
    form = mixed(data.draw, valid, hostile)
    models = (GuestConsultation, ConsentRecord)
    before = counts(*models)
    response = fresh_client().post(reverse("consultations:guest"), form)
    outcome(response)
    assert_safe(response, *form.values())
    if response.status_code == 200:
        assert response.context["form"].errors
        assert counts(*models) == before
    else:
        assert (response.status_code, response["Location"]) == (
            302, reverse("consultations:guest_done"))
        stored = GuestConsultation.objects.order_by("-pk").first()
        assert counts(*models) == (before[0] + 1, before[1] + 1)
        assert (stored.name, stored.title) == (form["name"].strip(), form["title"].strip())
        assert STORED_MOBILE.match(stored.mobile_phone)


@pytest.fixture
def guest() -> GuestConsultation:
    return GuestConsultationFactory(reference="TEST-0000-ABCD", body="비공개 비회원 질문 본문")


@HOSTILE
@given(reference=st.one_of(hostile_text(), st.just("TEST-0000-ABCD")),
       password=hostile_text())
def test_guest_read_with_hostile_reference_or_password_shows_nothing(
    guest: GuestConsultation, reference: str, password: str
) -> None:
    response = fresh_client().post(reverse("consultations:guest_read"),
                                   {"reference": reference, "password": password})
    outcome(response)
    assert_safe(response, reference, password)
    assert response.status_code == 200
    assert response.context["form"].errors
    content = response.content.decode()
    assert guest.body not in content and guest.mobile_phone not in content


def test_guest_read_control_the_right_password_shows_the_question(
    guest: GuestConsultation,
) -> None:
    response = fresh_client().post(reverse("consultations:guest_read"),
                                   {"reference": guest.reference, "password": GUEST_PASSWORD})
    assert guest.body in response.content.decode()
    assert_safe(response)  # the answer page keeps to the CSP too


# --- Member posts: consultation, after-care, review ---------------------------------------------

@FEW
@given(data=st.data())
def test_consultation_post_with_hostile_fields_refuses_or_stores_what_was_typed(
    patient: Any, area: Any, data: st.DataObject
) -> None:
    valid = {"area": str(area.pk), "title": "붓기 문의", "body": "수술 후 붓기가 언제 빠지나요?",
             "is_private": "on"}
    form = mixed(data.draw, valid, {name: hostile_text() for name in valid})
    before = counts(Consultation)
    response = logged_in(patient).post(reverse("consultations:create"), form)
    outcome(response)
    assert_safe(response, *form.values())
    if response.status_code == 200:
        assert response.context["form"].errors
        assert counts(Consultation) == before
    else:
        assert response.status_code == 302
        stored = Consultation.objects.order_by("-pk").first()
        assert response["Location"] == reverse("consultations:detail", args=[stored.pk])
        assert (stored.author_id, stored.title) == (patient.pk, form["title"].strip())
        # The stored text renders escaped on its own page.
        assert_safe(logged_in(patient).get(response["Location"]), form["title"], form["body"])


@FEW
@given(data=st.data())
def test_aftercare_question_with_hostile_fields_refuses_or_stores(
    patient: Any, data: st.DataObject
) -> None:
    procedure_pk = ProcedureRecord.objects.get(member=patient).pk
    valid = {"procedure": str(procedure_pk), "title": "실밥 문의", "body": "실밥은 언제 뽑나요?"}
    form = mixed(data.draw, valid, {name: hostile_text() for name in valid})
    before = counts(Consultation)
    response = logged_in(patient).post(reverse("consultations:aftercare_create"), form)
    outcome(response)
    assert_safe(response, *form.values())
    if response.status_code == 200:
        assert response.context["form"].errors
        assert counts(Consultation) == before
    else:
        assert response.status_code == 302
        assert counts(Consultation) == (before[0] + 1,)


@FEW
@given(data=st.data())
def test_review_with_hostile_fields_refuses_or_stores_what_was_typed(
    patient: Any, area: Any, data: st.DataObject
) -> None:
    valid = {"area": str(area.pk), "title": "만족합니다", "body": "친절하게 상담해 주셨어요.",
             "rating": "5"}
    hostile = {name: hostile_text() for name in valid}
    hostile["rating"] = st.one_of(hostile_text(), st.integers().map(str))
    form = mixed(data.draw, valid, hostile)
    before = counts(Review)
    response = logged_in(patient).post(reverse("reviews:create"), form)
    outcome(response)
    assert_safe(response, *form.values())
    if response.status_code == 200:
        assert response.context["form"].errors
        assert counts(Review) == before
    else:
        assert (response.status_code, response["Location"]) == (302, reverse("reviews:mine"))
        stored = Review.objects.order_by("-pk").first()
        assert (stored.author_id, stored.title) == (patient.pk, form["title"].strip())
        assert 1 <= stored.rating <= 5


# --- Privacy: complaints and cookie decisions ---------------------------------------------------

@FEW
@given(data=st.data(), as_member=st.booleans())
def test_complaint_with_hostile_fields_refuses_or_stores(
    patient: Any, data: st.DataObject, as_member: bool
) -> None:
    valid = {"name": "홍길동", "contact": "010-1234-5678",
             "body": "개인정보 열람 요청에 답이 없습니다."}
    form = mixed(data.draw, valid, {name: hostile_text() for name in valid})
    client = logged_in(patient) if as_member else fresh_client()
    before, outbox = counts(Complaint), len(mail.outbox)
    response = client.post(reverse("privacy:complaint"), form)
    outcome(response)
    assert_safe(response, *form.values())
    if response.status_code == 200:
        assert response.context["form"].errors
        assert counts(Complaint) == before
        assert len(mail.outbox) == outbox
    else:
        assert (response.status_code, response["Location"]) == (
            302, reverse("privacy:complaint_sent"))
        assert counts(Complaint) == (before[0] + 1,)
        # The officer's email links to the admin and never carries the complaint's text.
        assert all(form["body"].strip() not in message.body for message in mail.outbox)


cookie_group_names = st.one_of(st.sampled_from(["analytics", "marketing", "necessary"]),
                               hostile_text())


@HOSTILE
@given(
    action=st.sampled_from(["cookie_consent_accept", "cookie_consent_decline"]),
    groups=st.lists(cookie_group_names, max_size=3),
    all_groups=st.one_of(st.just(""), st.just("on"), hostile_text()),
    next_url=st.one_of(st.just(""), st.sampled_from(REDIRECTS), hostile_text()),
)
def test_cookie_decisions_with_hostile_input_never_fail_nor_redirect_off_site(
    action: str, groups: list[str], all_groups: str, next_url: str
) -> None:
    before = counts(ConsentRecord)
    body: dict[str, Any] = {"cookie_groups": groups, "all_groups": all_groups}
    if next_url:
        body["next"] = next_url
    response = fresh_client().post(reverse(action), body)
    outcome(response)
    assert_safe(response, *groups, all_groups, next_url)
    if response.status_code == 400:
        assert counts(ConsentRecord) == before
        assert "cookie_consent" not in response.cookies
        return
    assert response.status_code == 302, response.status_code
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc) == ("", ""), response["Location"]
    assert not response["Location"].startswith(("//", "/\\", "\\"))
    assert counts(ConsentRecord)[0] > before[0]  # each decision is in the ledger


# --- My page: the profile form (after reauthentication) ------------------------------------------

@FEW
@given(data=st.data())
def test_profile_edit_with_hostile_fields_refuses_and_keeps_the_profile(
    patient: Any, area: Any, data: st.DataObject
) -> None:
    valid = {"name": "김회원", "mobile_phone": "010-2222-3333", "home_phone": "",
             "home_address": "", "desired_area": "", "consent_optional_items": "",
             "consent_sensitive_health": "on"}
    hostile: dict[str, st.SearchStrategy[Any]] = {
        "name": hostile_text(), "mobile_phone": phones, "home_phone": phones,
        "home_address": hostile_text(),
        "desired_area": st.one_of(st.just(str(area.pk)), hostile_text()),
        "consent_optional_items": st.one_of(st.just("on"), hostile_text()),
        "consent_sensitive_health": st.one_of(st.just(""), hostile_text()),
    }
    form = mixed(data.draw, valid, hostile)
    patient.refresh_from_db()
    profile = (patient.name, patient.mobile_phone, patient.home_phone, patient.home_address)
    before = counts(ConsentRecord)
    client = logged_in(patient)
    reauthenticate(client)
    response = client.post(reverse("members:profile_edit"), form)
    outcome(response)
    assert_safe(response, *form.values())
    patient.refresh_from_db()
    if response.status_code == 200:
        assert response.context["form"].errors
        assert (patient.name, patient.mobile_phone, patient.home_phone,
                patient.home_address) == profile
        assert counts(ConsentRecord) == before
    else:
        assert (response.status_code, response["Location"]) == (302, reverse("members:my_page"))
        assert patient.name == form["name"].strip()
        assert STORED_MOBILE.match(patient.mobile_phone)


# --- Self-service: consent changes and requests to the privacy officer --------------------------

@HOSTILE
@given(consent=st.one_of(st.sampled_from([c.key for c in registry.MEMBER_CONSENTS]),
                         hostile_text()),
       grant=st.one_of(st.sampled_from(["1", "0"]), hostile_text()))
def test_consent_change_with_hostile_input_records_only_a_known_decision(
    patient: Any, consent: str, grant: str
) -> None:
    before = counts(ConsentRecord)
    response = logged_in(patient).post(reverse("privacy:consents"),
                                       {"consent": consent, "grant": grant})
    outcome(response)
    assert_safe(response, consent, grant)
    known = consent in {c.key for c in registry.MEMBER_CONSENTS} and grant in ("1", "0")
    if known and consent == "sensitive_health" and grant == "0":
        # Withdrawing it first shows what it destroys: nothing is recorded yet.
        assert response["Location"] == reverse("privacy:sensitive_withdraw")
        assert counts(ConsentRecord) == before
        return
    assert (response.status_code, response["Location"]) == (302, reverse("privacy:consents"))
    if not known:
        assert counts(ConsentRecord) == before
    else:
        latest = ConsentRecord.objects.filter(subject_ref=patient.subject_ref,
                                              consent=consent).order_by("-pk").first()
        assert latest is not None and latest.granted == (grant == "1")


@HOSTILE
@given(item=st.one_of(st.sampled_from([i.key for i in registry.ITEMS]), hostile_text()),
       kind=st.one_of(st.sampled_from(["correction", "deletion"]), hostile_text()))
def test_item_request_with_hostile_input_records_nothing_unknown(
    patient: Any, item: str, kind: str
) -> None:
    before = counts(RightsRequest)
    response = logged_in(patient).post(reverse("privacy:my_data_request"),
                                       {"item": item, "kind": kind})
    outcome(response)
    assert_safe(response, item, kind)
    assert (response.status_code, response["Location"]) == (302, reverse("privacy:my_data"))
    if item not in {i.key for i in registry.ITEMS} or kind not in ("correction", "deletion"):
        assert counts(RightsRequest) == before
