"""Personal data breaches (PIPA art. 34): who was affected, the duty to report, the notices.

Who was affected is computed from the registry, like the inventory: a member is affected when,
during the window, they held a value in any field of the breached items (for their own member
row: joined before the window closed and the field is not empty; for other rows: a row holding
the item created before the window closed). Guests are affected through their guest
consultations, while those existed in the window. Members erased during the window were
affected too but can no longer be reached; the destruction ledger counts them.

Notices follow the never-twice pattern of ``privacy.marketing.campaigns``: each batch's notice
rows are committed (claimed) before any message goes, so a re-run after a crash never sends a notice
twice; a message the mail server refuses releases its claim, so the next run tries again.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from privacy import registry
from privacy.console.inventory import created_field, item_fields_by_model, item_rows, subject_path
from privacy.controller import site_for
from privacy.models import (
    BREACH_NOTIFY_HOURS,
    BREACH_REPORT_THRESHOLD,
    BreachIncident,
    BreachNotice,
    DestructionRecord,
)
from privacy.processors import sms

if TYPE_CHECKING:
    from members.models import Member

DESCRIPTION_MAX_LENGTH = 2000
BATCH_SIZE = 100
GUEST_MODEL = "consultations.GuestConsultation"


class BreachError(Exception):
    """The incident cannot be recorded or notified as asked; the message says why."""


# --- Who was affected -----------------------------------------------------------------------------

def _window_end(incident: BreachIncident, now: datetime.datetime) -> datetime.datetime:
    return incident.until or now


def _items(keys: list[str]) -> list[registry.CollectionItem]:
    return [registry.ITEMS_BY_KEY[key] for key in keys]


def members_affected(
    *, items: list[str], since: datetime.datetime, until: datetime.datetime
) -> models.QuerySet:
    """Members (still on the site) who held any of ``items`` between ``since`` and ``until``."""
    Member = get_user_model()
    held = Q(pk__in=[])
    for item in _items(items):
        for model, fields in item_fields_by_model(item).items():
            if model is Member:
                held |= item_rows(model, fields) & Q(date_joined__lte=until)
                continue
            path = subject_path(model)
            if path is None or not path.endswith("subject_ref") or model._meta.label == \
                    GUEST_MODEL:
                continue
            rows = model._base_manager.filter(item_rows(model, fields)).filter(
                **{path: OuterRef("subject_ref")}
            )
            created = created_field(model)
            if created is not None:
                rows = rows.filter(**{f"{created}__lte": until})
            held |= Q(Exists(rows))
    return Member._base_manager.filter(held).order_by("pk")


def guests_affected(
    *, items: list[str], since: datetime.datetime, until: datetime.datetime
) -> models.QuerySet | None:
    """Guest consultations that held any of ``items`` in the window (``None``: no guest item).

    A guest consultation destroyed before ``since`` held nothing then; the fields of one
    destroyed later are empty now, so the window, not the value, decides."""

    guest_model = apps.get_model(GUEST_MODEL)
    if not any(guest_model in item_fields_by_model(item) for item in _items(items)):
        return None
    return guest_model._base_manager.filter(created_at__lte=until).filter(
        Q(destroyed_at__isnull=True) | Q(destroyed_at__gte=since)
    ).order_by("pk")


def members_erased_in_window(
    *, items: list[str], since: datetime.datetime, until: datetime.datetime
) -> int:
    """Members whose data was erased during the window: affected, but no longer reachable."""
    Member = get_user_model()
    if not any(
        model is Member or (subject_path(model) or "").startswith(("member__", "author__",
                                                                   "child__"))
        for item in _items(items) for model in item_fields_by_model(item)
    ):
        return 0
    return DestructionRecord.objects.filter(
        source=Member._meta.label_lower, subject_ref__isnull=False,
        started_at__gte=since, started_at__lte=until,
    ).values("subject_ref").distinct().count()


@dataclass(frozen=True)
class Affected:
    members: int
    guests: int
    erased: int

    @property
    def total(self) -> int:
        return self.members + self.guests + self.erased


def breach_affected(
    *, items: list[str], since: datetime.datetime, until: datetime.datetime
) -> Affected:
    guests = guests_affected(items=items, since=since, until=until)
    return Affected(
        members=members_affected(items=items, since=since, until=until).count(),
        guests=0 if guests is None else guests.count(),
        erased=members_erased_in_window(items=items, since=since, until=until),
    )


# --- The duty to report ---------------------------------------------------------------------------

def reporting_duty(*, incident: BreachIncident) -> list[str]:
    """What PIPA art. 34 and its Enforcement Decree (art. 39, 40, as amended in 2023) require."""
    notify_by = timezone.localtime(incident.notify_by)
    duties = [
        f"Notify every person affected without delay, within {BREACH_NOTIFY_HOURS} hours of "
        f"discovery: by {notify_by:%Y-%m-%d %H:%M %Z} (PIPA art. 34(1)). "
        "Run `privacy breach notify <id>`.",
    ]
    reasons = []
    if incident.affected_count >= BREACH_REPORT_THRESHOLD:
        reasons.append(f"{incident.affected_count} people affected (1,000 or more)")
    sensitive = [
        key for key in incident.items
        if registry.ITEMS_BY_KEY[key].basis == registry.LegalBasis.SENSITIVE_CONSENT
    ]
    if sensitive:
        reasons.append(f"sensitive information is involved ({', '.join(sensitive)})")
    if incident.by_hacking:
        reasons.append("it was caused by unlawful access from outside (hacking)")
    if reasons:
        duties.append(
            "REPORT TO THE AUTHORITY (PIPC, or KISA at privacy.kisa.or.kr / 118) within "
            f"{BREACH_NOTIFY_HOURS} hours, by {notify_by:%Y-%m-%d %H:%M %Z}: "
            + "; ".join(reasons)
            + " (PIPA art. 34(3); since the 2023 amendment a breach of sensitive information "
            "or by hacking must be reported whatever the number). Then record it with "
            "`privacy breach reported <id>`."
        )
    else:
        duties.append(
            "No report to the authority is required as things stand (fewer than 1,000 people, "
            "no sensitive information, not by hacking); report anyway if any of these changes."
        )
    if incident.affected_count >= BREACH_REPORT_THRESHOLD:
        duties.append(
            "1,000 or more people: also post the notice on the website for at least 7 days "
            "(Enforcement Decree art. 40(3))."
        )
    return duties


# --- Recording an incident ------------------------------------------------------------------------

def _validate(
    *, items: list[str], since: datetime.datetime, until: datetime.datetime | None,
    description: str, measures: str, discovered_at: datetime.datetime,
    english: tuple[str, str] = ("", ""),
) -> None:
    if not items:
        raise BreachError("name at least one collection item (--items)")
    unknown = [key for key in items if key not in registry.ITEMS_BY_KEY]
    if unknown:
        raise BreachError(
            f"unknown item {', '.join(unknown)}; known items: {', '.join(registry.ITEMS_BY_KEY)}"
        )
    if until is not None and until < since:
        raise BreachError("the window ends (--until) before it starts (--since)")
    if since > discovered_at:
        raise BreachError("the window starts (--since) after the breach was discovered")
    now = timezone.now()
    if discovered_at > now:
        raise BreachError("the discovery time (--discovered-at) is in the future")
    if until is not None and until > now:
        raise BreachError("the window ends (--until) in the future; leave --until out while "
                          "the exposure goes on")
    if not description.strip():
        raise BreachError("describe when and how it happened (--description)")
    texts = (("description", description), ("measures", measures),
             ("description-en", english[0]), ("measures-en", english[1]))
    for name, text in texts:
        if len(text) > DESCRIPTION_MAX_LENGTH:
            raise BreachError(f"--{name} is longer than {DESCRIPTION_MAX_LENGTH} characters")


def breach_open(
    *,
    items: list[str],
    since: datetime.datetime,
    until: datetime.datetime | None = None,
    description: str,
    measures: str = "",
    description_en: str = "",
    measures_en: str = "",
    by_hacking: bool = False,
    discovered_at: datetime.datetime | None = None,
    dry_run: bool = False,
) -> tuple[BreachIncident, Affected]:
    """Record an incident with the number of people it affects (unsaved when ``dry_run``)."""
    now = timezone.now()
    discovered_at = discovered_at or now
    items = list(dict.fromkeys(items))
    _validate(items=items, since=since, until=until, description=description,
              measures=measures, discovered_at=discovered_at,
              english=(description_en, measures_en))
    affected = breach_affected(items=items, since=since, until=until or now)
    incident = BreachIncident(
        items=items, since=since, until=until, description=description.strip(),
        measures=measures.strip(), description_en=description_en.strip(),
        measures_en=measures_en.strip(), by_hacking=by_hacking, discovered_at=discovered_at,
        recorded_at=now, affected_count=affected.total,
    )
    if not dry_run:
        incident.save()
    return incident, affected


@transaction.atomic
def breach_reported(*, incident: BreachIncident, at: datetime.datetime | None = None) -> None:
    BreachIncident.objects.filter(pk=incident.pk).update(
        reported_to_authority_at=at or timezone.now()
    )


@transaction.atomic
def breach_close(*, incident: BreachIncident, at: datetime.datetime | None = None) -> None:
    BreachIncident.objects.filter(pk=incident.pk).update(closed_at=at or timezone.now())


# --- Notices --------------------------------------------------------------------------------------

def _item_labels(incident: BreachIncident) -> list[str]:
    return [str(registry.ITEMS_BY_KEY[key].label) for key in incident.items]


def _notice_context(incident: BreachIncident, language: str) -> dict[str, Any]:
    site = site_for(language)
    zone = timezone.get_default_timezone()
    return {
        **site,
        "items": _item_labels(incident),
        "since": timezone.localtime(incident.since, zone),
        "until": timezone.localtime(incident.until, zone) if incident.until else None,
        "discovered_at": timezone.localtime(incident.discovered_at, zone),
        "description": (incident.description_en if language == "en" else "")
        or incident.description,
        "measures": (incident.measures_en if language == "en" else "") or incident.measures,
        "site_url": settings.SITE_URL,
    }


def notice_text(*, incident: BreachIncident, template: str) -> str:
    """The notice in Korean, then in English: the five things PIPA art. 34(1) asks for."""
    parts = []
    for language in ("ko", "en"):
        with translation.override(language):
            parts.append(render_to_string(
                template, _notice_context(incident, language)
            ).strip())
    return "\n\n==========\n\n".join(parts) + "\n"


def notice_subject() -> str:
    clinic = settings.CLINIC_NAME
    with translation.override("ko"):
        korean = gettext("Notice of a personal data breach")
    with translation.override("en"):
        english = gettext("Notice of a personal data breach")
    return f"[{clinic['ko']}] {korean} / {english}"


def member_notice_addresses(member: Member) -> list[str]:
    """The member's address, and their legal representative's for a child (PIPA art. 22-2)."""
    addresses = [member.email] if member.email else []
    representative = getattr(member, "legal_representative", None)
    if representative is not None:
        own = representative.representative_member
        address = (own.email if own is not None else "") or representative.email
        if address and address not in addresses:
            addresses.append(address)
    return addresses


@dataclass
class NoticeReport:
    members: int = 0
    guests: int = 0
    erased: int = 0
    already_notified: int = 0
    unconfirmed: int = 0
    to_send: int = 0
    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    dry_run: bool = False


def _claim(*, incident: BreachIncident, subject_refs: list[Any], now: datetime.datetime) -> None:
    try:
        with transaction.atomic():
            BreachNotice.objects.bulk_create([
                BreachNotice(incident=incident, subject_ref=ref, claimed_at=now)
                for ref in subject_refs
            ])
    except IntegrityError:
        raise BreachError(
            f"breach {incident.pk} is being notified by another run; try again when it ends"
        ) from None


def _settle(incident: BreachIncident, sent: list[Any], failed: list[Any]) -> None:
    notices = BreachNotice.objects.filter(incident=incident)
    if sent:
        notices.filter(subject_ref__in=sent).update(sent_at=timezone.now())
    if failed:  # refused before it left: release the claim so the next run tries again
        notices.filter(subject_ref__in=failed, sent_at__isnull=True).delete()


def _not_yet(rows: models.QuerySet, incident: BreachIncident) -> models.QuerySet:
    return rows.exclude(
        subject_ref__in=BreachNotice.objects.filter(incident=incident).values("subject_ref")
    )


def _send_members(
    incident: BreachIncident, members: models.QuerySet, report: NoticeReport, *,
    batch_size: int, progress: Callable[[int], Any] | None,
) -> None:
    body = notice_text(incident=incident, template="privacy/breach/notice_email.txt")
    subject = notice_subject()
    last_pk = 0
    while True:
        batch = list(
            _not_yet(members, incident).filter(pk__gt=last_pk).select_related(
                "legal_representative__data_key",
                "legal_representative__representative_member",
            )[:batch_size]
        )
        if not batch:
            return
        last_pk = batch[-1].pk
        sent: list[Any] = []
        failed: list[Any] = []
        with get_connection() as connection:  # opened before the claim: a dead server claims none
            _claim(incident=incident, subject_refs=[m.subject_ref for m in batch],
                   now=timezone.now())
            for member in batch:
                addresses = member_notice_addresses(member)
                if not addresses:
                    report.unreachable += 1
                    failed.append(member.subject_ref)
                    continue
                message = EmailMessage(subject=subject, body=body, to=addresses)
                try:
                    ok = connection.send_messages([message]) == 1
                except Exception:  # one refused message is one failure, never the end of the run
                    ok = False
                (sent if ok else failed).append(member.subject_ref)
        _settle(incident, sent, failed)
        report.sent += len(sent)
        report.failed += len(failed)
        if progress:
            progress(len(batch))


def _send_guests(
    incident: BreachIncident, guests: models.QuerySet, report: NoticeReport, *,
    batch_size: int, progress: Callable[[int], Any] | None,
) -> None:
    body = notice_text(incident=incident, template="privacy/breach/notice_sms.txt")
    backend = sms.get_backend()
    last_pk = 0
    while True:
        batch = list(
            _not_yet(guests, incident).filter(pk__gt=last_pk, destroyed_at__isnull=True)
            .select_related("data_key")[:batch_size]
        )
        if not batch:
            return
        last_pk = batch[-1].pk
        sent: list[Any] = []
        failed: list[Any] = []
        _claim(incident=incident, subject_refs=[g.subject_ref for g in batch],
               now=timezone.now())
        for guest in batch:
            phone = guest.mobile_phone
            try:
                ok = bool(phone) and backend.send_messages([sms.SmsMessage(to=phone,
                                                                           body=body)]) == 1
            except Exception:
                ok = False
            if not phone:
                report.unreachable += 1
            (sent if ok else failed).append(guest.subject_ref)
        _settle(incident, sent, failed)
        report.sent += len(sent)
        report.failed += len(failed)
        if progress:
            progress(len(batch))


def breach_notify(
    *,
    incident: BreachIncident,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], Any] | None = None,
) -> NoticeReport:
    """Send every affected member (and a child's representative) and guest the notice, once.

    Members by email, guests by text message (the only contact a guest leaves). Safe to
    re-run: those already notified or claimed by an interrupted run are skipped."""
    if batch_size < 1:
        raise BreachError("batch size must be at least 1")
    until = _window_end(incident, timezone.now())
    members = members_affected(items=incident.items, since=incident.since, until=until)
    guests = guests_affected(items=incident.items, since=incident.since, until=until)
    notices = BreachNotice.objects.filter(incident=incident)
    report = NoticeReport(
        members=members.count(),
        guests=0 if guests is None else guests.count(),
        erased=members_erased_in_window(items=incident.items, since=incident.since, until=until),
        already_notified=notices.filter(sent_at__isnull=False).count(),
        unconfirmed=notices.filter(sent_at__isnull=True).count(),
        dry_run=dry_run,
    )
    report.to_send = _not_yet(members, incident).count() + (
        0 if guests is None else _not_yet(guests, incident).filter(
            destroyed_at__isnull=True).count()
    )
    if dry_run:
        return report
    _send_members(incident, members, report, batch_size=batch_size, progress=progress)
    if guests is not None:
        _send_guests(incident, guests, report, batch_size=batch_size, progress=progress)
    return report


# --- Open incidents and the 72-hour clock ---------------------------------------------------------

@dataclass(frozen=True)
class IncidentClock:
    incident: BreachIncident
    notified: int
    hours_left: float

    @property
    def overdue(self) -> bool:
        return self.hours_left < 0


def incidents_open(*, now: datetime.datetime | None = None) -> list[IncidentClock]:
    """Open incidents, the one closest to its deadline first, with notices sent so far."""
    now = now or timezone.now()
    incidents = BreachIncident.objects.filter(closed_at__isnull=True).annotate(
        notified=models.Count("notices", filter=Q(notices__sent_at__isnull=False))
    ).order_by("discovered_at", "pk")
    return [
        IncidentClock(
            incident=incident, notified=incident.notified,
            hours_left=(incident.notify_by - now).total_seconds() / 3600,
        )
        for incident in incidents
    ]


def clock_text(clock: IncidentClock) -> str:
    if clock.overdue:
        return f"OVERDUE by {-clock.hours_left:.1f} h"
    return f"{clock.hours_left:.1f} h left of {BREACH_NOTIFY_HOURS}"


# --- Retention (registry rule ``breach_records``) -----------------------------------------------
# For the privacy purge (``privacy/retention/rules.py`` wires it): what the rule says is due now.

def breach_notices_due_for_destruction(*, now: datetime.datetime) -> models.QuerySet:
    """Notice records 3 years after the notice was claimed (kept as proof of the notice)."""
    live_for = registry.BREACH_RECORDS.live_for
    assert live_for is not None
    return BreachNotice.objects.filter(claimed_at__lte=now - live_for)
