"""Every page of the performance benchmark runs the same number of queries with a little data
and with more (more posts, more authors, a deeper page): no query per row, no count that grows.

Each page is requested once to warm the site-wide caches (cookie groups, policy versions, the
board's cached total), then counted, as in steady state."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.models import Consultation
from consultations.pagination import cursor_for
from tests.consultations.factories import (
    AnswerFactory,
    ConsultationAreaFactory,
    ConsultationFactory,
    ReviewFactory,
)
from tests.members.factories import PosterFactory

pytestmark = pytest.mark.django_db

# The most any of these pages may run. "My data" counts every item's records in one query and
# reads the newest few of each model that holds some, with what they are shown with (one
# query per related model): here the account, consents, posts, answers and reviews.
MAX_QUERIES = 8
MAX_QUERIES_MY_DATA = 13


def add_posts(*, owner, authors: int, per_author: int, reviews: int) -> None:
    start = timezone.now() - datetime.timedelta(days=30)
    areas = [ConsultationAreaFactory() for _ in range(3)]
    writers = [owner] + [PosterFactory() for _ in range(authors - 1)]
    n = Consultation.objects.count()
    for writer in writers:
        for _ in range(per_author):
            n += 1
            consultation = ConsultationFactory(
                author=writer, area=areas[n % 3], is_private=n % 4 == 0,
                created_at=start + datetime.timedelta(minutes=n),
            )
            if n % 3 == 0:
                AnswerFactory(consultation=consultation)
    for r in range(reviews):
        ReviewFactory(author=writers[r % len(writers)], area=areas[r % 3])


def page_paths(owner) -> dict[str, str]:
    board = list(Consultation.objects.filter(kind="board").order_by("-created_at", "-id"))
    public = next(c for c in board if not c.is_private and c.answers.exists())
    # an area whose first page holds someone else's private post (the rule then asks once
    # whom the viewer represents)
    others_private = next(c for c in board if c.is_private and c.author_id != owner.pk)
    deep = board[-5]  # a position near the end of the list
    return {
        "home": "/",
        "board page 1": "/consultations/",
        "board deep page": f"/consultations/?page=3&after={cursor_for(deep)}",
        "board old page link": "/consultations/?page=2",
        "board area filter": f"/consultations/?area={others_private.area.slug}",
        "detail": f"/consultations/{public.pk}/",
        "reviews": "/reviews/",
        "policy": "/privacy/policy/",
        "my data": reverse("privacy:my_data"),
    }


def count(client: Client, path: str, assert_max) -> int:
    assert client.get(path).status_code == 200  # warm
    most = MAX_QUERIES_MY_DATA if path == reverse("privacy:my_data") else MAX_QUERIES
    with assert_max(most), CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "owner"])
def test_query_counts_do_not_grow_with_data(
    client: Client, django_assert_max_num_queries, logged_in: bool
) -> None:
    owner = PosterFactory()
    add_posts(owner=owner, authors=2, per_author=3, reviews=2)
    if logged_in:
        client.force_login(owner)
    small = {name: count(client, path, django_assert_max_num_queries)
             for name, path in page_paths(owner).items() if logged_in or name != "my data"}

    add_posts(owner=owner, authors=8, per_author=8, reviews=25)  # 70 posts, 3+ board pages
    assert re.search(r"\?page=2&amp;after=\d+_\d+",
                     client.get("/consultations/").content.decode())
    large = {}
    for name, path in page_paths(owner).items():
        if name == "my data" and not logged_in:
            continue
        large[name] = count(client, path, django_assert_max_num_queries)
    assert large == small


def test_my_data_reads_the_member_row_once(client: Client) -> None:
    """The account row shown on "my data" is the member the request already read."""
    owner = PosterFactory()
    add_posts(owner=owner, authors=1, per_author=2, reviews=1)
    client.force_login(owner)
    assert client.get(reverse("privacy:my_data")).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("privacy:my_data"))
    assert response.status_code == 200
    member_reads = [query["sql"] for query in queries.captured_queries
                    if query["sql"].startswith('SELECT "members_member"."id"')
                    and 'WHERE "members_member"."id" =' in query["sql"]]
    assert len(member_reads) == 1, member_reads


# The most each main page may run in steady state, for a visitor and for a signed-in member:
# the session and member (signed in), the cookie groups and policy versions come from the
# near cache, the rest is the page's own reads.
PAGE_MAX_QUERIES = {
    "home": (0, 2),
    "board page 1": (2, 5),
    "board deep page": (2, 5),
    "board old page link": (3, 6),
    "detail": (2, 5),
    "reviews": (2, 7),
    "policy": (1, 3),
}


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "owner"])
@pytest.mark.parametrize("page", sorted(PAGE_MAX_QUERIES))
def test_main_pages_run_a_fixed_number_of_queries(
    client: Client, django_assert_max_num_queries, page: str, logged_in: bool
) -> None:
    owner = PosterFactory()
    add_posts(owner=owner, authors=8, per_author=8, reviews=25)
    if logged_in:
        client.force_login(owner)
    path = page_paths(owner)[page]
    assert client.get(path).status_code == 200  # warm the site-wide caches
    with django_assert_max_num_queries(PAGE_MAX_QUERIES[page][logged_in]):
        assert client.get(path).status_code == 200
