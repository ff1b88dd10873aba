"""``privacy report [--month YYYY-MM] [--csv]``: the privacy manager's monthly report.

Sections are discovered: every module ``privacy/console/reports/<name>.py`` defines ``TITLE``
(str) and ``build(*, start, end, now) -> list[dict[str, str]]``; each section is printed as a
text table, or as CSV with ``--csv``. Adding a section is adding a module.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import pkgutil
import re
from types import ModuleType
from typing import Any, TextIO

from django.utils import timezone

import privacy.console.reports
from privacy.actions.base import Action
from privacy.csv_export import SafeCSVWriter

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])\Z")


def report_sections() -> list[tuple[str, ModuleType]]:
    """``(name, module)`` of every report section, by module name."""
    sections = []
    found = pkgutil.iter_modules(privacy.console.reports.__path__)
    for info in sorted(found, key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"privacy.console.reports.{info.name}")
        if isinstance(getattr(module, "TITLE", None), str) and callable(
            getattr(module, "build", None)
        ):
            sections.append((info.name, module))
    return sections


def month_bounds(value: str | None, *, now: datetime.datetime) -> tuple[datetime.datetime,
                                                                         datetime.datetime]:
    """The start (inclusive) and end (exclusive) of a month, in the site's time zone."""
    if value:
        match = MONTH.match(value)
        if not match:
            raise ValueError(f"--month must be YYYY-MM, got {value!r}")
        year, month = int(match.group(1)), int(match.group(2))
    else:
        local = timezone.localtime(now)
        year, month = local.year, local.month
    start = timezone.make_aware(datetime.datetime(year, month, 1))
    end = timezone.make_aware(
        datetime.datetime(year + month // 12, month % 12 + 1, 1)
    )
    return start, end


def _text_table(rows: list[dict[str, str]], out: TextIO) -> None:
    if not rows:
        out.write("  (none)\n")
        return
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(row.get(c, ""))) for row in rows)) for c in columns}
    out.write("  " + "  ".join(c.ljust(widths[c]) for c in columns).rstrip() + "\n")
    out.write("  " + "  ".join("-" * widths[c] for c in columns) + "\n")
    for row in rows:
        out.write("  " + "  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns)
                  .rstrip() + "\n")


class ReportAction(Action):
    help = "Print the monthly privacy report: one section per privacy/console/reports module."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--month", metavar="YYYY-MM", help="Default: the current month.")
        parser.add_argument("--csv", action="store_true", help="CSV instead of text tables.")
        parser.add_argument("--section", action="append", dest="sections",
                            help="Only this section (module name); repeatable.")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        now = timezone.now()
        try:
            start, end = month_bounds(options.get("month"), now=now)
        except ValueError as error:
            raise self.fail(str(error)) from None
        sections = report_sections()
        wanted = options.get("sections")
        if wanted:
            known = {name for name, _module in sections}
            unknown = [name for name in wanted if name not in known]
            if unknown:
                raise self.fail(f"unknown section(s) {', '.join(unknown)}; known: "
                                f"{', '.join(sorted(known))}")
            sections = [(name, module) for name, module in sections if name in wanted]
        writer = SafeCSVWriter(out) if options.get("csv") else None
        if writer is None:
            generated = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
            out.write(f"Privacy report {start:%Y-%m} (generated {generated})\n")
        for name, module in sections:
            rows = module.build(start=start, end=end, now=now)
            if writer is not None:
                writer.writerow([f"# {module.TITLE}"])
                if rows:
                    columns = list(rows[0])
                    writer.writerow(["section", *columns])
                    for row in rows:
                        writer.writerow([name, *(row.get(c, "") for c in columns)])
                continue
            out.write(f"\n{module.TITLE}\n")
            _text_table(rows, out)


ACTION = ReportAction()
