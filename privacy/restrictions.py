"""Suspension of processing (PIPA art. 37): which items of a person may not be used right now.

Every use of an item that a person can ask to stop (advertising, for now) asks here first:
``item_is_restricted`` for one person, ``restricted_subjects`` for a batch query.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from privacy import registry
from privacy.models import RequestChannel, Restriction, RestrictionReason


def _in_force(now: datetime | None = None) -> Q:
    moment = now or timezone.now()
    return Q(started_at__lte=moment) & (Q(lifted_at__isnull=True) | Q(lifted_at__gt=moment))


def _active(*, item_key: str, now: datetime | None = None) -> Q:
    """Restrictions in force at ``now`` that cover ``item_key``.

    ``items`` is a JSON list of registry keys (``[a-z_]+``); matching the quoted key in its text
    works alike on SQLite and PostgreSQL, which JSON ``contains`` does not."""
    return Q(items__icontains=f'"{item_key}"') & _in_force(now)


def restricted_items(*, subject_ref: Any, now: datetime | None = None) -> set[str]:
    """Registry keys of the items of whoever ``subject_ref`` names that are under restriction
    at ``now``: pages, exports and staff views mark them "restricted"."""
    rows = Restriction.objects.filter(_in_force(now), subject_ref=subject_ref).values("items")
    return {key for row in rows for key in row["items"]}


def restricted_subjects(*, item_key: str, now: datetime | None = None) -> QuerySet:
    """Subject references whose ``item_key`` is restricted: a subquery for batch reads."""
    return Restriction.objects.filter(_active(item_key=item_key, now=now)).values("subject_ref")


def item_is_restricted(*, subject_ref: Any, item_key: str, now: datetime | None = None) -> bool:
    return Restriction.objects.filter(
        _active(item_key=item_key, now=now), subject_ref=subject_ref
    ).exists()


def _validated_items(items: list[str] | tuple[str, ...]) -> list[str]:
    keys = list(dict.fromkeys(items))
    if not keys:
        raise ValueError("name at least one collection item to restrict")
    unknown = [key for key in keys if key not in registry.ITEMS_BY_KEY]
    if unknown:
        raise ValueError(f"unknown collection item(s): {', '.join(unknown)}")
    return keys


@transaction.atomic
def restriction_start(
    *,
    subject_ref: Any,
    items: list[str] | tuple[str, ...],
    reason: str = RestrictionReason.SUBJECT_REQUEST,
    channel: str = RequestChannel.WEB,
    reference: str = "",
    now: datetime | None = None,
) -> Restriction:
    """Suspend processing of ``items`` of a person until ``restriction_lift``."""
    if reason not in RestrictionReason.values:
        raise ValueError(f"unknown restriction reason {reason!r}")
    if channel not in RequestChannel.values:
        raise ValueError(f"unknown request channel {channel!r}")
    return Restriction.objects.create(
        subject_ref=subject_ref,
        items=_validated_items(items),
        reason=reason,
        channel=channel,
        reference=reference[:40],
        started_at=now or timezone.now(),
    )


@transaction.atomic
def restriction_lift(*, restriction: Restriction, now: datetime | None = None) -> Restriction:
    """End a restriction; the row stays as the record of how the request was handled."""
    if restriction.lifted_at is not None:
        raise ValueError("this restriction is already lifted")
    restriction.lifted_at = now or timezone.now()
    restriction.save(update_fields=["lifted_at"])
    return restriction


def restrictions_due_for_destruction(*, now: datetime) -> QuerySet:
    """Records past ``restriction_records``: 3 years after the restriction was lifted."""
    live_for = registry.RESTRICTION_RECORDS.live_for
    assert live_for is not None
    return Restriction.objects.filter(lifted_at__lte=now - live_for)
