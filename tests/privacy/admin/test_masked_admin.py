"""Admin pages show personal items masked, reveal one record with a permission, and search by
login ID or exact mobile number without unmasking."""

from __future__ import annotations

from typing import Any

import pytest

from privacy.access_log import access_log_verify
from privacy.models import AccessLogEntry, Complaint
from privacy.restrictions import restriction_start
from tests.consultations.factories import ConsultationFactory, GuestConsultationFactory
from tests.members.factories import MemberFactory
from tests.privacy.admin.i18n import ko

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

FULL_ITEMS = ("김민수", "010-2345-6789", "01023456789", "2345", "minsoo.kim@example.com",
              "02-555-1234", "4층 401호", "05-17")


def assert_no_full_item(html: str) -> None:
    for item in FULL_ITEMS:
        assert item not in html, item


def test_the_member_list_is_masked(privacy_manager: Any, kim: Any) -> None:
    client, _staff = privacy_manager
    response = client.get("/admin/members/member/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "kim_minsu" in html
    assert "김*수" in html
    assert "010-****-6789" in html
    assert "m********m@example.com" in html
    assert_no_full_item(html)


def test_the_member_page_is_masked_and_read_only(privacy_manager: Any, kim: Any) -> None:
    client, _staff = privacy_manager
    response = client.get(f"/admin/members/member/{kim.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "서울특별시 강남구 테헤란로 123 ***" in html
    assert "1990-**-**" in html
    assert "02-***-1234" in html
    assert_no_full_item(html)
    assert 'name="mobile_phone"' not in html and 'name="name"' not in html
    assert ko("Reveal personal data (logged)") not in html  # no permission, no button


def test_the_guest_consultation_list_and_page_are_masked(receptionist: Any) -> None:
    client, _staff = receptionist
    guest = GuestConsultationFactory(name="박서연", mobile_phone="010-9876-5432")
    html = client.get(f"/admin/consultations/guestconsultation/{guest.pk}/change/")\
        .content.decode()
    assert "박*연" in html and "010-****-5432" in html
    assert "박서연" not in html and "9876" not in html
    assert "비염이 있는데" in html  # the question is shown: answering needs it


def test_a_doctor_reveals_one_record_and_it_is_logged(doctor: Any, kim: Any) -> None:
    client, staff = doctor
    page = client.get(f"/admin/members/member/{kim.pk}/change/").content.decode()
    assert ko("Reveal personal data (logged)") in page
    response = client.post(f"/admin/members/member/{kim.pk}/reveal/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "김민수" in html and "010-2345-6789" in html
    assert "서울특별시 강남구 테헤란로 123 4층 401호" in html
    assert response["Cache-Control"].startswith("max-age=0")
    entry = AccessLogEntry.objects.get(action="reveal:members.member")
    assert (entry.actor, entry.subject_ref, entry.ip_address) == (
        staff.username, kim.subject_ref, "203.0.113.7")
    assert entry.fields == "name,email,mobile_phone,home_phone,home_address,date_of_birth"


def test_reveal_needs_post(doctor: Any, kim: Any) -> None:
    client, _staff = doctor
    response = client.get(f"/admin/members/member/{kim.pk}/reveal/")
    assert response.status_code == 405
    assert not AccessLogEntry.objects.filter(action__startswith="reveal").exists()


@pytest.mark.parametrize("term", ["010-2345-6789", "01023456789", "010 2345 6789",
                                  "+82 10-2345-6789"])
def test_search_by_exact_mobile_number_posts_and_filters_on_the_digest(
    privacy_manager: Any, kim: Any, term: str
) -> None:
    client, _staff = privacy_manager
    MemberFactory(username="lee_other", mobile_phone="010-2345-6788")
    response = client.post("/admin/members/member/search-mobile/", {"mobile": term})
    assert response.status_code == 302
    assert "2345" not in response["Location"]  # the number never goes into a URL
    assert response["Location"].startswith("/admin/members/member/?mobile_phone_digest=")
    html = client.get(response["Location"]).content.decode()
    assert "kim_minsu" in html
    assert "lee_other" not in html
    assert_no_full_item(html)


@pytest.mark.parametrize("term", ["kim_minsu", "KIM_MINSU", " ｋｉｍ_ｍｉｎｓｕ "])
def test_search_by_login_id(privacy_manager: Any, kim: Any, term: str) -> None:
    client, _staff = privacy_manager
    MemberFactory(username="lee_other")
    html = client.get("/admin/members/member/", {"q": term}).content.decode()
    assert "kim_minsu" in html
    assert "lee_other" not in html
    assert_no_full_item(html)


def test_search_by_part_of_a_login_id_finds_nobody(privacy_manager: Any, kim: Any) -> None:
    """Login IDs are sealed and searched by their keyed digest: only the whole ID matches."""
    client, _staff = privacy_manager
    response = client.get("/admin/members/member/", {"q": "minsu"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize("term", ["2345-6789", "010", ""])
def test_a_partial_number_is_refused_and_finds_nothing(privacy_manager: Any, kim: Any,
                                                       term: str) -> None:
    client, _staff = privacy_manager
    response = client.post("/admin/members/member/search-mobile/", {"mobile": term},
                           follow=True)
    assert response.redirect_chain == [("/admin/members/member/", 302)]
    assert ko("Enter a whole mobile number, e.g. 010-1234-5678.") in response.content.decode()


def test_the_mobile_search_needs_post(privacy_manager: Any) -> None:
    client, _staff = privacy_manager
    assert client.get("/admin/members/member/search-mobile/").status_code == 405


def test_the_digest_follows_a_changed_number(privacy_manager: Any, kim: Any) -> None:
    client, _staff = privacy_manager
    kim.mobile_phone = "010-1111-2222"
    kim.save(update_fields=["mobile_phone"])

    def found(number: str) -> bool:
        response = client.post("/admin/members/member/search-mobile/", {"mobile": number},
                               follow=True)
        return "kim_minsu" in response.content.decode()

    assert found("01011112222")
    assert not found("01023456789")


@pytest.mark.parametrize("rows", [1, 12])
def test_the_member_list_query_count_does_not_grow(
    privacy_manager: Any, django_assert_max_num_queries: Any, rows: int
) -> None:
    client, _staff = privacy_manager
    MemberFactory.create_batch(rows)
    client.get("/admin/members/member/")  # warm the near cache
    with django_assert_max_num_queries(14):
        assert client.get("/admin/members/member/").status_code == 200


@pytest.mark.parametrize("rows", [1, 12])
def test_the_guest_consultation_list_query_count_does_not_grow(
    receptionist: Any, django_assert_max_num_queries: Any, rows: int
) -> None:
    client, _staff = receptionist
    GuestConsultationFactory.create_batch(rows)
    client.get("/admin/consultations/guestconsultation/")
    with django_assert_max_num_queries(14):
        assert client.get("/admin/consultations/guestconsultation/").status_code == 200


def test_a_complaint_shows_the_sender_masked(privacy_manager: Any) -> None:
    client, _staff = privacy_manager
    complaint = Complaint.objects.create(name="최지우", contact="010-5555-7777",
                                         body="답변이 늦습니다.")
    for url in ("/admin/privacy/complaint/",
                f"/admin/privacy/complaint/{complaint.pk}/change/"):
        html = client.get(url).content.decode()
        assert "최지우" not in html and "5555" not in html
    html = client.get(f"/admin/privacy/complaint/{complaint.pk}/change/").content.decode()
    assert "최*우" in html and "010-****-7777" in html and "답변이 늦습니다." in html


def test_a_doctor_reveals_a_guest_and_the_log_still_verifies(doctor: Any) -> None:
    client, _staff = doctor
    guest = GuestConsultationFactory(name="박서연", mobile_phone="010-9876-5432")
    client.get("/admin/consultations/guestconsultation/")
    client.get(f"/admin/consultations/guestconsultation/{guest.pk}/change/")
    html = client.post(f"/admin/consultations/guestconsultation/{guest.pk}/reveal/")\
        .content.decode()
    assert "박서연" in html and "010-9876-5432" in html
    actions = list(AccessLogEntry.objects.order_by("sequence").values_list("action", flat=True))
    assert actions == ["list:consultations.guestconsultation",
                       "view:consultations.guestconsultation",
                       "reveal:consultations.guestconsultation"]
    report = access_log_verify()
    assert (report.problem, report.checked) == (None, 3)


def test_records_without_masked_items_have_no_reveal(doctor: Any) -> None:
    client, _staff = doctor
    consultation = ConsultationFactory()
    page = client.get(f"/admin/consultations/consultation/{consultation.pk}/change/")
    assert ko("Reveal personal data (logged)") not in page.content.decode()
    response = client.post(f"/admin/consultations/consultation/{consultation.pk}/reveal/")
    assert response.status_code in (302, 404)  # no such page: admin's catch-all redirect
    assert not AccessLogEntry.objects.filter(action__startswith="reveal").exists()


def test_restricted_items_are_marked_and_not_revealed(doctor: Any, kim: Any) -> None:
    """A correction request through the officer restricts the item (policy section 6): staff
    see that it may not be used, and a reveal does not show it."""

    restriction_start(subject_ref=kim.subject_ref, items=["mobile_phone"])
    client, _staff = doctor
    page = client.get(f"/admin/members/member/{kim.pk}/change/").content.decode()
    assert ko("mobile phone number") in page
    assert "errornote" in page
    html = client.post(f"/admin/members/member/{kim.pk}/reveal/").content.decode()
    assert "010-2345-6789" not in html
    assert "김민수" in html  # the other items are revealed as usual
