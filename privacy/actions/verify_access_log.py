"""``privacy verify-access-log``: is the staff access log as it was written?"""

from __future__ import annotations

from typing import Any, TextIO

from privacy.access_log import access_log_verify
from privacy.actions.base import Action


class VerifyAccessLogAction(Action):
    help = (
        "Recompute the hash chain of the staff access log from its anchor (the last purged "
        "entry) to the newest entry; exits non-zero naming the first changed, missing or "
        "reordered entry."
    )

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        report = access_log_verify()
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
