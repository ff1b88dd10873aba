"""``privacy export --member <login id>``: the member's data as a zip, on their request."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from privacy.actions._member_request import MemberRequestAction
from privacy.errors import PrivacyError
from privacy.selfservice.services import subject_data_export


class ExportAction(MemberRequestAction):
    help = ("Write everything held about a member to a zip (data.json and data.html), as the "
            "my-data export; logged with the request's channel and reference.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--output", required=True, metavar="FILE.zip",
                            help="Where to write the zip (must not exist).")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        member = self.member(options)
        target = Path(options["output"])
        if target.exists():
            raise self.fail(f"{target} exists already; choose a new file name")
        if not target.parent.is_dir():
            raise self.fail(f"directory {target.parent} does not exist")
        if options.get("dry_run"):
            out.write(f"would export the data of {member.username} to {target}\n")
            return
        try:
            content = subject_data_export(
                member=member, viewer=member, actor=self.operator(),
                channel=options["channel"], reference=options["reference"],
            )
        except PrivacyError as error:
            raise self.fail(str(error)) from None
        target.write_bytes(content)
        target.chmod(0o600)
        out.write(f"exported the data of {member.username} to {target} ({len(content)} bytes)\n")


ACTION = ExportAction()
