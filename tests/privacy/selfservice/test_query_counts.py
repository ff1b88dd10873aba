"""Every page about a person runs as many queries for a member with a little data as for one
with a lot: counts and pages are read in SQL, never a query per row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.members.factories import PosterFactory, log_in, reauthenticate
from tests.privacy.selfservice.conftest import fill
from tests.privacy.selfservice.test_my_data_pages import write_posts

pytestmark = pytest.mark.django_db

PAGES = {
    "overview": "/privacy/my-data/",
    "item page": "/privacy/my-data/items/consultation_content/",
    "item page in one model": "/privacy/my-data/items/review_content/",
    "list page": "/privacy/my-data/lists/consultations/",
    "consents list page": "/privacy/my-data/lists/consents/",
}


def _queries(request: Callable[[], Any]) -> int:
    request()  # warm the caches
    with CaptureQueriesContext(connection) as captured:
        request()
    return len(captured.captured_queries)


def _member_with(posts: int) -> Any:
    member = fill(PosterFactory(), tag=f"n{posts}")
    write_posts(member, posts)
    return member


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_a_page_costs_the_same_queries_with_3_posts_and_with_60(
    client: Client, policy_version: Any, django_assert_max_num_queries: Any, path: str
) -> None:
    few, many = _member_with(3), _member_with(60)
    log_in(client, few)
    small = _queries(lambda: client.get(path))
    client.logout()
    log_in(client, many)
    assert client.get(path).status_code == 200
    with django_assert_max_num_queries(small):
        assert client.get(path).status_code == 200


def test_the_export_costs_the_same_queries_with_3_posts_and_with_60(
    client: Client, policy_version: Any, django_assert_max_num_queries: Any
) -> None:
    few, many = _member_with(3), _member_with(60)
    log_in(client, few)
    reauthenticate(client)
    small = _queries(lambda: client.post("/privacy/my-data/export/"))
    client.logout()
    log_in(client, many)
    reauthenticate(client)
    assert client.post("/privacy/my-data/export/").status_code == 200
    with django_assert_max_num_queries(small):
        response = client.post("/privacy/my-data/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
