"""Keyset ("seek") pagination of lists ordered newest first by ``(created_at, id)``.

``Paginator`` pages with ``OFFSET``: the database reads and throws away every row before the
page, so page 500 of the board costs 500 times page 1. Here the links carry the position of the
last (or first) row shown, ``?page=<n>&after=<cursor>``, and the next page starts with an index
seek to that position: every page costs the same at any depth. ``page`` alone (old links, a
typed number) is translated to a position by one seek over the index only (no table rows), and
the page number in a link is only what the page says it is ("Page 3 of 9").

The total behind "of 9" is a ``COUNT`` over the whole list, the one cost that grows with the
data; lists without a title search keep it in the cache for ``COUNT_CACHE_SECONDS`` (a new post
shows in the total within that time; the rows themselves are always current).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import caches
from django.db.models import Q, QuerySet

from clinic_site.statements import ANY_ID, ANY_MOMENT, Statement

COUNT_CACHE_SECONDS = 60
# A page number beyond this is not translated to a position (the seek reads that many index
# entries); such links did not exist on the site, so the first page is shown instead.
MAX_TRANSLATED_PAGE = 5000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def cursor_for(row: Any) -> str:
    """The position of ``row`` (a model instance, or a dict from ``values()``) in the list:
    ``<microseconds since 1970 UTC>_<id>``."""
    created_at, pk = (row["created_at"], row["id"]) if isinstance(row, dict) else (
        row.created_at, row.pk
    )
    delta = created_at - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros}_{pk}"


def _ascii_digits(text: str) -> bool:
    """``str.isdigit`` alone accepts '²' and other digits ``int`` refuses."""
    return text.isascii() and text.isdigit()


def cursor_parse(value: str | None) -> tuple[datetime.datetime, int] | None:
    """``(created_at, id)`` of a cursor, or None when it is missing or malformed."""
    micros, sep, pk = (value or "").partition("_")
    if not sep or not _ascii_digits(micros) or not _ascii_digits(pk) or max(
        len(micros), len(pk)
    ) > 18:
        return None
    try:
        created_at = _EPOCH + datetime.timedelta(microseconds=int(micros))
    except OverflowError:
        return None
    return created_at, int(pk)


def _number(value: str | None) -> int:
    try:
        number = int(value or 1)
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else 1


@dataclass
class KeysetPage:
    """One page of rows; the names ``number``, ``has_next``, ... follow Django's ``Page``."""

    rows: list[Any]
    number: int
    per_page: int
    has_next: bool
    has_previous: bool
    total: int
    next_cursor: str = ""
    previous_cursor: str = ""
    # The links' query strings, as ``{% querystring %}`` would write them.
    next_query: str = ""
    previous_query: str = ""
    paginator: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.paginator = self  # templates written for Django's Page read page.paginator.*

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page), self.number)

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return max(1, self.number - 1)


def _querystring(params: Any, **changes: Any) -> str:
    """``params`` (``request.GET``) with ``changes`` (None removes a key), written as Django's
    ``{% querystring %}`` tag writes it; built here once per page, not by a tag per link."""
    if not hasattr(params, "urlencode"):
        return ""  # no request behind the page (e.g. a selector called from the shell)
    query = params.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = str(value)
    if not query and not params:
        return ""
    return f"?{query.urlencode()}"


def _after(queryset: QuerySet, position: tuple[datetime.datetime, int]) -> QuerySet:
    created_at, pk = position
    # ``created_at <= t`` bounds the index range (both databases seek to it); the OR only
    # breaks ties among rows posted in the same microsecond.
    return queryset.filter(
        Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk),
        created_at__lte=created_at,
    )


def _before(queryset: QuerySet, position: tuple[datetime.datetime, int]) -> QuerySet:
    created_at, pk = position
    return queryset.filter(
        Q(created_at__gt=created_at) | Q(created_at=created_at, pk__gt=pk),
        created_at__gte=created_at,
    )


# Row queries compiled once per process (``keyset_page(statement_key=...)``), by key,
# direction, columns, page size and database.
_statements: dict[tuple[Any, ...], Statement] = {}


def _row_queryset(queryset: QuerySet, position: tuple[datetime.datetime, int] | None,
                  direction: str, columns: tuple[str, ...]) -> QuerySet:
    if direction == "before":
        queryset = _before(queryset, position).order_by("created_at", "pk")
    elif direction == "after":
        queryset = _after(queryset, position)
    return queryset.values(*columns) if columns else queryset


def _rows(queryset: QuerySet, position: tuple[datetime.datetime, int] | None, *,
          direction: str, columns: tuple[str, ...], limit: int,
          statement_key: Any) -> list[Any]:
    """Up to ``limit`` rows from ``position`` on in ``direction`` ("first", "after",
    "before"); with ``statement_key`` (and ``columns``), by the SQL compiled the first time."""
    if statement_key is None or not columns:
        return list(_row_queryset(queryset, position, direction, columns)[:limit])
    key = (statement_key, direction, columns, limit, queryset.db)
    if key not in _statements:
        stand_in = None if direction == "first" else (ANY_MOMENT, ANY_ID)
        _statements[key] = Statement.compile(
            _row_queryset(queryset, stand_in, direction, columns)[:limit], queryset.db,
            expect=() if stand_in is None else ("moment", "id"),
        )
    moment, pk = position or (ANY_MOMENT, ANY_ID)
    return _statements[key].rows(moment=moment, id=pk)


def _total(queryset: QuerySet, count_key: str | None) -> int:
    if count_key is None:
        return queryset.count()
    cache = caches["near"]
    total = cache.get(count_key)
    if total is None:
        total = queryset.count()
        cache.set(count_key, total, COUNT_CACHE_SECONDS)
    return total


def keyset_page(
    queryset: QuerySet,
    *,
    params: Any,
    per_page: int,
    count_key: str | None = None,
    columns: tuple[str, ...] = (),
    statement_key: Any = None,
) -> KeysetPage:
    """The page that ``params`` (``request.GET``) asks for from ``queryset``, which must be
    ordered by ``-created_at, -id``. ``count_key`` names the cached total (None: count now).
    With ``columns``, the rows are dicts of those columns (``values()``); the count and the
    seek still read only the list's own table, without the joins the columns need. With
    ``statement_key`` as well, the rows' query is compiled once per process
    (``clinic_site.statements``): the key must name everything its SQL depends on besides the
    position (e.g. the area filtered on), as two querysets with one key share one SQL."""
    number = _number(params.get("page"))
    after = cursor_parse(params.get("after"))
    before = None if after else cursor_parse(params.get("before"))
    total = _total(queryset, count_key)
    if after is None and before is None and number > 1:
        last = max(1, -(-total // per_page))
        number = 1 if number > MAX_TRANSLATED_PAGE else min(number, last)
        if number > 1:
            seek = queryset.values_list("created_at", "pk")[
                (number - 1) * per_page - 1:(number - 1) * per_page
            ]
            found = list(seek)
            if found:
                after = found[0]
            else:  # the list shrank since it was counted
                number = 1
    if after is not None:
        number = max(number, 2)  # rows after a position are never the first page
    if before is not None:
        rows = _rows(queryset, before, direction="before", columns=columns,
                     limit=per_page + 1, statement_key=statement_key)
        has_previous = len(rows) > per_page
        rows = rows[:per_page][::-1]
        has_next = True
        if not has_previous:
            number = 1
    else:
        rows = _rows(queryset, after, direction="first" if after is None else "after",
                     columns=columns, limit=per_page + 1, statement_key=statement_key)
        has_next = len(rows) > per_page
        rows = rows[:per_page]
        has_previous = after is not None
        if after is None:
            number = 1
    if not rows:
        has_next = False
    next_cursor = cursor_for(rows[-1]) if rows and has_next else ""
    previous_cursor = cursor_for(rows[0]) if rows and has_previous and number > 2 else ""
    has_previous = has_previous and number > 1
    return KeysetPage(
        rows=rows,
        number=number,
        per_page=per_page,
        has_next=has_next,
        has_previous=has_previous,
        total=total,
        next_cursor=next_cursor,
        previous_cursor=previous_cursor,
        next_query=_querystring(params, page=number + 1, after=next_cursor, before=None)
        if has_next else "",
        previous_query=(
            _querystring(params, page=max(1, number - 1), before=previous_cursor, after=None)
            if previous_cursor else _querystring(params, page=None, before=None, after=None)
        ) if has_previous else "",
    )

