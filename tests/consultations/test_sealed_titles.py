"""Titles are sealed under the author's data key: the board and the admin still show and find
them, the admin log names the record neutrally, and nothing is readable once the key goes."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import Client

from consultations.models import Consultation, ProcedureRecord, Review
from tests.consultations.factories import (
    ConsultationFactory,
    ProcedureRecordFactory,
    ReviewFactory,
)
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

TITLE = "코 재수술 상담 문의"


def raw_title(model: type, pk: int) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT title FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def test_a_title_is_stored_sealed_and_read_back(client: Client) -> None:
    consultation = ConsultationFactory(title=TITLE)
    review = ReviewFactory(title="Nose Job Review")
    assert TITLE not in raw_title(Consultation, consultation.pk)
    assert "Nose" not in raw_title(Review, review.pk)
    assert Consultation.objects.get(pk=consultation.pk).title == TITLE
    assert TITLE in client.get("/consultations/").content.decode()


@pytest.mark.parametrize("query", ["재수술", "코 재", "상담", "코", "ＲＥ-do", "re-DO"])
def test_the_board_finds_a_title_by_any_part_in_any_form(client: Client, query: str) -> None:
    ConsultationFactory(title=f"{TITLE} re-do")
    ConsultationFactory(title="눈매 교정 질문")
    response = client.get("/consultations/", {"q": query})
    content = response.content.decode()
    assert TITLE in content
    assert "눈매 교정 질문" not in content


def test_a_private_title_is_not_found_by_someone_else(client: Client) -> None:
    ConsultationFactory(title=TITLE, is_private=True)
    client.force_login(MemberFactory())
    response = client.get("/consultations/", {"q": "재수술"})
    assert TITLE not in response.content.decode()
    assert len(response.context["page"].object_list) == 0


def test_staff_search_titles_in_the_admin(staff_client: object) -> None:
    client, _staff = staff_client("receptionist")  # type: ignore[operator]
    ConsultationFactory(title=TITLE)
    ConsultationFactory(title="눈매 교정 질문")
    response = client.get("/admin/consultations/consultation/", {"q": "재수술"})
    assert response.status_code == 200
    assert [str(c.title) for c in response.context["cl"].result_list] == [TITLE]


def test_the_admin_log_names_the_record_not_its_title(
    staff_client: object, django_capture_on_commit_callbacks: object
) -> None:
    client, _staff = staff_client("receptionist")  # type: ignore[operator]
    consultation = ConsultationFactory(title=TITLE, is_private=True)
    url = f"/admin/consultations/consultation/{consultation.pk}/change/"
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(url, {
            "answers-TOTAL_FORMS": "1", "answers-INITIAL_FORMS": "0",
            "answers-MIN_NUM_FORMS": "0", "answers-MAX_NUM_FORMS": "1000",
            "answers-0-body": "6개월 후에 오십시오.",
        })
    assert response.status_code == 302
    entry = LogEntry.objects.get(object_id=str(consultation.pk))
    assert TITLE not in entry.object_repr + entry.change_message
    assert entry.object_repr in (f"상담 #{consultation.pk}", f"Consultation #{consultation.pk}")


def test_a_destroyed_key_leaves_no_title() -> None:
    consultation = ConsultationFactory(title=TITLE)
    consultation.data_key.delete()
    assert Consultation.objects.get(pk=consultation.pk).title == ""


def test_a_procedure_date_is_sealed_and_read_back_as_a_date() -> None:
    record = ProcedureRecordFactory(performed_on=datetime.date(2025, 3, 17))
    with connection.cursor() as cursor:
        cursor.execute("SELECT performed_on FROM consultations_procedurerecord WHERE id = %s",
                       [record.pk])
        (stored,) = cursor.fetchone()
    assert "2025" not in stored
    assert ProcedureRecord.objects.get(pk=record.pk).performed_date == datetime.date(2025, 3, 17)


def test_a_board_page_opens_its_titles_author_names_and_areas() -> None:
    """The board's twenty rows open with the keys read by the same query (what they cost is
    measured by ``bench/bench_crypto.py``, not here)."""
    for _ in range(20):
        ConsultationFactory()
    page = (Consultation.objects.select_related("data_key", "author__data_key")
            .order_by("-id")[:20])
    rows = list(page)
    assert len(rows) == 20
    assert all(row.title and row.author.name and row.area for row in rows)
