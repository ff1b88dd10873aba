"""The area of a procedure record is sealed under the patient's data key, with a keyed digest
for filtering: the admin lists, filters and records it, the review form and "my data" show it,
and nothing of it is readable once the key goes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from consultations.models import ProcedureRecord
from privacy.lookup import area_digest
from tests.consultations.factories import ConsultationAreaFactory, ProcedureRecordFactory
from tests.members.factories import PosterFactory, StaffFactory, log_in

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

LIST_URL = "/admin/consultations/procedurerecord/"


def raw_area(pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT area_ref, area_digest FROM consultations_procedurerecord "
                       "WHERE id = %s", [pk])
        return cursor.fetchone()


@pytest.fixture
def admin(client: Client) -> Client:
    client.force_login(StaffFactory(is_superuser=True))
    return client


def test_the_area_is_stored_sealed_with_its_digest_and_read_back() -> None:
    area = ConsultationAreaFactory(name_ko="코")
    record = ProcedureRecordFactory(area=area)
    sealed, digest = raw_area(record.pk)
    assert sealed != str(area.pk) and len(sealed) > 20
    assert digest == area_digest(area.pk) and len(digest) == 64
    assert ProcedureRecord.objects.get(pk=record.pk).area == area


def test_the_admin_records_lists_and_filters_by_the_sealed_area(admin: Client) -> None:
    nose, eyes = ConsultationAreaFactory(name_ko="코"), ConsultationAreaFactory(name_ko="눈")
    member = PosterFactory()
    response = admin.post("/admin/consultations/procedurerecord/add/", {
        "member": member.pk, "area": nose.pk, "procedure_name": "코끝 성형",
        "performed_on": "2026-09-10",
    })
    assert response.status_code == 302
    ProcedureRecordFactory(area=eyes)
    assert ProcedureRecord.objects.get(member=member).area == nose
    listed = admin.get(LIST_URL, {"area": nose.pk})
    assert [row.area for row in listed.context["cl"].result_list] == [nose]
    assert "코" in listed.content.decode()
    assert len(admin.get(LIST_URL).context["cl"].result_list) == 2


@pytest.mark.parametrize(("value", "listed"), [
    ("x", 1), ("-1", 1), ("1 OR 1=1", 1), ("99999", 0),
])
def test_a_bad_area_filter_is_ignored_or_finds_nothing(admin: Client, value: str,
                                                       listed: int) -> None:
    ProcedureRecordFactory()
    response = admin.get(LIST_URL, {"area": value})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == listed
    assert ProcedureRecord.objects.count() == 1


def test_the_admin_changes_the_area_of_a_record(admin: Client) -> None:
    nose, eyes = ConsultationAreaFactory(name_ko="코"), ConsultationAreaFactory(name_ko="눈")
    record = ProcedureRecordFactory(area=nose)
    url = f"/admin/consultations/procedurerecord/{record.pk}/change/"
    assert f'<option value="{nose.pk}" selected>' in admin.get(url).content.decode()
    response = admin.post(url, {"area": eyes.pk, "procedure_name": "쌍꺼풀 수술",
                                "performed_on": "2026-10-01"})
    assert response.status_code == 302
    stored = ProcedureRecord.objects.get(pk=record.pk)
    assert stored.area == eyes and stored.area_digest == area_digest(eyes.pk)


def test_the_review_form_offers_the_areas_of_the_members_procedures(client: Client) -> None:
    nose, _eyes = ConsultationAreaFactory(name_ko="코"), ConsultationAreaFactory(name_ko="눈")
    record = ProcedureRecordFactory(area=nose)
    log_in(client, record.member)
    form = client.get("/reviews/new/").context["form"]
    assert list(form.fields["area"].queryset) == [nose]


def test_my_data_shows_the_area_by_name(client: Client) -> None:
    record = ProcedureRecordFactory(area=ConsultationAreaFactory(name_ko="안면윤곽"))
    log_in(client, record.member)
    html = client.get("/privacy/my-data/items/procedure_history/").content.decode()
    assert "안면윤곽" in html
    assert record.area_digest not in html


def test_a_destroyed_key_leaves_no_area() -> None:
    record = ProcedureRecordFactory()
    record.data_key.delete()
    assert ProcedureRecord.objects.get(pk=record.pk).area is None
