"""Keyset pagination of the board and the reviews: links carry a position, every row appears
exactly once walking forward or back, old ``?page=`` links still work, bad cursors fall back."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations.models import Consultation, Review
from consultations.pagination import cursor_for, cursor_parse
from tests.consultations.factories import (
    ConsultationAreaFactory,
    ConsultationFactory,
    ReviewFactory,
)
from tests.members.factories import PosterFactory

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime.datetime(2026, 11, 1, 9, 0))


def board(count: int, *, area=None, same_time_every: int = 3) -> list[Consultation]:
    """``count`` posts, newest first; groups of ``same_time_every`` share one timestamp, so
    ties on ``created_at`` are broken by id."""
    author = PosterFactory()
    area = area or ConsultationAreaFactory()
    posts = []
    for n in range(count):
        posts.append(ConsultationFactory(
            author=author, area=area, title=f"글{n:03d}번",
            created_at=START + datetime.timedelta(minutes=n // same_time_every),
        ))
    return sorted(posts, key=lambda post: (post.created_at, post.pk), reverse=True)


def titles(response) -> list[str]:
    return re.findall(r"글\d{3}번", response.content.decode())


def link(response, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]*)" rel="{rel}">', response.content.decode())
    return html.unescape(found.group(1)) if found else None


def test_next_links_walk_every_post_once_in_order_and_back(client: Client) -> None:
    posts = board(47)
    expected = [post.title for post in posts]
    seen, pages, url = [], [], "/consultations/"
    while url:
        response = client.get("/consultations/" + url if url.startswith("?") else url)
        assert response.status_code == 200
        seen += titles(response)
        pages.append(response)
        url = link(response, "next")
    assert seen == expected and len(pages) == 3
    assert "3쪽 중 1쪽" in pages[0].content.decode()
    assert "3쪽 중 3쪽" in pages[-1].content.decode()
    # back from the last page: the same rows as on the way forward
    back = client.get("/consultations/" + link(pages[-1], "prev"))
    assert titles(back) == titles(pages[1])
    first = client.get("/consultations/" + link(back, "prev"))
    assert titles(first) == expected[:20] and link(first, "prev") is None


def test_next_link_carries_the_page_number_the_area_and_a_position(client: Client) -> None:
    area = ConsultationAreaFactory(slug="skin")
    posts = board(25, area=area)
    board(5)  # another area
    response = client.get("/consultations/", {"area": "skin"})
    next_url = link(response, "next")
    assert next_url == f"?area=skin&page=2&after={cursor_for(posts[19])}"
    assert titles(client.get("/consultations/" + next_url)) == [p.title for p in posts[20:]]


def test_old_page_number_links_still_work(client: Client) -> None:
    posts = board(45)
    response = client.get("/consultations/", {"page": 2})
    assert titles(response) == [post.title for post in posts[20:40]]
    assert link(response, "next") == f"?page=3&after={cursor_for(posts[39])}"
    # beyond the end: the last page, as Django's paginator did
    assert titles(client.get("/consultations/", {"page": 99})) == [p.title for p in posts[40:]]


def test_the_seek_and_the_count_read_the_list_table_alone(client: Client) -> None:
    """The rows need the area's and the author's names; the count and the seek of an old
    ``?page=`` link walk many index entries and must not pay those joins for each."""
    board(45)
    client.get("/consultations/")  # the cached total
    with CaptureQueriesContext(connection) as queries:
        client.get("/consultations/", {"page": 2, "q": "글"})
    reads = [q["sql"] for q in queries if "consultations_consultation" in q["sql"]]
    count = next(sql for sql in reads if "COUNT(" in sql)
    seek = next(sql for sql in reads if "OFFSET" in sql)
    rows = next(sql for sql in reads if "members_member" in sql)
    assert "JOIN" not in count and "JOIN" not in seek
    assert "JOIN" in rows


@pytest.mark.parametrize(
    "params",
    [{"page": "abc"}, {"page": "-3"}, {"after": "not-a-cursor"}, {"after": "12_"},
     {"before": "x_1"}, {"after": "9" * 40 + "_1"}, {"after": "9" * 18 + "_1"},
     {"page": "99999999"}],
)
def test_bad_page_or_cursor_shows_the_first_page(client: Client, params: dict) -> None:
    posts = board(25)
    response = client.get("/consultations/", params)
    assert response.status_code == 200
    assert titles(response) == [post.title for post in posts[:20]]


def test_title_search_pages_with_positions_too(client: Client) -> None:
    author = PosterFactory()
    for n in range(23):
        ConsultationFactory(author=author, title=f"코 질문 글{n:03d}번",
                            created_at=START + datetime.timedelta(minutes=n))
    ConsultationFactory(author=author, title="눈 질문 글999번")
    response = client.get("/consultations/", {"q": "코"})
    assert len(titles(response)) == 20
    second = client.get("/consultations/" + link(response, "next"))
    assert titles(second) == ["글002번", "글001번", "글000번"]


def test_cursor_round_trip_keeps_microseconds() -> None:
    class Row:
        created_at = START.replace(microsecond=123456)
        pk = 42

    assert cursor_parse(cursor_for(Row())) == (Row.created_at, 42)
    assert cursor_parse("") is None and cursor_parse("1_2_3") is None


def test_reviews_page_by_position(client: Client) -> None:
    author = PosterFactory()
    reviews = [
        ReviewFactory(author=author, title=f"글{n:03d}번",
                      created_at=START + datetime.timedelta(minutes=n))
        for n in range(22)
    ]
    reviews.sort(key=lambda review: review.created_at, reverse=True)
    first = client.get("/reviews/")
    assert titles(first) == [review.title for review in reviews[:20]]
    second = client.get("/reviews/" + link(first, "next"))
    assert titles(second) == [review.title for review in reviews[20:]]
    assert Review.objects.count() == 22
