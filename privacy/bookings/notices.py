"""Telling a patient about their booking request: confirmed, another time proposed, declined,
and the reminder the day before. By the channel the patient chose; email passes the processor
check of ``privacy.processors.mail``, text messages that of ``privacy.processors.sms`` (a
member's message is withheld where a delivering processor needs a consent they did not give).
The messages name the time and the reference, never the area or the note (health
information)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from consultations.models import BookingRequest, BookingStatus, ContactChannel
from consultations.selectors import booking_requests_to_remind
from consultations.services import booking_reminded
from privacy.controller import site_for
from privacy.processors.sms import SmsMessage, send_messages

logger = logging.getLogger(__name__)

REMINDER = "reminder"
KINDS = (BookingStatus.CONFIRMED, BookingStatus.PROPOSED, BookingStatus.DECLINED, REMINDER)


def _recipient(booking: BookingRequest) -> tuple[str, object]:
    """(address or number, subject reference for the SMS consent check: None for a guest)."""
    if booking.member is not None:
        member = booking.member
        if booking.channel == ContactChannel.EMAIL:
            return member.email, member.subject_ref
        return str(member.mobile_phone or ""), member.subject_ref
    return str(booking.contact), None


def booking_notice_send(*, booking: BookingRequest, kind: str) -> bool:
    """Send the notice of ``kind`` (a status, or ``REMINDER``); True when it was handed to the
    backend. Written in Korean, the language of the clinic's patients and of the site."""
    if kind not in KINDS:
        raise ValueError(f"not a booking notice: {kind!r}")
    to, subject_ref = _recipient(booking)
    if not to:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            **site_for(settings.LANGUAGE_CODE), "booking": booking, "kind": kind,
            "appointment": timezone.localtime(booking.appointment_at)
            if booking.appointment_at else None,
            "phone": settings.CLINIC_BUSINESS["phone"],
            "follow_url": f"{settings.SITE_URL}/consultations/booking/status/",
        }
        body = render_to_string("privacy/bookings/notice.txt", context).strip()
        if booking.channel == ContactChannel.EMAIL:
            subject = render_to_string("privacy/bookings/notice_subject.txt", context).strip()
            sent = send_mail(subject, body, None, [to], fail_silently=True)
        else:
            sent = send_messages([SmsMessage(to=to, body=body, subject_ref=subject_ref)])
    if not sent:
        # No address, the reference or the kind: nothing personal in the log.
        logger.warning("booking notice %s not sent for request %s", kind, booking.pk)
    return bool(sent)


@dataclass(frozen=True)
class ReminderReport:
    due: int
    sent: int
    failed: int


def booking_reminders_send(
    *, now: datetime.datetime | None = None, dry_run: bool = False,
    progress: Callable[[int], object] | None = None,
) -> ReminderReport:
    """Remind every patient whose confirmed appointment is tomorrow, once each. Run it daily
    (``privacy remind-bookings``; the scheduler may call this function instead)."""
    due = list(booking_requests_to_remind(now=now or timezone.now()))
    if dry_run:
        return ReminderReport(due=len(due), sent=0, failed=0)
    sent = failed = 0
    for booking in due:
        if booking_notice_send(booking=booking, kind=REMINDER):
            booking_reminded(booking=booking)
            sent += 1
        else:
            failed += 1
        if progress is not None:
            progress(1)
    return ReminderReport(due=len(due), sent=sent, failed=failed)
