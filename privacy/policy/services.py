"""The privacy policy's versions: rendered from the registry, published, announced."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from privacy import registry
from privacy.controller import site_for
from privacy.errors import PrivacyError
from privacy.ledger import POLICY_BANNER_DAYS, policy_versions_cache_clear
from privacy.models import (
    PolicyDraft,
    PolicyNotice,
    PolicyVersion,
    Processor,
)
from privacy.policy.selectors import policy_context
from privacy.processors.selectors import processors_active
from privacy.restrictions import restricted_subjects

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from members.models import Member

VERSION_PATTERN = re.compile(r"^\d[0-9A-Za-z.\-]{0,19}\Z")
POLICY_NOTICE_DAYS = POLICY_BANNER_DAYS  # a change is announced this long before it applies


def policy_render(language: str, *, context: dict[str, Any] | None = None) -> str:
    """The policy body as the registry declares it now, in ``language``."""
    with translation.override(language):
        return render_to_string(
            "privacy/policy_body.html", {**(context or policy_context()), **site_for(language)}
        )


def policy_page_context() -> dict[str, Any]:
    """What the policy page renders its body from, and ``processors_state``, the values of
    the processors in force and of the settings and records the body states, that the page's
    cached body (``{% cache %}`` in policy.html) is keyed by with the language and the version:
    a change in the admin, a processor's end date or a changed setting shows at once."""
    processors = list(processors_active())
    context = policy_context(processors)
    state = [tuple(getattr(processor, field.attname) for field in Processor._meta.concrete_fields)
             for processor in processors]
    stated = (
        [str(item.retention.achieved_when) for item in registry.ITEMS],
        [str(measure) for measure in context["safety_measures"]],
        context["board_private_by_default"],
    )
    return {**context, "processors_state": repr((state, stated))}


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
    *, version: str, effective_on: Any, summary: str = "", summary_en: str = "",
    requires_reconsent: bool = False, not_before: date | None = None,
) -> PolicyVersion:
    """Freeze the policy as rendered now, in both languages, under ``version``."""
    policy_version_check(version=version, effective_on=effective_on, not_before=not_before)
    # The text as it will be in force: the processors of its effective day.
    context = policy_context(processors_active(on=effective_on))
    published = PolicyVersion.objects.create(
        version=version,
        effective_on=effective_on,
        summary=summary,
        summary_en=summary_en,
        requires_reconsent=requires_reconsent,
        content_ko=policy_render("ko", context=context),
        content_en=policy_render("en", context=context),
    )
    policy_versions_cache_clear()
    transaction.on_commit(policy_versions_cache_clear)
    return published


def policy_draft_open(*, reason: str) -> PolicyDraft:
    """Note ``reason`` (a processor added, changed or removed) on the open draft of the next
    version, opening one if none is open: the published versions stay as they are."""
    draft = PolicyDraft.objects.filter(published__isnull=True).order_by("-created_at").first()
    if draft is None:
        draft = PolicyDraft.objects.create(summary=reason[:2000])
    elif reason not in draft.summary.splitlines():
        draft.summary = f"{draft.summary}\n{reason}".strip()[:2000]
        draft.save(update_fields=["summary"])
    return draft


@transaction.atomic
def policy_draft_publish(*, draft: PolicyDraft, today: date | None = None) -> PolicyVersion:
    """Publish ``draft`` as a new version, frozen from the declarations in force on its
    effective day; the day must leave the notice period (``POLICY_NOTICE_DAYS``) for the
    announcement on the site and the individual notice (``privacy notify-policy``)."""
    today = today or timezone.localdate()
    # Staff read these in the admin, in its language.
    if draft.published_id is not None:
        raise PrivacyError(gettext("This draft is published already."))
    if not draft.version or draft.effective_on is None:
        raise PrivacyError(gettext(
            "Give the draft a version number and an effective date first."))
    earliest = today + timedelta(days=POLICY_NOTICE_DAYS)
    if draft.effective_on < earliest:
        raise PrivacyError(gettext(
            "The effective date must be %(day)s or later: members are told %(days)s days "
            "before a change applies."
        ) % {"day": f"{earliest:%Y-%m-%d}", "days": POLICY_NOTICE_DAYS})
    published = policy_version_publish(
        version=draft.version, effective_on=draft.effective_on, summary=draft.summary,
        requires_reconsent=draft.requires_reconsent, not_before=today,
    )
    draft.published = published
    draft.save(update_fields=["published"])
    return published


def policy_notice_recipients(*, version: PolicyVersion) -> QuerySet[Member]:
    """Active members with an email address who have not been told of ``version`` yet.

    A notice that was claimed but never marked sent (the send failed or the run crashed in
    between) is tried again. A member whose email is restricted (a correction is pending) is
    left out until it completes, and is told on the next run."""
    told = PolicyNotice.objects.filter(version=version, sent_at__isnull=False)
    return (
        get_user_model().objects.filter(is_active=True).exclude(email="")
        .exclude(pk__in=told.values("member_id"))
        .exclude(subject_ref__in=restricted_subjects(item_key="email"))
        .order_by("pk")
    )


def policy_notice_send(*, version: PolicyVersion, member: Member, base_url: str) -> bool:
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
