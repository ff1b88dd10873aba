"""URLs for every row of a list at the cost of one ``reverse()``.

``reverse()`` walks the URL conf each time (about 15 us): twenty rows, twenty walks, more
than the query that read them. A pattern with one integer argument is reversed once with a
marker and the rows' URLs are formatted from it."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

_MARKER = 987654321987


def reverse_each(viewname: str) -> Callable[[int], str]:
    """A function ``pk -> reverse(viewname, args=[pk])`` that reverses only once."""
    head, tail = reverse(viewname, args=[_MARKER]).split(str(_MARKER))
    return lambda pk: f"{head}{int(pk)}{tail}"
