"""Writes of the consultation boards, guest and after-care consultations, answers and reviews."""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from consultations.models import (
    Answer,
    Consultation,
    ConsultationArea,
    ConsultationKind,
    GuestConsultation,
    ProcedureRecord,
    Review,
    ReviewStatus,
)
from consultations.selectors import area_list_cache_clear, procedure_record_consent_missing
from members.models import Member
from privacy.ledger import consent_record
from privacy.models import ConsentMethod

GUEST_CONSENT = "guest_consultation"
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
def consultation_create(
    *, author: Member, area: ConsultationArea, title: str, body: str, is_private: bool
) -> Consultation:
    """Post a question; sealed with the author's own data key."""
    return Consultation.objects.create(
        author=author, area=area, title=title, body=body, is_private=is_private,
        kind=ConsultationKind.BOARD, data_key=author.data_key,
    )


@transaction.atomic
def consultation_create_aftercare(
    *, author: Member, procedure: ProcedureRecord, title: str, body: str
) -> Consultation:
    """An after-care question about one of the author's own procedures; always private."""
    if procedure.member_id != author.pk:
        raise NotAllowed("the procedure belongs to another member")
    return Consultation.objects.create(
        author=author, area=procedure.area, procedure=procedure, title=title, body=body,
        is_private=True, kind=ConsultationKind.AFTERCARE, data_key=author.data_key,
    )


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
    """Answer a question and tell the author by email.

    The answer is sealed with the asker's key, as it is about them. The email is an
    information notice only: it carries a link, never the question or the answer, because
    mail leaves the clinic's protection."""
    answer = Answer.objects.create(
        consultation=consultation, author=staff, body=body, data_key=consultation.data_key
    )
    author = consultation.author
    if author.email:
        link = site_url.rstrip("/") + reverse("consultations:detail", args=[consultation.pk])
        context = {"link": link}
        transaction.on_commit(
            lambda: send_mail(
                render_to_string("consultations/email/answered_subject.txt", context).strip(),
                render_to_string("consultations/email/answered_message.txt", context),
                settings.DEFAULT_FROM_EMAIL,
                [author.email],
            )
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
    return ProcedureRecord.objects.create(
        member=member, area=area, procedure_name=procedure_name, performed_on=performed_on,
        recorded_by=recorded_by, data_key=member.data_key,
    )


# --- Reviews ---------------------------------------------------------------------------------

@transaction.atomic
def review_create(
    *, author: Member, area: ConsultationArea, title: str, body: str, rating: int
) -> Review:
    """A new review waits for moderation before anyone else sees it."""
    return Review.objects.create(
        author=author, area=area, title=title, body=body, rating=rating,
        status=ReviewStatus.PENDING, data_key=author.data_key,
    )


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
    """Take a guest's question and record their consent in the ledger, under the
    consultation's own subject reference (a guest has no account to point at)."""
    reference = guest_reference_new()
    while GuestConsultation.objects.filter(reference=reference).exists():
        reference = guest_reference_new()
    guest_consultation = GuestConsultation.objects.create(
        reference=reference, password=make_password(password), name=name,
        mobile_phone=mobile_phone, area=area, title=title, body=body,
    )
    consent_record(
        subject_ref=guest_consultation.subject_ref, consent=GUEST_CONSENT, granted=True,
        method=ConsentMethod.GUEST_FORM, ip_address=ip_address,
    )
    return guest_consultation


@transaction.atomic
def guest_consultation_answer(
    *, guest_consultation: GuestConsultation, staff: Member, body: str
) -> GuestConsultation:
    """Answer a guest; the retention period for the guest's data starts now."""
    if guest_consultation.destroyed_at is not None:
        raise NotAllowed("the guest consultation's personal data is destroyed")
    guest_consultation.answer = body
    guest_consultation.answered_by = staff
    guest_consultation.answered_at = guest_consultation.answered_at or timezone.now()
    guest_consultation.save(update_fields=["answer", "answered_by", "answered_at"])
    return guest_consultation
