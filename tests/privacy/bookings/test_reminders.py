"""The reminder the day before, and the destruction of requests whose purpose is achieved."""

from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from consultations.models import BookingRequest, BookingStatus
from privacy.models import DataKey
from privacy.processors import sms
from tests.consultations.factories import BookingRequestFactory, seoul
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db(databases=["default", "retention"])


@pytest.fixture(autouse=True)
def _sms(settings: Any) -> None:
    settings.SMS_BACKEND = "privacy.processors.sms.LocmemBackend"
    sms.outbox.clear()


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("privacy", *args, stdout=out)
    return out.getvalue()


def test_reminds_tomorrows_confirmed_appointments_once() -> None:
    tomorrow = BookingRequestFactory(status=BookingStatus.CONFIRMED,
                                     appointment_at=seoul("2026-11-27 10:00"))
    BookingRequestFactory(status=BookingStatus.CONFIRMED, appointment_at=seoul("2026-11-28 10:00"))
    BookingRequestFactory(status=BookingStatus.PROPOSED, appointment_at=seoul("2026-11-27 11:00"))
    assert "1 appointment(s) tomorrow" in _run("remind-bookings", "--dry-run")
    assert not sms.outbox
    assert "sent 1, failed 0" in _run("remind-bookings")
    assert [m.to for m in sms.outbox] == ["010-1234-5678"]
    assert "2026-11-27 10:00" in sms.outbox[0].body
    tomorrow.refresh_from_db()
    assert tomorrow.reminded_at is not None
    _run("remind-bookings")
    assert len(sms.outbox) == 1


def test_a_members_reminder_goes_to_the_account_email(mailoutbox: list) -> None:
    member = MemberFactory(email="member@example.com")
    BookingRequestFactory(member=member, name="", contact="", contact_digest="", channel="email",
                          data_key=member.data_key, status=BookingStatus.CONFIRMED,
                          appointment_at=seoul("2026-11-27 15:00"))
    _run("remind-bookings")
    assert [m.to for m in mailoutbox] == [["member@example.com"]]


def test_purge_destroys_requests_30_days_after_the_appointment_or_90_unanswered() -> None:
    done = BookingRequestFactory(status=BookingStatus.CONFIRMED,
                                 appointment_at=seoul("2026-11-27 10:00"))
    unanswered = BookingRequestFactory()
    key_id = done.data_key_id
    with time_machine.travel("2026-12-20 12:00 +09:00", tick=False):
        _run("purge")
    assert BookingRequest.objects.count() == 2
    with time_machine.travel("2026-12-28 12:00 +09:00", tick=False):
        _run("purge")
    assert list(BookingRequest.objects.all()) == [unanswered]
    assert not DataKey.objects.filter(pk=key_id).exists()  # the guest's own key goes too
    with time_machine.travel("2027-02-25 12:00 +09:00", tick=False):
        _run("purge")
    assert not BookingRequest.objects.exists()


def test_a_members_request_goes_but_not_the_members_key() -> None:
    member = MemberFactory()
    BookingRequestFactory(member=member, data_key=member.data_key,
                          status=BookingStatus.DECLINED, decided_at=seoul("2026-11-26 12:00"))
    with time_machine.travel("2027-01-01 12:00 +09:00", tick=False):
        _run("purge")
    assert not BookingRequest.objects.exists()
    assert DataKey.objects.filter(pk=member.data_key_id).exists()
