"""Every admin look at, change of, reveal, export or deletion of personal data is logged."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from members import roles
from privacy.access_log import access_log_verify
from privacy.models import AccessLogEntry, Restriction
from privacy.restrictions import restriction_start
from tests.consultations.factories import (
    ConsultationFactory,
    GuestConsultationFactory,
    ReviewFactory,
)
from tests.members.factories import MemberFactory
from tests.privacy.admin.i18n import ko

pytestmark = pytest.mark.django_db(databases=["default", "retention"])


def entries(prefix: str) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(action__startswith=prefix).order_by("sequence"))


def test_a_list_view_is_logged_with_its_row_count(receptionist: Any) -> None:
    client, staff = receptionist
    MemberFactory.create_batch(3)
    client.get("/admin/members/member/")
    [entry] = entries("list:")
    assert entry.action == "list:members.member"
    assert (entry.actor, entry.ip_address, entry.record_count) == (
        staff.username, "203.0.113.7", 4)  # three members and the staff account
    assert entry.fields == "name,email,mobile_phone"
    assert access_log_verify().problem is None


def test_a_change_page_is_logged_with_the_subject(receptionist: Any, kim: Any) -> None:
    client, staff = receptionist
    client.get(f"/admin/members/member/{kim.pk}/change/")
    [entry] = entries("view:")
    assert (entry.action, entry.subject_ref, entry.actor) == (
        "view:members.member", kim.subject_ref, staff.username)


def test_a_consultation_page_is_logged_with_its_author(receptionist: Any) -> None:
    client, _staff = receptionist
    consultation = ConsultationFactory()
    client.get(f"/admin/consultations/consultation/{consultation.pk}/change/")
    [entry] = entries("view:")
    assert entry.subject_ref == consultation.author.subject_ref
    assert entry.fields == "author,title,body"


def test_answering_a_guest_is_logged_as_a_change(receptionist: Any) -> None:
    client, _staff = receptionist
    guest = GuestConsultationFactory()
    response = client.post(f"/admin/consultations/guestconsultation/{guest.pk}/change/",
                           {"answer": "네, 가능합니다. 내원해 주세요."})
    assert response.status_code == 302
    [entry] = entries("change:")
    assert (entry.action, entry.subject_ref, entry.fields) == (
        "change:consultations.guestconsultation", guest.subject_ref, "answer")


def test_an_admin_action_is_logged(receptionist: Any) -> None:
    client, _staff = receptionist
    reviews = ReviewFactory.create_batch(2, status="pending")
    client.post("/admin/consultations/review/", {
        "action": "publish", "_selected_action": [review.pk for review in reviews]})
    [entry] = entries("action:")
    assert (entry.action, entry.record_count) == ("action:publish:consultations.review", 2)


def test_a_deletion_is_logged_per_record(staff_client: Any) -> None:
    client, _staff = staff_client(roles.ADMINISTRATOR)
    review = ReviewFactory()
    response = client.post(f"/admin/consultations/review/{review.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    [entry] = entries("delete:")
    assert entry.subject_ref == review.author.subject_ref


def test_a_bulk_deletion_is_logged_per_record(staff_client: Any) -> None:
    client, _staff = staff_client(roles.ADMINISTRATOR)
    reviews = ReviewFactory.create_batch(3)
    client.post("/admin/consultations/review/", {
        "action": "delete_selected", "post": "yes",
        "_selected_action": [review.pk for review in reviews]})
    assert {entry.subject_ref for entry in entries("delete:")} == {
        review.author.subject_ref for review in reviews}


# --- Export --------------------------------------------------------------------------------

def export(client: Any, members: list[Any], **data: Any) -> Any:
    return client.post("/admin/members/member/", {
        "action": "export_csv", "_selected_action": [member.pk for member in members], **data})


def rows(response: Any) -> list[dict[str, str]]:
    """The rows as Excel reads them: the file starts with the UTF-8 BOM."""
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_an_export_asks_for_a_reason_first(privacy_manager: Any, kim: Any) -> None:
    client, _staff = privacy_manager
    response = export(client, [kim])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert ko("Reason for the download") in response.content.decode()
    assert not entries("export:")


@pytest.mark.parametrize("reason", ["", "abc", "x" * 201])
def test_an_export_without_a_proper_reason_is_refused(privacy_manager: Any, kim: Any,
                                                      reason: str) -> None:
    client, _staff = privacy_manager
    response = export(client, [kim], confirm="yes", reason=reason)
    assert response["Content-Type"].startswith("text/html")
    assert 'class="errorlist' in response.content.decode()
    assert not entries("export:")


def test_an_export_is_masked_and_logged_with_its_reason(privacy_manager: Any,
                                                        kim: Any) -> None:
    client, staff = privacy_manager
    other = MemberFactory(name="이영희", mobile_phone="010-3333-4444")
    response = export(client, [kim, other], confirm="yes",
                      reason="개인정보 열람 요청 2026-118 처리", unmasked="on")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="members-')
    exported = rows(response)
    assert [row["login_id"] for row in exported] == ["kim_minsu", other.username]
    assert exported[0]["name"] == "김*수"
    assert exported[0]["mobile_phone"] == "010-****-6789"
    assert exported[0]["date_of_birth"] == "1990-**-**"
    assert "6789" not in exported[1]["mobile_phone"] and exported[1]["name"] == "이*희"
    [entry] = entries("export:")
    assert (entry.actor, entry.reason, entry.record_count) == (
        staff.username, "개인정보 열람 요청 2026-118 처리", 2)
    assert "unmasked" not in entry.fields  # the manager may not reveal: the box is ignored


def test_a_revealing_staff_member_may_export_unmasked(staff_client: Any, kim: Any) -> None:
    client, _staff = staff_client(roles.ADMINISTRATOR)
    response = export(client, [kim], confirm="yes", reason="법원 제출 자료", unmasked="on")
    [row] = rows(response)
    assert (row["name"], row["mobile_phone"]) == ("김민수", "010-2345-6789")
    assert entries("export:")[0].fields.endswith(",unmasked")


def test_an_export_neutralises_formulas_and_starts_with_the_bom(staff_client: Any) -> None:
    """A cell Excel would run as a formula is prefixed with an apostrophe (OWASP's advice
    against CSV injection); the BOM makes Excel on Korean Windows read Hangul as UTF-8."""
    client, _staff = staff_client(roles.ADMINISTRATOR)
    formula = MemberFactory(name='=HYPERLINK("http://x")', mobile_phone="-2+3*cmd|' /C calc'!A0")
    hangul = MemberFactory(name="김민수")
    response = export(client, [formula, hangul], confirm="yes", reason="법원 제출 자료",
                      unmasked="on")
    assert response.content.startswith("\ufeff".encode())
    assert response.content.startswith(b"\xef\xbb\xbf")
    formula_row, hangul_row = rows(response)
    assert formula_row["name"] == '\'=HYPERLINK("http://x")'
    assert formula_row["mobile_phone"] == "\'-2+3*cmd|\' /C calc\'!A0"
    assert hangul_row["name"] == "김민수"
    assert "김민수".encode() in response.content


def test_restricted_items_are_never_exported(staff_client: Any, kim: Any) -> None:
    client, _staff = staff_client(roles.ADMINISTRATOR)
    restriction_start(subject_ref=kim.subject_ref, items=["mobile_phone", "email"])
    other = MemberFactory()
    response = export(client, [kim, other], confirm="yes", reason="법원 제출 자료",
                      unmasked="on")
    kim_row, other_row = rows(response)
    assert kim_row["mobile_phone"] == kim_row["email"] == "(restricted)"
    assert kim_row["name"] == "김민수"
    assert other_row["mobile_phone"] == other.mobile_phone
    assert "010-2345-6789" not in response.content.decode()
    assert Restriction.objects.count() == 1


def test_the_export_query_count_does_not_grow(
    privacy_manager: Any, django_assert_max_num_queries: Any
) -> None:
    client, _staff = privacy_manager
    few = MemberFactory.create_batch(2)
    export(client, few, confirm="yes", reason="월간 점검 자료")
    many = MemberFactory.create_batch(15)
    with django_assert_max_num_queries(40) as captured:
        export(client, many, confirm="yes", reason="월간 점검 자료")
    count_many = len(captured.captured_queries)
    with django_assert_max_num_queries(count_many):
        export(client, few, confirm="yes", reason="월간 점검 자료")
