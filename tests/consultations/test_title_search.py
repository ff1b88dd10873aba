"""The title search through its table of keyed digests (``ConsultationTitleToken``,
``ReviewTitleToken``): what it finds, how the tokens follow the title and the post, and what a
search costs in queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from consultations import services
from consultations.models import (
    Consultation,
    ConsultationTitleToken,
    Review,
    ReviewStatus,
    ReviewTitleToken,
)
from privacy.admin_mixins import EstimatedCountPaginator
from privacy.lookup import search_index
from tests.consultations.factories import (
    ConsultationAreaFactory,
    ConsultationFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

TITLE = "코 재수술 상담 Re-Do"


def digests(post: Consultation | Review) -> set[str]:
    return set(post.title_tokens.values_list("digest", flat=True))


@pytest.mark.parametrize(
    "query", ["재수술", "술 상", "코", "Re-Do", "re-do", "ＲＥ－ＤＯ", "-", " 재수 "]
)
def test_a_post_is_found_by_any_part_of_its_title_in_any_case_or_form(query: str) -> None:
    found = ConsultationFactory(title=TITLE)
    ConsultationFactory(title="눈매 교정 질문")
    assert list(Consultation.objects.title_matching(query)) == [found]


@pytest.mark.parametrize("query", ["재수술 문의", "코재", "redo", "눈", "상담 Re-Dox"])
def test_a_post_whose_title_lacks_the_query_is_not_found(query: str) -> None:
    ConsultationFactory(title=TITLE)
    assert not Consultation.objects.title_matching(query).exists()


def test_the_pairs_keep_no_order_so_a_title_holding_them_apart_is_found_too() -> None:
    """What the privacy manager's guide says of the search: the digests of a title's pairs of
    characters say nothing of their order (which keeps them unlinkable to the title)."""
    reordered = ConsultationFactory(title="문의 23412")
    ConsultationFactory(title="문의 2341")
    assert list(Consultation.objects.title_matching("1234")) == [reordered]


@pytest.mark.parametrize("dense_above", [0, 1, 2])
def test_dense_terms_are_probed_post_by_post_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch, dense_above: int,
) -> None:
    """Terms in more posts than ``TITLE_SEARCH_DENSE_POSTS`` take the other query shape
    (none, those in every post, all): the result is the same."""
    monkeypatch.setattr("consultations.models.TITLE_SEARCH_DENSE_POSTS", dense_above)
    wanted = ConsultationFactory(title="코 재수술 상담")
    ConsultationFactory(title="코 성형 상담")
    ConsultationFactory(title="눈 상담")
    assert list(Consultation.objects.title_matching("코 재수술 상")) == [wanted]
    assert Consultation.objects.title_matching("상담").count() == 3
    assert Consultation.objects.title_matching("코 ").count() == 2
    assert not Consultation.objects.title_matching("눈 재").exists()


def test_a_blank_query_filters_nothing() -> None:
    ConsultationFactory(title=TITLE)
    ConsultationFactory(title="눈매 교정 질문")
    assert Consultation.objects.title_matching("  ").count() == 2


def test_a_post_holds_one_token_per_digest_of_its_title() -> None:
    consultation = ConsultationFactory(title=TITLE)
    review = ReviewFactory(title="붓기 후기 후기")
    assert digests(consultation) == search_index(TITLE)
    assert digests(review) == search_index("붓기 후기 후기")
    assert ReviewTitleToken.objects.filter(post=review).count() == len(
        search_index("붓기 후기 후기"))  # one row per distinct digest


def test_an_edited_title_replaces_the_tokens() -> None:
    consultation = ConsultationFactory(title=TITLE)
    services.consultation_update(consultation=consultation, area=ConsultationAreaFactory(),
                                 title="쌍꺼풀 붓기 질문", body="본문", is_private=False)
    assert digests(consultation) == search_index("쌍꺼풀 붓기 질문")
    assert not Consultation.objects.title_matching("재수술").exists()
    assert Consultation.objects.title_matching("꺼풀 붓").get() == consultation

    review = ReviewFactory(title="코 성형 후기")
    services.review_update(review=review, area=ConsultationAreaFactory(), title="눈 성형 후기",
                           body="본문", rating=5)
    assert digests(review) == search_index("눈 성형 후기")
    assert list(Review.objects.title_matching("눈 성")) == [review]
    assert not Review.objects.title_matching("코 성").exists()


def test_a_save_that_leaves_the_title_alone_leaves_the_tokens(
    django_assert_num_queries: Any,
) -> None:
    review = ReviewFactory(title="코 성형 후기")
    held = set(ReviewTitleToken.objects.filter(post=review).values_list("pk", flat=True))
    services.review_moderate(reviews=Review.objects.filter(pk=review.pk),
                             status=ReviewStatus.PUBLISHED)
    loaded = Review.objects.get(pk=review.pk)
    loaded.rating = 4
    with django_assert_num_queries(1):  # the title is still sealed as read: only the UPDATE
        loaded.save(update_fields=["rating"])
    loaded.save()  # read whole, not decrypted: the tokens are left as they are
    assert set(ReviewTitleToken.objects.filter(post=review).values_list("pk", flat=True)) == held


def test_a_deleted_post_leaves_no_tokens() -> None:
    consultation = ConsultationFactory(title=TITLE)
    review = ReviewFactory(title="코 성형 후기")
    kept = ConsultationFactory(title="남는 질문")
    services.consultation_delete(consultation=consultation)
    services.review_delete(review=review)
    assert set(ConsultationTitleToken.objects.values_list("post", flat=True)) == {kept.pk}
    assert not ReviewTitleToken.objects.exists()


def test_a_deleted_member_leaves_no_tokens() -> None:
    consultation = ConsultationFactory(title=TITLE)
    ReviewFactory(author=consultation.author, title="코 성형 후기")
    consultation.author.delete()
    assert not ConsultationTitleToken.objects.exists()
    assert not ReviewTitleToken.objects.exists()


def test_the_board_search_costs_the_same_queries_for_any_query(
    client: Client, django_assert_max_num_queries: Any,
) -> None:
    for number in range(5):
        ConsultationFactory(title=f"코 재수술 상담 {number}")
    client.get("/consultations/", {"q": "코"})  # warm the caches (areas, policy)
    with django_assert_max_num_queries(8) as short:
        assert client.get("/consultations/", {"q": "코"}).status_code == 200
    long = "코 재수술 상담 문의드립니다 " * 4
    with django_assert_max_num_queries(len(short.captured_queries)):
        response = client.get("/consultations/", {"q": long})
    assert response.context["page"].object_list == []


@pytest.mark.parametrize("path", ["consultation", "review"])
def test_an_admin_title_search_costs_the_same_queries_for_any_query(
    staff_client: Any, django_assert_max_num_queries: Any, path: str,
) -> None:
    client, _staff = staff_client(is_superuser=True)
    factory = ConsultationFactory if path == "consultation" else ReviewFactory
    wanted = factory(title="코 재수술 후기 문의")
    factory(title="눈매 교정 후기")
    url = f"/admin/consultations/{path}/"
    client.get(url, {"q": "재"})
    with django_assert_max_num_queries(20) as short:
        response = client.get(url, {"q": "재"})
    assert [post.pk for post in response.context["cl"].result_list] == [wanted.pk]
    with django_assert_max_num_queries(len(short.captured_queries)):
        response = client.get(url, {"q": "ＲＥ 코 재수술 후기 문의 " * 6})
    assert list(response.context["cl"].result_list) == []
    response = client.get(url, {"q": "재수술 후기"})
    assert [post.pk for post in response.context["cl"].result_list] == [wanted.pk]


@pytest.mark.parametrize("path", ["consultation", "review"])
def test_an_admin_title_search_counts_at_most_a_bounded_number_of_posts(
    staff_client: Any, monkeypatch: pytest.MonkeyPatch, path: str,
) -> None:
    """A common word is in most titles: the search counts up to ``FILTERED_UP_TO`` posts
    (with a LIMIT, keys only), newest first; the plain list still counts them all."""
    client, _staff = staff_client(is_superuser=True)
    factory = ConsultationFactory if path == "consultation" else ReviewFactory
    for number in range(4):
        factory(title=f"코 재수술 상담 {number}")
    factory(title="눈매 교정 질문")
    monkeypatch.setattr(EstimatedCountPaginator, "FILTERED_UP_TO", 3)
    url = f"/admin/consultations/{path}/"
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"q": "상담"})
    assert response.context["cl"].result_count == 3
    counts = [query["sql"] for query in captured.captured_queries
              if query["sql"].startswith("SELECT COUNT(*) FROM (SELECT")]
    assert counts and all("LIMIT 3" in sql and "COALESCE" not in sql for sql in counts)
    assert client.get(url).context["cl"].result_count == 5
    monkeypatch.setattr(EstimatedCountPaginator, "FILTERED_UP_TO", 5_000)
    assert client.get(url, {"q": "상담"}).context["cl"].result_count == 4
