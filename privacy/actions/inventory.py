"""``privacy inventory [--csv]``: what personal data is held, item by item, with no values."""

from __future__ import annotations

import argparse
import getpass
from typing import Any, TextIO

from django.utils import timezone

from privacy.actions.base import Action
from privacy.console.inventory import INVENTORY_COLUMNS, inventory_rows, inventory_take
from privacy.csv_export import SafeCSVWriter

# Terminal layout: (column, width); the label and basis are long, so the table shows keys.
_TABLE = (
    ("key", 28), ("live_subjects", 9), ("live_records", 9), ("retained_subjects", 9),
    ("retained_records", 9), ("oldest", 11), ("due_now", 8), ("due_7_days", 8),
    ("due_30_days", 8),
)
_HEADINGS = {
    "key": "item", "live_subjects": "subjects", "live_records": "records",
    "retained_subjects": "ret.subj", "retained_records": "ret.rec", "oldest": "oldest",
    "due_now": "due now", "due_7_days": "due 7d", "due_30_days": "due 30d",
}


class InventoryAction(Action):
    help = (
        "Count, for every registry item, the subjects and records holding it in the live and "
        "the retention database, the oldest record, the legal basis and what is due for "
        "destruction in the next 7 and 30 days; totals per purpose. Counts only, never a "
        "value; the read of the retention database is written to the access log."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--csv", action="store_true", help="Write CSV (one row per item, "
                            "then one per purpose) instead of a table.")
        parser.add_argument("--actor", default="", help="Who reads (for the access log).")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        actor = options.get("actor") or getpass.getuser()
        inventory = inventory_take(actor=actor)
        rows = inventory_rows(inventory)
        if options.get("csv"):
            columns = [key for key, _ in INVENTORY_COLUMNS]
            writer = SafeCSVWriter(out, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([row.get(key, "") for key in columns] for row in rows)
            return
        taken_at = timezone.localtime(inventory.taken_at)
        out.write(f"Personal data inventory at {taken_at:%Y-%m-%d %H:%M %Z}\n\n")
        out.write(self._line(_HEADINGS) + "  legal basis\n")
        for row in rows:
            if row["kind"] == "item":
                out.write(self._line(row) + f"  {row['legal_basis']}\n")
        out.write("\nTotals per purpose (items, records live, records retained, due 7d, "
                  "due 30d):\n")
        for row in rows:
            if row["kind"] == "purpose":
                out.write(
                    f"  {row['key']:<20} {row['purposes']:>3} items  {row['live_records']:>8} "
                    f"live  {row['retained_records']:>8} retained  {row['due_7_days']:>6} "
                    f"{row['due_30_days']:>6}\n"
                )
        out.write("Counts only; this read of the retention database is in the access log.\n")

    @staticmethod
    def _line(row: dict[str, str]) -> str:
        return " ".join(
            f"{row[key]:<{width}}" if key == "key" else f"{row[key]:>{width}}"
            for key, width in _TABLE
        )


ACTION = InventoryAction()
