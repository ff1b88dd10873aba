"""Post-surgery consultations and reviews: only for patients staff have recorded."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from consultations.models import (
    Answer,
    Consultation,
    ConsultationKind,
    ProcedureRecord,
    Review,
    ReviewStatus,
)
from consultations.selectors import review_published_page
from privacy.retention.consultations import member_posts_erase
from tests.consultations.factories import (
    AftercareFactory,
    AnswerFactory,
    ConsultationAreaFactory,
    ProcedureRecordFactory,
    ReviewFactory,
)
from tests.members.factories import PosterFactory

pytestmark = pytest.mark.django_db


def test_members_without_a_procedure_cannot_ask_after_care_or_review(client: Client) -> None:
    client.force_login(PosterFactory())
    for path in ("/consultations/aftercare/new/", "/reviews/new/"):
        response = client.get(path)
        assert response.status_code == 403
        assert "시술을 받으신 회원" in response.content.decode()
    area = ConsultationAreaFactory()
    client.post("/reviews/new/", {"area": area.pk, "title": "t", "body": "b", "rating": 5})
    assert not Review.objects.exists()


def test_patient_asks_an_always_private_after_care_question(client: Client) -> None:
    record = ProcedureRecordFactory(procedure_name="코 성형")
    client.force_login(record.member)
    page = client.get("/consultations/aftercare/new/").content.decode()
    assert "코 성형 (2026-10-01)" in page
    response = client.post(
        "/consultations/aftercare/new/",
        {"procedure": record.pk, "title": "붓기 질문", "body": "3일째 붓기가 심해요."},
    )
    consultation = Consultation.objects.get()
    assert response["Location"] == f"/consultations/{consultation.pk}/"
    assert consultation.kind == ConsultationKind.AFTERCARE and consultation.is_private
    assert consultation.area == record.area and consultation.procedure == record


def test_patient_cannot_use_someone_elses_procedure(client: Client) -> None:
    mine = ProcedureRecordFactory()
    theirs = ProcedureRecordFactory()
    client.force_login(mine.member)
    response = client.post(
        "/consultations/aftercare/new/",
        {"procedure": theirs.pk, "title": "남의 시술", "body": "내용"},
    )
    assert response.status_code == 200
    assert "본인의 시술 중에서 선택해 주십시오." in response.content.decode()
    assert not Consultation.objects.exists()


def test_review_is_pending_until_published_and_shows_a_masked_name(client: Client) -> None:
    member = PosterFactory(name="김민수")
    record = ProcedureRecordFactory(member=member)
    other_area = ConsultationAreaFactory()
    client.force_login(member)
    response = client.post(
        "/reviews/new/", {"area": other_area.pk, "title": "후기", "body": "좋아요", "rating": 5}
    )
    assert "목록에 있는" in response.content.decode()  # only the areas of own procedures
    response = client.post(
        "/reviews/new/", {"area": record.area.pk, "title": "만족스러운 결과", "body": "좋아요",
                          "rating": 6}
    )
    assert "1점에서 5점" in response.content.decode()
    assert not Review.objects.exists()
    client.post("/reviews/new/", {"area": record.area.pk, "title": "만족스러운 결과",
                                  "body": "<i>좋아요</i>", "rating": 4})
    review = Review.objects.get()
    assert review.status == ReviewStatus.PENDING
    assert "만족스러운 결과" not in client.get("/reviews/").content.decode()

    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.PUBLISHED)
    page = Client().get("/reviews/").content.decode()
    assert "만족스러운 결과" in page and "김*수" in page and "김민수" not in page
    assert "&lt;i&gt;좋아요&lt;/i&gt;" in page
    assert member.email not in page and member.username not in page


def test_edited_review_goes_back_to_moderation_and_author_deletes_it(client: Client) -> None:
    record = ProcedureRecordFactory()
    review = ReviewFactory(author=record.member, area=record.area, status=ReviewStatus.PUBLISHED)
    client.force_login(record.member)
    response = client.post(
        f"/reviews/{review.pk}/edit/",
        {"area": record.area.pk, "title": "고친 후기", "body": "고친 내용", "rating": 3},
    )
    assert response["Location"] == "/reviews/mine/"
    review.refresh_from_db()
    assert (review.title, review.body, review.rating, review.status) == (
        "고친 후기", "고친 내용", 3, ReviewStatus.PENDING
    )
    assert "고친 후기" not in client.get("/reviews/").content.decode()
    assert "고친 후기" in client.get("/reviews/mine/").content.decode()
    client.post(f"/reviews/{review.pk}/delete/")
    assert not Review.objects.exists()


def test_review_list_query_count_is_constant(client: Client, django_assert_max_num_queries) -> None:
    ReviewFactory.create_batch(2)
    client.get("/reviews/")  # warm the site-wide caches: steady state is counted
    with django_assert_max_num_queries(4):
        assert client.get("/reviews/").status_code == 200
    for _ in range(15):
        ReviewFactory(author=PosterFactory(), area=ConsultationAreaFactory())
    with django_assert_max_num_queries(4):
        assert client.get("/reviews/").status_code == 200


def test_review_list_reads_only_what_it_shows(
    client: Client, django_assert_max_num_queries
) -> None:
    """The page's rows come in one query with the author's name, not the whole account row
    (its sealed contact fields): no field is loaded afterwards, one query per row."""
    for _ in range(5):
        ReviewFactory(author=PosterFactory(), area=ConsultationAreaFactory(),
                      status=ReviewStatus.PUBLISHED)
    client.get("/reviews/")  # warm the site-wide caches: steady state is counted
    with django_assert_max_num_queries(1):
        page = review_published_page(params={}, per_page=20)
        shown = [(r.title, r.body, r.rating, r.area.name_ko, r.area.name_en, r.author.name)
                 for r in page]
    assert len(shown) == 5 and all(body for _t, body, *_rest in shown)
    assert all("mobile_phone" in review.author.get_deferred_fields() for review in page)
    with django_assert_max_num_queries(4):
        response = client.get("/reviews/")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "", "body": "좋아요", "rating": 5}, "title", "제목을 입력해 주십시오."),
        ({"title": "후기", "body": "", "rating": 5}, "body", "내용을 입력해 주십시오"),
        ({"title": "후기", "body": "가" * 5001, "rating": 5}, "body", "5000"),
        ({"title": "후기", "body": "좋아요", "rating": 0}, "rating", "1점에서 5점"),
        ({"title": "후기", "body": "좋아요", "rating": ""}, "rating", "1점에서 5점"),
    ],
)
def test_bad_review_input_is_refused_with_the_draft_kept(
    client: Client, data: dict, field: str, message: str
) -> None:
    record = ProcedureRecordFactory()
    client.force_login(record.member)
    response = client.post("/reviews/new/", {"area": record.area.pk, **data})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert message in response.content.decode()
    assert not Review.objects.exists()
    kept = data["title"] or data["body"]
    assert kept[:30] in response.content.decode()


def test_empty_after_care_question_is_refused(client: Client) -> None:
    record = ProcedureRecordFactory()
    client.force_login(record.member)
    response = client.post(
        "/consultations/aftercare/new/", {"procedure": record.pk, "title": "붓기", "body": ""}
    )
    assert "내용을 입력해 주십시오" in response.content.decode()
    assert "붓기" in response.content.decode()
    assert not Consultation.objects.exists()


def test_member_posts_erase_removes_everything_of_the_member_only() -> None:
    member = PosterFactory()
    AnswerFactory(consultation__author=member)
    AftercareFactory(author=member)
    ReviewFactory(author=member)
    kept = AnswerFactory()
    assert (Consultation.objects.filter(author=member).count(),
            ProcedureRecord.objects.filter(member=member).count()) == (2, 1)
    member_posts_erase([member.pk], now=timezone.now())
    assert list(Consultation.objects.all()) == [kept.consultation]
    assert list(Answer.objects.all()) == [kept]
    assert not Review.objects.filter(author=member).exists()
    assert not ProcedureRecord.objects.filter(member=member).exists()


@pytest.mark.parametrize("path", ["/consultations/aftercare/", "/reviews/mine/"])
def test_own_list_pages_query_count_is_constant(
    client: Client, django_assert_max_num_queries, path: str
) -> None:
    record = ProcedureRecordFactory()
    client.force_login(record.member)
    AftercareFactory(author=record.member)
    ReviewFactory(author=record.member)
    client.get(path)  # warm the site-wide caches: steady state is counted
    # the page, the may-post rule (email confirmed, not blocked, sensitive consent), the list
    with django_assert_max_num_queries(8):
        assert client.get(path).status_code == 200
    for _ in range(8):
        AftercareFactory(author=record.member)
        ReviewFactory(author=record.member, area=ConsultationAreaFactory())
    with django_assert_max_num_queries(8):
        page = client.get(path).content.decode()
    assert page.count("<tr>") == 10
