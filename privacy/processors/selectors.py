"""Processors in force and what may be handed to them (policy section 5), and the
disclosures made to third parties."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from privacy import registry
from privacy.ledger import consent_is_granted
from privacy.models import (
    Disclosure,
    Processor,
)


def processors_active(*, on: date | None = None) -> QuerySet[Processor]:
    return Processor.objects.active_on(on or timezone.localdate())


def processors_requiring_consent(*, on: date | None = None) -> QuerySet[Processor]:
    return processors_active(on=on).filter(requires_consent=True)


def processors_needing_consent_for(*, channel: str) -> list[Processor]:
    """Active processors that deliver ``channel`` ("email" or "sms") and may receive a member's
    data only with their consent: a message to a member who has not consented is withheld."""
    carries = {"email": "sends_email", "sms": "sends_sms"}[channel]
    return list(processors_requiring_consent().filter(**{carries: True}))


def processor_may_receive(
    *, processor: Processor, subject_ref: Any, purpose: str = registry.HandOver.MARKETING
) -> bool:
    """Whether the subject's data may be handed to ``processor`` today for ``purpose``
    (policy section 5): a processor's consent is asked only where the purpose rests on
    consent (``registry.HANDOVER_BASIS``)."""
    today = timezone.localdate()
    if processor.since > today or (processor.until is not None and processor.until < today):
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
