"""``privacy consent``: record a consent decision received offline (phone, mail, in person).

``--member <login id>`` or ``--guest <reference>``; ``--grant <key>`` or ``--withdraw <key>``;
``--channel`` and ``--reference`` (the letter, call log or form) go on the ledger entry."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TextIO

from django.contrib.auth import get_user_model

from privacy.actions._member_request import MemberRequestAction
from privacy.actions.base import Action
from privacy.errors import PrivacyError
from privacy.models import RequestChannel
from privacy.selfservice.guests import (
    guest_consent_change,
    guest_consent_keys,
    guest_consultation_named,
)
from privacy.selfservice.selectors import sensitive_content_of
from privacy.selfservice.services import (
    SENSITIVE_CONSENT,
    consent_change,
    consent_keys_for_member,
)

if TYPE_CHECKING:
    from members.models import Member

OFFLINE_CHANNELS = [c.value for c in RequestChannel if c != RequestChannel.WEB]


class ConsentAction(Action):
    help = ("Record a member's or guest's consent decision received by phone, mail, email or in "
            "person, with the document that carries it (the ledger entry names both).")
    changes_data = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--member", metavar="LOGIN_ID", help="The member's login ID.")
        who.add_argument("--guest", metavar="GUEST_REFERENCE",
                         help="The guest consultation's reference.")
        decision = parser.add_mutually_exclusive_group(required=True)
        decision.add_argument("--grant", metavar="CONSENT", help="Consent key to grant.")
        decision.add_argument("--withdraw", metavar="CONSENT", help="Consent key to withdraw.")
        parser.add_argument("--channel", required=True, choices=OFFLINE_CHANNELS,
                            help="How the decision was received.")
        parser.add_argument("--reference", required=True, metavar="R",
                            help="The document's reference (letter number, call log, ...).")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        reference = options["reference"].strip()
        if not reference or len(reference) > 40:
            raise self.fail("--reference must be 1 to 40 characters")
        granted = options["grant"] is not None
        consent = options["grant"] if granted else options["withdraw"]
        verb = "granted" if granted else "withdrawn"
        common = {"consent": consent, "granted": granted, "channel": options["channel"],
                  "reference": reference, "operator": MemberRequestAction.operator()}
        try:
            if options["member"] is not None:
                member = get_user_model().objects.with_login_id(options["member"]).first()
                if member is None:
                    raise self.fail(f"no member with login ID {options['member']!r}")
                who = f"member {member.username}"
                if consent == SENSITIVE_CONSENT and not granted:
                    self._statement(member, out)
                if options.get("dry_run"):
                    self._check(consent, consent_keys_for_member())
                else:
                    consent_change(member=member, actor=None, **common)
            else:
                guest = guest_consultation_named(reference=options["guest"])
                who = f"guest consultation {guest.reference}"
                if options.get("dry_run"):
                    self._check(consent, guest_consent_keys())
                else:
                    guest_consent_change(guest=guest, **common)
        except PrivacyError as error:
            raise self.fail(str(error)) from None
        prefix = "dry run: would record" if options.get("dry_run") else "recorded"
        out.write(f"{prefix} {consent} {verb} for {who} ({options['channel']}, {reference})\n")

    @staticmethod
    def _statement(member: Member, out: TextIO) -> None:
        """What withdrawing the sensitive consent destroys, before it does."""
        content = sensitive_content_of(member=member)
        if content.desired_area:
            out.write("destroy   desired_area\n")
        for consultation in content.consultations:
            answers = getattr(consultation, "answer_count", 0)  # annotated by the selector
            out.write(f"destroy   consultation #{consultation.pk} ({answers} answer(s))\n")
        for review in content.reviews:
            out.write(f"destroy   review #{review.pk}\n")
        for procedure in content.procedures:
            out.write(f"destroy   procedure record #{procedure.pk}\n")

    def _check(self, consent: str, known: list[str]) -> None:
        if consent not in known:
            raise self.fail(f"unknown consent {consent!r}: one of {', '.join(known)}")


ACTION = ConsentAction()
