"""``privacy correct``: a correction asked through the privacy officer (policy section 6).

Starting it restricts the item (not used or provided) until ``--complete``, which applies the
corrected value, lifts the restriction and tells every recipient the item was provided to."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from privacy import registry
from privacy.actions._member_request import MemberRequestAction
from privacy.errors import PrivacyError
from privacy.selfservice import services


class CorrectAction(MemberRequestAction):
    help = ("Start a member's correction request (the item is restricted until corrected) or, "
            "with --complete, finish it (apply --value, lift the restriction, notify recipients).")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--item", required=True, help="Registry item key, e.g. mobile_phone.")
        parser.add_argument("--value", help="The corrected value (with --complete).")
        parser.add_argument("--complete", action="store_true",
                            help="The correction is done: apply it and lift the restriction.")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        member = self.member(options)
        item_key = options["item"]
        if item_key not in registry.ITEMS_BY_KEY:
            raise self.fail(
                f"unknown item {item_key!r}; known items: {', '.join(registry.ITEMS_BY_KEY)}"
            )
        if options.get("value") is not None and not options["complete"]:
            raise self.fail("--value is applied when the correction is completed: add --complete")
        try:
            services.legal_hold_check(member=member, item_key=item_key)
            if options.get("dry_run"):
                verb = "complete" if options["complete"] else "start"
                out.write(f"would {verb} the correction of {item_key} for {member.username}\n")
                return
            if options["complete"]:
                outcome = services.correction_request_complete(
                    member=member, item_key=item_key, value=options.get("value"),
                    channel=options["channel"], actor=self.operator(),
                )
                out.write(f"correction of {item_key} completed for {member.username}; "
                          f"restriction lifted; {outcome.notified} recipient(s) notified\n")
                return
            outcome = services.correction_request_start(
                member=member, item_key=item_key, channel=options["channel"],
                reference=options["reference"], actor=self.operator(),
            )
        except PrivacyError as error:
            raise self.fail(str(error)) from None
        out.write(f"correction of {item_key} started for {member.username}: the item is "
                  f"restricted until completed (due {outcome.request.due_on})\n")


ACTION = CorrectAction()
