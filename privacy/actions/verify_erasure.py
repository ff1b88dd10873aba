"""``privacy verify-erasure --member-ref UUID``: is anything of this person left?"""

from __future__ import annotations

import argparse
import getpass
import uuid
from typing import Any, TextIO

from privacy.actions.base import Action
from privacy.retention.destruction import erasure_verify


class VerifyErasureAction(Action):
    help = (
        "List every row in the live and retention databases that still belongs to a subject; "
        "exits non-zero if any row is left that no rule keeps."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--member-ref", required=True, metavar="UUID",
                            help="The member's subject reference.")
        parser.add_argument("--actor", default="", help="Who runs this (for the access log).")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        try:
            subject_ref = uuid.UUID(options["member_ref"])
        except ValueError:
            raise self.fail(
                f"--member-ref must be a UUID, got {options['member_ref']!r}"
            ) from None
        actor = options["actor"] or getpass.getuser()
        findings = erasure_verify(subject_ref=subject_ref, actor=actor)
        left = [finding for finding in findings if not finding.kept_by]
        for finding in findings:
            where = f"{finding.database}: {finding.table}: {finding.count} row(s)"
            if finding.kept_by:
                until = f" until {finding.until}" if finding.until else ""
                out.write(f"kept    {where} (rule {finding.kept_by}{until})\n")
            else:
                out.write(f"LEFT    {where}\n")
        if left:
            raise self.fail(
                f"erasure of {subject_ref} is incomplete: "
                f"{sum(finding.count for finding in left)} row(s) left"
            )
        out.write(f"erasure of {subject_ref} verified: no row left that no rule keeps\n")


ACTION = VerifyErasureAction()
