"""Writes of the cookie feature: decisions into the consent ledger, visits, the interest cookie."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from cookie_consent.conf import settings as consent_settings
from cookie_consent.models import CookieGroup
from django.db import transaction
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
from privacy.models import ConsentMethod, Visit
from privacy.services import consent_record

PATH_MAX = 200


def _subject_for(request: HttpRequest, response: HttpResponseBase) -> tuple[uuid.UUID, Any]:
    """The member when logged in; otherwise the visitor reference, set now if there is none.

    The reference cookie is strictly necessary (it proves the choice just made) and is set only
    when a choice is made, never merely because someone visits."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # The member itself, not request.user's lazy wrapper, so the database router sees a model.
        member = getattr(user, "_wrapped", user)
        return member.subject_ref, member
    ref = visitor_ref_from(request) or uuid.uuid4()
    response.set_cookie(
        groups.VISITOR_REF_COOKIE, str(ref), max_age=groups.CONSENT_AGE,
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
    records = []
    for group in cookie_groups:
        records.append(consent_record(
            subject_ref=subject_ref, member=member, consent=f"cookies:{group.varname}",
            granted=granted, method=ConsentMethod.COOKIE_BANNER,
            consent_version=group.get_version(),
        ))
        if group.varname == groups.ANALYTICS and not granted:
            visits_destroy_for(request=request)
    return records


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
