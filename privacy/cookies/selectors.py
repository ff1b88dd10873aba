"""Reads: the visitor's cookie choices (from the consent cookie and the cached groups, no
query), the interest cookie and the visit report."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from cookie_consent.cache import all_cookie_groups
from cookie_consent.util import get_cookie_value_from_request
from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractHour, TruncDate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from privacy import registry
from privacy.cookies import groups
from privacy.models import (
    Visit,
)

SLUG_RE = re.compile(r"^[-a-z0-9_]{1,40}$")
INTEREST_SEP = "."
INTEREST_KEEP = 5

T = TypeVar("T")


def cookie_group_accepted(request: HttpRequest, varname: str) -> bool:
    """True only for an explicit, current acceptance: opt-in, never assumed."""
    return get_cookie_value_from_request(request, varname) is True


def _cookie_label(name: str) -> str:
    return gettext("Cookies: %(group)s") % {"group": gettext(name)}


def cookie_consent_labels() -> dict[str, str]:
    """Labels of the ``cookies:<group>`` ledger keys, for pages listing a person's consents
    (the registry declares the other consents; cookie groups are managed in the admin). From
    the cached groups: no query."""
    return {f"cookies:{varname}": _cookie_label(group.name or varname)
            for varname, group in all_cookie_groups().items()}


def cookie_consent_label(consent: str) -> str:
    """The label of one ``cookies:<group>`` key (a group since deleted keeps its key's name)."""
    return cookie_consent_labels().get(consent) or _cookie_label(
        consent.removeprefix("cookies:"))


def visitor_id_from(request: HttpRequest) -> uuid.UUID | None:
    """The analytics cookie's visitor number, if it is one we could have set."""
    raw = request.COOKIES.get(groups.ANALYTICS_COOKIE, "")
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def visitor_ref_from(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.COOKIES.get(groups.VISITOR_REF_COOKIE, ""))
    except ValueError:
        return None


def interest_from(request: HttpRequest) -> list[str]:
    """Area slugs from the interest cookie, most recent first; anything malformed is dropped."""
    raw = request.COOKIES.get(groups.INTEREST_COOKIE, "")
    slugs = [slug for slug in raw.split(INTEREST_SEP) if SLUG_RE.match(slug)]
    return list(dict.fromkeys(slugs))[:INTEREST_KEEP]


def interest_order(items: Iterable[T], *, interest: Sequence[str],
                   key: Any = lambda item: item.slug) -> list[T]:
    """``items`` with the ones of recent interest first (most recent first), the rest as given."""
    rank = {slug: index for index, slug in enumerate(interest)}
    listed = list(items)
    return sorted(listed, key=lambda item: rank.get(key(item), len(rank)))


def visit_counts_by_day(*, first: date, last: date) -> list[tuple[date, int]]:
    """Visits per local day from ``first`` to ``last`` inclusive, days without visits as 0."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()), tz)
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), datetime.min.time()), tz)
    counts = dict(
        Visit.objects.filter(visited_at__gte=start, visited_at__lt=end)
        .annotate(day=TruncDate("visited_at", tzinfo=tz))
        .values("day").annotate(n=Count("id")).order_by().values_list("day", "n")
    )
    days = (last - first).days + 1
    return [(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0))
            for i in range(days)]


def visit_counts_by_hour(*, first: date, last: date) -> list[tuple[int, int]]:
    """Visits per local hour of the day (0-23) over the days ``first`` to ``last``."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()), tz)
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), datetime.min.time()), tz)
    counts = dict(
        Visit.objects.filter(visited_at__gte=start, visited_at__lt=end)
        .annotate(hour=ExtractHour("visited_at", tzinfo=tz))
        .values("hour").annotate(n=Count("id")).order_by().values_list("hour", "n")
    )
    return [(hour, counts.get(hour, 0)) for hour in range(24)]


def visits_due_for_destruction(*, now: datetime) -> QuerySet[Visit]:
    """Visit records past the registry's ANALYTICS_VISITS rule (13 months after the visit)."""
    live_for = registry.ANALYTICS_VISITS.live_for
    assert live_for is not None
    return Visit.objects.filter(visited_at__lt=now - live_for)
