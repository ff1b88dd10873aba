"""Reads for the policy page and its archive."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from privacy import registry
from privacy.models import (
    PolicyVersion,
    Processor,
)
from privacy.processors.selectors import processors_active


def policy_versions_all() -> QuerySet[PolicyVersion]:
    return PolicyVersion.objects.defer("content_ko", "content_en").order_by(
        "-effective_on", "-published_at"
    )


def policy_version_previous(version: PolicyVersion) -> PolicyVersion | None:
    return (
        PolicyVersion.objects.filter(effective_on__lte=version.effective_on)
        .exclude(pk=version.pk)
        .filter(published_at__lte=version.published_at)
        .order_by("-effective_on", "-published_at")
        .first()
    )


def policy_context(processors: Iterable[Processor] | None = None) -> dict[str, Any]:
    """What the policy text is rendered from besides settings: the registry's declarations
    and the processors in force (``processors``, when the caller has read them)."""
    def serves(item: registry.CollectionItem, purpose: registry.Purpose) -> bool:
        # An item serves a purpose of its own, or one a consent to it adds (e.g. marketing).
        return purpose in item.purposes or any(
            purpose in consent.purposes and item.key in consent.items
            for consent in registry.CONSENTS
        )

    items_by_purpose = [
        (purpose, [item for item in registry.ITEMS if serves(item, purpose)])
        for purpose in registry.Purpose
    ]
    return {
        "items": registry.ITEMS,
        "consents": registry.CONSENTS,
        "collection_methods": list(registry.Collection),
        "items_by_purpose": [(p, items) for p, items in items_by_purpose if items],
        "processors": [
            (processor, [registry.ITEMS_BY_KEY[key] for key in processor.items
                         if key in registry.ITEMS_BY_KEY])
            for processor in (processors_active() if processors is None else processors)
        ],
    }
