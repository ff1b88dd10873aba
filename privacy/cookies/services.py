"""Writes of the cookie feature: decisions into the consent ledger, visits, the interest cookie."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from cookie_consent.conf import settings as consent_settings
from cookie_consent.models import CookieGroup
from cookie_consent.util import dict_to_cookie_str, parse_cookie_str
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from privacy.cookies import groups
from privacy.cookies.selectors import (
    INTEREST_KEEP,
    INTEREST_SEP,
    SLUG_RE,
    visitor_id_from,
    visitor_ref_from,
)
from privacy.ledger import consent_record
from privacy.models import ConsentMethod, ConsentRecord, Visit

PATH_MAX = 200


def _subject_for(request: HttpRequest, response: HttpResponseBase) -> tuple[uuid.UUID, Any]:
    """The member when logged in; otherwise the visitor reference, set now if there is none.

    The reference cookie is strictly necessary (it proves the choice just made) and is set only
    when a choice is made, never merely because someone visits."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.subject_ref, user
    ref = visitor_ref_from(request) or uuid.uuid4()
    response.set_cookie(
        groups.VISITOR_REF_COOKIE, str(ref), max_age=consent_settings.COOKIE_CONSENT_MAX_AGE,
        secure=consent_settings.COOKIE_CONSENT_SECURE, httponly=True, samesite="Lax",
    )
    return ref, None


@transaction.atomic
def cookie_decisions_record(
    *, request: HttpRequest, response: HttpResponseBase,
    cookie_groups: Iterable[CookieGroup], granted: bool,
) -> list[Any]:
    """Write each group's decision to the consent ledger as ``cookies:<varname>``.

    django-cookie-consent's own log names no visitor, so it cannot prove a person's consent;
    the ledger can. Refusing analytics also destroys the visitor's visits at once (registry
    rule ANALYTICS_VISITS)."""
    subject_ref, member = _subject_for(request, response)
    cookie_groups = list(cookie_groups)
    records = []
    for group in cookie_groups:
        records.append(consent_record(
            subject_ref=subject_ref, member=member, consent=f"cookies:{group.varname}",
            granted=granted, method=ConsentMethod.COOKIE_BANNER,
            consent_version=group.get_version(),
        ))
        if group.varname == groups.ANALYTICS and not granted:
            visits_destroy_for(request=request)
    subject_refs = {subject_ref, visitor_ref_from(request)} - {None}
    _consent_cookie_limit(response=response, subject_refs=subject_refs,
                          decided={group.varname for group in cookie_groups})
    return records


def _consent_cookie_limit(
    *, response: HttpResponseBase, subject_refs: set[Any], decided: set[str]
) -> None:
    """Keep an acceptance from outliving its 12 months when another group is decided later.

    The library re-sets its one cookie, for a full ``COOKIE_CONSENT_MAX_AGE``, on every decision.
    Acceptances it carries over from earlier are dated by the ledger: the cookie now expires
    when the oldest of them turns 12 months (then the banner asks again), and one already that
    old is dropped, so its group is asked again at once."""
    name = consent_settings.COOKIE_CONSENT_NAME
    morsel = response.cookies.get(name)
    if morsel is None:
        return
    choices = parse_cookie_str(morsel.value)
    carried = {
        varname for varname, version in choices.items()
        # django-appconf adds the library's defaults (COOKIE_CONSENT_DECLINE) to the settings
        # at start-up; the django-stubs plugin sees only clinic_site.settings.
        if varname not in decided
        and version != consent_settings.COOKIE_CONSENT_DECLINE  # type: ignore[misc]
    }
    if not carried:
        return
    granted_at = dict(
        ConsentRecord.objects.filter(
            subject_ref__in=subject_refs, granted=True,
            consent__in=[f"cookies:{varname}" for varname in carried],
        ).values("consent").annotate(at=Max("recorded_at")).order_by().values_list("consent", "at")
    )
    full_age = consent_settings.COOKIE_CONSENT_MAX_AGE
    age, now = full_age, timezone.now()
    for varname in carried:
        accepted_at = granted_at.get(f"cookies:{varname}")
        if accepted_at is None:
            continue
        left = full_age - int((now - accepted_at).total_seconds())
        if left <= 0:
            del choices[varname]
        else:
            age = min(age, left)
    response.set_cookie(
        name, dict_to_cookie_str(choices), max_age=age,
        domain=consent_settings.COOKIE_CONSENT_DOMAIN,  # type: ignore[misc]  # as DECLINE
        secure=consent_settings.COOKIE_CONSENT_SECURE,
        httponly=consent_settings.COOKIE_CONSENT_HTTPONLY,
        samesite=consent_settings.COOKIE_CONSENT_SAMESITE,
    )


def visits_destroy_for(*, request: HttpRequest) -> int:
    visitor_id = visitor_id_from(request)
    if visitor_id is None:
        return 0
    deleted, _ = Visit.objects.filter(visitor_id=visitor_id).delete()
    return deleted


def visit_record(*, visitor_id: uuid.UUID, path: str) -> Visit:
    """One page view: the visitor number, the path without its query string, the time."""
    return Visit.objects.create(
        visitor_id=visitor_id, path=path[:PATH_MAX], visited_at=timezone.now()
    )


def interest_note(*, interest: list[str], slug: str) -> list[str] | None:
    """The interest list with ``slug`` first, or None when nothing changes."""
    if not SLUG_RE.match(slug):
        return None
    updated = [slug, *(s for s in interest if s != slug)][:INTEREST_KEEP]
    return None if updated == interest else updated


def interest_cookie_set(*, response: HttpResponseBase, interest: list[str]) -> None:
    response.set_cookie(
        groups.INTEREST_COOKIE, INTEREST_SEP.join(interest), max_age=groups.INTEREST_COOKIE_AGE,
        secure=consent_settings.COOKIE_CONSENT_SECURE, httponly=True, samesite="Lax",
    )
