"""Site-wide pages that belong to no app: the home page, the health check and the error
pages that need a view (server error, CSRF failure)."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from consultations.selectors import area_list_cached
from privacy.controller import site_for
from privacy.cookies.groups import MARKETING
from privacy.cookies.selectors import cookie_group_accepted, interest_from, interest_order

HEALTH_CHECKED_DATABASES = ("default", "retention")
# What the server-error page says when even its template cannot render.
SERVER_ERROR_FALLBACK = (
    "<!DOCTYPE html><html lang=\"ko\"><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    "<title>오류 · Error</title><h1>일시적인 오류가 발생했습니다</h1>"
    "<p>잠시 후 다시 시도해 주십시오.</p><p lang=\"en\">Something went wrong on our side. "
    "Please try again in a few minutes.</p><p><a href=\"/\">홈 · Home</a></p></html>"
)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """With marketing cookies accepted, the areas the visitor looked at recently come first."""
    areas = area_list_cached()
    if cookie_group_accepted(request, MARKETING):
        areas = interest_order(areas, interest=interest_from(request))
    return render(request, "home.html", {"areas": areas})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every database answers, 503 otherwise; says which, never why (no details leak)."""
    status = {}
    for alias in HEALTH_CHECKED_DATABASES:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
            status[alias] = "ok"
        except DatabaseError:
            status[alias] = "unavailable"
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "databases": status},
        status=200 if healthy else 503,
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page (``handler400``), rendered with the request like the 403 and 404 pages
    (Django's own handler renders without it, so the layout would lose the clinic's name and
    language)."""
    return render(request, "400.html", status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page (``handler500``): rendered without the request, from settings only (the
    clinic's name), in the language the request was being served in; plain bilingual HTML if
    even that fails."""
    try:
        body = loader.get_template("500.html").render(
            site_for(get_language() or settings.LANGUAGE_CODE)
        )
    except Exception:  # the error page itself must never fail
        body = SERVER_ERROR_FALLBACK
    return HttpResponseServerError(body)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the site's page, asking to reload the form; the reason is for
    the log (django.security.csrf), not for the visitor."""
    return render(request, "403_csrf.html", status=403)
