"""Markup written in Python for the rows of a list, escaped exactly as Django escapes.

``django.utils.html.escape``, ``format_html`` and ``linebreaksbr`` accept lazy translations,
so each call first checks every argument for one; the rows of a list call them a hundred
times a page, and those checks cost more than the escaping. The values here are plain
``str`` read from the database, and the results are what Django's functions return for them
(tests/clinic_site/test_markup.py compares the two)."""

from __future__ import annotations

from html import escape as _escape

from django.utils.safestring import SafeString


def escape_text(value: str) -> str:
    """``django.utils.html.escape`` of plain text (``&``, ``<``, ``>``, quotes)."""
    return _escape(value)


def text_to_html(value: str) -> SafeString:
    """``linebreaksbr`` of plain text: escaped, every line break a ``<br>``."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return SafeString(_escape(text).replace("\n", "<br>"))
