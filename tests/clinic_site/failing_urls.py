"""The site's URLs plus one view that fails, for the error-report and log tests."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from clinic_site.urls import urlpatterns as site_urlpatterns


def boom(request: HttpRequest, token: str) -> HttpResponse:
    name = request.POST.get("name", "")  # a local variable holding a personal value
    raise RuntimeError(f"the view failed after reading {len(name)} characters")


urlpatterns = [path("boom/<str:token>/", boom), *site_urlpatterns]
