"""The one CSV writer of the site: BOM first, formula cells neutralised."""

from __future__ import annotations

import csv
import io

import pytest

from privacy.csv_export import BOM, SafeCSVWriter, csv_cell


@pytest.mark.parametrize("value", ["=1+1", "+82 10", "-5", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(value: str) -> None:
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["김민수", "010-1234-5678", "", "a=b", "'=x"])
def test_other_cells_are_kept(value: str) -> None:
    assert csv_cell(value) == value


def test_the_writer_starts_with_the_bom_and_hangul_round_trips() -> None:
    out = io.StringIO()
    writer = SafeCSVWriter(out)
    writer.writerow(["name", "memo"])
    writer.writerows([["김민수", '=HYPERLINK("http://x")'], [None, 3]])
    data = out.getvalue().encode("utf-8")
    assert data.startswith(BOM.encode("utf-8"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["name", "memo"], ["김민수", '\'=HYPERLINK("http://x")'], ["", "3"]]
