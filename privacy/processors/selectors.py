"""Processors in force and what may be handed to them (policy section 5), and the
disclosures made to third parties."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from consultations.models import GuestConsultation
from consultations.selectors import guest_reference_normalise
from privacy import registry
from privacy.ledger import consent_is_granted

# The gate of every send lives in the ledger (base layer); the features ask it here too.
from privacy.ledger import processors_needing_consent_for as processors_needing_consent_for
from privacy.models import (
    Disclosure,
    Processor,
)
from privacy.restrictions import restricted_items


def processors_active(*, on: date | None = None) -> QuerySet[Processor]:
    return Processor.objects.active_on(on or timezone.localdate())


def processors_requiring_consent(*, on: date | None = None) -> QuerySet[Processor]:
    return processors_active(on=on).filter(requires_consent=True)


def processor_may_receive(
    *, processor: Processor, subject_ref: Any, purpose: str = registry.HandOver.MARKETING
) -> bool:
    """Whether the subject's data may be handed to ``processor`` today for ``purpose``
    (policy section 5): never while an item it receives is restricted (policy section 6); a
    processor's consent is asked only where the purpose rests on consent
    (``registry.HANDOVER_BASIS``)."""
    today = timezone.localdate()
    if processor.since > today or (processor.until is not None and processor.until < today):
        return False
    if set(processor.items) & restricted_items(subject_ref=subject_ref):
        return False
    if not processor.requires_consent or not registry.handover_needs_consent(purpose):
        return True
    return consent_is_granted(subject_ref=subject_ref, consent=processor.consent_key)


def disclosures_for(*, subject_ref: Any, items: Iterable[str] | None = None) -> list[Disclosure]:
    """Every provision of the subject's data to a third party, newest first.

    With ``items`` (registry keys, e.g. the ones a correction changed), only the provisions
    that included one of them: the recipients to tell about the correction (policy section 6).
    """
    disclosures = list(
        Disclosure.objects.filter(subject_ref=subject_ref).order_by("-disclosed_at", "-id")
    )
    if items is None:
        return disclosures
    wanted = set(items)
    return [d for d in disclosures if wanted.intersection(d.items)]


def subject_ref_named(*, identifier: str) -> Any:
    """The subject reference of the member with login ID ``identifier``, or of the guest
    consultation with that reference; None when neither exists. Staff name the person a
    disclosure concerns this way: both are what the person or the request quotes."""
    value = identifier.strip()
    if not value:
        return None
    member_ref = get_user_model().objects.with_login_id(value).values_list(
        "subject_ref", flat=True).first()
    if member_ref is not None:
        return member_ref
    return GuestConsultation.objects.filter(
        reference=guest_reference_normalise(value)).values_list(
        "subject_ref", flat=True).first()
