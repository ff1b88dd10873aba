"""The sections the law asks of the policy page, each generated from what the site does: the
configured periods, what stays after withdrawal, safety measures, provision to third parties,
overseas transfer, automated decisions, pseudonymised information, the boards and cookies."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.test import Client

from privacy.models import Disclosure, DisclosureBasis
from tests.privacy.factories import ProcessorFactory

pytestmark = pytest.mark.django_db


def page(client: Client, language: str = "ko") -> str:
    client.cookies["django_language"] = language
    response = client.get("/privacy/policy/")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    following = html.find("<h2", start + 1)
    return html[start:following if following != -1 else None]


def test_the_guest_periods_are_the_configured_ones(client: Client, settings: Any) -> None:
    settings.GUEST_CONSULTATION_DAYS_AFTER_ANSWER = 60
    settings.GUEST_CONSULTATION_DAYS_UNANSWERED = 180
    retention = section(page(client), "retention")
    assert "상담에 답변한 후 60일, 답변이 없으면 작성 후 180일" in retention
    english = section(page(client, "en"), "retention")
    assert "destroyed 60 days later), or 180 days after posting" in english
    assert "destroyed 30 days later), or 90 days after posting" not in english


def test_what_stays_after_withdrawal_is_stated(client: Client) -> None:
    retention = section(page(client, "en"), "retention")
    kept = retention[retention.index('id="kept-after-withdrawal"'):]
    assert "even after you cancel" in kept
    for label in ("consent records (what was agreed", "access IP information",
                  "records of provision to third parties", "your requests to view"):
        assert label.lower() in kept.lower(), label


def test_no_third_party_and_no_overseas_transfer_is_stated_as_none(client: Client) -> None:
    ProcessorFactory(country="KR")
    html = page(client)
    assert "병원은 귀하의 개인정보를 제3자에게 제공하지 않습니다." in section(html, "provision")
    assert "병원은 개인정보를 국외로 이전하지 않습니다." in section(html, "overseas")
    assert "자동화된 시스템으로 귀하에 관한 결정을 하지 않습니다" in section(html, "automated")
    assert "가명정보를 처리하지 않습니다" in section(html, "pseudonymised")


def test_a_processor_abroad_is_an_overseas_transfer(client: Client) -> None:
    ProcessorFactory(name="Global Mail Inc.", country="US", items=["email"],
                     tasks_ko="이메일 발송", tasks_en="sending email")
    ProcessorFactory(name="Hanbit Mail", country="KR")
    overseas = section(page(client), "overseas")
    assert "Global Mail Inc." in overseas and ">US</td>" in overseas
    assert "이메일 발송" in overseas and "Hanbit Mail" not in overseas
    assert "국외로 이전하지 않습니다" not in overseas


def test_provisions_made_by_law_are_stated_by_their_basis(client: Client) -> None:
    Disclosure.objects.create(
        subject_ref=uuid.uuid4(), recipient="서울경찰청", items=["name"],
        legal_basis=DisclosureBasis.LAW,
        disclosed_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
    )
    provision = section(page(client, "en"), "provision")
    assert "a law or a duty under it" in provision
    assert "서울경찰청" not in provision  # the recipient of one person's data is not published


def test_safety_measures_follow_the_settings_in_force(client: Client, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = False
    measures = section(page(client, "en"), "safety")
    assert "encrypted in the database" in measures
    assert "second factor" in measures  # staff MFA middleware is on
    assert "after 30 minutes without activity" in measures
    assert "HTTPS" not in measures
    settings.SECURE_SSL_REDIRECT = True
    settings.STAFF_SESSION_IDLE_TIMEOUT = 15 * 60
    measures = section(_secure_page(client), "safety")
    assert "(HTTPS)" in measures and "after 15 minutes" in measures
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "StaffMFA" not in m]
    assert "second factor" not in section(_secure_page(client), "safety")


def _secure_page(client: Client) -> str:
    client.cookies["django_language"] = "en"
    response = client.get("/privacy/policy/", secure=True)
    assert response.status_code == 200
    return response.content.decode()


def test_the_boards_and_behavioural_information_are_explained(client: Client) -> None:
    html = page(client)
    boards = section(html, "boards")
    assert "기본적으로 공개되어 누구나 볼 수 있습니다" in boards  # the board's default today
    assert "‘비공개’를 선택하십시오" in boards
    cookies = section(html, "cookies")
    assert "행태정보" in cookies and "분석 쿠키" in cookies
    assert "<code>clinic_visitor</code>" in cookies
    assert "sessionid" not in cookies  # necessary cookies are not behavioural information


def test_the_english_sections_are_in_english(client: Client) -> None:
    html = page(client, "en")
    for heading in ("9. Provision of personal information to third parties",
                    "10. Transfer of personal information overseas",
                    "11. Measures to keep personal information safe", "12. Automated decisions",
                    "13. Pseudonymised information",
                    "14. Sensitive information on the consultation boards"):
        assert heading in html
    assert "개인정보" not in html[html.index('id="provision"'):]


def test_delegation_says_what_is_always_delivered_and_what_waits_for_consent(
    client: Client,
) -> None:
    ProcessorFactory(name="Hanbit Mail", sends_email=True, requires_consent=True)
    delegation = section(page(client), "delegation")
    assert "Hanbit Mail<br><small>광고는 동의한 경우에만</small>" in delegation
    assert "비밀번호 재설정" in delegation and "언제나 전달합니다" in delegation
    assert "광고·이벤트 메시지: 아래에 표시된 수탁자에게는 귀하가 동의한 뒤에만" in delegation
