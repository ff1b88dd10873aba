"""The staff list of members is read in the primary key's order (newest sign-ups first), which
an index holds; ordering by the joining time would sort every member for each page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.members.factories import MemberFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_the_member_list_is_newest_first_by_primary_key(client: Client) -> None:
    client.force_login(StaffFactory(is_superuser=True))
    members = [MemberFactory() for _ in range(3)]
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/members/member/")
    listed = [member.pk for member in response.context["cl"].result_list]
    assert listed[:3] == [member.pk for member in reversed(members)]
    page = [query["sql"] for query in captured.captured_queries
            if 'FROM "members_member"' in query["sql"] and "ORDER BY" in query["sql"]]
    assert page and all("date_joined" not in sql.split("ORDER BY")[1] for sql in page)
