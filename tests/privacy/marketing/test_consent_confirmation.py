"""Every change of advertising consent is confirmed to the person with the date, what was
decided and how it was received (Network Act art. 50(7))."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.test import Client
from django.utils import timezone

from members.models import Member
from privacy.ledger import consent_is_granted, consent_record
from privacy.marketing.campaigns import unsubscribe_url
from privacy.marketing.confirmations import consent_confirmation_send
from privacy.models import ConsentMethod
from privacy.outbox import new_send_key
from privacy.processors import sms
from tests.members.factories import MemberFactory, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms_outbox(settings: Any) -> None:
    settings.SMS_BACKEND = "privacy.processors.sms.LocmemBackend"
    sms.outbox.clear()


def test_granting_email_advertising_on_the_consent_page_is_confirmed_by_email(
        client: Client) -> None:
    member = MemberFactory(email="jiwoo@example.com")
    log_in(client, member)
    client.post("/privacy/consents/", {"consent": "marketing_email", "grant": "1"})
    assert consent_is_granted(subject_ref=member.subject_ref, consent="marketing_email")
    [message] = mail.outbox
    assert message.to == ["jiwoo@example.com"]
    assert "광고" in message.subject
    assert "Marketing by email: consent given" in message.body
    assert "수신 동의" in message.body and "접수 경로" in message.body
    assert "Date: 2026-" in message.body
    assert "Received through: consent settings page" in message.body
    assert sms.outbox == []


def test_withdrawing_sms_advertising_is_confirmed_by_text_message(client: Client) -> None:
    member = MemberFactory(mobile_phone="010-2468-1357")
    consent_record(subject_ref=member.subject_ref, member=member, consent="marketing_sms",
                   granted=True, method=ConsentMethod.SIGNUP_FORM)
    log_in(client, member)
    client.post("/privacy/consents/", {"consent": "marketing_sms", "grant": "0"})
    [message] = sms.outbox
    assert message.to == "010-2468-1357" and message.subject_ref == member.subject_ref
    assert "철회" in message.body and "2026-" in message.body
    assert mail.outbox == []


def test_the_unsubscribe_link_withdrawal_is_confirmed(client: Client) -> None:
    member = MemberFactory(email="minji@example.com")
    consent_record(subject_ref=member.subject_ref, member=member, consent="marketing_email",
                   granted=True, method=ConsentMethod.SIGNUP_FORM)
    link = unsubscribe_url(subject_ref=member.subject_ref, consent="marketing_email")
    client.post(urlsplit(link).path)
    assert not consent_is_granted(subject_ref=member.subject_ref, consent="marketing_email")
    [message] = mail.outbox
    assert message.to == ["minji@example.com"]
    assert "consent withdrawn" in message.body and "link in an email" in message.body


def test_other_consents_send_no_confirmation(client: Client) -> None:
    member = MemberFactory()
    log_in(client, member)
    client.post("/privacy/consents/", {"consent": "optional_items", "grant": "1"})
    assert mail.outbox == [] and sms.outbox == []


def test_a_confirmation_is_sent_once_for_its_key() -> None:
    member = MemberFactory(email="once@example.com")
    record = consent_record(subject_ref=member.subject_ref, member=member,
                            consent="marketing_email", granted=True,
                            method=ConsentMethod.CONSENT_PAGE)
    key = new_send_key()
    for _run in range(2):  # a run repeated after a crash
        consent_confirmation_send.call(member_id=member.pk, record_ids=[record.pk],
                                       route="email", key=key)
    assert [message.to for message in mail.outbox] == [["once@example.com"]]


SIGNUP_URL = "/accounts/signup/"
REPRESENTATIVE_LINK = re.compile(r"http://testserver(/accounts/representative/[^/\s]+/)")
PASSWORD = "Seoul-clinic-2026!"


def _signup_data(**changes: str) -> dict[str, str]:
    return {
        "name": "홍길동", "username": "hong_gildong", "email": "hong@example.com",
        "password1": PASSWORD, "password2": PASSWORD, "mobile_phone": "010 1234 5678",
        "date_of_birth": "1990-05-17", "home_phone": "", "home_address": "",
        "desired_area": "", **changes,
    }


def _confirmations() -> list[EmailMessage]:
    return [message for message in mail.outbox if "광고" in message.subject]


def test_advertising_boxes_ticked_at_sign_up_are_confirmed_once_per_channel(
        client: Client) -> None:
    response = client.post(SIGNUP_URL, _signup_data(
        consent_marketing_email="on", consent_marketing_sms="on"))
    assert response.status_code == 302
    [message] = _confirmations()
    assert message.to == ["hong@example.com"]
    korean = message.body[:message.body.index("confirms the change")]
    assert "이메일 광고 수신: 수신 동의" in korean
    assert "처리 일시: 2026-" in korean and "접수 경로: 회원가입 양식" in korean
    assert "Received through: sign-up form" in message.body
    [text] = sms.outbox
    assert text.to == "010-1234-5678"
    assert "수신 동의" in text.body and "2026-" in text.body and "회원가입 양식" in text.body
    assert "consent" not in text.body


def test_advertising_boxes_left_empty_at_sign_up_send_no_confirmation(client: Client) -> None:
    client.post(SIGNUP_URL, _signup_data(consent_optional_items="on"))
    assert Member.objects.with_login_id("hong_gildong").exists()
    assert _confirmations() == [] and sms.outbox == []


def test_a_representatives_first_confirmation_by_the_link_is_confirmed_once(
        client: Client) -> None:
    today = timezone.localdate()
    client.post(SIGNUP_URL, _signup_data(
        name="김아이", username="kid_kim", email="kid@example.com",
        date_of_birth=date(today.year - 10, 1, 1).isoformat(), consent_marketing_email="on",
        representative_name="김보호", representative_email="parent@example.com",
        representative_phone="010-9999-8888", representative_relation="parent",
    ))
    # The child's choices take effect only with the representative's: nothing confirmed yet.
    assert _confirmations() == []
    (request,) = [message for message in mail.outbox if message.to == ["parent@example.com"]]
    path = REPRESENTATIVE_LINK.search(request.body).group(1)
    client.post(path)
    client.post(path)  # submitted twice: one decision, one confirmation
    [message] = _confirmations()
    assert message.to == ["kid@example.com"]
    korean = message.body[:message.body.index("confirms the change")]
    assert "이메일 광고 수신: 수신 동의" in korean
    assert "처리 일시: 2026-" in korean and "접수 경로: 이메일 링크" in korean
    assert sms.outbox == []
