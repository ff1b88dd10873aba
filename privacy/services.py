"""Writes to privacy records. Each function is the one way to do its thing."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from clinic_site.context_processors import site_for
from privacy import registry
from privacy.models import (
    Complaint,
    ConsentActor,
    ConsentMethod,
    ConsentRecord,
    Disclosure,
    DisclosureBasis,
    PolicyNotice,
    PolicyVersion,
    Processor,
)
from privacy.selectors import (
    policy_context,
    policy_version_current,
    policy_versions_cache_clear,
    processors_active,
    processors_requiring_consent,
)

logger = logging.getLogger(__name__)

_PROCESSOR_CONSENT = re.compile(r"^processor:(\d+)\Z")


class PrivacyError(ValueError):
    """A request the privacy records refuse, with a message fit for the operator or user."""


def consent_key_is_known(consent: str) -> bool:
    """Declared in the registry, a cookie group, or an existing processor's ``processor:<id>``."""
    if consent in registry.CONSENTS_BY_KEY or consent.startswith("cookies:"):
        return True
    match = _PROCESSOR_CONSENT.match(consent)
    return bool(match) and Processor.objects.filter(pk=int(match.group(1))).exists()


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
    if not consent_key_is_known(consent):
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


def reconsent_choices() -> list[tuple[str, Any]]:
    """The optional consents a member is asked again for: the registry's and processors'."""
    choices: list[tuple[str, Any]] = [(c.key, c.label) for c in registry.MEMBER_CONSENTS]
    language = translation.get_language() or settings.LANGUAGE_CODE
    choices += [(p.consent_key, f"{p.name}: {p.tasks(language)}")
                for p in processors_requiring_consent()]
    return choices


@transaction.atomic
def consents_renew(
    *, member: Any, granted: Iterable[str], version: PolicyVersion, ip_address: str | None = None
) -> list[ConsentRecord]:
    """Record a member's answer to a version's consent request: one entry per optional consent.

    Every optional consent gets an entry under ``version`` (granted or refused), so the answer
    itself is on the ledger even when the member refuses everything."""
    chosen = set(granted)
    keys = [key for key, _label in reconsent_choices()]
    unknown = chosen - set(keys)
    if unknown:
        raise PrivacyError(f"unknown consent(s): {', '.join(sorted(unknown))}")
    return [
        consent_record(
            subject_ref=member.subject_ref, member=member, consent=key, granted=key in chosen,
            method=ConsentMethod.RECONSENT, ip_address=ip_address, policy_version=version,
        )
        for key in keys
    ]


# --- Policy versions ------------------------------------------------------------------------

VERSION_PATTERN = re.compile(r"^\d[0-9A-Za-z.\-]{0,19}\Z")


def policy_render(language: str, *, context: dict[str, Any] | None = None) -> str:
    """The policy body as the registry declares it now, in ``language``."""
    with translation.override(language):
        return render_to_string(
            "privacy/policy_body.html", {**(context or policy_context()), **site_for(language)}
        )


def policy_page_context() -> dict[str, Any]:
    """What the policy page renders its body from, and ``processors_state``, the values of
    the processors in force that the page's cached body (``{% cache %}`` in policy.html) is
    keyed by with the language and the version: a change in the admin or a processor's end
    date shows at once."""
    processors = list(processors_active())
    state = [tuple(getattr(processor, field.attname) for field in Processor._meta.concrete_fields)
             for processor in processors]
    return {**policy_context(processors), "processors_state": repr(state)}


def policy_version_check(
    *, version: str, effective_on: Any, not_before: date | None = None
) -> None:
    """Refuse a version number or date that would make the published history wrong.

    ``not_before`` (today, for the privacy manager's command) refuses retroactive versions;
    the demo loader publishes the clinic's historical first version without it."""
    if not VERSION_PATTERN.match(version):
        raise PrivacyError(
            f"version {version!r} is not valid: start with a digit, then up to 19 letters, "
            "digits, dots or hyphens (e.g. 2.1)"
        )
    if not isinstance(effective_on, date):
        raise PrivacyError("the effective date must be a date (YYYY-MM-DD)")
    if not_before is not None and effective_on < not_before:
        raise PrivacyError(
            f"the effective date {effective_on:%Y-%m-%d} is in the past (today is "
            f"{not_before:%Y-%m-%d}); a policy cannot change retroactively"
        )
    if PolicyVersion.objects.filter(version=version).exists():
        raise PrivacyError(f"policy version {version} is already published")
    latest = PolicyVersion.objects.order_by("-effective_on").first()
    if latest and effective_on <= latest.effective_on:
        raise PrivacyError(
            f"the effective date must be after that of version {latest.version} "
            f"({latest.effective_on:%Y-%m-%d})"
        )


@transaction.atomic
def policy_version_publish(
    *, version: str, effective_on: Any, summary: str = "", requires_reconsent: bool = False,
    not_before: date | None = None,
) -> PolicyVersion:
    """Freeze the policy as rendered now, in both languages, under ``version``."""
    policy_version_check(version=version, effective_on=effective_on, not_before=not_before)
    published = PolicyVersion.objects.create(
        version=version,
        effective_on=effective_on,
        summary=summary,
        requires_reconsent=requires_reconsent,
        content_ko=policy_render("ko"),
        content_en=policy_render("en"),
    )
    policy_versions_cache_clear()
    transaction.on_commit(policy_versions_cache_clear)
    return published


def policy_notice_recipients(*, version: PolicyVersion) -> Any:
    """Active members with an email address who have not been told of ``version`` yet.

    A notice that was claimed but never marked sent (the send failed or the run crashed in
    between) is tried again."""
    told = PolicyNotice.objects.filter(version=version, sent_at__isnull=False)
    return (
        get_user_model().objects.filter(is_active=True).exclude(email="")
        .exclude(pk__in=told.values("member_id"))
        .order_by("pk")
    )


def policy_notice_send(*, version: PolicyVersion, member: Any, base_url: str) -> bool:
    """Email ``member`` about ``version`` once; False if they were told already.

    The notice is claimed before the send and marked sent right after it, outside any
    transaction, so no database lock is held while the mail server answers. Only a crash in
    the instant between the server's acceptance and the mark could send a second email on a
    re-run; a failed send leaves the claim unmarked and the re-run sends it."""
    notice, _created = PolicyNotice.objects.get_or_create(version=version, member=member)
    if notice.sent_at is not None:
        return False
    context = {"version": version, "member": member, "base_url": base_url.rstrip("/")}
    parts = []
    for language in ("ko", "en"):
        with translation.override(language):
            parts.append(render_to_string("privacy/email/policy_notice.txt",
                                          {**context, **site_for(language)}))
    with translation.override("ko"):
        subject = render_to_string(
            "privacy/email/policy_notice_subject.txt", {**context, **site_for("ko")}
        ).strip()
    send_mail(subject, "\n\n".join(parts), None, [member.email])
    PolicyNotice.objects.filter(pk=notice.pk).update(sent_at=timezone.now())
    return True


# --- Disclosures (policy section 6: corrections are passed on to recipients) ----------------

@transaction.atomic
def disclosure_record(
    *,
    subject_ref: Any,
    recipient: str,
    items: Iterable[str],
    legal_basis: str,
    recipient_contact: str = "",
    basis_detail: str = "",
    disclosed_at: Any = None,
    recorded_by: Any = None,
) -> Disclosure:
    """Log one provision of a person's data to a third party (append-only)."""
    item_keys = list(dict.fromkeys(items))
    unknown = [key for key in item_keys if key not in registry.ITEMS_BY_KEY]
    if not item_keys or unknown:
        raise PrivacyError(
            f"items must be registry item keys; unknown: {', '.join(unknown) or '(none given)'}"
        )
    if not recipient.strip():
        raise PrivacyError("the recipient is required")
    if legal_basis not in DisclosureBasis.values:
        raise PrivacyError(f"unknown legal basis {legal_basis!r}: one of "
                           f"{', '.join(DisclosureBasis.values)}")
    disclosure = Disclosure(
        subject_ref=subject_ref, recipient=recipient.strip(),
        recipient_contact=recipient_contact.strip(), items=item_keys, legal_basis=legal_basis,
        basis_detail=basis_detail.strip(), disclosed_at=disclosed_at or timezone.now(),
        recorded_by=recorded_by,
    )
    disclosure.full_clean()
    disclosure.save()
    return disclosure


# --- Complaints to the privacy officer (policy section 8) -----------------------------------

@transaction.atomic
def complaint_submit(
    *, body: str, admin_url_for: Any, member: Any = None, name: str = "", contact: str = ""
) -> Complaint:
    """Store a complaint (encrypted) and tell the officer, with a link and no complaint text.

    ``admin_url_for(complaint)`` builds the absolute admin link for the email."""
    if member is not None:
        # A key of its own: the law keeps complaint records after the member's data is erased.
        complaint = Complaint(member=member, subject_ref=member.subject_ref, body=body)
    else:
        if not name.strip() or not contact.strip():
            raise PrivacyError("a guest must give a name and a contact")
        complaint = Complaint(name=name.strip(), contact=contact.strip(), body=body)
    complaint.save()
    link = admin_url_for(complaint)
    due = complaint.answer_due_on
    transaction.on_commit(lambda: complaint_notify_officer(pk=complaint.pk, link=link, due=due))
    return complaint


def complaint_notify_officer(*, pk: int, link: str, due: date) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("privacy/email/complaint_officer.txt",
                                {"pk": pk, "link": link, "due": due})
        subject = render_to_string("privacy/email/complaint_officer_subject.txt",
                                   {"pk": pk}).strip()
    send_mail(subject, body, None, [settings.PRIVACY_OFFICER["email"]])
