"""``privacy guest-erase <reference>``: destroy a guest consultation's personal data now."""

from __future__ import annotations

from typing import Any, TextIO

from privacy.actions._guest_request import GuestRequestAction
from privacy.errors import PrivacyError
from privacy.selfservice.guests import guest_erase


class GuestEraseAction(GuestRequestAction):
    help = ("Destroy a guest consultation's personal data on the guest's request (name, phone, "
            "question, answer; its data key); the area and dates stay for statistics.")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        guest = self.guest(options)
        if options.get("dry_run"):
            out.write(f"dry run: guest consultation {guest.reference} was not erased\n")
            return
        try:
            guest_erase(guest=guest, channel=options["channel"], reference=options["reference"],
                        operator=self.operator())
        except PrivacyError as error:
            raise self.fail(str(error)) from None
        out.write(f"the personal data of guest consultation {guest.reference} is destroyed\n")


ACTION = GuestEraseAction()
