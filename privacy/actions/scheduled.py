"""``privacy scheduled <job>``: one periodic job, as the systemd timers in deploy/ run it."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from django.core.management.base import CommandError

from privacy.actions.base import Action
from privacy.console.jobs import JOBS
from privacy.retention.destruction import PurgeLocked

# sysexits' EX_TEMPFAIL: the unit files count it as success, the next run does the work.
EXIT_LOCKED = 75


class ScheduledAction(Action):
    help = (
        "Run one periodic job under the purge lock: purge, remind-consents, review-access-log, "
        "breach-deadlines or prune-tasks. Started by the systemd timers of deploy/; exits 75 "
        "when another job holds the lock (the next run does it), non-zero with a message when "
        "the job finds a problem."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("job", choices=list(JOBS), help="The job to run.")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        try:
            outcome = JOBS[options["job"]]()
        except PurgeLocked:
            raise CommandError(
                f"{options['job']}: another privacy job holds the purge lock; skipped, the next "
                "run does it", returncode=EXIT_LOCKED,
            ) from None
        out.write(outcome.summary + "\n")
        if outcome.problem:
            raise self.fail(f"{options['job']}: {outcome.problem}")


ACTION = ScheduledAction()
