"""``privacy verify-access-log``: is the staff access log as it was written?"""

from __future__ import annotations

import argparse
import os
from typing import Any, TextIO

from privacy.access_log import access_log_verify
from privacy.actions.base import Action

# Below this many entries a single process is done before others would have started.
PARALLEL_FROM = 100_000


def processes_count(value: str) -> int:
    count = int(value)
    if not 1 <= count <= 64:
        raise argparse.ArgumentTypeError("give a number of processes from 1 to 64")
    return count


class VerifyAccessLogAction(Action):
    help = (
        "Recompute the hash chain of the staff access log from its anchor (the last purged "
        "entry) to the newest entry; exits non-zero naming the first changed, missing or "
        "reordered entry."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--processes", type=processes_count, default=None,
            help=f"check the chain in this many segments, one process each (default: one "
                 f"per CPU for a log of {PARALLEL_FROM:,} entries or more, else 1)")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        processes = options.get("processes") or os.cpu_count() or 1
        report = access_log_verify(processes=processes, parallel_from=(
            0 if options.get("processes") else PARALLEL_FROM))
        if report.problem is not None:
            out.write(f"checked {report.checked} entries before the problem\n")
            raise self.fail(f"access log broken: {report.problem.message}")
        if report.checked == 0:
            out.write("access log verified: no entries\n")
            return
        out.write(
            f"access log verified: {report.checked} entries, #{report.first_sequence} to "
            f"#{report.last_sequence}, head hash {report.head_hash}\n"
        )


ACTION = VerifyAccessLogAction()
