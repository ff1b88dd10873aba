"""Staff answer booking requests in the admin: masked, access-logged, one decision per save,
and the patient told by the channel they chose."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from consultations.models import BookingStatus, ContactChannel
from members import roles
from privacy.models import AccessLogEntry
from privacy.processors import sms
from tests.clinic.factories import HolidayFactory, week_of_hours
from tests.consultations.factories import BookingRequestFactory, seoul

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clinic(settings: Any) -> None:
    week_of_hours()
    HolidayFactory()
    settings.SMS_BACKEND = "privacy.processors.sms.LocmemBackend"
    sms.outbox.clear()


@pytest.fixture
def reception(staff_client: Any) -> Client:
    client, _staff = staff_client(roles.RECEPTIONIST)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _url(booking: Any) -> str:
    return f"/admin/consultations/bookingrequest/{booking.pk}/change/"


def _decide(client: Client, booking: Any, **data: str) -> Any:
    return client.post(_url(booking), {"proposed_at_0": "", "proposed_at_1": "", **data})


def test_the_change_page_masks_name_and_contact_and_is_logged(reception: Client) -> None:
    booking = BookingRequestFactory()
    html = reception.get(_url(booking)).content.decode()
    assert "홍길동" not in html and "010-1234-5678" not in html
    assert "홍*동" in html and "2026-11-27 10:00" in html
    entry = AccessLogEntry.objects.filter(action="view:consultations.bookingrequest").get()
    assert entry.subject_ref == booking.subject_ref


def test_confirming_one_of_the_times_tells_the_guest_by_text_message(reception: Client) -> None:
    booking = BookingRequestFactory()
    response = _decide(reception, booking, decision="confirm",
                       confirm_slot=seoul("2026-11-27 14:00").isoformat())
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.appointment_at == seoul("2026-11-27 14:00")
    assert [m.to for m in sms.outbox] == ["010-1234-5678"]
    assert "2026-11-27 14:00" in sms.outbox[0].body and booking.reference in sms.outbox[0].body
    assert "쌍꺼풀" not in sms.outbox[0].body  # no health information in the message


def test_proposing_a_time_when_the_clinic_is_closed_is_refused(reception: Client) -> None:
    booking = BookingRequestFactory()
    response = _decide(reception, booking, decision="propose",
                       proposed_at_0="2026-12-25", proposed_at_1="10:00")
    assert response.status_code == 200
    assert "The clinic is closed at 2026-12-25 10:00" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED and not sms.outbox


def test_proposing_another_time_and_declining_by_email(reception: Client) -> None:
    booking = BookingRequestFactory(channel=ContactChannel.EMAIL, contact="hong@example.com")
    assert _decide(reception, booking, decision="propose", proposed_at_0="2026-11-30",
                   proposed_at_1="11:00").status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PROPOSED
    assert mail.outbox[-1].to == ["hong@example.com"] and "2026-11-30 11:00" in mail.outbox[-1].body
    assert _decide(reception, booking, decision="decline").status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DECLINED and booking.appointment_at is None
    assert len(mail.outbox) == 2


def test_a_time_the_patient_did_not_ask_for_cannot_be_confirmed(reception: Client) -> None:
    booking = BookingRequestFactory()
    response = _decide(reception, booking, decision="confirm",
                       confirm_slot=seoul("2026-11-27 16:00").isoformat())
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED


def test_staff_cannot_add_requests_and_other_roles_cannot_see_them(
    reception: Client, staff_client: Any
) -> None:
    assert reception.get("/admin/consultations/bookingrequest/add/").status_code == 403
    manager, _ = staff_client(roles.PRIVACY_MANAGER)
    booking = BookingRequestFactory()
    assert manager.get(_url(booking)).status_code == 403
