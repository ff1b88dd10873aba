"""Reads of the clinic pages. They are the same for every visitor and change only when staff
edit them, so each is kept in the near cache (process memory before the shared cache) and the
admin clears it on every change: a warm page costs no query for them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

from clinic.models import Doctor, Holiday, OpeningHours, ProcedurePage, VisitInformation

T = TypeVar("T")

_CACHE_SECONDS = 300
_KEYS = ("clinic:pages", "clinic:doctors", "clinic:hours", "clinic:holidays", "clinic:visit")
NAVER_MAP_SEARCH = "https://map.naver.com/p/search/"
KAKAO_MAP_SEARCH = "https://map.kakao.com/link/search/"


def _cached(key: str, load: Callable[[], T]) -> T:
    value = caches["near"].get(key)
    if value is None:
        value = load()
        caches["near"].set(key, value, _CACHE_SECONDS)
    return value


def clinic_cache_clear() -> None:
    """Clear now and once the change is committed (a read in between would put the old
    value back)."""
    caches["near"].delete_many(list(_KEYS))
    transaction.on_commit(lambda: caches["near"].delete_many(list(_KEYS)))


def procedure_pages_published() -> dict[str, ProcedurePage]:
    """The published pages by area slug, with their areas; shared between requests: read
    them, never change them."""
    return _cached("clinic:pages", lambda: {
        page.area.slug: page
        for page in ProcedurePage.objects.published().select_related("area")
    })


def procedure_page_for(slug: str) -> ProcedurePage | None:
    return procedure_pages_published().get(slug)


def doctors_shown() -> list[Doctor]:
    return _cached("clinic:doctors", lambda: list(Doctor.objects.active()))


def opening_hours() -> dict[int, OpeningHours]:
    """Opening hours by weekday (0 is Monday); a missing weekday is closed."""
    return _cached("clinic:hours", lambda: {
        hours.weekday: hours for hours in OpeningHours.objects.all()
    })


def holidays() -> dict[datetime.date, Holiday]:
    return _cached("clinic:holidays", lambda: {
        holiday.date: holiday for holiday in Holiday.objects.all()
    })


def holidays_upcoming(*, today: datetime.date, limit: int = 10) -> list[Holiday]:
    return [holiday for day, holiday in sorted(holidays().items()) if day >= today][:limit]


def visit_information() -> VisitInformation | None:
    # A list, so that "no row" is cached too (the cache cannot tell None from a miss).
    rows = _cached("clinic:visit", lambda: list(VisitInformation.objects.all()[:1]))
    return rows[0] if rows else None


def hours_on(day: datetime.date) -> OpeningHours | None:
    """The opening hours of ``day``; None when the clinic is closed (a holiday or a weekday
    without hours)."""
    if day in holidays():
        return None
    return opening_hours().get(day.weekday())


def clinic_open_for(day: datetime.date, start: datetime.time, end: datetime.time) -> bool:
    hours = hours_on(day)
    return hours is not None and hours.covers(start, end)


@dataclass(frozen=True)
class MapLinks:
    naver: str
    kakao: str


def map_links() -> MapLinks:
    """Links that open the clinic in Naver Map and Kakao Map: plain URLs the visitor follows,
    so the page itself loads no script, frame or map tile of theirs."""
    query = quote(settings.CLINIC_MAP_QUERY, safe="")
    return MapLinks(naver=NAVER_MAP_SEARCH + query, kakao=KAKAO_MAP_SEARCH + query)
