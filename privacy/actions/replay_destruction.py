"""``privacy replay-destruction --since DATE``: after a restore from backup, destroy again."""

from __future__ import annotations

import argparse
import datetime
from typing import Any, TextIO

from django.utils import timezone

from privacy.actions.base import Action
from privacy.retention.destruction import PurgeLocked, destruction_replay


class ReplayDestructionAction(Action):
    help = (
        "After restoring the live database from a backup taken on DATE, destroy again "
        "everything the destruction ledger says was destroyed since then."
    )
    changes_data = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--since", required=True, metavar="YYYY-MM-DD",
            help="The day the restored backup was taken.",
        )

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        try:
            since = datetime.date.fromisoformat(options["since"])
        except ValueError:
            raise self.fail(
                f"--since must be a date as YYYY-MM-DD, got {options['since']!r}"
            ) from None
        if since > timezone.localdate():
            raise self.fail(f"--since {since} is in the future; nothing was done")
        dry_run = bool(options.get("dry_run"))

        def progress(items: Any, total: int | None, label: str) -> Any:
            return self.progress(items, total=total, label=label, out=out)

        try:
            report = destruction_replay(since=since, dry_run=dry_run, progress=progress)
        except PurgeLocked:
            raise self.fail(
                "another privacy purge or replay-destruction is running; nothing was done"
            ) from None
        for error in report.errors:
            out.write(f"FAILED {error}\n")
        done = report.would_destroy if dry_run else report.destroyed
        verb = "would destroy" if dry_run else "destroyed"
        summary = (
            f"replay-destruction since {since}{' (dry run)' if dry_run else ''}: "
            f"{report.entries} ledger entries, {verb} {done} records again"
        )
        if report.errors:
            raise self.fail(f"{summary}; {len(report.errors)} entries failed")
        out.write(summary + "\n")


ACTION = ReplayDestructionAction()
