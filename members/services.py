"""Writes about members: sign-up, legal representatives, profile edits, blocks, login records,
the re-wrapping of the staff's second-factor secrets."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from allauth.account.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from members.emails import email_stand_ins
from members.models import LegalRepresentative, LoginRecord, LoginResult, Member, MemberBlock
from members.selectors import STAFF_ENROLMENT_SESSION_KEY, items_consented
from members.signals import consent_decisions_recorded
from privacy import keys, registry
from privacy.ledger import consent_record, consents_current_for
from privacy.lookup import email_digest, phone_digest
from privacy.models import ConsentActor, ConsentMethod, PolicyVersion

if TYPE_CHECKING:
    from consultations.models import ConsultationArea

REPRESENTATIVE_LINK_SALT = "members.representative.confirm"
STAFF_ENROLMENT_LINK_SALT = "members.staff.enrolment"
# A staff member opens the link from their own mailbox at once; a long-lived link would be a
# standing key to the account's second factor.
STAFF_ENROLMENT_LINK_MAX_AGE = timedelta(minutes=30)
# Time from opening the link to scanning the code and confirming it (with the password again).
STAFF_ENROLMENT_GRANT_SECONDS = 15 * 60


class RepresentativeLinkError(Exception):
    """The representative's link is expired, tampered with or no longer points anywhere."""


@dataclass(frozen=True)
class RepresentativeData:
    name: str
    email: str
    relation: str
    phone: str = ""


def _link_max_age() -> timedelta:
    return registry.UNDER_14_UNCONFIRMED.live_for or timedelta(days=7)


def member_unconsented_items_blank(member: Member, granted_items: set[str]) -> None:
    """Items only an optional consent allows are kept only with it (the registry says which;
    ``items_consented`` reads it), at sign-up and at every profile change."""
    if "home_phone" not in granted_items:
        member.home_phone = ""
    if "home_address" not in granted_items:
        member.home_address = ""
    if "desired_area" not in granted_items:
        member.desired_area = None


@transaction.atomic
def member_signup(
    *,
    member: Member,
    name: str,
    date_of_birth: date,
    mobile_phone: str,
    consents: dict[str, bool],
    home_phone: str = "",
    home_address: str = "",
    desired_area: ConsultationArea | None = None,
    representative: RepresentativeData | None = None,
    ip_address: str | None = None,
    policy_version: PolicyVersion | None = None,
) -> Member:
    """Save a new member with the policy's items and append every consent decision to the ledger.

    A member under 14 (``representative`` given) stays inactive until the representative
    confirms through the emailed link (``legal_representative_confirm``); only then do the
    child's choices take effect, so only then is ``consent_decisions_recorded`` sent.
    """
    member.name = name
    member.date_of_birth = date_of_birth.isoformat()
    member.mobile_phone = mobile_phone
    member.home_phone = home_phone
    member.home_address = home_address
    member.desired_area = desired_area
    member_unconsented_items_blank(member, items_consented(consents))
    member.is_active = representative is None
    member.save()
    records = [
        consent_record(
            subject_ref=member.subject_ref, member=member, consent=consent.key,
            granted=bool(consents.get(consent.key)), method=ConsentMethod.SIGNUP_FORM,
            ip_address=ip_address, policy_version=policy_version,
        )
        for consent in registry.MEMBER_CONSENTS
    ]
    if representative is not None:
        LegalRepresentative.objects.create(
            child=member, name=representative.name, email=representative.email,
            phone=representative.phone, relation=representative.relation,
            data_key=member.data_key,
        )
    else:
        consent_decisions_recorded.send(sender=Member, member=member, records=records)
    return member


def representative_link_token(representative: LegalRepresentative) -> str:
    return signing.TimestampSigner(salt=REPRESENTATIVE_LINK_SALT).sign_object(
        {"r": representative.pk, "s": representative.child.subject_ref.hex}
    )


def legal_representative_request_send(
    *, representative: LegalRepresentative, request: HttpRequest
) -> None:
    """Email the representative the signed link that confirms their consent (valid 7 days)."""
    url = request.build_absolute_uri(
        reverse("members:representative_confirm", args=[representative_link_token(representative)])
    )
    get_adapter(request).send_mail(
        "members/email/representative_request",
        representative.email,
        {
            "representative": representative,
            "child": representative.child,
            "confirm_url": url,
            "days": _link_max_age().days,
        },
    )


def representative_from_token(token: str) -> LegalRepresentative:
    """The representative a link names, or ``RepresentativeLinkError`` (nothing is changed)."""
    try:
        payload = signing.TimestampSigner(salt=REPRESENTATIVE_LINK_SALT).unsign_object(
            token, max_age=_link_max_age()
        )
    except signing.SignatureExpired:
        raise RepresentativeLinkError("expired") from None
    except signing.BadSignature:
        raise RepresentativeLinkError("invalid") from None
    representative = (
        LegalRepresentative.objects.select_related("child__data_key", "data_key")
        .filter(pk=payload.get("r"))
        .first()
    )
    if representative is None or representative.child.subject_ref.hex != payload.get("s"):
        raise RepresentativeLinkError("invalid")
    return representative


@transaction.atomic
def legal_representative_confirm(
    *, token: str, confirming_member: Member | AnonymousUser | None = None,
    ip_address: str | None = None,
) -> LegalRepresentative:
    """Record the representative's consent, activate the child's account and link the accounts.

    The representative confirms the decisions the child made at sign-up; each is appended to the
    ledger again as the representative's own, and ``consent_decisions_recorded`` is sent.
    """
    representative = representative_from_token(token)
    # Lock the row: a double-submitted form must not append the consents twice.
    representative = LegalRepresentative.objects.select_for_update(of=("self",)).select_related(
        "child__data_key", "data_key"
    ).get(pk=representative.pk)
    if representative.confirmed_at is not None:
        return representative
    child = representative.child
    representative.confirmed_at = timezone.now()
    # Only an account that owns the representative's confirmed email address is linked, so a
    # stranger who happens to be logged in on the same browser never gains access to the child.
    owners = Member.objects.filter(
        is_active=True, emailaddress__email__in=email_stand_ins(representative.email),
        emailaddress__verified=True,
    ).exclude(pk=child.pk)
    linked = None
    if getattr(confirming_member, "is_authenticated", False):
        assert isinstance(confirming_member, Member)
        linked = owners.filter(pk=confirming_member.pk).first()
    linked = linked or owners.first()
    if linked is not None and linked.pk != child.pk:
        representative.representative_member = linked
    representative.save(update_fields=["confirmed_at", "representative_member"])
    child.is_active = True
    child.save(update_fields=["is_active"])
    current = consents_current_for(subject_ref=child.subject_ref)
    records = []
    for consent in registry.MEMBER_CONSENTS:
        record = current.get(consent.key)
        records.append(consent_record(
            subject_ref=child.subject_ref, member=child, consent=consent.key,
            granted=bool(record and record.granted), method=ConsentMethod.EMAIL_LINK,
            actor=ConsentActor.REPRESENTATIVE, actor_user=representative.representative_member,
            ip_address=ip_address,
        ))
    consent_decisions_recorded.send(sender=Member, member=child, records=records)
    return representative


@transaction.atomic
def member_block(*, member: Member, reason: str, actor: Member) -> MemberBlock:
    """Block a member: no log-in, no posting, no re-registration with the same email or mobile.

    Every open session of the member ends now.
    """
    block = MemberBlock.objects.create(
        member=member,
        reason=reason,
        blocked_by=actor,
        email_hash=email_digest(member.email),
        mobile_hash=phone_digest(member.mobile_phone or ""),
    )
    for session in UserSession.objects.filter(user=member):
        session.end()
    return block


@transaction.atomic
def member_block_lift(*, block: MemberBlock, actor: Member) -> MemberBlock:
    if block.lifted_at is None:
        block.lifted_at = timezone.now()
        block.lifted_by = actor
        block.save(update_fields=["lifted_at", "lifted_by"])
    return block


def login_record(*, member: Member | None, result: str, ip_address: str | None) -> LoginRecord:
    """Append one log-in attempt to the access log (never the typed password or unknown ID)."""
    if result not in LoginResult.values:
        raise ValueError(f"unknown login result {result!r}")
    if member is None:
        return LoginRecord.objects.create(result=result)
    return LoginRecord.objects.create(member=member, result=result, ip_address=ip_address,
                                      data_key=member.data_key)


# What ``MFAAdapter`` wraps with the key-encryption key in an authenticator's ``data``: the TOTP
# secret, the recovery codes' seed, and the recovery codes allauth keeps one by one
# ("migrated_codes") for accounts it migrated from another MFA package.
MFA_WRAPPED_VALUES: dict[str, tuple[str, ...]] = {
    Authenticator.Type.TOTP: ("secret",),
    Authenticator.Type.RECOVERY_CODES: ("seed",),
}
MFA_WRAPPED_LISTS: dict[str, tuple[str, ...]] = {
    Authenticator.Type.RECOVERY_CODES: ("migrated_codes",),
}


def authenticator_secrets_rewrap(authenticator: Authenticator, now: datetime) -> bool:
    """Re-wrap in memory, under the newest key-encryption key, every secret of
    ``authenticator`` the newest key does not wrap yet; say whether anything changed.

    Raises ``crypto.DecryptionError`` when no key in ``PRIVACY_KEK`` unwraps one of them."""
    data = authenticator.data
    changed = False
    for name in MFA_WRAPPED_VALUES.get(authenticator.type, ()):
        token = data.get(name)
        if isinstance(token, str) and (new := keys.rewrapped(token)) is not None:
            data[name] = new
            changed = True
    for name in MFA_WRAPPED_LISTS.get(authenticator.type, ()):
        tokens = data.get(name)
        if not isinstance(tokens, list):
            continue
        for index, token in enumerate(tokens):
            if isinstance(token, str) and (new := keys.rewrapped(token)) is not None:
                tokens[index] = new
                changed = True
    return changed


def _authenticator_name(authenticator: Authenticator) -> str:
    return (f"Authenticator #{authenticator.pk} ({authenticator.type}, "
            f"member #{authenticator.user_id})")


# The staff's second factors for ``privacy rotate-keys``: one row per authenticator.
AUTHENTICATOR_SECRETS = keys.RotationTarget(
    label="authenticators (TOTP, recovery codes)",
    model=Authenticator,
    fields=("data",),
    rewrap=authenticator_secrets_rewrap,
    only=Q(type__in=[*MFA_WRAPPED_VALUES, *MFA_WRAPPED_LISTS]),
    describe=_authenticator_name,
)


class StaffEnrolmentLinkError(Exception):
    """The enrolment link is expired, forged, someone else's or already used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def staff_enrolment_link_send(*, member: Member, request: HttpRequest) -> None:
    """Email a staff member the one-time link that lets them add an authenticator.

    A staff account without one could otherwise be enrolled by whoever holds its password,
    and that person would then hold both factors. The link goes to the address on the account,
    which the password alone does not reach."""
    token = signing.TimestampSigner(salt=STAFF_ENROLMENT_LINK_SALT).sign_object(
        {"m": member.pk, "n": secrets.token_urlsafe(16)}
    )
    get_adapter(request).send_mail(
        "members/email/staff_enrolment",
        member.email,
        {
            "enrol_url": request.build_absolute_uri(
                reverse("members:staff_enrolment", args=[token])
            ),
            "minutes": int(STAFF_ENROLMENT_LINK_MAX_AGE.total_seconds() // 60),
        },
    )


def staff_enrolment_link_check(*, token: str, member: Member) -> str:
    """The link's one-time id, or ``StaffEnrolmentLinkError`` when the link is expired,
    forged, another account's or already used. Changes nothing."""
    try:
        payload = signing.TimestampSigner(salt=STAFF_ENROLMENT_LINK_SALT).unsign_object(
            token, max_age=STAFF_ENROLMENT_LINK_MAX_AGE
        )
    except signing.SignatureExpired:
        raise StaffEnrolmentLinkError("expired") from None
    except signing.BadSignature:
        raise StaffEnrolmentLinkError("invalid") from None
    if payload.get("m") != member.pk or not member.is_staff:
        raise StaffEnrolmentLinkError("invalid")
    link_id = str(payload.get("n"))
    if cache.get(_used_key(link_id)):
        raise StaffEnrolmentLinkError("used")
    return link_id


def staff_enrolment_link_use(*, token: str, member: Member, session: SessionBase) -> None:
    """Spend the link for ``member`` and let this session add an authenticator for a while.

    Raises ``StaffEnrolmentLinkError`` and changes nothing when the link is not good (see
    ``staff_enrolment_link_check``). Use is recorded in the shared cache for as long as the
    link could be valid; ``add`` is atomic there, so it works once across all servers."""
    link_id = staff_enrolment_link_check(token=token, member=member)
    seconds = int(STAFF_ENROLMENT_LINK_MAX_AGE.total_seconds())
    if not cache.add(_used_key(link_id), True, timeout=seconds):
        raise StaffEnrolmentLinkError("used")
    session[STAFF_ENROLMENT_SESSION_KEY] = int(time.time()) + STAFF_ENROLMENT_GRANT_SECONDS


def _used_key(link_id: str) -> str:
    return f"staff-enrolment-used:{link_id}"
