"""Site-wide pages that belong to no app: the home page, the health check, what crawlers and
browsers ask of every site (robots.txt, favicon.ico) and the error pages that need a view
(server error, CSRF failure)."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from clinic.selectors import procedure_pages_published
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

HEALTH_CACHE_KEY = "healthz:probe"
HEALTH_CACHE_SECONDS = 10

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """With marketing cookies accepted, the areas the visitor looked at recently come first;
    an area's tile links to its page once staff have published one."""
    areas = area_list_cached()
    if cookie_group_accepted(request, MARKETING):
        areas = interest_order(areas, interest=interest_from(request))
    pages = procedure_pages_published()
    # A sorted list: the page's cached fragment is keyed by it (home.html).
    return render(request, "home.html", {
        "areas": areas, "area_pages": sorted(area.pk for area in areas if area.slug in pages),
    })


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Which paths crawlers may read (templates/robots.txt), and where the sitemap is."""
    return render(request, "robots.txt", {
        "sitemap_url": request.build_absolute_uri(reverse("sitemap")),
    }, content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """``/favicon.ico``, which browsers ask for whatever the page links: sent on to the static
    file. Not a permanent redirect: the static file's name changes with its content."""
    return HttpResponseRedirect(static("favicon.ico"))


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every database answers, the cache stores and returns a value and no migration
    is pending on either database; 503 otherwise, naming the failing checks, never why (no
    exception text, no stack trace, no personal data in the answer)."""
    databases = {alias: _database_ok(alias) for alias in HEALTH_CHECKED_DATABASES}
    checks = {
        **{f"database:{alias}": ok for alias, ok in databases.items()},
        "cache": _cache_ok(),
        # Pending migrations are only asked of a database that answers.
        "migrations": all(databases.values()) and all(
            _migrations_applied(alias) for alias in HEALTH_CHECKED_DATABASES
        ),
    }
    failing = [name for name, ok in checks.items() if not ok]
    body: dict[str, object] = {
        "status": "unavailable" if failing else "ok",
        "databases": {alias: "ok" if ok else "unavailable" for alias, ok in databases.items()},
        "cache": "ok" if checks["cache"] else "unavailable",
        "migrations": "ok" if checks["migrations"] else "pending",
    }
    if failing:
        body["failing"] = failing
        logger.warning("health check failing: %s", ", ".join(failing))
    return JsonResponse(body, status=503 if failing else 200)


def _database_ok(alias: str) -> bool:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def _cache_ok() -> bool:
    """A value written to the shared cache (Redis in production) reads back the same."""
    token = secrets.token_hex(8)
    try:
        cache = caches["default"]
        cache.set(HEALTH_CACHE_KEY, token, timeout=HEALTH_CACHE_SECONDS)
        return bool(cache.get(HEALTH_CACHE_KEY) == token)
    except Exception:  # any backend error (Redis down, a timeout) means "unavailable"
        return False


def _migrations_applied(alias: str) -> bool:
    """No migration of the code is missing from the database's migration table."""
    try:
        executor = MigrationExecutor(connections[alias])
        return not executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return False


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
