"""Reads about members: representation, blocks, login history, what the purge may destroy."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Exists, OuterRef, QuerySet

from members.ages import needs_representative
from members.models import LegalRepresentative, LoginRecord, Member, MemberBlock
from privacy import registry
from privacy.lookup import email_digests, phone_digests

# Until when (a Unix time) the session may add a staff authenticator.
STAFF_ENROLMENT_SESSION_KEY = "_staff_enrolment_until"

# The history shows every login record kept: the registry's rule says how long that is.
_LOGIN_RECORDS_LIVE_FOR = registry.LOGIN_RECORDS.live_for
assert _LOGIN_RECORDS_LIVE_FOR is not None
LOGIN_HISTORY_DAYS = _LOGIN_RECORDS_LIVE_FOR.days
def items_consented(decisions: dict[str, bool]) -> set[str]:
    """Keys of the collection items that the granted consents among ``decisions`` cover."""
    return {
        item_key
        for key, granted in decisions.items()
        if granted and key in registry.CONSENTS_BY_KEY
        for item_key in registry.CONSENTS_BY_KEY[key].items
    }


def staff_has_second_factor(user: Any) -> bool:
    """Staff privileges (the admin, private questions on the site) need a TOTP authenticator:
    a leaked password alone must not open anyone's health information. allauth asks for the
    code at every login of an account that has one. Remembered on the user object, which
    lives for one request.

    ``user`` stays ``Any``: the answer is cached in an attribute set on it, which neither
    ``Member`` nor ``AnonymousUser`` declares."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not hasattr(user, "_has_second_factor"):
        user._has_second_factor = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).exists()
    return user._has_second_factor


def member_is_blocked(member: Member | AnonymousUser | None) -> bool:
    if member is None or getattr(member, "pk", None) is None:
        return False
    assert isinstance(member, Member)  # the anonymous user has no pk
    return MemberBlock.objects.filter(member=member, lifted_at__isnull=True).exists()


def members_not_blocked(members: QuerySet[Member]) -> QuerySet[Member]:
    """``members`` without those under an active block: the batch form of member_is_blocked."""
    return members.exclude(
        Exists(MemberBlock.objects.filter(member=OuterRef("pk"), lifted_at__isnull=True))
    )


# Why a member may not write on the boards: each refusal page names one of these, the one
# that applies, with the one step that lifts it.
REFUSAL_LOGIN = "login"
REFUSAL_REPRESENTATIVE = "representative"
REFUSAL_EMAIL = "email_unconfirmed"
REFUSAL_BLOCKED = "blocked"


def member_post_refusal(member: Member | AnonymousUser) -> str | None:
    """The first reason that keeps ``member`` from writing on the boards (None: none does),
    checked in the order a member can act on them: logged in, active (a child's legal
    representative has confirmed), email confirmed (confirmation of intent to join), not
    blocked."""
    if not getattr(member, "is_authenticated", False):
        return REFUSAL_LOGIN
    if not member.is_active:
        return REFUSAL_REPRESENTATIVE
    if not EmailAddress.objects.filter(user_id=member.pk, verified=True).exists():
        return REFUSAL_EMAIL
    if member_is_blocked(member):
        return REFUSAL_BLOCKED
    return None


def member_may_post(member: Member | AnonymousUser) -> bool:
    """The one check before a member writes on the boards (``member_post_refusal``)."""
    return member_post_refusal(member) is None


def contact_is_blocked(*, email: str = "", mobile_phone: str = "") -> bool:
    """Whether an active block holds this email or (normalised) mobile number."""
    emails = email_digests(email) if email else []
    mobiles = phone_digests(mobile_phone) if mobile_phone else []
    if not emails and not mobiles:
        return False
    active = MemberBlock.objects.filter(lifted_at__isnull=True)
    return (
        (bool(emails) and active.filter(email_hash__in=emails).exists())
        or (bool(mobiles) and active.filter(mobile_hash__in=mobiles).exists())
    )


def member_represents(
    *, representative: Member | AnonymousUser, child: Member | int | None
) -> bool:
    """Whether ``representative`` is the confirmed legal representative of ``child``."""
    if not getattr(representative, "is_authenticated", False) or child is None:
        return False
    assert isinstance(representative, Member)
    return LegalRepresentative.objects.filter(
        child=child, representative_member=representative, confirmed_at__isnull=False
    ).exists()


def represented_child(*, representative: Member | AnonymousUser, pk: int) -> Member | None:
    """The child ``pk`` if ``representative`` is their confirmed legal representative."""
    if not getattr(representative, "is_authenticated", False):
        return None
    assert isinstance(representative, Member)
    return children_named_for(representative=representative).filter(pk=pk).first()


def children_named_for(*, representative: Member | int) -> QuerySet[Member]:
    """The members whose confirmed legal representative ``representative`` is, in the order
    they joined (names are sealed, so SQL cannot sort by them), each with the data key that
    opens its name: the pages that list them, the rule of who may read a child's posts (as a
    subquery) and the lookup of one child (``represented_child``)."""
    return Member.objects.filter(
        legal_representative__representative_member=representative,
        legal_representative__confirmed_at__isnull=False,
    ).select_related("data_key").order_by("pk")


def birth_date_allowed(member: Member, born: date, *, today: date) -> bool:
    """Whether ``member`` may hold the date of birth ``born``: a member under 14 on ``today``
    needs a legal representative who has confirmed (PIPA art. 22-2), so a correction that
    makes an adult a child waits for one."""
    if not needs_representative(born, today):
        return True
    return LegalRepresentative.objects.filter(child=member, confirmed_at__isnull=False).exists()


def representative_pending_for(member: Member) -> LegalRepresentative | None:
    return (
        LegalRepresentative.objects.filter(child=member, confirmed_at__isnull=True)
        .select_related("child__data_key")
        .first()
    )


def children_unconfirmed_due_for_destruction(*, now: datetime) -> QuerySet[Member]:
    """Members under 14 whose representative did not confirm in time (rule under_14_unconfirmed)."""
    live_for = registry.UNDER_14_UNCONFIRMED.live_for or timedelta(days=7)
    return Member.objects.filter(
        is_active=False,
        legal_representative__confirmed_at__isnull=True,
        legal_representative__requested_at__lt=now - live_for,
    )


def login_records_due_for_destruction(*, now: datetime) -> QuerySet[LoginRecord]:
    """Login records older than the registry's ``login_records`` rule (3 months).

    ``LoginRecord`` is append-only: remove these with ``.purge_expired()``, not ``.delete()``.
    """
    live_for = registry.LOGIN_RECORDS.live_for or timedelta(days=90)
    return LoginRecord.objects.filter(recorded_at__lt=now - live_for)


def login_history_for(*, member: Member, now: datetime) -> QuerySet[LoginRecord]:
    return LoginRecord.objects.filter(
        member=member, recorded_at__gte=now - timedelta(days=LOGIN_HISTORY_DAYS)
    ).select_related("data_key").only("recorded_at", "ip_address", "result", "data_key")


def staff_enrolment_allowed(session: SessionBase) -> bool:
    """This session spent a valid enrolment link a short while ago
    (``services.staff_enrolment_link_use``)."""
    until = session.get(STAFF_ENROLMENT_SESSION_KEY)
    return isinstance(until, int) and time.time() < until
