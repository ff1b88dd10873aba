"""Keyset ("seek") pagination of querysets ordered newest first by ``(created_at, id)``.

``Paginator`` pages with ``OFFSET``: the database reads and throws away every row before the
page, so page 500 of the board would cost 500 times page 1. Here the links carry the position
of the last (or first) row shown (``?page=<n>&after=<cursor>``, written by the template's
``{% querystring %}``), and the next page starts with an index seek to it. ``?page=<n>`` alone
(old links) is translated to a position by one read of the index columns only.

The total behind "Page 3 of 9" is a ``COUNT`` of the whole list; lists the same for everyone
keep it in the cache for ``COUNT_CACHE_SECONDS``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.db.models import Q, QuerySet

COUNT_CACHE_SECONDS = 60
# A typed page number beyond this is not translated (its seek would read that many entries).
MAX_TRANSLATED_PAGE = 5000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def cursor_for(row: Any) -> str:
    """The position of ``row`` in the list: ``<microseconds since 1970 UTC>_<id>``."""
    delta = row.created_at - _EPOCH
    return f"{(delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds}_{row.pk}"


def cursor_parse(value: str | None) -> tuple[datetime.datetime, int] | None:
    """``(created_at, id)`` of a cursor, or None when it is missing or malformed (``isascii``:
    ``int`` refuses some digits ``isdigit`` accepts)."""
    micros, sep, pk = (value or "").partition("_")
    if not sep or not all(part.isascii() and part.isdigit() and len(part) <= 18
                          for part in (micros, pk)):
        return None
    try:
        return _EPOCH + datetime.timedelta(microseconds=int(micros)), int(pk)
    except OverflowError:
        return None


@dataclass
class KeysetPage:
    """One page of model instances, with the names templates know from Django's ``Page``."""

    object_list: list[Any]
    number: int
    num_pages: int
    has_next: bool
    has_previous: bool
    next_cursor: str = ""
    previous_cursor: str = ""  # empty on page 2: its previous page is the first, no cursor

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return max(1, self.number - 1)


def _total(queryset: QuerySet, count_key: str | None) -> int:
    total = caches["near"].get(count_key) if count_key else None
    if total is None:
        total = queryset.count()
        if count_key:
            caches["near"].set(count_key, total, COUNT_CACHE_SECONDS)
    return total


def keyset_page(queryset: QuerySet, *, params: Any, per_page: int,
                count_key: str | None = None) -> KeysetPage:
    """The page of ``queryset`` (ordered by ``-created_at, -id``) that ``params``
    (``request.GET``) asks for. ``count_key``: the cache key of the total, for a list that
    is the same for every viewer (None: counted now). The count and the seek read only the
    list's own columns: ``select_related`` and ``only`` apply to the page's rows alone."""
    try:
        number = max(1, int(params.get("page") or 1))
    except (TypeError, ValueError):
        number = 1
    after = cursor_parse(params.get("after"))
    before = None if after else cursor_parse(params.get("before"))
    total = _total(queryset, count_key)
    last_page = max(1, -(-total // per_page))
    if after is None and before is None:
        number = 1 if number > MAX_TRANSLATED_PAGE else min(number, last_page)
    if after is None and before is None and number > 1:
        offset = (number - 1) * per_page - 1
        found = list(queryset.values_list("created_at", "pk")[offset:offset + 1])
        after, number = (found[0], number) if found else (None, 1)
    if before is not None:
        created_at, pk = before
        rows = list(queryset.filter(
            Q(created_at__gt=created_at) | Q(created_at=created_at, pk__gt=pk),
            created_at__gte=created_at,
        ).order_by("created_at", "pk")[:per_page + 1])
        has_previous, has_next = len(rows) > per_page, bool(rows)
        rows = rows[:per_page][::-1]
        number = number if has_previous else 1
    else:
        if after is not None:
            created_at, pk = after
            # ``created_at <= t`` bounds the index range; the OR only breaks ties.
            queryset = queryset.filter(
                Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk),
                created_at__lte=created_at,
            )
        rows = list(queryset[:per_page + 1])
        has_next, has_previous = len(rows) > per_page, after is not None
        rows = rows[:per_page]
        number = max(number, 2) if has_previous else 1
    return KeysetPage(
        object_list=rows, number=number, num_pages=max(last_page, number),
        has_next=has_next and bool(rows), has_previous=has_previous,
        next_cursor=cursor_for(rows[-1]) if rows and has_next else "",
        previous_cursor=cursor_for(rows[0]) if rows and has_previous and number > 2 else "",
    )
