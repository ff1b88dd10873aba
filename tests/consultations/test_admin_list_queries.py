"""The staff lists of consultations read only the rows of their page: no aggregate over every
consultation (the answer count is a subquery per listed row) and no date drill-down."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from consultations.models import Answer
from tests.consultations.factories import ConsultationFactory
from tests.members.factories import StaffFactory

pytestmark = pytest.mark.django_db

URL = "/admin/consultations/consultation/"
# What the list costs today with a superuser (session, user, page, count, the filters' areas,
# restrictions, the access log append, ...; a title search asks first which of its terms are
# dense): a fixed number, whatever the rows.
MAX_QUERIES = 21


@pytest.fixture
def admin(client: Client) -> Client:
    client.force_login(StaffFactory(is_superuser=True))
    return client


def _answered(answers: int) -> Any:
    consultation = ConsultationFactory()
    for _ in range(answers):
        Answer.objects.create(consultation=consultation, author=StaffFactory(),
                              data_key=consultation.data_key, body="내원 상담을 권합니다.")
    return consultation


@pytest.mark.parametrize("query", [
    "", "?q=상담", "?p=1", "?o=6", "?created_at__gte=2020-01-01+00:00:00%2B09:00",
])
def test_the_list_groups_nothing_and_has_no_date_drill_down(
    admin: Client, query: str, django_assert_max_num_queries: Any
) -> None:
    for answers in (0, 1, 2):
        _answered(answers)
    with CaptureQueriesContext(connection) as captured, \
            django_assert_max_num_queries(MAX_QUERIES):
        response = admin.get(URL + query)
    assert response.status_code == 200
    statements = [query["sql"].upper() for query in captured.captured_queries]
    assert not [sql for sql in statements if "GROUP BY" in sql], "an aggregate came back"
    assert not [sql for sql in statements if re.search(r"\b(MIN|MAX)\(", sql)], \
        "the date drill-down reads every row's date"


def test_the_answer_count_is_shown_per_consultation(admin: Client) -> None:
    counts = {_answered(answers).pk: answers for answers in (0, 1, 3)}
    response = admin.get(URL + "?o=6")  # ordered by the answer count
    listed = {row.pk: row.answer_total for row in response.context["cl"].result_list}
    assert listed == counts
    assert [row.pk for row in response.context["cl"].result_list] == sorted(counts,
                                                                             key=counts.get)
