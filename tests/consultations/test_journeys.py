"""Journeys without dead ends: from sign-up to a posted question, refusals that name the one
reason and the one step, the member's own questions with their status, the board's status."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from consultations.models import Consultation, Review
from members.models import Member
from members.services import member_block
from privacy.models import ConsentMethod, ConsentRecord
from tests.consultations.factories import (
    AnswerFactory,
    ConsultationAreaFactory,
    ConsultationFactory,
    ProcedureRecordFactory,
)
from tests.members.factories import MemberFactory, PosterFactory, StaffFactory, verify_email

pytestmark = pytest.mark.django_db

PASSWORD = "Seoul-clinic-2026!"


def test_sign_up_with_optional_boxes_empty_then_post_a_question(client: Client) -> None:
    """The whole journey through the site's own pages: sign up leaving every optional box
    empty, confirm the email from the link, press "상담 신청하기", tick the consent the form
    asks for, and the question is posted."""
    area = ConsultationAreaFactory(slug="eyes", name_ko="눈", name_en="Eyes")
    response = client.post("/accounts/signup/", {
        "name": "홍길동", "username": "hong_gildong", "email": "hong@example.com",
        "password1": PASSWORD, "password2": PASSWORD, "mobile_phone": "010 1234 5678",
        "date_of_birth": "1990-05-17", "home_phone": "", "home_address": "",
        "desired_area": "",
    })
    assert response.status_code == 302
    link = re.search(r"/accounts/confirm-email/[\w:-]+/", mail.outbox[0].body)
    assert link is not None
    client.post(link.group(0))
    client.post("/accounts/login/", {"login": "hong_gildong", "password": PASSWORD})
    member = Member.objects.with_login_id("hong_gildong").get()

    page = client.get("/consultations/new/")
    assert page.status_code == 200
    html = page.content.decode()
    box = html[html.index('name="sensitive_consent"') - 200:html.index('name="sensitive_consent"')
               + 200]
    assert "checked" not in box
    assert "민감정보" in html  # the consent's own label and notice beside its box
    assert "이메일 주소를 인증해 주십시오" not in html
    assert "인증이 아직 끝나지 않았습니다" not in html

    data = {"area": area.pk, "title": "쌍꺼풀 상담", "body": "붓기는 얼마나 가나요?",
            "is_private": "on"}
    refused = client.post("/consultations/new/", data)
    assert refused.status_code == 200 and not Consultation.objects.exists()
    posted = client.post("/consultations/new/", {**data, "sensitive_consent": "on"},
                         REMOTE_ADDR="203.0.113.8")
    consultation = Consultation.objects.get()
    assert posted["Location"] == f"/consultations/{consultation.pk}/"
    assert consultation.author == member and consultation.is_private
    record = ConsentRecord.objects.filter(member=member, consent="sensitive_health").latest(
        "recorded_at", "id")
    assert record.granted and record.method == ConsentMethod.BOARD_FORM
    # Once given, the next form does not ask again.
    assert 'name="sensitive_consent"' not in client.get("/consultations/new/").content.decode()


def test_an_unconfirmed_email_is_the_one_reason_named(client: Client) -> None:
    member = MemberFactory()  # email not confirmed, no consent either
    client.force_login(member)
    response = client.get("/consultations/new/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "이메일 주소 인증이 아직 끝나지 않았습니다" in html
    assert 'href="/accounts/email/"' in html
    assert "민감정보" not in html and "차단" not in html and "제한" not in html


def test_a_blocked_member_is_told_only_that_and_whom_to_call(client: Client) -> None:
    member = PosterFactory()
    member_block(member=member, reason="스팸", actor=StaffFactory())
    client.force_login(member)
    response = client.get("/consultations/new/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "게시판을 이용하실 수 없습니다" in html and 'href="tel:' in html
    assert "이메일" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_reviews_and_after_care_ask_for_the_consent_on_their_own_forms(client: Client) -> None:
    member = verify_email(MemberFactory())
    record = ProcedureRecordFactory(member=member)
    client.force_login(member)
    assert "후기 쓰기" in client.get("/reviews/").content.decode()  # the way in is shown
    form = client.get("/reviews/new/")
    assert form.status_code == 200 and 'name="sensitive_consent"' in form.content.decode()
    client.post("/reviews/new/", {"area": record.area.pk, "title": "좋아요", "body": "만족",
                                  "rating": 5, "sensitive_consent": "on"})
    assert Review.objects.filter(author=member).exists()
    aftercare = client.get("/consultations/aftercare/new/")
    assert aftercare.status_code == 200
    assert 'name="sensitive_consent"' not in aftercare.content.decode()  # given just now


def test_the_member_form_is_private_by_default_and_warns_before_a_public_post(
    client: Client,
) -> None:
    client.force_login(PosterFactory())
    html = client.get("/consultations/new/").content.decode()
    box = html[html.index('name="is_private"') - 50:html.index('name="is_private"') + 120]
    assert "checked" in box
    assert "누구나" in html  # the notice next to the box says who reads a public question


def test_my_page_lists_my_questions_with_their_status(
    client: Client, django_assert_max_num_queries,
) -> None:
    member = PosterFactory()
    answered = ConsultationFactory(author=member, title="답변 받은 질문")
    AnswerFactory(consultation=answered)
    ConsultationFactory(author=member, title="기다리는 질문", is_private=True)
    ConsultationFactory(title="남의 질문")
    client.force_login(member)
    client.get("/accounts/profile/")  # warm the site-wide caches
    with django_assert_max_num_queries(13):
        html = client.get("/accounts/profile/").content.decode()
    section = html[html.index("내 상담"):]
    assert f'href="/consultations/{answered.pk}/"' in section
    assert "답변 받은 질문" in section and "기다리는 질문" in section
    assert "남의 질문" not in section
    assert "답변 완료" in section and "답변 대기" in section


def test_my_consultations_page_pages_through_every_question(
    client: Client, django_assert_max_num_queries,
) -> None:
    member = PosterFactory()
    for number in range(25):
        consultation = ConsultationFactory(author=member, title=f"질문 {number}")
        if number % 2:
            AnswerFactory(consultation=consultation)
    client.force_login(member)
    client.get("/consultations/mine/")
    with django_assert_max_num_queries(8):
        first = client.get("/consultations/mine/").content.decode()
    assert first.count("답변 완료") + first.count("답변 대기") == 20
    second = client.get("/consultations/mine/?page=2").content.decode()
    assert second.count("답변 완료") + second.count("답변 대기") == 5
    assert client.get("/consultations/mine/").status_code == 200
    client.logout()
    assert client.get("/consultations/mine/")["Location"].startswith("/accounts/login/")


def test_the_board_shows_answered_or_waiting_on_each_row(
    client: Client, django_assert_max_num_queries,
) -> None:
    for number in range(6):
        consultation = ConsultationFactory(title=f"공개 질문 {number}")
        if number < 2:
            AnswerFactory.create_batch(2, consultation=consultation)
    client.get("/consultations/")
    with django_assert_max_num_queries(5):
        html = client.get("/consultations/").content.decode()
    rows = html[html.index("<tbody>"):html.index("</tbody>")]
    assert rows.count("답변 완료") == 2 and rows.count("답변 대기") == 4
    client.cookies["django_language"] = "en"
    english = client.get("/consultations/").content.decode()
    assert "Answered" in english and "Waiting for an answer" in english
