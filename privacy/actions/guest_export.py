"""``privacy guest-export <reference>``: a guest consultation's data as a zip, on request."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from privacy.actions._guest_request import GuestRequestAction
from privacy.errors import PrivacyError
from privacy.selfservice.guests import guest_data_export


class GuestExportAction(GuestRequestAction):
    help = ("Write everything held about a guest consultation (the guest's name, phone, "
            "question, answer and consents) to a zip; logged with the request's channel and "
            "reference.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        super().add_arguments(parser)
        self.add_output_argument(parser)

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        guest = self.guest(options)
        target = self.new_output_file(options["output"])
        if options.get("dry_run"):
            out.write(f"would export guest consultation {guest.reference} to {target}\n")
            return
        try:
            content = guest_data_export(guest=guest, channel=options["channel"],
                                        reference=options["reference"],
                                        operator=self.operator())
        except PrivacyError as error:
            raise self.fail(str(error)) from None
        target.write_bytes(content)
        target.chmod(0o600)
        out.write(f"exported guest consultation {guest.reference} to {target} "
                  f"({len(content)} bytes)\n")


ACTION = GuestExportAction()
