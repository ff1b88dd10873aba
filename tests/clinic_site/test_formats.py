"""Dates are shown one way in both languages, the Korean way: 2026-11-25 (and 14:05).

Django's locale formats would write "2026년 11월 25일" in Korean and "Nov. 25, 2026" in
English, and differently per page; the templates give the format explicitly instead, and this
test keeps every template to it. Phone numbers and names are checked in the browser tests
(tests/e2e): phones are stored and shown as 010-1234-5678, names whole, family name first."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.template import engines
from django.utils import translation

from clinic_site.i18n_tools import ROOT, SOURCE_DIRS

ALLOWED = {'"Y-m-d"', '"Y-m-d H:i"', "'c'", '"c"'}
DATE_FILTER = re.compile(r"\|date(?::(\"[^\"]*\"|'[^']*'))?")
# A variable named like a date or time, printed without a format. ``minute`` and ``day``
# (privacy_tags) print the two allowed formats, for pages that print dozens of dates.
DATE_VARIABLE = re.compile(
    r"{{\s*[\w.]*(?:_at|_on|date|_since|_until|birth_date)\s*}}|"
    r"{{\s*[\w.]*(?:_at|_on|date)\s*\|\s*(?!(?:date|minute|day)\b)[^}]*}}"
)


def templates() -> list[Path]:
    return [path for folder in SOURCE_DIRS for path in (ROOT / folder).rglob("*")
            if path.suffix in (".html", ".txt") and "templates" in path.parts]


def test_every_date_filter_has_the_one_format() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}: |date{':' + match.group(1) if match.group(1) else ''}"
        for path in templates()
        for match in DATE_FILTER.finditer(path.read_text(encoding="utf-8"))
        if match.group(1) not in ALLOWED
    ]
    assert wrong == []


def test_no_date_is_printed_in_the_locale_format() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in templates()
        for match in DATE_VARIABLE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert wrong == []


@pytest.mark.parametrize("text, found", [
    ('{{ record.recorded_at|date:"Y-m-d H:i" }}', False),
    ("{{ record.recorded_at|minute }}", False),
    ("{{ record.recorded_at }}", True),
    ("{{ version.effective_on|default:'-' }}", True),
    ("{{ version.effective_on|dayname }}", True),
])
def test_the_scan_tells_formatted_dates_from_bare_ones(text: str, found: bool) -> None:
    assert bool(DATE_VARIABLE.search(text)) is found


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("value", [
    datetime.datetime(2026, 11, 25, 15, 30, 59, tzinfo=datetime.UTC),  # 00:30 the next day
    datetime.datetime(2026, 3, 1, 9, 5, tzinfo=datetime.UTC),
    datetime.date(2026, 2, 28),
    None,
])
def test_the_cheap_date_filters_print_the_one_format(language: str, value: object) -> None:
    """``|minute`` and ``|day`` print what ``|date`` with the allowed formats prints."""

    django = engines["django"]
    with translation.override(language):
        for cheap, formatted in (("minute", '"Y-m-d H:i"'), ("day", '"Y-m-d"')):
            if cheap == "minute" and type(value) is datetime.date:
                formatted = '"Y-m-d"'  # a date has no time of day to print
            got = django.from_string(f"{{% load privacy_tags %}}{{{{ v|{cheap} }}}}")
            want = django.from_string(f"{{{{ v|date:{formatted} }}}}")
            assert got.render({"v": value}) == want.render({"v": value})
