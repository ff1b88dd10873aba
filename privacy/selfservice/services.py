"""Writes of the self-service rights: requests, exports, consents, corrections, withdrawal.

The site's views and the privacy manager's shell actions call the same functions; each one
records the request (``RightsRequest``, 10-day deadline) and, where data leaves the site or is
read on someone's behalf, an access-log entry.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from members.forms import ProfileForm
from members.models import Member
from members.selectors import birth_date_allowed, items_consented
from members.services import member_unconsented_items_blank
from privacy import registry
from privacy.access_log import access_log_append
from privacy.consents.services import reconsent_choices
from privacy.errors import PrivacyError
from privacy.ledger import consent_record, consents_current_for
from privacy.marketing.confirmations import marketing_consent_confirm
from privacy.models import (
    RIGHTS_REQUEST_DAYS,
    ConsentActor,
    ConsentMethod,
    ConsentRecord,
    Disclosure,
    RequestChannel,
    Restriction,
    RestrictionReason,
    RightsRequest,
    RightsRequestKind,
)
from privacy.outbox import new_send_key
from privacy.processors.selectors import disclosures_for
from privacy.processors.services import disclosure_record
from privacy.restrictions import restriction_lift, restriction_start
from privacy.retention.consultations import member_posts_erase
from privacy.retention.destruction import member_erase
from privacy.selfservice import selectors
from privacy.selfservice.export import export_zip
from privacy.selfservice.tasks import correction_notice_send

WITHDRAWAL_REASON = "withdrawal"
ERASURE_REASON = "erasure_request"
REFERENCE_MAX_LENGTH = 40


# --- Requests -----------------------------------------------------------------------------------

def _check_channel(channel: str) -> None:
    if channel not in RequestChannel.values:
        raise PrivacyError(
            f"unknown channel {channel!r}: one of {', '.join(RequestChannel.values)}"
        )


@transaction.atomic
def rights_request_record(
    *,
    subject_ref: Any,
    kind: str,
    channel: str = RequestChannel.WEB,
    reference: str = "",
    items: Iterable[str] = (),
    received_at: datetime.datetime | None = None,
    completed: bool = False,
) -> RightsRequest:
    """Record a request of section 6 with its deadline (10 days after it is received)."""
    if kind not in RightsRequestKind.values:
        raise PrivacyError(f"unknown request kind {kind!r}")
    _check_channel(channel)
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise PrivacyError(f"the reference is at most {REFERENCE_MAX_LENGTH} characters")
    received = received_at or timezone.now()
    return RightsRequest.objects.create(
        subject_ref=subject_ref, kind=kind, channel=channel, reference=reference,
        items=list(dict.fromkeys(items)), received_at=received,
        due_on=timezone.localdate(received) + datetime.timedelta(days=RIGHTS_REQUEST_DAYS),
        completed_at=received if completed else None,
    )


@transaction.atomic
def rights_request_complete(
    *, request: RightsRequest, now: datetime.datetime | None = None
) -> RightsRequest:
    if request.completed_at is not None:
        raise PrivacyError("this request is already completed")
    request.completed_at = now or timezone.now()
    request.save(update_fields=["completed_at"])
    return request


# --- Legal hold ---------------------------------------------------------------------------------

def legal_hold_check(*, member: Member, item_key: str) -> None:
    """Refuse a change or deletion of an item a law keeps (policy section 6)."""
    if item_key not in registry.ITEMS_BY_KEY:
        raise PrivacyError(
            f"unknown item {item_key!r}; known items: {', '.join(registry.ITEMS_BY_KEY)}"
        )
    hold = selectors.item_legal_hold(member=member, item_key=item_key)
    if hold is not None:
        raise PrivacyError(hold.message())


# --- Export -------------------------------------------------------------------------------------

@transaction.atomic
def subject_data_export(
    *, member: Member, viewer: Member, actor: str, channel: str = RequestChannel.WEB,
    reference: str = "",
) -> bytes:
    """The zip of everything held about ``member``; logged, and recorded as a request."""
    _check_channel(channel)
    data = selectors.subject_data(member=member, viewer=viewer)
    content = export_zip(data)
    rights_request_record(
        subject_ref=member.subject_ref, kind=RightsRequestKind.EXPORT, channel=channel,
        reference=reference, completed=True,
    )
    access_log_append(actor=actor, action=f"data_export:{channel}", subject_ref=member.subject_ref)
    return content


# --- Consents -----------------------------------------------------------------------------------

# The consent that covers what members write on the boards (health information).
SENSITIVE_CONSENT = "sensitive_health"


def consent_keys_for_member() -> list[str]:
    """The consents a member decides one by one: the registry's and the processors'."""
    return [key for key, _label in reconsent_choices()]


def _check_consent_key(consent: str, known: list[str]) -> None:
    if consent not in known:
        raise PrivacyError(f"unknown consent {consent!r}: one of {', '.join(known)}")


@transaction.atomic
def consent_change(
    *, member: Member, consent: str, granted: bool, actor: Member | None,
    ip_address: str | None = None, channel: str = RequestChannel.WEB, reference: str = "",
    operator: str = "",
) -> ConsentRecord:
    """One decision on one consent: a ledger entry (the one check reads the ledger).

    ``actor`` is the member, their confirmed legal representative (the view checks which), or
    None for a decision the privacy officer received offline (``channel`` and ``reference``
    say how; ``operator`` is logged). A withdrawal stops the processing at once; the items
    only that consent needed are destroyed by the ``consent_withdrawn`` purge rule. A change
    of an advertising consent is confirmed to the person."""
    _check_consent_key(consent, consent_keys_for_member())
    _check_channel(channel)
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise PrivacyError(f"the reference is at most {REFERENCE_MAX_LENGTH} characters")
    offline = actor is None
    record = consent_record(
        subject_ref=member.subject_ref, member=member, consent=consent, granted=granted,
        method=ConsentMethod.OFFICER if offline else ConsentMethod.CONSENT_PAGE,
        ip_address=ip_address,
        actor=(ConsentActor.STAFF if actor is None else
               ConsentActor.SUBJECT if actor.pk == member.pk else ConsentActor.REPRESENTATIVE),
        actor_user=actor, channel=channel if offline else "", reference=reference,
    )
    if offline:
        access_log_append(actor=operator, action=f"consent_{'grant' if granted else 'withdraw'}"
                          f":{channel}", subject_ref=member.subject_ref)
    marketing_consent_confirm(member=member, records=[record])
    if not granted:
        if consent == SENSITIVE_CONSENT:
            sensitive_content_destroy(member=member)
        rights_request_record(
            subject_ref=member.subject_ref, kind=RightsRequestKind.CONSENT_WITHDRAWAL,
            channel=channel, reference=reference, completed=True,
        )
    return record


@transaction.atomic
def sensitive_content_destroy(*, member: Member) -> None:
    """The sensitive consent is withdrawn: its health information goes now (policy section 3),
    as ``selectors.sensitive_content_of`` listed it. Consultations with their answers, reviews
    and procedure records are deleted (with any data key of their own), the desired area
    blanked. The member keeps the account."""
    member_posts_erase([member.pk], now=timezone.now())
    if member.desired_area_ref:
        member.desired_area = None
        member.save(update_fields=["desired_area"])


# --- Corrections ---------------------------------------------------------------------------------

def _member_field(item_key: str) -> str | None:
    """The one ``Member`` text field that holds ``item_key``, if the item is that simple."""
    item = registry.ITEMS_BY_KEY[item_key]
    fields = [ref.rsplit(".", 1)[1] for ref in item.fields if ref.startswith("members.Member.")]
    if len(fields) != 1 or len(item.fields) != 1 or fields[0] in {"password", "username"}:
        return None
    return fields[0]


def correction_notify_recipients(
    *, member: Member, items: Iterable[str], recorded_by: Member | None = None,
) -> list[Disclosure]:
    """Tell every third party that received a corrected item its new value (policy section 6).

    Each notice goes to the recipient's contact (in the background) and is itself logged as a
    disclosure of the corrected value."""
    changed = list(dict.fromkeys(items))
    if not changed:
        return []
    notified = []
    seen: set[tuple[str, str]] = set()
    for disclosure in disclosures_for(subject_ref=member.subject_ref, items=changed):
        key = (disclosure.recipient, disclosure.recipient_contact)
        if key in seen:
            continue
        seen.add(key)
        provided = [item for item in changed if item in disclosure.items]
        if disclosure.recipient_contact and "@" in disclosure.recipient_contact:
            # Queued in this transaction; the worker reads the values when it sends.
            correction_notice_send.enqueue(
                member_id=member.pk, disclosure_id=disclosure.pk, items=provided,
                key=new_send_key(),
            )
        notified.append(disclosure_record(
            subject_ref=member.subject_ref, recipient=disclosure.recipient,
            recipient_contact=disclosure.recipient_contact, items=provided,
            legal_basis=disclosure.legal_basis,
            basis_detail=f"correction notice (disclosure #{disclosure.pk})",
            recorded_by=recorded_by,
        ))
    return notified


def profile_corrected(
    *, member: Member, before: dict[str, Any], actor: Member | None = None
) -> list[str]:
    """After a member (or their representative) edited the profile: record the correction
    and pass the corrected items on to the third parties that received them."""
    changed = profile_changes(before=before, member=member)
    if changed:
        rights_request_record(subject_ref=member.subject_ref, kind=RightsRequestKind.CORRECTION,
                              items=changed, completed=True)
        correction_notify_recipients(member=member, items=changed, recorded_by=actor)
    return changed


def profile_changes(*, before: dict[str, Any], member: Member) -> list[str]:
    """Registry keys of the profile items whose value differs from ``before``."""
    return [
        key for key in selectors.PROFILE_ITEMS
        if before.get(key) != _field_value(member, _member_field(key) or key)
    ]


def _field_value(member: Member, field: str) -> Any:
    return (member.desired_area_ref or None) if field == "desired_area" else getattr(member,
                                                                                      field)


def profile_snapshot(member: Member) -> dict[str, Any]:
    """The profile items' values before an edit, by registry key."""
    return {key: _field_value(member, _member_field(key) or key)
            for key in selectors.PROFILE_ITEMS}


@transaction.atomic
def profile_update(
    *,
    member: Member,
    data: dict[str, Any],
    consents: dict[str, bool],
    actor: Member,
    ip_address: str | None = None,
) -> Member:
    """Change a member's own items; a withdrawn consent destroys the items it covered.

    ``actor`` is the member or their confirmed legal representative (the view checks which).
    A corrected item that was provided to third parties is passed on to them (policy
    section 6).
    """
    before = profile_snapshot(member)
    current = consents_current_for(subject_ref=member.subject_ref)
    by_representative = actor.pk != member.pk
    decided = []
    for key, granted in consents.items():
        record = current.get(key)
        if bool(record and record.granted) != granted:
            decided.append(consent_record(
                subject_ref=member.subject_ref, member=member, consent=key, granted=granted,
                method=ConsentMethod.CONSENT_PAGE, ip_address=ip_address,
                actor=ConsentActor.REPRESENTATIVE if by_representative else ConsentActor.SUBJECT,
                actor_user=actor,
            ))
    state = {key: bool(record.granted) for key, record in current.items()}
    granted_items = items_consented({**state, **consents})
    for field_name in ("name", "mobile_phone", "home_phone", "home_address", "desired_area"):
        if field_name in data:
            setattr(member, field_name, data[field_name])
    if "date_of_birth" in data:
        born = data["date_of_birth"]
        if not birth_date_allowed(member, born, today=timezone.localdate()):
            raise PrivacyError("a date of birth under 14 needs a confirmed legal representative")
        member.date_of_birth = born.isoformat()
    member_unconsented_items_blank(member, granted_items)
    member.save()
    profile_corrected(member=member, before=before, actor=actor)
    marketing_consent_confirm(member=member, records=decided)
    return member


@dataclass
class CorrectionOutcome:
    request: RightsRequest
    restriction: Restriction | None = None
    notified: int = 0


# Items the officer may set from the shell, and the form field that checks the value.
SHELL_CORRECTABLE = ("name", "mobile_phone", "home_phone", "home_address", "date_of_birth")


def _validated_value(item_key: str, value: str) -> str:
    if item_key not in SHELL_CORRECTABLE:
        raise PrivacyError(
            f"item {item_key} cannot be set from the shell (the member changes it on the site, "
            f"where it is confirmed); items with --value: {', '.join(SHELL_CORRECTABLE)}"
        )
    field_name = _member_field(item_key) or item_key
    form_field = ProfileForm.base_fields.get(field_name) or forms.DateField()
    try:
        cleaned = form_field.clean(value)
    except ValidationError as error:
        raise PrivacyError(f"invalid value for {item_key}: {' '.join(error.messages)}") from None
    return cleaned.isoformat() if isinstance(cleaned, datetime.date) else str(cleaned)


@transaction.atomic
def correction_request_start(
    *, member: Member, item_key: str, channel: str, actor: str, reference: str = "",
) -> CorrectionOutcome:
    """A correction asked through the officer: the item is restricted until it is corrected.
    Logged in the same transaction as the change (``actor``: the operator)."""
    _check_channel(channel)
    legal_hold_check(member=member, item_key=item_key)
    if selectors.correction_open(subject_ref=member.subject_ref, item_key=item_key):
        raise PrivacyError(f"a correction of {item_key} is already open for this member")
    request = rights_request_record(
        subject_ref=member.subject_ref, kind=RightsRequestKind.CORRECTION, channel=channel,
        reference=reference, items=[item_key],
    )
    restriction = restriction_start(
        subject_ref=member.subject_ref, items=[item_key],
        reason=RestrictionReason.ACCURACY_DISPUTED, channel=channel, reference=reference,
    )
    access_log_append(actor=actor, action=f"correction_start:{channel}",
                      subject_ref=member.subject_ref)
    return CorrectionOutcome(request=request, restriction=restriction)


@transaction.atomic
def correction_request_complete(
    *, member: Member, item_key: str, channel: str, actor: str, value: str | None = None,
    recorded_by: Member | None = None,
) -> CorrectionOutcome:
    """Apply the corrected value, lift the restriction and tell the recipients; logged in the
    same transaction (``actor``: the operator)."""
    legal_hold_check(member=member, item_key=item_key)
    request = selectors.correction_open(subject_ref=member.subject_ref, item_key=item_key)
    if request is None:
        raise PrivacyError(f"no open correction of {item_key} for this member")
    if value is not None:
        setattr(member, _member_field(item_key) or item_key, _validated_value(item_key, value))
        member.save()
    now = timezone.now()
    for restriction in Restriction.objects.filter(
        subject_ref=member.subject_ref, lifted_at__isnull=True,
        reason=RestrictionReason.ACCURACY_DISPUTED,
    ):
        if item_key in restriction.items:
            restriction_lift(restriction=restriction, now=now)
    rights_request_complete(request=request, now=now)
    notified = correction_notify_recipients(member=member, items=[item_key],
                                            recorded_by=recorded_by)
    access_log_append(actor=actor, action=f"correction_complete:{channel}",
                      subject_ref=member.subject_ref)
    return CorrectionOutcome(request=request, notified=len(notified))


# --- Restriction on request ----------------------------------------------------------------------

@transaction.atomic
def restriction_request(
    *, member: Member, items: list[str], channel: str, actor: str, reference: str = "",
    lift: bool = False,
) -> list[Restriction]:
    """Suspend (or resume) processing of items on the person's request (PIPA art. 37); logged
    in the same transaction (``actor``: the operator)."""
    _check_channel(channel)
    access_log_append(actor=actor, action=f"restriction_{'lift' if lift else 'start'}:{channel}",
                      subject_ref=member.subject_ref)
    if lift:
        lifted = []
        for restriction in Restriction.objects.filter(
            subject_ref=member.subject_ref, lifted_at__isnull=True,
            reason=RestrictionReason.SUBJECT_REQUEST,
        ):
            if set(items) & set(restriction.items):
                lifted.append(restriction_lift(restriction=restriction))
        if not lifted:
            raise PrivacyError("no restriction on request of these items is in force")
        return lifted
    try:
        restriction = restriction_start(
            subject_ref=member.subject_ref, items=items,
            reason=RestrictionReason.SUBJECT_REQUEST, channel=channel, reference=reference,
        )
    except ValueError as error:
        raise PrivacyError(str(error)) from None
    rights_request_record(
        subject_ref=member.subject_ref, kind=RightsRequestKind.RESTRICTION, channel=channel,
        reference=reference, items=items, completed=True,
    )
    return [restriction]


# --- Withdrawal and erasure ---------------------------------------------------------------------

def member_withdraw(
    *, member: Member, actor: Member | None, channel: str = RequestChannel.WEB,
    reference: str = "",
    reason: str = WITHDRAWAL_REASON, actor_name: str = "",
) -> RightsRequest:
    """Close the account at once: ``member_erase`` destroys what no law keeps and moves what a
    law keeps to the retention store. The request record stays, naming no one."""
    _check_channel(channel)
    request = rights_request_record(
        subject_ref=member.subject_ref, kind=RightsRequestKind.DELETION, channel=channel,
        reference=reference,
    )
    subject_ref = member.subject_ref
    if actor is not None and actor.pk != member.pk:
        access_log_append(actor=actor.get_username(), action="member_withdraw:representative",
                   subject_ref=subject_ref)
    elif actor_name:
        access_log_append(actor=actor_name, action=f"member_erase:{channel}",
                          subject_ref=subject_ref)
    member_erase(member=member, reason=reason)
    now = timezone.now()
    # The erasure is complete: the request records stay as proof, linked to nobody.
    RightsRequest.objects.filter(subject_ref=subject_ref).update(subject_ref=None)
    RightsRequest.objects.filter(pk=request.pk).update(completed_at=now)
    request.refresh_from_db()
    return request


def consents_granted(member: Member) -> set[str]:
    current = consents_current_for(subject_ref=member.subject_ref)
    return {key for key, record in current.items() if record.granted}
