"""``privacy purge``: destroy everything whose purpose is achieved, rule by rule (cron-safe)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from privacy.actions.base import Action
from privacy.retention.destruction import BATCH_SIZE, PurgeLocked, purge


class PurgeAction(Action):
    help = (
        "Destroy what every retention rule says is due, move what a law keeps to the retention "
        "database, destroy expired retained records. Exits non-zero if any rule fails."
    )
    changes_data = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--rule", action="append", dest="rules", metavar="KEY",
            help="Run only this purge rule (repeatable). Default: every rule.",
        )
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE,
            help=f"Rows per batch (default {BATCH_SIZE}); memory stays flat at any volume.",
        )

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        dry_run = bool(options.get("dry_run"))
        if options["batch_size"] < 1:
            raise self.fail("--batch-size must be at least 1")

        def progress(items: Any, total: int | None, label: str) -> Any:
            return self.progress(items, total=total, label=label, out=out)

        try:
            report = purge(
                rule_keys=options.get("rules"), dry_run=dry_run,
                batch_size=options["batch_size"], progress=progress,
            )
        except ValueError as error:  # an unknown rule, refused before anything is done
            raise self.fail(str(error)) from None
        except PurgeLocked:
            raise self.fail(
                "another privacy purge or replay-destruction is running; nothing was done"
            ) from None
        verb = "would destroy" if dry_run else "destroyed"
        for rule in report.rules:
            line = f"{rule.key}: "
            if rule.error:
                line += f"FAILED ({rule.error}); "
            if dry_run:
                line += f"{verb} {rule.due}"
            else:
                line += f"due {rule.due}, {verb} {rule.destroyed}, retained {rule.retained}"
                if rule.finished:
                    line += f", finished {rule.finished} interrupted run(s)"
            out.write(line + "\n")
        summary = (
            f"privacy purge{' (dry run)' if dry_run else ''}: {len(report.rules)} rules, "
            f"{verb} {report.due if dry_run else report.destroyed} records"
        )
        if not dry_run:
            summary += f", {report.retained} moved to the retention database"
        if report.failed:
            raise self.fail(
                f"{summary}; FAILED: {', '.join(rule.key for rule in report.failed)}"
            )
        out.write(summary + "\n")


ACTION = PurgeAction()
