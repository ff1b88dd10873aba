"""Writes to privacy records. Each function is the one way to do its thing."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from clinic_site.context_processors import site_for
from privacy import registry
from privacy.models import ConsentActor, ConsentRecord, PolicyVersion
from privacy.selectors import policy_context, policy_version_current


@transaction.atomic
def consent_record(
    *,
    subject_ref: Any,
    consent: str,
    granted: bool,
    method: str,
    member: Any = None,
    ip_address: str | None = None,
    actor: str = ConsentActor.SUBJECT,
    actor_user: Any = None,
    policy_version: PolicyVersion | None = None,
    consent_version: str = "",
) -> ConsentRecord:
    """Append a consent decision to the ledger (a withdrawal is a new entry, never an edit)."""
    if consent not in registry.CONSENTS_BY_KEY and not consent.startswith("cookies:"):
        raise ValueError(f"unknown consent {consent!r}: declare it in privacy/registry.py")
    return ConsentRecord.objects.create(
        subject_ref=subject_ref,
        member=member,
        consent=consent,
        granted=granted,
        method=method,
        ip_address=ip_address,
        actor=actor,
        actor_user=actor_user,
        policy_version=policy_version or policy_version_current(),
        recorded_at=timezone.now(),
        consent_version=consent_version,
    )


def policy_render(language: str) -> str:
    """The policy body as the registry declares it now, in ``language``."""
    with translation.override(language):
        return render_to_string(
            "privacy/policy_body.html", {**policy_context(), **site_for(language)}
        )


@transaction.atomic
def policy_version_publish(
    *, version: str, effective_on: Any, summary: str = "", requires_reconsent: bool = False
) -> PolicyVersion:
    """Freeze the policy as rendered now, in both languages, under ``version``."""
    if PolicyVersion.objects.filter(version=version).exists():
        raise ValueError(f"policy version {version} is already published")
    return PolicyVersion.objects.create(
        version=version,
        effective_on=effective_on,
        summary=summary,
        requires_reconsent=requires_reconsent,
        content_ko=policy_render("ko"),
        content_en=policy_render("en"),
    )
