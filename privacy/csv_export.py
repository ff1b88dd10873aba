"""Every CSV the site writes (the admin's member export, the officer's report and inventory):
a UTF-8 byte order mark first, so Excel on Korean Windows reads Hangul as UTF-8, and no cell
that a spreadsheet would run as a formula.

Cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading
apostrophe (OWASP's advice against CSV injection): ``=HYPERLINK(...)`` in a member's name is
shown as text, never followed as a link."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """The text of one cell, neutralised when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _BomFirst:
    """A text stream whose first write is preceded by the BOM, in the same ``write`` call
    (a management command's ``OutputWrapper`` ends every separate write with a newline)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._pending = True

    def write(self, text: str) -> int:
        if self._pending:
            self._pending = False
            text = BOM + text
        return self._out.write(text)


class SafeCSVWriter:
    """``csv.writer`` whose every cell goes through ``csv_cell``; the BOM starts the first
    row written."""

    def __init__(self, out: TextIO, *, bom: bool = True, **options: Any) -> None:
        self._writer = csv.writer(_BomFirst(out) if bom else out, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
