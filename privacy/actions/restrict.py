"""``privacy restrict``: suspend (or, with --lift, resume) processing of a member's items."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from privacy.actions._member_request import MemberRequestAction
from privacy.errors import PrivacyError
from privacy.selfservice import services


class RestrictAction(MemberRequestAction):
    help = ("Suspend processing of a member's items on their request (PIPA art. 37), or lift "
            "such a suspension with --lift.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--item", action="append", required=True, dest="items",
                            help="Registry item key; repeat for several items.")
        parser.add_argument("--lift", action="store_true", help="Lift the suspension.")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        member = self.member(options)
        items = options["items"]
        verb = "lift" if options["lift"] else "start"
        if options.get("dry_run"):
            out.write(f"would {verb} a restriction of {', '.join(items)} for "
                      f"{member.username}\n")
            return
        try:
            done = services.restriction_request(
                member=member, items=items, channel=options["channel"],
                reference=options["reference"], lift=options["lift"], actor=self.operator(),
            )
        except PrivacyError as error:
            raise self.fail(str(error)) from None
        out.write(f"restriction {'lifted' if options['lift'] else 'started'} for "
                  f"{member.username}: {len(done)} record(s)\n")


ACTION = RestrictAction()
