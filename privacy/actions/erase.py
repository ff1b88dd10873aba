"""``privacy erase --member <login id>``: close an account on the member's request."""

from __future__ import annotations

from typing import Any, TextIO

from privacy.actions._member_request import MemberRequestAction
from privacy.errors import PrivacyError
from privacy.selfservice import selectors, services


class EraseAction(MemberRequestAction):
    help = ("Close a member's account on their request: destroy what no law keeps, move what a "
            "law keeps to the retention store (shown with the law and date).")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        member = self.member(options)
        data = selectors.subject_overview(member=member, viewer=member)
        for line in selectors.withdrawal_statement(data):
            if line.kept:
                until = f" until {line.until}" if line.until else ""
                out.write(f"kept      {line.item.key}: {line.law}{until}\n")
            else:
                out.write(f"destroy   {line.item.key}\n")
        if options.get("dry_run"):
            out.write(f"dry run: the account of {member.username} was not closed\n")
            return
        username = member.username
        try:
            request = services.member_withdraw(
                member=member, actor=None, channel=options["channel"],
                reference=options["reference"], reason=services.ERASURE_REASON,
                actor_name=self.operator(),
            )
        except PrivacyError as error:
            raise self.fail(str(error)) from None
        out.write(f"the account of {username} is closed (request {request.pk}, "
                  f"reference {request.reference})\n")


ACTION = EraseAction()
