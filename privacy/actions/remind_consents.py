"""``privacy remind-consents [--dry-run]``: the two-yearly reminder of marketing consents."""

from __future__ import annotations

from typing import Any, TextIO

from privacy.actions.base import Action
from privacy.marketing.campaigns import consent_reminders_send


class RemindConsentsAction(Action):
    help = (
        "Remind every member whose marketing consent is two years old (since the grant or the "
        "last reminder) of the consent, its date and how to withdraw (Network Act art. 50-8). "
        "Run it daily; each period is reminded once."
    )
    changes_data = True

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        plan = consent_reminders_send(dry_run=True)
        out.write(f"{plan.members} member(s) due, {plan.reminders} consent(s) to remind\n")
        if options.get("dry_run"):
            out.write("dry run: nothing sent, nothing recorded\n")
            return
        with self.progress_bar(total=plan.members, label="remind-consents", out=out) as bar:
            report = consent_reminders_send(progress=bar.update)
        out.write(f"sent {report.sent}, failed {report.failed}\n")
        if report.failed:
            raise self.fail(f"{report.failed} reminder(s) failed; the next run retries them")


ACTION = RemindConsentsAction()
