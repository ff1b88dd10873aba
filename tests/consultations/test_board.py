"""The consultation board: posting, list, search, detail, edits, staff answers, the email."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, Answer, Consultation
from members.models import LegalRepresentative
from members.roles import DOCTOR
from tests.consultations.factories import (
    AnswerFactory,
    ConsultationAreaFactory,
    ConsultationFactory,
)
from tests.members.factories import MemberFactory, PosterFactory, StaffFactory, verify_email

pytestmark = pytest.mark.django_db(databases=["default", "retention"])


def html(response) -> str:
    return response.content.decode()


def raw_body(consultation: Consultation) -> str:
    """The column as stored (values_list skips the decrypting descriptor)."""
    return str(Consultation.objects.values_list("body", flat=True).get(pk=consultation.pk))


# --- list --------------------------------------------------------------------------------------

def test_list_hides_private_titles_from_others_but_not_from_author_or_staff(client: Client) -> None:
    author = PosterFactory(name="김민수")
    ConsultationFactory(author=author, title="공개 질문입니다")
    ConsultationFactory(author=author, title="비밀 재수술 질문", is_private=True)

    anonymous = html(client.get("/consultations/"))
    assert "공개 질문입니다" in anonymous
    assert "비밀 재수술 질문" not in anonymous
    assert "비공개 상담" in anonymous  # the row is there, its title is not
    assert "김*수" in anonymous and "김민수" not in anonymous

    client.force_login(PosterFactory())
    assert "비밀 재수술 질문" not in html(client.get("/consultations/"))
    client.force_login(author)
    assert "비밀 재수술 질문" in html(client.get("/consultations/"))
    client.force_login(StaffFactory(role=DOCTOR))
    assert "비밀 재수술 질문" in html(client.get("/consultations/"))


def test_title_search_never_matches_private_titles_of_others(client: Client) -> None:
    author = PosterFactory()
    ConsultationFactory(author=author, title="코 재수술 공개", is_private=False)
    ConsultationFactory(author=author, title="코 재수술 비공개", is_private=True)
    ConsultationFactory(title="눈 상담")

    page = html(client.get("/consultations/", {"q": "재수술"}))
    assert "코 재수술 공개" in page
    assert "비공개 상담" not in page  # the private match is not even hinted at
    assert "눈 상담" not in page

    client.force_login(author)
    page = html(client.get("/consultations/", {"q": "재수술"}))
    assert "코 재수술 비공개" in page


def test_filter_by_area(client: Client) -> None:
    eyes = ConsultationAreaFactory(slug="eyes", name_ko="눈")
    nose = ConsultationAreaFactory(slug="nose", name_ko="코")
    ConsultationFactory(area=eyes, title="눈 질문")
    ConsultationFactory(area=nose, title="코 질문")
    page = html(client.get("/consultations/", {"area": "nose"}))
    assert "코 질문" in page and "눈 질문" not in page
    page = html(client.get("/consultations/", {"area": "no-such-area"}))
    assert "코 질문" in page and "눈 질문" in page


def test_list_is_paginated_and_keeps_the_filter_in_page_links(client: Client) -> None:
    area = ConsultationAreaFactory(slug="skin")
    ConsultationFactory.create_batch(25, area=area)
    page = html(client.get("/consultations/", {"area": "skin"}))
    assert page.count("<tr>") == 21  # header + 20 rows
    assert "?area=skin&amp;page=2" in page
    assert html(client.get("/consultations/", {"area": "skin", "page": 2})).count("<tr>") == 6


@pytest.mark.parametrize("viewer", ["anonymous", "member", "staff"])
def test_list_query_count_does_not_grow_with_posts(
    client: Client, django_assert_max_num_queries, viewer: str
) -> None:
    if viewer != "anonymous":
        client.force_login(StaffFactory(role=DOCTOR) if viewer == "staff" else PosterFactory())
    ConsultationFactory.create_batch(2)
    ConsultationFactory(is_private=True)
    client.get("/consultations/")  # warm the site-wide caches: steady state is counted
    # Staff also load their role's permissions (two queries) and their second factor (one).
    most = 8 if viewer == "staff" else 6
    with django_assert_max_num_queries(most):
        assert client.get("/consultations/").status_code == 200
    for _ in range(12):
        ConsultationFactory(author=PosterFactory(), area=ConsultationAreaFactory())
    ConsultationFactory.create_batch(10, is_private=True)
    with django_assert_max_num_queries(most):
        assert client.get("/consultations/", {"q": "상담"}).status_code == 200


# --- posting -----------------------------------------------------------------------------------

def test_posting_needs_login(client: Client) -> None:
    response = client.get("/consultations/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    area = ConsultationAreaFactory()
    client.post("/consultations/new/", {"area": area.pk, "title": "t", "body": "b"})
    assert not Consultation.objects.exists()


def test_member_posts_a_private_question_stored_encrypted(client: Client) -> None:
    member = PosterFactory()
    area = ConsultationAreaFactory()
    client.force_login(member)
    response = client.post(
        "/consultations/new/",
        {"area": area.pk, "title": "가슴 성형 상담", "body": "보형물 종류가 궁금합니다.",
         "is_private": "on"},
    )
    consultation = Consultation.objects.get()
    assert response["Location"] == f"/consultations/{consultation.pk}/"
    assert consultation.author == member and consultation.is_private
    assert "보형물" not in raw_body(consultation)
    assert consultation.data_key_id == member.data_key_id
    assert "보형물 종류가 궁금합니다." in html(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "", "body": "본문"}, "title", "제목을 입력해 주십시오."),
        ({"title": "제목", "body": "   "}, "body", "내용을 입력해 주십시오"),
        ({"title": "제목", "body": "가" * (BODY_MAX_LENGTH + 1)}, "body", str(BODY_MAX_LENGTH)),
        ({"title": "가" * (TITLE_MAX_LENGTH + 1), "body": "본문"}, "title", str(TITLE_MAX_LENGTH)),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_the_draft_kept(
    client: Client, data: dict, field: str, message: str
) -> None:
    client.force_login(PosterFactory())
    area = ConsultationAreaFactory()
    response = client.post("/consultations/new/", {"area": area.pk, **data})
    assert response.status_code == 200
    assert message in html(response)
    assert response.context["form"].errors[field]
    assert not Consultation.objects.exists()
    # the other field's draft is still in the form
    kept = data["body"] if field == "title" else data["title"]
    assert kept[:50] in html(response)


def test_body_is_plain_text_rendered_escaped(client: Client) -> None:
    ConsultationFactory(pk=77, body='<script>alert(1)</script><b>굵게</b>\n둘째 줄')
    page = html(client.get("/consultations/77/"))
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;굵게&lt;/b&gt;<br>둘째 줄" in page


# --- edits by the author -----------------------------------------------------------------------

def test_author_edits_and_deletes_own_unanswered_post(client: Client) -> None:
    consultation = ConsultationFactory(title="처음 제목")
    client.force_login(consultation.author)
    page = html(client.get(f"/consultations/{consultation.pk}/"))
    assert f"/consultations/{consultation.pk}/edit/" in page
    response = client.post(
        f"/consultations/{consultation.pk}/edit/",
        {"area": consultation.area.pk, "title": "고친 제목", "body": "고친 내용"},
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert (consultation.title, consultation.body) == ("고친 제목", "고친 내용")
    assert consultation.updated_at is not None
    assert client.get(f"/consultations/{consultation.pk}/delete/").status_code == 200
    client.post(f"/consultations/{consultation.pk}/delete/")
    assert not Consultation.objects.filter(pk=consultation.pk).exists()


def test_answered_post_can_no_longer_be_edited_but_its_author_deletes_it(
    client: Client, django_assert_max_num_queries
) -> None:
    answer = AnswerFactory(consultation__title="답변 받은 질문")
    consultation = answer.consultation
    client.force_login(consultation.author)
    page = html(client.get(f"/consultations/{consultation.pk}/"))
    assert "/edit/" not in page and f"/consultations/{consultation.pk}/delete/" in page
    response = client.post(
        f"/consultations/{consultation.pk}/edit/",
        {"area": consultation.area.pk, "title": "바꾸기", "body": "바꾸기"}, follow=True,
    )
    assert "답변이 달린 상담은 더 이상 수정할 수 없습니다." in html(response)
    consultation.refresh_from_db()
    assert consultation.title == "답변 받은 질문"
    with django_assert_max_num_queries(12):
        confirm = html(client.get(f"/consultations/{consultation.pk}/delete/"))
    assert "병원의 답변도 함께 삭제됩니다." in confirm
    client.post(f"/consultations/{consultation.pk}/delete/")
    assert not Consultation.objects.filter(pk=consultation.pk).exists()
    assert not Answer.objects.filter(pk=answer.pk).exists()


def test_nobody_else_deletes_an_answered_post(client: Client) -> None:
    answer = AnswerFactory()
    client.force_login(PosterFactory())
    assert client.post(f"/consultations/{answer.consultation.pk}/delete/").status_code == 404
    assert Answer.objects.filter(pk=answer.pk).exists()


# --- staff answers -----------------------------------------------------------------------------

def test_staff_answers_on_the_post_page_and_the_author_gets_a_link_only(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    author = PosterFactory(email="asker@example.com")
    consultation = ConsultationFactory(author=author, body="지방흡입 후 통증", is_private=True)
    client.force_login(author)
    assert "answer-form" not in html(client.get(f"/consultations/{consultation.pk}/"))

    staff = StaffFactory(role=DOCTOR)
    client.force_login(staff)
    assert "answer-form" in html(client.get(f"/consultations/{consultation.pk}/"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/consultations/{consultation.pk}/answer/", {"body": "압박복을 3주 착용하세요."}
        )
    assert response.status_code == 302
    answer = Answer.objects.get()
    assert answer.author == staff and answer.data_key_id == author.data_key_id
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["asker@example.com"]
    assert f"http://testserver/consultations/{consultation.pk}/" in message.body
    for health_text in ("지방흡입", "압박복", consultation.title):
        assert health_text not in message.body and health_text not in message.subject


def test_empty_staff_answer_is_refused(client: Client) -> None:
    consultation = ConsultationFactory()
    client.force_login(StaffFactory(role=DOCTOR))
    response = client.post(f"/consultations/{consultation.pk}/answer/", {"body": " "})
    assert response.status_code == 400
    assert "내용을 입력해 주십시오" in html(response)
    assert not Answer.objects.exists() and not mail.outbox


def test_members_cannot_answer(client: Client) -> None:
    consultation = ConsultationFactory()
    client.force_login(consultation.author)
    response = client.post(f"/consultations/{consultation.pk}/answer/", {"body": "자문자답"})
    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_detail_query_count_does_not_grow_with_answers(
    client: Client, django_assert_max_num_queries
) -> None:
    consultation = ConsultationFactory(is_private=True)
    AnswerFactory(consultation=consultation)
    client.force_login(consultation.author)
    client.get(f"/consultations/{consultation.pk}/")  # warm the site-wide caches
    with django_assert_max_num_queries(6):
        client.get(f"/consultations/{consultation.pk}/")
    AnswerFactory.create_batch(6, consultation=consultation)
    with django_assert_max_num_queries(6):
        page = html(client.get(f"/consultations/{consultation.pk}/"))
    assert page.count("병원 답변") == 7


def test_board_pages_render_in_english(client: Client) -> None:
    consultation = ConsultationFactory()
    ConsultationFactory(is_private=True)  # someone else's: its title is hidden, in English
    client.cookies["django_language"] = "en"
    assert "Private consultation" in html(client.get("/consultations/"))
    assert "Ask a question" in html(client.get("/consultations/"))
    assert "Not answered yet." in html(client.get(f"/consultations/{consultation.pk}/"))


def test_board_rows_show_the_local_day_labels_and_status(client: Client) -> None:
    """Each row carries its column labels (read by the phone layout), the link to its question,
    the day in Seoul's time and whether the question is answered, in the page's language."""
    waiting = ConsultationFactory(is_private=False)
    answered = ConsultationFactory(is_private=False)
    AnswerFactory(consultation=answered)
    late_evening_utc = datetime.datetime(2026, 12, 6, 16, 30, tzinfo=datetime.UTC)
    Consultation.objects.filter(pk=waiting.pk).update(created_at=late_evening_utc)
    page = html(client.get("/consultations/"))
    assert "<time>2026-12-07</time>" in page  # 01:30 the next day in Seoul
    for consultation in (waiting, answered):  # each row links to its own question
        assert f'<a href="{reverse("consultations:detail", args=[consultation.pk])}">' in page
    assert page.count('data-label="상태"') == 2
    assert page.count('class="status status-answered">답변 완료</span>') == 1
    assert page.count('class="status status-waiting">답변 대기</span>') == 1
    client.cookies["django_language"] = "en"
    page = html(client.get("/consultations/"))
    assert page.count('data-label="Status"') == 2
    assert 'class="status status-waiting">Waiting for an answer</span>' in page


def test_posting_needs_the_separate_consent_to_sensitive_information(client: Client) -> None:
    """The boards collect health information: without the sensitive-information consent the
    form asks for it in its own unticked box, and nothing is stored until it is ticked."""
    member = verify_email(MemberFactory())
    client.force_login(member)
    response = client.get("/consultations/new/")
    assert response.status_code == 200
    assert 'name="sensitive_consent"' in html(response)
    area = ConsultationAreaFactory()
    response = client.post("/consultations/new/",
                           {"area": area.pk, "title": "질문", "body": "내용"})
    assert response.status_code == 200
    assert not Consultation.objects.exists()


def test_a_legal_representative_opens_the_childs_private_post(client: Client) -> None:
    child = PosterFactory()
    parent = MemberFactory()
    LegalRepresentative.objects.create(
        child=child, name="보호자", email=parent.email, relation="parent",
        representative_member=parent, confirmed_at=timezone.now(),
    )
    private = ConsultationFactory(author=child, is_private=True, title="아이의 비공개 상담")
    client.force_login(parent)
    assert client.get(f"/consultations/{private.pk}/").status_code == 200
    assert "아이의 비공개 상담" in client.get("/consultations/").content.decode()
    client.force_login(MemberFactory())
    assert client.get(f"/consultations/{private.pk}/").status_code == 404


def board_rows(response) -> str:
    """The board's table body (the area filter above it lists every area, posts or not)."""
    page = html(response)
    return page[page.index("<tbody>"):page.index("</tbody>")]


def test_someone_elses_private_question_shows_only_that_it_exists(client: Client) -> None:
    area = ConsultationAreaFactory(slug="cheekbone", name_ko="광대축소", name_en="Cheekbone")
    author = PosterFactory(name="황보지수")
    private = ConsultationFactory(author=author, area=area, title="비밀 광대 질문",
                                  is_private=True)
    Consultation.objects.filter(pk=private.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2025, 3, 14, 10, 0))
    )
    ConsultationFactory(title="공개 질문")

    for viewer in (None, PosterFactory()):
        if viewer is not None:
            client.force_login(viewer)
        rows = board_rows(client.get("/consultations/"))
        assert rows.count("<tr") == 2  # the row stays: the count and the paging are unchanged
        assert "비공개 상담입니다" in rows
        assert "공개 질문" in rows
        for hidden in ("비밀 광대 질문", "광대축소", "황**수", "황보지수", "2025-03-14"):
            assert hidden not in rows

    client.force_login(author)
    rows = board_rows(client.get("/consultations/"))
    for shown in ("비밀 광대 질문", "광대축소", "황**수", "2025-03-14"):
        assert shown in rows
