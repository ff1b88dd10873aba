"""The clinic's public pages for search engines: each area's page, the doctors and the visit
page (django.contrib.sitemaps)."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from clinic.models import ProcedurePage
from clinic.selectors import procedure_pages_published


class ProcedurePageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self) -> list[ProcedurePage]:
        return list(procedure_pages_published().values())

    def location(self, item: ProcedurePage) -> str:
        return reverse("clinic:procedure_page", args=[item.area.slug])

    def lastmod(self, item: ProcedurePage) -> object:
        return item.updated_at


class ClinicPagesSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self) -> list[str]:
        return ["clinic:doctors", "clinic:visit"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"procedures": ProcedurePageSitemap, "clinic": ClinicPagesSitemap}
