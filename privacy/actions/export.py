"""``privacy export --member <login id>``: the member's data as a zip, on their request."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from privacy.actions._member_request import MemberRequestAction
from privacy.errors import PrivacyError
from privacy.selfservice.services import subject_data_export


class ExportAction(MemberRequestAction):
    help = ("Write everything held about a member to a zip (data.json and data.html), as the "
            "my-data export; logged with the request's channel and reference.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        super().add_arguments(parser)
        self.add_output_argument(parser)

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        member = self.member(options)
        target = self.new_output_file(options["output"])
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
