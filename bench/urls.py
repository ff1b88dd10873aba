"""The site's URLs plus ``/bench/bare/``: a constant response through the whole middleware
stack, the yardstick every page's throughput is compared with."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from clinic_site.urls import urlpatterns as site_urlpatterns

BARE_PATH = "/bench/bare/"


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path(BARE_PATH.strip("/") + "/", bare, name="bench_bare"), *site_urlpatterns]
