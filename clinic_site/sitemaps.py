"""The sitemap (``/sitemap.xml``): the public pages a search engine may list.

Only pages without anything personal: the boards' lists, not the questions on them. A new
public page is one more URL name in ``PublicPagesSitemap.items``; a set of pages of their own
(the clinic's procedures, its doctors) is a ``Sitemap`` class of its own added to
``SITEMAPS``.
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class PublicPagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["home", "consultations:list", "reviews:list", "privacy:policy"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS: dict[str, type[Sitemap]] = {"pages": PublicPagesSitemap}
