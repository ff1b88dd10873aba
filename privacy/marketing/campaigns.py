"""Advertising to members with consent enforced at send time, and notices that are not ads.

Korean law (Network Act art. 50) shapes every function here: prior opt-in per channel, a
separate consent for 21:00-08:00, the "(광고)" mark, sender name and contact and a free way to
unsubscribe in every advertisement, and a reminder of each consent every two years (art. 50-8).

Who may receive an advertisement is decided in ONE place, ``campaign_recipients``; sending,
dry runs and the admin all go through ``campaign_send``.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from members.selectors import members_not_blocked
from privacy import registry
from privacy.controller import site_for
from privacy.ledger import (
    consent_counting_version_ids,
    consent_is_granted,
    consent_latest_decision,
    consent_record,
)
from privacy.lookup import area_digest
from privacy.marketing.confirmations import marketing_consent_confirm
from privacy.models import (
    Campaign,
    CampaignChannel,
    CampaignDelivery,
    CampaignStatus,
    ConsentMethod,
    ConsentRecord,
    ConsentReminder,
    DeliveryOutcome,
)
from privacy.processors import sms
from privacy.processors.selectors import processors_needing_consent_for
from privacy.restrictions import restricted_subjects

if TYPE_CHECKING:
    from members.models import Member

# Required verbatim in Korean at the start of every advertisement, whatever the reader's language.
AD_MARK = "(광고)"
UNSUBSCRIBE_SALT = "privacy.marketing.campaigns.unsubscribe"
NIGHT_STARTS = time(21, 0)
NIGHT_ENDS = time(8, 0)
REMINDER_YEARS = 2
MESSAGE_LANGUAGE = "ko"
SEOUL = ZoneInfo("Asia/Seoul")


class CampaignError(Exception):
    """A campaign cannot be sent as asked; the message says why."""


# --- Who may receive an advertisement ----------------------------------------------------------

def is_night(now: datetime) -> bool:
    """21:00-08:00 in Korea (Network Act art. 50(3)), whatever the server's time zone."""
    local = timezone.localtime(now, timezone=SEOUL).time()
    return local >= NIGHT_STARTS or local < NIGHT_ENDS


def recipients_exclude_blocked(members: QuerySet) -> QuerySet:
    """Drop members who may not be contacted: inactive, or blocked (one query per batch)."""

    return members_not_blocked(members.filter(is_active=True))


def members_interested_in(*, area_ids: list[int]) -> Q:
    """Members interested in any of ``area_ids``: the desired consultation area they gave at
    sign-up, and only while their consent to sensitive information stands.

    The area is health information: the registry lists marketing among the purposes of the
    desired-area item and the marketing consents' notices say that advertising follows it.
    What members wrote in consultations or reviews is never used: it was given to be answered,
    not to be advertised to."""
    digests = [area_digest(area_id) for area_id in area_ids]
    return Q(desired_area_digest__in=digests) & Q(consent_current("sensitive_health"))


def email_is_verified() -> Q:
    """The member confirmed their address: a consent typed in with someone else's address
    must not bring that person advertising. The account's address is the primary one (allauth
    keeps the two in step), compared by its keyed digest, as the address itself is sealed."""

    return ~Q(email="") & Q(Exists(EmailAddress.objects.filter(
        user=OuterRef("pk"), primary=True, verified=True
    )))


def consent_current(consent: str) -> Subquery:
    """The member's current state of ``consent`` as SQL: the latest ledger entry grants it
    under a policy version that still counts (re-consent).

    The batch form of ``privacy.ledger.consent_is_granted``; the tests hold the two equal."""
    latest = ConsentRecord.objects.filter(
        subject_ref=OuterRef("subject_ref"), consent=consent
    ).order_by("-recorded_at", "-id")
    counting = consent_counting_version_ids(consent=consent)
    counts = Q(granted=True) if counting is None else Q(
        granted=True, policy_version_id__in=counting
    )
    return Subquery(latest.annotate(
        counts=Case(When(counts, then=Value(True)), default=Value(False),
                    output_field=BooleanField())
    ).values("counts")[:1])


def campaign_recipients(*, campaign: Campaign, now: datetime) -> QuerySet:
    """Members who may receive ``campaign`` at ``now``, ordered by id for batching.

    Active and not blocked; channel consent current; the channel's item not restricted;
    at night, night consent as well; a confirmed email address for email; in the campaign's
    audience, if it has one."""
    channel = campaign.channel
    item_key = registry.MARKETING_ITEM_FOR_CHANNEL[channel]
    members = recipients_exclude_blocked(get_user_model().objects.all())
    members = members.annotate(
        channel_consent=consent_current(registry.MARKETING_CONSENT_FOR_CHANNEL[channel])
    ).filter(channel_consent=True)
    if is_night(now):
        members = members.annotate(
            night_consent=consent_current(registry.MARKETING_NIGHT_CONSENT)
        ).filter(night_consent=True)
    members = members.exclude(subject_ref__in=restricted_subjects(item_key=item_key, now=now))
    if channel == CampaignChannel.SMS:
        members = members.exclude(mobile_phone__isnull=True).exclude(mobile_phone="")
    else:
        members = members.filter(email_is_verified())
    for processor in processors_needing_consent_for(channel=channel):
        members = members.annotate(
            **{f"delegation_{processor.pk}": consent_current(processor.consent_key)}
        ).filter(**{f"delegation_{processor.pk}": True})
    area_ids = list(campaign.areas.values_list("pk", flat=True)) if campaign.pk else []
    if area_ids:
        members = members.filter(members_interested_in(area_ids=area_ids))
    return members.select_related("data_key").order_by("pk")


# --- Unsubscribe links -------------------------------------------------------------------------

class BadUnsubscribeLink(Exception):
    """The link was altered, or was not made by ``unsubscribe_token``."""


def unsubscribe_token(*, subject_ref: Any, consent: str) -> str:
    """Signed, salted for this one purpose, never expiring: unsubscribing must stay free."""
    return signing.dumps({"s": str(subject_ref), "c": consent}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token_read(token: str) -> tuple[uuid.UUID, str]:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        subject_ref, consent = uuid.UUID(data["s"]), data["c"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise BadUnsubscribeLink from None
    if consent not in registry.MARKETING_CONSENTS:
        raise BadUnsubscribeLink
    return subject_ref, consent


def unsubscribe_url(*, subject_ref: Any, consent: str) -> str:
    token = unsubscribe_token(subject_ref=subject_ref, consent=consent)
    return settings.SITE_URL + reverse("privacy:unsubscribe", args=[token])


@transaction.atomic
def marketing_unsubscribe(
    *, subject_ref: Any, consent: str, ip_address: str | None = None
) -> bool:
    """Withdraw ``consent`` from an unsubscribe link; False when it was not granted (a replay)."""
    if consent not in registry.MARKETING_CONSENTS:
        raise ValueError(f"{consent!r} is not a marketing consent")
    # Locking the member row serialises two clicks on the same link: one withdrawal only.
    member = (
        get_user_model().objects.select_for_update().filter(subject_ref=subject_ref).first()
    )
    if not consent_is_granted(subject_ref=subject_ref, consent=consent):
        return False
    record = consent_record(
        subject_ref=subject_ref, member=member, consent=consent, granted=False,
        method=ConsentMethod.EMAIL_LINK, ip_address=ip_address,
    )
    if member is not None:
        marketing_consent_confirm(member=member, records=[record])
    return True


# --- Messages ----------------------------------------------------------------------------------

def _sender_context() -> dict[str, Any]:
    site = site_for(MESSAGE_LANGUAGE)
    return {
        "ad_mark": AD_MARK,
        "clinic_name": site["clinic_name"],
        "phone": site["privacy_officer"]["phone"],
        "email": site["privacy_officer"]["email"],
        "site_url": settings.SITE_URL,
    }


def campaign_message(*, campaign: Campaign, member: Member) -> EmailMessage | sms.SmsMessage:
    """The advertisement as ``member`` receives it: mark, sender, contact and their own link."""
    consent = registry.MARKETING_CONSENT_FOR_CHANNEL[campaign.channel]
    link = unsubscribe_url(subject_ref=member.subject_ref, consent=consent)
    context = {**_sender_context(), "body": campaign.body, "unsubscribe_url": link}
    with translation.override("en"):  # email opt-out instructions: in Korean and in English
        context["unsubscribe_en"] = gettext(
            "To stop receiving it, open this link (free, no log-in needed):"
        )
    with translation.override(MESSAGE_LANGUAGE):
        if campaign.channel == CampaignChannel.SMS:
            text = render_to_string("privacy/marketing/campaign_sms.txt", context).strip()
            return sms.SmsMessage(to=member.mobile_phone, body=text,
                                  subject_ref=member.subject_ref,
                                  purpose=registry.HandOver.MARKETING)
        text = render_to_string("privacy/marketing/campaign_email.txt", context).strip()
    return EmailMessage(
        subject=f"{AD_MARK} {campaign.title}",
        body=text + "\n",
        to=[member.email],
        headers={"List-Unsubscribe": f"<{link}>",
                 registry.HANDOVER_HEADER: registry.HandOver.MARKETING},
    )


# --- Sending a campaign ------------------------------------------------------------------------

@dataclass
class CampaignReport:
    """What a run did, or would do (dry run): the counts the operator sees."""

    eligible: int = 0
    already_delivered: int = 0
    to_send: int = 0
    sent: int = 0
    failed: int = 0
    unconfirmed: int = 0
    night: bool = False
    dry_run: bool = False


def _not_yet_delivered(members: QuerySet, campaign: Campaign) -> QuerySet:
    return members.exclude(
        subject_ref__in=CampaignDelivery.objects.filter(campaign=campaign).values("subject_ref")
    )


def _claim(*, campaign: Campaign, members: list[Any], now: datetime) -> None:
    """Write the batch's delivery rows, committed, before any of its messages goes out.

    A message cannot take part in a database transaction, so one of "sent twice" and "maybe not
    sent" must be possible after a crash; for advertising the law and the reader prefer the
    second. A crash after this commit leaves ``pending`` rows that no re-run sends again; the
    report counts them as unconfirmed. A parallel run claiming the same member fails here on
    the unique constraint before sending anything."""
    try:
        with transaction.atomic():
            CampaignDelivery.objects.bulk_create([
                CampaignDelivery(campaign=campaign, subject_ref=member.subject_ref, claimed_at=now)
                for member in members
            ])
    except IntegrityError:
        raise CampaignError(
            f"campaign {campaign.pk} is being sent by another run; try again when it ends"
        ) from None


def _email_connection(campaign: Campaign) -> Any:
    if campaign.channel == CampaignChannel.EMAIL:
        return get_connection()
    return contextlib.nullcontext()


def _send_one(message: Any, *, email_connection: Any, sms_backend: Any) -> bool:
    try:
        if isinstance(message, sms.SmsMessage):
            return sms_backend.send_messages([message]) == 1
        return email_connection.send_messages([message]) == 1
    except Exception:  # a provider's error is one failed delivery, never the end of the run
        return False


def campaign_send(
    *,
    campaign: Campaign,
    now: datetime | None = None,
    dry_run: bool = False,
    progress: Callable[[int], Any] | None = None,
    batch_size: int | None = None,
) -> CampaignReport:
    """Send ``campaign`` to every eligible member who has not had it yet; resumable.

    Eligibility is decided again for every batch at the time of that batch (``now`` pins it,
    for tests): a run that reaches 21:00 goes on with night consenters only, and a consent
    withdrawn during the run is respected. ``progress`` gets the number of members handled
    after each batch."""
    size = batch_size or settings.MARKETING_BATCH_SIZE
    moment = now or timezone.now()
    recipients = campaign_recipients(campaign=campaign, now=moment)
    report = CampaignReport(
        eligible=recipients.count(),
        already_delivered=CampaignDelivery.objects.filter(campaign=campaign).count(),
        to_send=_not_yet_delivered(recipients, campaign).count(),
        unconfirmed=CampaignDelivery.objects.filter(
            campaign=campaign, outcome=DeliveryOutcome.PENDING
        ).count(),
        night=is_night(moment),
        dry_run=dry_run,
    )
    if dry_run:
        return report
    if campaign.status != CampaignStatus.SENDING:
        campaign.status = CampaignStatus.SENDING
        campaign.save(update_fields=["status"])
    sms_backend = sms.get_backend() if campaign.channel == CampaignChannel.SMS else None
    last_pk = 0
    while True:
        moment = now or timezone.now()
        pending = _not_yet_delivered(campaign_recipients(campaign=campaign, now=moment), campaign)
        batch = list(pending.filter(pk__gt=last_pk)[:size])
        if not batch:
            break
        last_pk = batch[-1].pk
        delivered: list[Any] = []
        failed: list[Any] = []
        # One mail connection per batch, opened before the claim: a mail server that is down
        # stops the run with nothing claimed, so a re-run sends this batch.
        with _email_connection(campaign) as email_connection:
            _claim(campaign=campaign, members=batch, now=moment)
            for member in batch:
                message = campaign_message(campaign=campaign, member=member)
                ok = _send_one(message, email_connection=email_connection,
                               sms_backend=sms_backend)
                (delivered if ok else failed).append(member.subject_ref)
        deliveries = CampaignDelivery.objects.filter(campaign=campaign)
        if delivered:
            deliveries.filter(subject_ref__in=delivered).update(
                outcome=DeliveryOutcome.SENT, sent_at=now or timezone.now()
            )
        if failed:
            deliveries.filter(subject_ref__in=failed).update(outcome=DeliveryOutcome.FAILED)
        report.sent += len(delivered)
        report.failed += len(failed)
        if progress:
            progress(len(batch))
    campaign.status = CampaignStatus.SENT
    campaign.save(update_fields=["status"])
    return report


# --- The two-yearly reminder (Network Act art. 50-8) -------------------------------------------

def _years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


@dataclass(frozen=True)
class ReminderDue:
    consent: str
    granted_at: datetime
    period_start: datetime


def consent_reminders_due(*, now: datetime) -> dict[Any, list[ReminderDue]]:
    """Members whose marketing consent has run two years since its grant or last reminder.

    One query per marketing consent, whatever the number of members."""
    cutoff = _years_before(now, REMINDER_YEARS)
    due: dict[Any, list[ReminderDue]] = {}
    members_by_pk: dict[int, Any] = {}
    for consent in registry.MARKETING_CONSENTS:
        latest = ConsentRecord.objects.filter(
            subject_ref=OuterRef("subject_ref"), consent=consent
        ).order_by("-recorded_at", "-id")
        last_reminder = ConsentReminder.objects.filter(
            subject_ref=OuterRef("subject_ref"), consent=consent
        ).order_by("-sent_at").values("sent_at")[:1]
        rows = (
            get_user_model().objects.filter(is_active=True)
            .exclude(email="")
            .annotate(
                granted=Subquery(latest.values("granted")[:1]),
                granted_at=Subquery(latest.values("recorded_at")[:1]),
                reminded_at=Subquery(last_reminder),
            )
            .filter(granted=True, granted_at__lte=cutoff)
            .filter(
                Q(reminded_at__isnull=True)
                | Q(reminded_at__lt=F("granted_at"))
                | Q(reminded_at__lte=cutoff)
            )
            .order_by("pk")
        )
        for row in rows:
            # A reminder sent during the current grant starts the next period; one sent before
            # a withdrawal and a new grant does not.
            reminded = row.reminded_at
            period_start = reminded if reminded and reminded >= row.granted_at else row.granted_at
            member = members_by_pk.setdefault(row.pk, row)
            due.setdefault(member, []).append(
                ReminderDue(consent=consent, granted_at=row.granted_at, period_start=period_start)
            )
    return due


@dataclass
class ReminderReport:
    members: int = 0
    reminders: int = 0
    sent: int = 0
    failed: int = 0
    dry_run: bool = False


def consent_reminder_message(*, member: Member, reminders: list[ReminderDue]) -> EmailMessage:
    """The fact of consent, its date and how to withdraw it, for each consent (art. 50-8)."""
    lines = [
        {
            "label": registry.consent(reminder.consent).label,
            "granted_on": timezone.localtime(reminder.granted_at, timezone=SEOUL).date(),
            "unsubscribe_url": unsubscribe_url(
                subject_ref=member.subject_ref, consent=reminder.consent
            ),
        }
        for reminder in reminders
    ]
    context = {**_sender_context(), "consents": lines}
    with translation.override(MESSAGE_LANGUAGE):
        subject = gettext("Your consent to receive advertising: a reminder")
        text = render_to_string("privacy/marketing/consent_reminder_email.txt", context).strip()
    return EmailMessage(
        subject=f"[{context['clinic_name']}] {subject}", body=text + "\n", to=[member.email]
    )


def consent_reminders_send(
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    progress: Callable[[int], Any] | None = None,
) -> ReminderReport:
    """Send each due member one reminder listing their due consents; once per period.

    Unlike advertising, a missed reminder breaks the law while a repeated one harms nobody:
    the reminder rows and the send share one transaction per member, so a failure or crash
    rolls the rows back and the next run sends again."""
    moment = now or timezone.now()
    due = consent_reminders_due(now=moment)
    report = ReminderReport(
        members=len(due), reminders=sum(len(items) for items in due.values()), dry_run=dry_run
    )
    if dry_run:
        return report
    connection = get_connection()
    for member, reminders in due.items():
        try:
            with transaction.atomic():
                ConsentReminder.objects.bulk_create([
                    ConsentReminder(
                        subject_ref=member.subject_ref, consent=reminder.consent,
                        period_start=reminder.period_start, sent_at=moment,
                    )
                    for reminder in reminders
                ])
                message = consent_reminder_message(member=member, reminders=reminders)
                if connection.send_messages([message]) != 1:
                    raise RuntimeError("the mail backend did not accept the reminder")
        except IntegrityError:
            continue  # another run reminded this member of this period meanwhile
        except Exception:  # a mail error fails one member, the rows roll back, a re-run retries
            report.failed += 1
        else:
            report.sent += 1
        if progress:
            progress(1)
    return report


# --- Retention (registry rules ``marketing_sends`` and ``consent_proof``) ----------------------
# For the privacy purge: what these records' retention rules say is due now.

def campaign_deliveries_due_for_destruction(*, now: datetime) -> QuerySet:
    """Delivery records past ``marketing_sends``: a year after the message (or the claim)."""
    live_for = registry.MARKETING_SENDS.live_for
    assert live_for is not None
    cutoff = now - live_for
    return CampaignDelivery.objects.filter(claimed_at__lte=cutoff)


def consent_reminders_due_for_destruction(*, now: datetime) -> QuerySet:
    """Reminder records past ``consent_proof``: 3 years after the consent they remind of ended
    (its latest ledger entry is a withdrawal that old, or the ledger holds nothing left)."""
    live_for = registry.CONSENT_PROOF.live_for
    assert live_for is not None
    cutoff = now - live_for
    latest = consent_latest_decision()
    return ConsentReminder.objects.annotate(
        granted=Subquery(latest.values("granted")[:1]),
        decided_at=Subquery(latest.values("recorded_at")[:1]),
    ).filter(Q(decided_at__isnull=True) | Q(granted=False, decided_at__lte=cutoff))
