"""The side-by-side comparison of two versions' texts (신구대비표), as Korean readers expect it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from itertools import zip_longest


@dataclass(frozen=True)
class ComparisonRow:
    """One row of the table: the old line and the new one; empty where a side has none.

    ``gap`` marks unchanged text left out between two changes."""

    old: str = ""
    new: str = ""
    gap: bool = False


def comparison_rows(old: list[str], new: list[str]) -> list[ComparisonRow]:
    """The changed lines of ``old`` and ``new`` side by side, each replaced line beside its
    replacement, removed lines with an empty new side and added ones with an empty old side.
    Unchanged lines are left out, one gap row standing for each run of them between changes."""
    rows: list[ComparisonRow] = []
    for tag, old_start, old_end, new_start, new_end in difflib.SequenceMatcher(
        a=old, b=new, autojunk=False
    ).get_opcodes():
        if tag == "equal":
            if rows:
                rows.append(ComparisonRow(gap=True))
            continue
        pairs = zip_longest(old[old_start:old_end], new[new_start:new_end], fillvalue="")
        rows.extend(ComparisonRow(old=before, new=after) for before, after in pairs)
    if rows and rows[-1].gap:
        rows.pop()
    return rows
