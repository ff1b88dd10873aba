"""The consent ledger and the policy version in force: what members and consultations ask
before they collect or use an item, and record when a person decides."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from privacy import registry
from privacy.models import (
    ConsentActor,
    ConsentRecord,
    DataKey,
    PolicyVersion,
    Processor,
)

if TYPE_CHECKING:
    from members.models import Member

POLICY_BANNER_DAYS = 7  # a new version is announced this many days before it takes effect


_VERSIONS_CACHE_KEY = "privacy:policy-versions:v1"


_VERSIONS_CACHE_SECONDS = 300


def member_subject_ref(pk: Any) -> Subquery:
    """The subject reference of the member ``pk``, read in the SQL itself: a query about a
    member's records by id needs no separate read of the member."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return Subquery(user_model._base_manager.filter(pk=pk).values("subject_ref")[:1])


def policy_version_current(*, on: date | None = None) -> PolicyVersion | None:
    """The version in force on ``on`` (today in Seoul by default)."""
    day = on or timezone.localdate()
    return PolicyVersion.objects.filter(effective_on__lte=day).order_by(
        "-effective_on", "-published_at"
    ).first()


@dataclass(frozen=True)
class VersionSummary:
    pk: int
    version: str
    effective_on: date
    requires_reconsent: bool


def policy_versions_cached() -> list[VersionSummary]:
    """All published versions, oldest first, from the cache (one query when it is cold)."""
    versions = caches["near"].get(_VERSIONS_CACHE_KEY)
    if versions is None:
        versions = [
            VersionSummary(*row)
            for row in PolicyVersion.objects.order_by("effective_on", "published_at").values_list(
                "pk", "version", "effective_on", "requires_reconsent"
            )
        ]
        caches["near"].set(_VERSIONS_CACHE_KEY, versions, _VERSIONS_CACHE_SECONDS)
    return versions


def policy_versions_cache_clear() -> None:
    caches["near"].delete(_VERSIONS_CACHE_KEY)


def policy_version_current_cached(*, today: date | None = None) -> VersionSummary | None:
    """``policy_version_current`` from the cached versions, for pages that only name it."""
    day = today or timezone.localdate()
    in_force = [summary for summary in policy_versions_cached() if summary.effective_on <= day]
    return in_force[-1] if in_force else None


def policy_version_upcoming(*, today: date | None = None) -> VersionSummary | None:
    """The next version if it takes effect within the banner period (policy: 7 days' notice)."""
    day = today or timezone.localdate()
    for summary in policy_versions_cached():
        if day < summary.effective_on <= day + timedelta(days=POLICY_BANNER_DAYS):
            return summary
    return None


def policy_version_reconsent_in_force(*, today: date | None = None) -> VersionSummary | None:
    """The latest version in force that asks members to consent again, if any."""
    day = today or timezone.localdate()
    found = None
    for summary in policy_versions_cached():
        if summary.effective_on <= day and summary.requires_reconsent:
            found = summary
    return found


def _version_ids_from(summary: VersionSummary) -> list[int]:
    """Versions at or after ``summary``: consent given under any of them is current."""
    return [v.pk for v in policy_versions_cached() if v.effective_on >= summary.effective_on]


def consents_current_for(*, subject_ref: Any) -> dict[str, ConsentRecord]:
    """The latest ledger record of each consent of a subject: the current state, derived."""
    latest: dict[str, ConsentRecord] = {}
    for record in ConsentRecord.objects.filter(subject_ref=subject_ref).select_related(
        "policy_version"  # the consent page names each decision's version
    ).order_by("-recorded_at", "-id"):
        latest.setdefault(record.consent, record)
    return latest


def consent_is_granted(*, subject_ref: Any, consent: str) -> bool:
    """Whether the subject's latest decision on ``consent`` grants it, and still counts.

    When a version that asks for consent again is in force, a grant given under an earlier
    version no longer counts: optional processing stops until the member consents again.
    Cookie choices are excluded; the cookie banner asks for them on its own.
    """
    record = (
        ConsentRecord.objects.filter(subject_ref=subject_ref, consent=consent)
        .order_by("-recorded_at", "-id")
        .only("granted", "policy_version_id")
        .first()
    )
    if not (record and record.granted):
        return False
    counting = consent_counting_version_ids(consent=consent)
    return counting is None or record.policy_version_id in counting


def consent_counting_version_ids(*, consent: str) -> list[int] | None:
    """Policy versions under which a grant of ``consent`` still counts (None: every version).

    The one place that applies re-consent; ``privacy.marketing.campaigns.consent_current`` is
    its SQL form for batches."""
    if consent.startswith("cookies:"):
        return None
    reconsent = policy_version_reconsent_in_force()
    return None if reconsent is None else _version_ids_from(reconsent)


def member_needs_reconsent(*, member: Member, version: VersionSummary) -> bool:
    """Whether ``member`` has not yet answered the consent request of ``version``.

    A member who joined once the version was in force consented under it at sign-up."""
    starts = timezone.make_aware(datetime.combine(version.effective_on, time.min))
    if member.date_joined >= starts:
        return False
    return not ConsentRecord.objects.filter(
        subject_ref=member.subject_ref, policy_version_id__in=_version_ids_from(version)
    ).exists()


def consent_latest_decision() -> QuerySet[ConsentRecord]:
    """The newest ledger entry about the outer row's ``subject_ref`` and ``consent``, for a
    ``Subquery`` over rows that carry both (reminders, the ledger itself)."""
    return ConsentRecord.objects.filter(
        subject_ref=OuterRef("subject_ref"), consent=OuterRef("consent")
    ).order_by("-recorded_at", "-id")


def consent_records_for(*, subject_ref: Any) -> QuerySet[ConsentRecord]:
    """A subject's ledger entries, newest first (receipts list)."""
    return ConsentRecord.objects.filter(subject_ref=subject_ref).select_related(
        "policy_version", "data_key"
    ).order_by("-recorded_at", "-id")


def consent_record_of(*, subject_ref: Any, pk: int) -> ConsentRecord | None:
    """One ledger entry, only if it is the subject's own."""
    return (
        ConsentRecord.objects.filter(subject_ref=subject_ref, pk=pk)
        .select_related("policy_version")
        .first()
    )


def subjects_granting(*, subject_refs: Iterable[Any], consent: str) -> set[Any]:
    """Which of ``subject_refs`` currently grant ``consent``: the batch form of
    ``consent_is_granted`` (one query, re-consent applied the same way)."""
    refs = list(subject_refs)
    if not refs:
        return set()
    counting = consent_counting_version_ids(consent=consent)
    latest: dict[Any, tuple[bool, Any]] = {}
    for subject_ref, granted, version_id in (
        ConsentRecord.objects.filter(subject_ref__in=refs, consent=consent)
        .order_by("subject_ref", "-recorded_at", "-id")
        .values_list("subject_ref", "granted", "policy_version_id")
    ):
        latest.setdefault(subject_ref, (granted, version_id))
    return {
        subject_ref for subject_ref, (granted, version_id) in latest.items()
        if granted and (counting is None or version_id in counting)
    }


_PROCESSOR_CONSENT = re.compile(r"^processor:(\d+)\Z")


def consent_key_is_known(consent: str) -> bool:
    """Declared in the registry, a cookie group, or an existing processor's ``processor:<id>``."""
    if consent in registry.CONSENTS_BY_KEY or consent.startswith("cookies:"):
        return True
    match = _PROCESSOR_CONSENT.match(consent)
    return match is not None and Processor.objects.filter(pk=int(match.group(1))).exists()


@transaction.atomic
def consent_record(
    *,
    subject_ref: Any,
    consent: str,
    granted: bool,
    method: str,
    member: Member | None = None,
    ip_address: str | None = None,
    actor: str = ConsentActor.SUBJECT,
    actor_user: Member | None = None,
    policy_version: PolicyVersion | None = None,
    consent_version: str = "",
    data_key: DataKey | None = None,
    channel: str = "",
    reference: str = "",
) -> ConsentRecord:
    """Append a consent decision to the ledger (a withdrawal is a new entry, never an edit).

    The IP address is sealed under the subject's data key: the member's, or ``data_key`` for
    a subject without an account (a guest's question); with neither it is not kept."""
    if not consent_key_is_known(consent):
        raise ValueError(f"unknown consent {consent!r}: declare it in privacy/registry.py")
    key = data_key or (member.data_key if member is not None else None)
    return ConsentRecord.objects.create(
        subject_ref=subject_ref,
        member=member,
        consent=consent,
        granted=granted,
        method=method,
        ip_address=ip_address if key is not None else None,
        data_key=key if ip_address else None,
        actor=actor,
        actor_user=actor_user,
        policy_version=policy_version or policy_version_current(),
        recorded_at=timezone.now(),
        consent_version=consent_version,
        channel=channel,
        reference=reference,
    )


def processors_needing_consent_for(*, channel: str) -> list[Processor]:
    """Active processors that deliver ``channel`` ("email" or "sms") and may receive a member's
    data only with their consent: a message to a member who has not consented is withheld."""
    carries = {"email": "sends_email", "sms": "sends_sms"}[channel]
    return list(
        Processor.objects.active_on(timezone.localdate())
        .filter(requires_consent=True, **{carries: True})
    )
