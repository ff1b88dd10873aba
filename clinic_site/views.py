"""Site-wide pages that belong to no app: the home page and the health check."""

from __future__ import annotations

from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from consultations.selectors import area_list_cached
from privacy.cookies.groups import MARKETING
from privacy.cookies.selectors import cookie_group_accepted, interest_from, interest_order

HEALTH_CHECKED_DATABASES = ("default", "retention")


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
