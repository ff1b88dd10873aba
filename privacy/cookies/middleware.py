"""Records a visit and notes interests, only for the cookie groups the visitor accepted.

Runs inside django-cookie-consent's ``CleanCookiesMiddleware``, which removes the optional
cookies of groups not (or no longer) accepted from every response."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from cookie_consent.conf import settings as consent_settings
from django.http import HttpRequest, HttpResponseBase

from privacy.cookies import groups
from privacy.cookies.selectors import cookie_group_accepted, interest_from, visitor_id_from
from privacy.cookies.services import interest_cookie_set, interest_note, visit_record

# Account pages carry one-time keys in their paths (email confirmation, password reset).
NOT_COUNTED_PREFIXES = ("/admin/", "/accounts/", "/static/", "/cookies/", "/i18n/", "/healthz")
INTEREST_PREFIXES = ("/consultations/", "/reviews/")


def page_pattern(request: HttpRequest) -> str:
    """The page's URL pattern, not its path: ids and tokens in a path (a member's private post,
    a signed unsubscribe link) would tie the pseudonymous visitor to a person."""
    match = getattr(request, "resolver_match", None)
    return f"/{match.route}" if match is not None and match.route else request.path


def _is_page_view(request: HttpRequest, response: HttpResponseBase) -> bool:
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not request.path.startswith(NOT_COUNTED_PREFIXES)
    )


class CookieFeaturesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not request.COOKIES.get(consent_settings.COOKIE_CONSENT_NAME):
            return response  # no choice made: nothing optional, not even a cache read
        analytics = cookie_group_accepted(request, groups.ANALYTICS)
        marketing = cookie_group_accepted(request, groups.MARKETING)
        self.drop_unaccepted(request, response, {
            groups.ANALYTICS_COOKIE: analytics, groups.INTEREST_COOKIE: marketing,
        })
        if not _is_page_view(request, response):
            return response
        if analytics:
            self.count_visit(request, response)
        if marketing:
            self.note_interest(request, response)
        return response

    def drop_unaccepted(self, request: HttpRequest, response: HttpResponseBase,
                        accepted: dict[str, bool]) -> None:
        """Also expire our cookies of a group accepted at an older version (a cookie was added
        since): the library leaves those until the visitor decides again."""
        for name, is_accepted in accepted.items():
            if not is_accepted and name in request.COOKIES and name not in response.cookies:
                response.delete_cookie(name, samesite="Lax")

    def count_visit(self, request: HttpRequest, response: HttpResponseBase) -> None:
        visitor_id = visitor_id_from(request)
        if visitor_id is None:
            visitor_id = uuid.uuid4()
            response.set_cookie(
                groups.ANALYTICS_COOKIE, str(visitor_id), max_age=groups.ANALYTICS_COOKIE_AGE,
                secure=consent_settings.COOKIE_CONSENT_SECURE, httponly=True, samesite="Lax",
            )
        visit_record(visitor_id=visitor_id, path=page_pattern(request))

    def note_interest(self, request: HttpRequest, response: HttpResponseBase) -> None:
        """A consultation or review page of an area (``?area=<slug>``, or a view that sets
        ``request.interest_area``) moves that area to the front of the interest cookie."""
        slug = getattr(request, "interest_area", None)
        if slug is None and request.path.startswith(INTEREST_PREFIXES):
            slug = request.GET.get("area")
        if not slug:
            return
        updated = interest_note(interest=interest_from(request), slug=str(slug))
        if updated is not None:
            interest_cookie_set(response=response, interest=updated)
