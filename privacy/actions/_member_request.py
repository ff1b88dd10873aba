"""Shared arguments of the actions the privacy manager runs on a member's request."""

from __future__ import annotations

import argparse
import getpass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model

from privacy.actions.base import Action
from privacy.models import RequestChannel

if TYPE_CHECKING:
    from members.models import Member

CHANNELS = (RequestChannel.MAIL, RequestChannel.PHONE, RequestChannel.EMAIL)


class MemberRequestAction(Action):
    """``--member <login id> --channel mail|phone|email --reference R``, logged with both."""

    changes_data = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--member", required=True, metavar="LOGIN_ID",
                            help="The member's login ID.")
        parser.add_argument("--channel", required=True, choices=[c.value for c in CHANNELS],
                            help="How the request was received.")
        parser.add_argument("--reference", required=True, metavar="R",
                            help="The request's reference (letter number, call log, ...).")

    def member(self, options: dict[str, Any]) -> Member:
        member = get_user_model().objects.with_login_id(options["member"]).first()
        if member is None:
            raise self.fail(f"no member with login ID {options['member']!r}")
        reference = options["reference"].strip()
        if not reference or len(reference) > 40:
            raise self.fail("--reference must be 1 to 40 characters")
        options["reference"] = reference
        return member

    @staticmethod
    def operator() -> str:
        return f"shell:{getpass.getuser()}"
