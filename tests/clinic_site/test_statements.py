"""A statement compiled once with stand-ins reads what the queryset with the real values
reads, converted as Django converts (dates, booleans, ciphertext)."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Q
from django.utils import timezone

from clinic_site.statements import ANY_ID, ANY_MOMENT, Statement
from consultations.models import Consultation
from tests.consultations.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

COLUMNS = ("id", "title", "is_private", "created_at", "body", "area__name_ko")
START = timezone.make_aware(datetime.datetime(2026, 11, 1, 9, 0))


def older_than(moment: datetime.datetime, pk: int):
    return Consultation.objects.filter(
        Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=pk)
    ).order_by("-created_at", "-id").values(*COLUMNS)[:5]


def test_rows_with_other_values_are_what_the_queryset_reads() -> None:
    posts = [ConsultationFactory(created_at=START + datetime.timedelta(minutes=n // 2),
                                 is_private=n % 3 == 0) for n in range(9)]
    statement = Statement.compile(older_than(ANY_MOMENT, ANY_ID), "default")
    assert {kind for _, kind in statement.places} == {"moment", "id"}
    for post in posts:
        expected = list(older_than(post.created_at, post.pk))
        rows = statement.rows(moment=post.created_at, id=post.pk)
        assert rows == expected
        for row in rows:
            assert type(row["is_private"]) is bool
            assert timezone.is_aware(row["created_at"])
    assert len(statement.rows(moment=posts[-1].created_at, id=posts[-1].pk)) == 5


def test_rows_are_read_anew_on_every_use() -> None:
    """Only the SQL is kept: a post added or deleted after compiling shows at once."""
    statement = Statement.compile(older_than(ANY_MOMENT, ANY_ID), "default")
    later = START + datetime.timedelta(days=1)
    assert statement.rows(moment=later, id=0) == []
    post = ConsultationFactory(created_at=START, title="새 글")
    assert [row["title"] for row in statement.rows(moment=later, id=0)] == ["새 글"]
    post.delete()
    assert statement.rows(moment=later, id=0) == []


def test_a_query_without_stand_ins_has_no_places_and_still_runs() -> None:
    ConsultationFactory(title="하나")
    queryset = Consultation.objects.order_by("-id").values("title")[:3]
    statement = Statement.compile(queryset, "default")
    assert statement.places == ()
    assert statement.rows() == list(queryset)


def test_an_id_beyond_the_database_integers_finds_nothing() -> None:
    ConsultationFactory()
    statement = Statement.compile(
        Consultation.objects.filter(pk=ANY_ID).values("title"), "default"
    )
    assert statement.rows(id=2**70) == []
    assert statement.rows(id=-(2**70)) == []


def test_a_stand_in_the_query_lost_is_refused_at_compile_time() -> None:
    """Built without the moment it was meant to carry, a seek would ignore the position."""
    with pytest.raises(ValueError, match="moment"):
        Statement.compile(Consultation.objects.filter(pk__lt=ANY_ID).values("id"), "default",
                          expect=("moment", "id"))


def test_on_postgresql_a_statement_is_prepared_with_one_plan_and_django_queries_are_not(
    django_assert_num_queries,
) -> None:
    """The server parses and plans a statement once per connection (planning these joins
    costs it more than running them); the ORM's own queries are left as Django sends them."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    posts = [ConsultationFactory(created_at=START + datetime.timedelta(minutes=n))
             for n in range(4)]
    statement = Statement.compile(older_than(ANY_MOMENT, ANY_ID), "default")
    with django_assert_num_queries(3) as logged:  # counted and logged like any other query
        read = [statement.rows(moment=post.created_at, id=post.pk) for post in posts[1:]]
    assert [f"< {post.pk}" in query["sql"] for post, query in zip(posts[1:], logged, strict=True)
            ] == [True] * 3
    # The same query through the ORM, more often than psycopg's threshold for preparing:
    by_orm = [list(older_than(post.created_at, post.pk)) for post in posts[1:] * 3]
    assert read * 3 == by_orm
    assert [row["id"] for row in statement.rows(moment=posts[-1].created_at, id=posts[-1].pk)
            ] == [post.pk for post in reversed(posts[:-1])]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
        )
        prepared = cursor.fetchall()
    ours = [row for row in prepared if '"consultations_consultation"' in row[0]]
    assert len(ours) == 1, prepared
    _sql, generic_plans, custom_plans = ours[0]
    assert (generic_plans, custom_plans) == (4, 0)
    assert not any("pg_prepared_statements" in row[0] for row in prepared)


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_statement_outlives_a_migration_of_its_table() -> None:
    """A migration run by another process while the site serves changes what a prepared
    statement reads ("cached plan must not change result type"): the statement is prepared
    again, not failed on every later request."""
    import psycopg
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    ConsultationFactory(title="이전 글")
    statement = Statement.compile(Consultation.objects.values("title")[:1], "default")
    assert statement.rows() == [{"title": "이전 글"}]
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    column = Consultation._meta.get_field("title")
    with psycopg.connect(**params, autocommit=True) as migration:
        migration.execute("ALTER TABLE consultations_consultation ALTER COLUMN title TYPE text")
        try:
            assert statement.rows() == [{"title": "이전 글"}]
            assert statement.rows() == [{"title": "이전 글"}]
        finally:
            connection.close()  # releases the table for the way back
            migration.execute("ALTER TABLE consultations_consultation ALTER COLUMN title "
                              f"TYPE varchar({column.max_length})")
