"""Writes of the consultation boards, guest and after-care consultations, answers and reviews."""

from __future__ import annotations

import logging
import secrets
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from consultations.models import (
    Answer,
    BookingRequest,
    BookingStatus,
    Consultation,
    ConsultationArea,
    ConsultationKind,
    GuestConsultation,
    ProcedureRecord,
    Review,
    ReviewStatus,
)
from consultations.selectors import (
    BOARD_CONSENT,
    GUEST_CONSENT,
    GUEST_SENSITIVE_CONSENT,
    area_list_cache_clear,
    booking_contact_digest,
    guest_consultations_matching,
    procedure_record_consent_missing,
)
from consultations.tasks import consultation_answered_notify, guest_text_notify
from members.models import Member
from privacy.ledger import consent_record
from privacy.lookup import phone_digest
from privacy.models import ConsentMethod
from privacy.outbox import new_send_key

logger = logging.getLogger(__name__)

# The two consents a booking request needs (privacy.registry), each asked on its own.
BOOKING_CONSENTS = ("booking_request", "booking_request_sensitive")
# Crockford's base32 without look-alikes: a guest can read the reference out over the phone.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_GROUPS, REFERENCE_GROUP_LENGTH = 3, 4  # 60 random bits, e.g. 7KQ2-M9XD-4TPA

# The areas of the clinic; staff can edit them in the admin afterwards.
DEFAULT_AREAS: tuple[tuple[str, str, str], ...] = (
    ("eyes", "눈", "Eyes"),
    ("nose", "코", "Nose"),
    ("face-contour", "안면윤곽", "Face contour"),
    ("breast", "가슴", "Breast"),
    ("body", "바디", "Body"),
    ("skin", "피부", "Skin"),
    ("other", "기타", "Other"),
)


class NotAllowed(Exception):
    """A change the rules forbid (e.g. editing an answered consultation)."""


def area_ensure_defaults() -> list[ConsultationArea]:
    """Create the clinic's default areas that are missing; leaves staff edits alone."""
    areas = []
    for position, (slug, name_ko, name_en) in enumerate(DEFAULT_AREAS):
        area, _ = ConsultationArea.objects.get_or_create(
            slug=slug, defaults={"name_ko": name_ko, "name_en": name_en, "position": position}
        )
        areas.append(area)
    area_list_cache_clear()
    return areas


# --- Consultation board and after-care -------------------------------------------------------

@transaction.atomic
def board_consent_grant(*, member: Member, ip_address: str | None = None) -> None:
    """Record the consent to sensitive information that a member ticked on a posting form
    (the boards' own form asks for it, PIPA art. 23)."""
    consent_record(
        subject_ref=member.subject_ref, member=member, consent=BOARD_CONSENT, granted=True,
        method=ConsentMethod.BOARD_FORM, ip_address=ip_address,
    )


@transaction.atomic
def consultation_create(
    *, author: Member, area: ConsultationArea, title: str, body: str, is_private: bool
) -> Consultation:
    """Post a question; sealed with the author's own data key."""
    consultation = Consultation(
        author=author, title=title, body=body, is_private=is_private,
        kind=ConsultationKind.BOARD, data_key=author.data_key,
    )
    consultation.area = area  # sealed with its digest (``SealedArea``)
    consultation.save()
    return consultation


@transaction.atomic
def consultation_create_aftercare(
    *, author: Member, procedure: ProcedureRecord, title: str, body: str
) -> Consultation:
    """An after-care question about one of the author's own procedures; always private."""
    if procedure.member_id != author.pk:
        raise NotAllowed("the procedure belongs to another member")
    area = procedure.area
    if area is None:  # its key is destroyed: nothing of it is left to ask about
        raise NotAllowed("the procedure record is erased")
    consultation = Consultation(
        author=author, procedure=procedure, title=title, body=body,
        is_private=True, kind=ConsultationKind.AFTERCARE, data_key=author.data_key,
    )
    consultation.area = area
    consultation.save()
    return consultation


def _ensure_unanswered(consultation: Consultation) -> None:
    if consultation.answers.exists():
        raise NotAllowed("an answered consultation cannot be changed")


@transaction.atomic
def consultation_update(
    *, consultation: Consultation, area: ConsultationArea, title: str, body: str,
    is_private: bool,
) -> Consultation:
    """The author corrects an unanswered question. After-care questions stay private and keep
    the area of their procedure."""
    _ensure_unanswered(consultation)
    consultation.title = title
    consultation.body = body
    if consultation.kind == ConsultationKind.BOARD:
        consultation.area = area
        consultation.is_private = is_private
    consultation.updated_at = timezone.now()
    consultation.save(update_fields=["title", "body", "area", "is_private", "updated_at"])
    return consultation


@transaction.atomic
def consultation_delete(*, consultation: Consultation) -> None:
    """The author deletes a question, answered or not; its answers go with it (the question
    and answers are the author's health information, sealed with their key)."""
    consultation.delete()


@transaction.atomic
def consultation_answer(
    *, consultation: Consultation, staff: Member, body: str, site_url: str = ""
) -> Answer:
    """Answer a question and tell the author by email (in the background).

    The answer is sealed with the asker's key, as it is about them. The email is an
    information notice only: it carries a link, never the question or the answer, because
    mail leaves the clinic's protection."""
    answer = Answer.objects.create(
        consultation=consultation, author=staff, body=body, data_key=consultation.data_key
    )
    # Queued in this transaction: the notice goes if and only if the answer is kept.
    consultation_answered_notify.enqueue(
        answer_id=answer.pk, site_url=site_url, key=new_send_key(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    return answer


# --- Procedure records -----------------------------------------------------------------------

@transaction.atomic
def procedure_record_create(
    *, member: Member, area: ConsultationArea, procedure_name: str, performed_on: date,
    recorded_by: Member | None = None,
) -> ProcedureRecord:
    """Staff mark a member as a patient of a procedure; sealed with the member's key. Only
    with the consent that covers procedure records (``NotAllowed`` otherwise)."""
    missing = procedure_record_consent_missing(member)
    if missing is not None:
        raise NotAllowed(f"the member has not given the consent {missing!r}")
    record = ProcedureRecord(
        member=member, procedure_name=procedure_name, performed_on=performed_on.isoformat(),
        recorded_by=recorded_by, data_key=member.data_key,
    )
    record.area = area  # sealed with its digest (``ProcedureRecord.area``)
    record.save()
    return record


# --- Reviews ---------------------------------------------------------------------------------

@transaction.atomic
def review_create(
    *, author: Member, area: ConsultationArea, title: str, body: str, rating: int
) -> Review:
    """A new review waits for moderation before anyone else sees it."""
    review = Review(
        author=author, title=title, body=body, rating=rating,
        status=ReviewStatus.PENDING, data_key=author.data_key,
    )
    review.area = area  # sealed with its digest (``SealedArea``)
    review.save()
    return review


@transaction.atomic
def review_update(
    *, review: Review, area: ConsultationArea, title: str, body: str, rating: int
) -> Review:
    """An edited review goes back to moderation: staff approved the old text, not this one."""
    review.area = area
    review.title = title
    review.body = body
    review.rating = rating
    review.status = ReviewStatus.PENDING
    review.updated_at = timezone.now()
    review.moderated_at = None
    review.save(
        update_fields=["area", "title", "body", "rating", "status", "updated_at", "moderated_at"]
    )
    return review


@transaction.atomic
def review_delete(*, review: Review) -> None:
    review.delete()


@transaction.atomic
def review_moderate(*, reviews: QuerySet[Review], status: str) -> int:
    """Publish or reject reviews (admin actions); returns how many changed."""
    if status not in (ReviewStatus.PUBLISHED, ReviewStatus.REJECTED):
        raise ValueError(f"not a moderation result: {status!r}")
    return reviews.exclude(status=status).update(status=status, moderated_at=timezone.now())


# --- Guest consultations ---------------------------------------------------------------------

def guest_reference_new() -> str:
    groups = (
        "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_GROUP_LENGTH))
        for _ in range(REFERENCE_GROUPS)
    )
    return "-".join(groups)


@transaction.atomic
def guest_consultation_create(
    *, name: str, mobile_phone: str, area: ConsultationArea, title: str, body: str,
    password: str, ip_address: str | None = None,
) -> GuestConsultation:
    """Take a guest's question and record their two consents in the ledger (the contact
    details, and the health information apart), under the consultation's own subject
    reference (a guest has no account to point at). Once committed, the reference goes to
    the guest's phone by text message."""
    reference = guest_reference_new()
    while GuestConsultation.objects.filter(reference=reference).exists():
        reference = guest_reference_new()
    guest_consultation = GuestConsultation(
        reference=reference, password=make_password(password), name=name,
        mobile_phone=mobile_phone, mobile_phone_digest=phone_digest(mobile_phone),
        title=title, body=body,
    )
    guest_consultation.area = area  # sealed with its digest (``SealedArea``)
    guest_consultation.save()
    for consent in (GUEST_CONSENT, GUEST_SENSITIVE_CONSENT):
        consent_record(
            subject_ref=guest_consultation.subject_ref, consent=consent, granted=True,
            method=ConsentMethod.GUEST_FORM, ip_address=ip_address,
            data_key=guest_consultation.data_key,
        )
    guest_text_send(guest_consultation=guest_consultation, kind=GUEST_TEXT_POSTED)
    return guest_consultation


@transaction.atomic
def guest_consultation_answer(
    *, guest_consultation: GuestConsultation, staff: Member, body: str
) -> GuestConsultation:
    """Answer a guest; the retention period for the guest's data starts now. The guest is
    told by text message that the answer is ready (never the answer itself)."""
    if guest_consultation.destroyed_at is not None:
        raise NotAllowed("the guest consultation's personal data is destroyed")
    first_answer = guest_consultation.answered_at is None
    guest_consultation.answer = body
    guest_consultation.answered_by = staff
    guest_consultation.answered_at = guest_consultation.answered_at or timezone.now()
    guest_consultation.save(update_fields=["answer", "answered_by", "answered_at"])
    if first_answer:
        guest_text_send(guest_consultation=guest_consultation, kind=GUEST_TEXT_ANSWERED,
                        language="ko")
    return guest_consultation


def guest_reference_resend(*, mobile_phone: str, password: str) -> int:
    """Send the reference of each guest consultation that this number and password open to
    that number, by text message; returns how many (the page never says: whether anything
    matched is told only to the phone's owner)."""
    matched = guest_consultations_matching(mobile_phone=mobile_phone, password=password)
    for guest_consultation in matched:
        guest_text_send(guest_consultation=guest_consultation, kind=GUEST_TEXT_REFERENCE)
    return len(matched)


# The text messages a guest receives: the reference at posting, a notice when answered, the
# reference again on request. Each template holds the reference and the page to read the
# answer on; never the question, the answer or the name.
GUEST_TEXT_POSTED, GUEST_TEXT_ANSWERED, GUEST_TEXT_REFERENCE = "posted", "answered", "reference"


def guest_text_send(
    *, guest_consultation: GuestConsultation, kind: str, language: str | None = None
) -> None:
    """Queue a text message to the guest about their consultation (see
    ``consultations.tasks.guest_text_notify``): queued in the caller's transaction, sent by the
    worker if the guest's consent to contact still holds then."""
    guest_text_notify.enqueue(
        guest_consultation_id=guest_consultation.pk, kind=kind,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        key=new_send_key(),
    )


# --- Booking requests ------------------------------------------------------------------------

@transaction.atomic
def booking_request_create(
    *, member: Member | None, area: ConsultationArea, slots: list[datetime], note: str,
    channel: str, name: str = "", contact: str = "", ip_address: str | None = None,
) -> BookingRequest:
    """Take a request for a consultation appointment and record both consents in the ledger:
    a member's under the member, a guest's under the request's own subject reference. A
    member's request is sealed with the member's key and reaches them through the account's
    contact; a guest's has a key of its own and keeps the contact given."""
    reference = guest_reference_new()
    while BookingRequest.objects.filter(reference=reference).exists():
        reference = guest_reference_new()
    booking = BookingRequest(
        reference=reference, member=member, note=note, channel=channel,
        name="" if member else name, contact="" if member else contact,
        contact_digest="" if member else booking_contact_digest(channel=channel, contact=contact),
        data_key=member.data_key if member else None,
    )
    booking.area = area  # sealed with its digest (``SealedArea``)
    booking.slots_set(slots)
    booking.save()
    for consent in BOOKING_CONSENTS:
        consent_record(
            subject_ref=member.subject_ref if member else booking.subject_ref, member=member,
            consent=consent, granted=True, method=ConsentMethod.BOOKING_FORM,
            ip_address=ip_address, data_key=booking.data_key,
        )
    return booking


def _decide(booking: BookingRequest, *, status: str, staff: Member,
            appointment_at: datetime | None) -> BookingRequest:
    booking.status = status
    booking.appointment_at = appointment_at
    booking.decided_at = timezone.now()
    booking.decided_by = staff
    booking.reminded_at = None
    booking.save(update_fields=["status", "appointment_at", "decided_at", "decided_by",
                                "reminded_at"])
    return booking


@transaction.atomic
def booking_confirm(*, booking: BookingRequest, slot: datetime, staff: Member) -> BookingRequest:
    """Confirm one of the times the patient asked for."""
    if slot not in booking.slots():
        raise NotAllowed("the confirmed time must be one the patient asked for")
    return _decide(booking, status=BookingStatus.CONFIRMED, staff=staff, appointment_at=slot)


@transaction.atomic
def booking_propose(*, booking: BookingRequest, slot: datetime, staff: Member) -> BookingRequest:
    """Propose another time (already checked against the opening hours by the caller's form)."""
    return _decide(booking, status=BookingStatus.PROPOSED, staff=staff, appointment_at=slot)


@transaction.atomic
def booking_decline(*, booking: BookingRequest, staff: Member) -> BookingRequest:
    return _decide(booking, status=BookingStatus.DECLINED, staff=staff, appointment_at=None)


def booking_reminded(*, booking: BookingRequest) -> None:
    BookingRequest.objects.filter(pk=booking.pk).update(reminded_at=timezone.now())
