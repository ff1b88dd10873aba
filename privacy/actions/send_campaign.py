"""``privacy send-campaign <id> [--dry-run]``: send a campaign to the members who may get it."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from privacy.actions.base import Action
from privacy.marketing.campaigns import CampaignError, campaign_send
from privacy.models import Campaign


class SendCampaignAction(Action):
    help = (
        "Send a campaign to members whose consent for its channel is current (night consent "
        "between 21:00 and 08:00), skipping restricted, blocked and already reached members. "
        "Safe to re-run: it resumes and never sends twice."
    )
    changes_data = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("campaign_id", help="The campaign's number (see the admin).")
        parser.add_argument("--batch-size", type=int, default=None,
                            help="Members claimed and sent per batch.")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        raw_id = options["campaign_id"]
        if not str(raw_id).isdigit():
            raise self.fail(f"campaign id must be a number, got {raw_id!r}")
        campaign = Campaign.objects.filter(pk=int(raw_id)).first()
        if campaign is None:
            raise self.fail(f"no campaign {raw_id}")
        if options.get("batch_size") is not None and options["batch_size"] < 1:
            raise self.fail("--batch-size must be at least 1")
        dry_run = options.get("dry_run", False)
        plan = campaign_send(campaign=campaign, dry_run=True)
        night = " (night hours: only members with night consent)" if plan.night else ""
        out.write(
            f"campaign {campaign.pk} ({campaign.channel}): {plan.eligible} eligible now{night}, "
            f"{plan.already_delivered} already reached, {plan.to_send} to send, "
            f"{plan.unconfirmed} unconfirmed from an interrupted run\n"
        )
        if dry_run:
            out.write("dry run: nothing sent, nothing recorded\n")
            return
        try:
            with self.progress_bar(total=plan.to_send, label="send-campaign", out=out) as bar:
                report = campaign_send(
                    campaign=campaign, progress=bar.update, batch_size=options.get("batch_size")
                )
        except CampaignError as exc:
            raise self.fail(str(exc)) from None
        out.write(f"sent {report.sent}, failed {report.failed}\n")
        if report.failed:
            raise self.fail(f"{report.failed} message(s) failed; see the campaign in the admin")


ACTION = SendCampaignAction()
