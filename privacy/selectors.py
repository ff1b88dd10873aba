"""Reads of privacy records: the current policy version, consent state."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from privacy import registry
from privacy.models import ConsentRecord, PolicyVersion, Visit


def policy_version_current(*, on: date | None = None) -> PolicyVersion | None:
    """The version in force on ``on`` (today in Seoul by default)."""
    day = on or timezone.localdate()
    return PolicyVersion.objects.filter(effective_on__lte=day).order_by(
        "-effective_on", "-published_at"
    ).first()


def consents_current_for(*, subject_ref: Any) -> dict[str, ConsentRecord]:
    """The latest ledger record of each consent of a subject: the current state, derived."""
    latest: dict[str, ConsentRecord] = {}
    for record in ConsentRecord.objects.filter(subject_ref=subject_ref).order_by(
        "-recorded_at", "-id"
    ):
        latest.setdefault(record.consent, record)
    return latest


def consent_is_granted(*, subject_ref: Any, consent: str) -> bool:
    record = (
        ConsentRecord.objects.filter(subject_ref=subject_ref, consent=consent)
        .order_by("-recorded_at", "-id")
        .only("granted")
        .first()
    )
    return bool(record and record.granted)


def policy_context() -> dict[str, Any]:
    """What the policy text is rendered from besides settings: the registry's declarations."""
    return {"items": registry.ITEMS, "consents": registry.CONSENTS}


def visits_due_for_destruction(*, now: datetime) -> QuerySet[Visit]:
    """Visit records past the registry's ANALYTICS_VISITS rule (13 months after the visit)."""
    live_for = registry.ANALYTICS_VISITS.live_for
    assert live_for is not None
    return Visit.objects.filter(visited_at__lt=now - live_for)
