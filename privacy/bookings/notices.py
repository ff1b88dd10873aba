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
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from consultations.models import BookingRequest, BookingStatus, ContactChannel
from consultations.selectors import booking_requests_to_remind
from consultations.services import booking_reminded
from privacy.controller import site_for
from privacy.outbox import MAIL_ERRORS, new_send_key, send_once
from privacy.processors.sms import SmsError, SmsMessage, send_messages

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
    backend. Written in Korean, the language of the clinic's patients and of the site. A mail
    server or provider failure raises, for the task that calls this to retry
    (``privacy.bookings.tasks``)."""
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
            sent = send_mail(subject, body, None, [to])
        else:
            sent = send_messages([SmsMessage(to=to, body=body, subject_ref=subject_ref)])
    if not sent:
        # No address, the reference or the kind: nothing personal in the log.
        logger.warning("booking notice %s not sent for request %s", kind, booking.pk)
    return bool(sent)


@task()
def booking_notice_notify(*, booking_id: int, kind: str, key: str, attempt: int = 1) -> None:
    """The notice of ``kind`` as a background task (queued by the booking admin and the
    reminders). Read when the task runs: a request destroyed since (purge, withdrawal) means
    no message, and the processor checks of the mail and SMS backends apply at that moment;
    a failure of the mail server or provider is tried again, and nothing is sent twice."""
    booking = BookingRequest.objects.select_related("member").filter(pk=booking_id).first()
    if booking is None:
        return
    send_once(
        booking_notice_notify, key=key, attempt=attempt,
        arguments={"booking_id": booking_id, "kind": kind, "key": key},
        send=lambda: booking_notice_send(booking=booking, kind=kind),
        retry_on=(*MAIL_ERRORS, SmsError),
    )


@dataclass(frozen=True)
class ReminderReport:
    due: int
    sent: int
    failed: int


def booking_reminders_send(
    *, now: datetime.datetime | None = None, dry_run: bool = False,
    progress: Callable[[int], object] | None = None,
) -> ReminderReport:
    """Queue a reminder for every patient whose confirmed appointment is tomorrow, once each
    (the request is marked reminded in the same transaction as the queued task). Run daily by
    the ``remind-bookings`` periodic job, or by hand with ``privacy remind-bookings``."""
    due = list(booking_requests_to_remind(now=now or timezone.now()))
    if dry_run:
        return ReminderReport(due=len(due), sent=0, failed=0)
    for booking in due:
        with transaction.atomic():
            booking_notice_notify.enqueue(booking_id=booking.pk, kind=REMINDER,
                                          key=new_send_key())
            booking_reminded(booking=booking)
        if progress is not None:
            progress(1)
    return ReminderReport(due=len(due), sent=len(due), failed=0)
