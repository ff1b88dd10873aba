"""Shared arguments of the actions the privacy manager runs on a guest's request."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from privacy.actions._member_request import CHANNELS, MemberRequestAction
from privacy.actions.base import Action
from privacy.errors import PrivacyError
from privacy.selfservice.guests import guest_consultation_named

if TYPE_CHECKING:
    from consultations.models import GuestConsultation


class GuestRequestAction(Action):
    """``<guest reference> --channel mail|phone|email --reference R``, logged with both."""

    changes_data = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("guest", metavar="GUEST_REFERENCE",
                            help="The guest consultation's reference (e.g. AB12-CD34-EF56).")
        parser.add_argument("--channel", required=True, choices=[c.value for c in CHANNELS],
                            help="How the request was received.")
        parser.add_argument("--reference", required=True, metavar="R",
                            help="The request's reference (letter number, call log, ...).")

    def guest(self, options: dict[str, Any]) -> GuestConsultation:
        reference = options["reference"].strip()
        if not reference or len(reference) > 40:
            raise self.fail("--reference must be 1 to 40 characters")
        options["reference"] = reference
        try:
            return guest_consultation_named(reference=options["guest"])
        except PrivacyError as error:
            raise self.fail(str(error)) from None

    operator = staticmethod(MemberRequestAction.operator)
