"""Booking requests (상담 예약 신청) from guests and members: the form's checks, what is stored
and recorded, following a request by reference, and "my page". The test clock is Thursday
2026-11-26 12:00 in Seoul; the clinic opens Monday-Friday 10-19 and Saturday 10-15, and
2026-12-25 is a holiday."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from clinic.models import OpeningHours
from clinic.selectors import clinic_cache_clear
from consultations.models import BookingRequest, BookingStatus
from privacy.models import ConsentRecord
from tests.clinic.factories import HolidayFactory, week_of_hours
from tests.consultations.factories import ConsultationAreaFactory
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db

URL = "/consultations/booking/"


@pytest.fixture(autouse=True)
def _clinic() -> None:
    week_of_hours()
    HolidayFactory()
    ConsultationAreaFactory(slug="eyes", name_ko="눈", name_en="Eyes")


def _post(client: Client, *, slots: list[tuple[str, str]] | None = None, **overrides: Any):
    area = ConsultationAreaFactory(slug="eyes")
    slots = [("2026-11-27", "10:00"), ("2026-11-28", "11:30")] if slots is None else slots
    data: dict[str, Any] = {
        "area": area.pk, "note": "쌍꺼풀 상담을 받고 싶습니다.", "name": "홍길동",
        "channel": "sms", "mobile_phone": "010-1234-5678", "email": "",
        "consent": "on", "consent_sensitive": "on",
        "slot_date": [day for day, _ in slots], "slot_time": [start for _, start in slots],
    }
    data.update(overrides)
    return client.post(URL, {k: v for k, v in data.items() if v is not None})


def test_a_guest_books_and_gets_a_reference(client: Client) -> None:
    response = _post(client)
    assert response.status_code == 302 and response.url == "/consultations/booking/done/"
    booking = BookingRequest.objects.get()
    assert booking.member is None and booking.status == BookingStatus.REQUESTED
    assert [f"{timezone.localtime(s):%Y-%m-%d %H:%M}" for s in booking.slots()] == [
        "2026-11-27 10:00", "2026-11-28 11:30"]
    assert booking.name == "홍길동" and booking.contact == "010-1234-5678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, contact, note, preferred_slots FROM "
                       "consultations_bookingrequest")
        raw = " ".join(cursor.fetchone())
    assert "홍길동" not in raw and "010-1234-5678" not in raw and "쌍꺼풀" not in raw
    assert sorted(ConsentRecord.objects.filter(subject_ref=booking.subject_ref)
                  .values_list("consent", flat=True)) == [
        "booking_request", "booking_request_sensitive"]
    done = client.get(response.url).content.decode()
    assert booking.reference in done


def test_the_form_asks_separate_unticked_consents_and_preselects_the_area(
    client: Client, django_assert_max_num_queries
) -> None:
    client.get(f"{URL}?area=eyes")  # fills the caches
    # The area list of the form's choices; the session and cookie groups.
    with django_assert_max_num_queries(4):
        html = client.get(f"{URL}?area=eyes").content.decode()
    assert 'name="consent"' in html and 'name="consent_sensitive"' in html
    assert "checked" not in html.split('name="consent"')[1][:80]
    assert '<option value="1" selected>' in html or "selected>눈</option>" in html
    assert '<option value="10:00">10:00</option>' in html


@pytest.mark.parametrize(("slots", "message"), [
    ([("2026-11-25", "10:00")], "2026-11-25 10:00 is in the past."),
    ([("2026-11-26", "11:00")], "2026-11-26 11:00 is in the past."),
    ([("2026-11-29", "10:00")], "The clinic is closed at 2026-11-29 10:00"),  # Sunday
    ([("2026-12-25", "10:00")], "The clinic is closed at 2026-12-25 10:00"),  # holiday
    ([("2026-11-28", "15:00")], "The clinic is closed at 2026-11-28 15:00"),  # Saturday 10-15
    ([("2026-11-27", "18:45")], "The clinic is closed at 2026-11-27 18:45"),  # ends after 19
    ([("2027-06-01", "10:00")], "Bookings are taken up to 90 days ahead."),
    ([("2026-11-27", "10:00")] * 2, "2026-11-27 10:00 is chosen twice"),
    ([("2026-11-27", "10:00"), ("2026-11-27", "11:00"), ("2026-11-27", "12:00"),
      ("2026-11-27", "13:00")], "Please choose at most three preferred times."),
    ([], "Please choose at least one preferred date and time."),
    ([("27/11/2026", "10:00")], "Please give each preferred time as a date and a time."),
])
def test_bad_times_are_refused_with_a_message_and_nothing_stored(
    client: Client, slots: list[tuple[str, str]], message: str
) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = _post(client, slots=slots)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BookingRequest.objects.exists() and not ConsentRecord.objects.exists()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"consent": None}, "needs your consent to the collection and use of your name"),
    ({"consent_sensitive": None}, "needs your separate consent to the consultation area"),
    ({"mobile_phone": ""}, "Please enter your mobile phone number to be told by text message."),
    ({"channel": "email"}, "Please enter your email address to be told by email."),
    ({"channel": "fax"}, "Please choose text message or email."),
    ({"note": "가" * 501}, "500"),
])
def test_missing_consent_or_contact_is_refused(
    client: Client, overrides: dict[str, Any], message: str
) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = _post(client, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BookingRequest.objects.exists()


def test_a_refused_request_keeps_the_typed_times_and_new_hours_change_the_choices(
    client: Client
) -> None:
    """A new form's empty rows are kept per language and opening hours; a form sent back
    with an error shows what was typed, and a change of hours shows the new times."""
    assert 'value="18:30"' in client.get(URL).content.decode()  # fills the cache
    html = _post(client, slots=[("2026-11-29", "11:30")]).content.decode()
    assert 'id="slot-date-1" value="2026-11-29"' in html
    assert '<option value="11:30" selected>11:30</option>' in html
    OpeningHours.objects.update(closes_at=datetime.time(17))
    clinic_cache_clear()
    html = client.get(URL).content.decode()
    assert 'value="16:30"' in html and 'value="18:30"' not in html and " selected>" not in html


def test_the_korean_page_says_it_in_korean(client: Client) -> None:
    html = _post(client, slots=[("2026-11-29", "10:00")]).content.decode()
    assert "진료하지 않습니다" in html


def test_a_guest_follows_the_request_by_reference_and_contact(client: Client) -> None:
    _post(client, channel="email", email="Hong@Example.com", mobile_phone="")
    booking = BookingRequest.objects.get()
    response = client.post("/consultations/booking/status/", {
        "reference": booking.reference.lower().replace("-", ""), "contact": "hong@example.com",
    })
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert booking.reference in html and "2026-11-27 10:00" in html
    wrong = client.post("/consultations/booking/status/", {
        "reference": booking.reference, "contact": "010-9999-9999",
    })
    assert "The reference or the contact is not correct." in wrong.content.decode() or \
        "예약번호 또는 연락처가 맞지 않습니다." in wrong.content.decode()
    assert 'class="status"' not in wrong.content.decode()


def test_a_member_books_and_sees_it_on_my_page(client: Client) -> None:
    member = MemberFactory()
    client.force_login(member)
    response = _post(client, name=None, mobile_phone=None, channel="email")
    assert response.status_code == 302
    booking = BookingRequest.objects.get()
    assert booking.member == member and booking.name == "" and booking.contact == ""
    assert booking.data_key_id == member.data_key_id
    assert ConsentRecord.objects.filter(subject_ref=member.subject_ref).count() == 2
    html = client.get("/accounts/profile/").content.decode()
    assert booking.reference in html and "2026-11-28 11:30" in html


def test_another_members_page_does_not_show_it(client: Client) -> None:
    client.force_login(MemberFactory())
    _post(client, name=None, mobile_phone=None)
    reference = BookingRequest.objects.get().reference
    other = Client()
    other.force_login(MemberFactory())
    assert reference not in other.get("/accounts/profile/").content.decode()
