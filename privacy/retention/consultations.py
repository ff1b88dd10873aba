"""Purge rules of the consultations app: guest consultations, members' posts, procedure records.

Listed in ``privacy.retention.destruction.PURGE_MODULES``; see that module for how a rule is
applied.
Members' posts and procedure records have no clock: their purpose ends when the author deletes
a post (the view deletes it at once), when staff remove a procedure record, or at withdrawal,
where ``MEMBER_ERASERS`` below destroys everything the member wrote or staff recorded about
them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models

from consultations.models import (
    BookingRequest,
    Consultation,
    GuestConsultation,
    ProcedureRecord,
    Review,
)
from consultations.selectors import (
    booking_requests_due_for_destruction,
    guest_consultations_due_for_destruction,
)
from privacy import registry
from privacy.models import DataKey
from privacy.retention.admin_log import admin_log_naming
from privacy.retention.destruction import PurgeRule
from privacy.retention.rules import consents_end, items_of, rows_with_own_keys_destroy

# --- Guest consultations: 30 days after the answer, 90 days after posting if unanswered --------

def guest_consultations_due(now: datetime.datetime) -> models.QuerySet:
    return guest_consultations_due_for_destruction(now=now).order_by()


def guest_consultations_destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
    """The guest consultations' purpose is achieved: blank the personal fields and the
    password, then delete the data keys, so copies of the ciphertext (backups) become
    unreadable too, and the admin history naming them. The row stays with its dates and its
    area's keyed digest only (statistics by area: the sealed area goes with the key), marked
    ``destroyed_at``. A second run changes nothing."""
    rows = GuestConsultation.objects.filter(pk__in=pks, destroyed_at__isnull=True)
    key_ids = list(rows.exclude(data_key=None).values_list("data_key_id", flat=True))
    # The guest's consent ends with its purpose: the ledger says so, and the proof then goes
    # 3 years later (rule consent_proof) instead of being kept for ever.
    consents_end(list(rows.values_list("subject_ref", flat=True)), now=now, reason=reason)
    count = rows.update(
        name="", mobile_phone="", mobile_phone_digest="", title="", body="", answer="",
        password=make_password(None), data_key=None, destroyed_at=now,
    )
    DataKey.objects.filter(pk__in=key_ids).delete()
    admin_log_naming(GuestConsultation, pks).delete()  # it names the consultation's title
    return count


# --- Booking requests: 30 days after the appointment or the decline, 90 if never answered -----

def booking_requests_due(now: datetime.datetime) -> models.QuerySet:
    return booking_requests_due_for_destruction(now=now).order_by()


def booking_requests_destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
    """The request's purpose is achieved: a guest's consents end in the ledger (the proof then
    goes 3 years later, rule consent_proof), the rows go with a guest's own data key, and the
    admin history naming them."""
    rows = BookingRequest.objects.filter(pk__in=pks)
    consents_end(list(rows.filter(member__isnull=True).values_list("subject_ref", flat=True)),
                 now=now, reason=reason)
    admin_log_naming(BookingRequest, pks).delete()
    return rows_with_own_keys_destroy(rows)


# --- Withdrawal: posts, answers, reviews, procedure records ------------------------------------

def _post_keys(member_pks: list[int]) -> set[int]:
    keys: set[int] = set()
    for queryset in (
        Consultation.objects.filter(author__in=member_pks),
        Review.objects.filter(author__in=member_pks),
        ProcedureRecord.objects.filter(member__in=member_pks),
        BookingRequest.objects.filter(member__in=member_pks),
    ):
        keys.update(queryset.exclude(data_key=None).values_list("data_key_id", flat=True))
    return keys


def member_posts_erase(pks: list[int], *, now: datetime.datetime) -> None:
    """Withdrawal (``member_erase``), for a batch of members at once: delete their
    consultations with their answers, reviews and procedure records, and destroy every data
    key these were sealed with (titles and ratings are plain text, so the rows go too)."""
    keys = _post_keys(pks)
    Consultation.objects.filter(author__in=pks).delete()  # answers go with them (CASCADE)
    Review.objects.filter(author__in=pks).delete()
    ProcedureRecord.objects.filter(member__in=pks).delete()
    BookingRequest.objects.filter(member__in=pks).delete()
    own_keys = set(
        get_user_model()._base_manager.filter(pk__in=pks).exclude(data_key=None)
        .values_list("data_key_id", flat=True)
    )
    # The members' own keys go with their rows (``members_destroy``); these are any others.
    DataKey.objects.filter(pk__in=keys - own_keys).delete()


def _nothing(
    model: type[Consultation | ProcedureRecord],
) -> Callable[[datetime.datetime], models.QuerySet]:
    def due(now: datetime.datetime) -> models.QuerySet:
        return model.objects.none()
    return due


def _rows_destroy(model: type[Consultation | ProcedureRecord]) -> Callable[..., int]:
    def destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
        return rows_with_own_keys_destroy(model.objects.filter(pk__in=pks))
    return destroy


MEMBER_ERASERS = [member_posts_erase]

PURGE_RULES = [
    PurgeRule(
        key=registry.BOOKING_REQUESTS.key, retention_rule=registry.BOOKING_REQUESTS.key,
        model="consultations.BookingRequest", due=booking_requests_due,
        destroy=booking_requests_destroy, item_keys=items_of(registry.BOOKING_REQUESTS.key),
    ),
    PurgeRule(
        key=registry.GUEST_CONSULTATION.key, retention_rule=registry.GUEST_CONSULTATION.key,
        model="consultations.GuestConsultation", due=guest_consultations_due,
        destroy=guest_consultations_destroy, item_keys=items_of(registry.GUEST_CONSULTATION.key),
    ),
    # Triggered by events (the author's delete, staff removal, withdrawal through
    # MEMBER_ERASERS); ``privacy purge`` only finishes an interrupted run of them.
    PurgeRule(
        key=registry.MEMBER_POSTS.key, retention_rule=registry.MEMBER_POSTS.key,
        model="consultations.Consultation", due=_nothing(Consultation),
        destroy=_rows_destroy(Consultation), item_keys=items_of(registry.MEMBER_POSTS.key),
        triggered=True,
    ),
    PurgeRule(
        key=registry.PROCEDURE_HISTORY.key, retention_rule=registry.PROCEDURE_HISTORY.key,
        model="consultations.ProcedureRecord", due=_nothing(ProcedureRecord),
        destroy=_rows_destroy(ProcedureRecord), item_keys=items_of(registry.PROCEDURE_HISTORY.key),
        triggered=True,
    ),
]
