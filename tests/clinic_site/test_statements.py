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
