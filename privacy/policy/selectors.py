"""Reads for the policy page and its archive."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation
from privacy import registry
from privacy.cookies.groups import GROUPS
from privacy.models import (
    Disclosure,
    DisclosureBasis,
    PolicyVersion,
    Processor,
)
from privacy.processors.selectors import processors_active

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

STAFF_MFA_MIDDLEWARE = "members.middleware.StaffMFARequiredMiddleware"
STAFF_IDLE_MIDDLEWARE = "members.middleware.StaffIdleTimeoutMiddleware"


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
    processors_in_force = list(processors_active() if processors is None else processors)
    return {
        "items": registry.ITEMS,
        "kept_after_withdrawal": registry.items_kept_after_withdrawal(),
        "handovers": [(purpose, registry.handover_needs_consent(purpose))
                      for purpose in registry.HandOver],
        "safety_measures": safety_measures(),
        "provisions": registry.PROVISIONS,
        # Read when the body is rendered, not for a cached body: a basis used for the first
        # time shows when the cached body expires (within the hour).
        "disclosure_bases": disclosure_bases,
        "overseas": [(processor, items) for processor, items in
                     _with_items(processors_in_force) if processor.country != "KR"],
        "automated_decisions": registry.AUTOMATED_DECISIONS,
        "pseudonymised": registry.PSEUDONYMISED_PROCESSING,
        "board_private_by_default": board_private_by_default(),
        "cookie_groups": [group for group in GROUPS if not group.is_required],
        "consents": registry.CONSENTS,
        "collection_methods": list(registry.Collection),
        "items_by_purpose": [(p, items) for p, items in items_by_purpose if items],
        "processors": _with_items(processors_in_force),
    }


def _with_items(
    processors: list[Processor],
) -> list[tuple[Processor, list[registry.CollectionItem]]]:
    return [
        (processor, [registry.ITEMS_BY_KEY[key] for key in processor.items
                     if key in registry.ITEMS_BY_KEY])
        for processor in processors
    ]


def safety_measures() -> list[StrPromise]:
    """The safety measures the site takes, from what is switched on (PIPA art. 29): each line
    is stated only while its setting or component is in force."""
    measures: list[StrPromise] = [
        _("Contact details and health information are encrypted in the database, each person's "
          "with a key of their own; passwords are stored only as one-way hashes."),
        _("Every time staff view or export personal information it is recorded, and the "
          "records are kept for 2 years and checked."),
        _("Access to personal information is limited to the staff who need it for their work."),
    ]
    if STAFF_MFA_MIDDLEWARE in settings.MIDDLEWARE:
        measures.append(_("Staff log in with a second factor (an authenticator app) besides "
                          "the password."))
    if STAFF_IDLE_MIDDLEWARE in settings.MIDDLEWARE:
        measures.append(_interpolated(
            _("Staff sessions end after %(minutes)s minutes without activity."),
            minutes=settings.STAFF_SESSION_IDLE_TIMEOUT // 60,
        ))
    if settings.SECURE_SSL_REDIRECT:
        measures.append(_("Everything sent between your browser and the site is encrypted "
                          "(HTTPS)."))
    if "retention" in settings.DATABASES:
        measures.append(_("Information a law requires us to keep is held in a separate "
                          "database, used for nothing else."))
    return measures


def _interpolated(text: StrPromise, **values: Any) -> StrPromise:
    """``text % values``, translated when shown (the body is rendered in each language)."""
    return cast("StrPromise", lazy(lambda: str(text) % values, str)())


def disclosure_bases() -> list[StrPromise]:
    """The legal bases on which members' data has actually been provided to third parties."""
    used = set(Disclosure.objects.values_list("legal_basis", flat=True).distinct())
    return [basis.label for basis in DisclosureBasis if basis.value in used]


def board_private_by_default() -> bool:
    """Whether a new post on the consultation board is private unless its author opens it."""
    return bool(Consultation._meta.get_field("is_private").get_default())
