"""``privacy remind-bookings [--dry-run]``: the reminder the day before a consultation."""

from __future__ import annotations

from typing import Any, TextIO

from privacy.actions.base import Action
from privacy.bookings.notices import booking_reminders_send


class RemindBookingsAction(Action):
    help = (
        "Remind every patient whose confirmed consultation appointment is tomorrow (Seoul "
        "time), by the channel they chose; each appointment is reminded once. Run it daily."
    )
    changes_data = True

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        plan = booking_reminders_send(dry_run=True)
        out.write(f"{plan.due} appointment(s) tomorrow to remind\n")
        if options.get("dry_run"):
            out.write("dry run: nothing sent, nothing recorded\n")
            return
        with self.progress_bar(total=plan.due, label="remind-bookings", out=out) as bar:
            report = booking_reminders_send(progress=bar.update)
        out.write(f"sent {report.sent}, failed {report.failed}\n")
        if report.failed:
            raise self.fail(f"{report.failed} reminder(s) failed; the next run retries them")


ACTION = RemindBookingsAction()
