"""``privacy breach open|notify|list|reported|close``: a personal data breach (PIPA art. 34)."""

from __future__ import annotations

import argparse
import datetime
from typing import Any, TextIO

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from privacy.actions.base import Action
from privacy.console.breach import (
    BATCH_SIZE,
    BreachError,
    breach_close,
    breach_notify,
    breach_open,
    breach_reported,
    clock_text,
    incidents_open,
    reporting_duty,
)
from privacy.models import BreachIncident


def _moment(value: str, option: str) -> datetime.datetime:
    """``2026-11-20T09:30``, ``2026-11-20 09:30`` or ``2026-11-20``; naive means Korean time."""
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is not None:
                moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise BreachError(
            f"{option} must be a date and time like 2026-11-20T09:30, got {value!r}"
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _local(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


class BreachAction(Action):
    help = (
        "Personal data breach (PIPA art. 34): `open` records an incident and counts the people "
        "affected with the reporting duty; `notify <id>` emails each of them (and a child's "
        "legal representative) once, resumably; `list` shows open incidents with the 72-hour "
        "clock; `reported <id>` and `close <id>` record the report to the authority and the end."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="breach_command", metavar="<command>",
                                         required=True, parser_class=type(parser))
        opened = commands.add_parser("open", help="Record an incident and count who it affects.")
        opened.add_argument("--items", required=True,
                            help="Registry item keys, comma-separated (mobile_phone,email).")
        opened.add_argument("--since", required=True, help="Start of the exposure (Korean time "
                            "unless an offset is given), e.g. 2026-11-20T09:30.")
        opened.add_argument("--until", help="End of the exposure; empty while still open.")
        opened.add_argument("--description", required=True,
                            help="When and how it happened; sent to everyone affected, so no "
                            "personal data.")
        opened.add_argument("--measures", default="", help="What the clinic does about it "
                            "(sent in the notice).")
        opened.add_argument("--description-en", default="",
                            help="The description in English (default: the Korean one).")
        opened.add_argument("--measures-en", default="",
                            help="The measures in English (default: the Korean ones).")
        opened.add_argument("--hacking", action="store_true",
                            help="Caused by unlawful access from outside (always reportable).")
        opened.add_argument("--discovered-at", help="When it was discovered (default: now); "
                            "the 72 hours run from here.")
        opened.add_argument("--dry-run", action="store_true",
                            help="Count and show the duty, record nothing.")
        notify = commands.add_parser("notify", help="Send the notices; safe to re-run.")
        notify.add_argument("incident_id")
        notify.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        notify.add_argument("--dry-run", action="store_true",
                            help="Count who would be notified, send and record nothing.")
        commands.add_parser("list", help="Open incidents with the 72-hour clock.")
        reported = commands.add_parser("reported",
                                       help="Record that the authority (PIPC/KISA) was told.")
        close = commands.add_parser("close", help="Close an incident (it leaves the list).")
        for sub in (reported, close):
            sub.add_argument("incident_id")
            sub.add_argument("--dry-run", action="store_true", help="Change nothing.")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        command = options["breach_command"]
        try:
            getattr(self, f"_{command}")(options, out)
        except BreachError as exc:
            raise self.fail(str(exc)) from None

    @staticmethod
    def _incident(raw: str) -> BreachIncident:
        if not str(raw).isdigit():
            raise BreachError(f"incident id must be a number, got {raw!r}")
        incident = BreachIncident.objects.filter(pk=int(raw)).first()
        if incident is None:
            raise BreachError(f"no breach incident {raw}")
        return incident

    def _open(self, options: dict[str, Any], out: TextIO) -> None:
        items = [key.strip() for key in options["items"].split(",") if key.strip()]
        since = _moment(options["since"], "--since")
        until = _moment(options["until"], "--until") if options.get("until") else None
        discovered = (_moment(options["discovered_at"], "--discovered-at")
                      if options.get("discovered_at") else None)
        dry_run = bool(options.get("dry_run"))
        incident, affected = breach_open(
            items=items, since=since, until=until, description=options["description"],
            measures=options.get("measures") or "",
            description_en=options.get("description_en") or "",
            measures_en=options.get("measures_en") or "", by_hacking=options["hacking"],
            discovered_at=discovered, dry_run=dry_run,
        )
        name = "dry run, not recorded" if dry_run else f"incident {incident.pk} recorded"
        out.write(f"{name}: items {', '.join(incident.items)}\n")
        out.write(
            f"{affected.total} people affected: {affected.members} members, "
            f"{affected.guests} guests, {affected.erased} members erased during the window "
            "(no longer reachable)\n"
        )
        for duty in reporting_duty(incident=incident):
            out.write(f"- {duty}\n")

    def _notify(self, options: dict[str, Any], out: TextIO) -> None:
        incident = self._incident(options["incident_id"])
        if options["batch_size"] < 1:
            raise BreachError("--batch-size must be at least 1")
        if incident.closed_at is not None:
            raise BreachError(f"breach incident {incident.pk} is closed")
        plan = breach_notify(incident=incident, dry_run=True)
        out.write(
            f"incident {incident.pk}: {plan.members} members and {plan.guests} guests affected, "
            f"{plan.already_notified} already notified, {plan.to_send} to notify, "
            f"{plan.unconfirmed} claimed by an interrupted run and not confirmed (not sent "
            f"again: check the mail log or call them)\n"
        )
        if options.get("dry_run"):
            out.write("dry run: nothing sent, nothing recorded\n")
            return
        with self.progress_bar(total=plan.to_send, label="breach notify", out=out) as bar:
            report = breach_notify(incident=incident, batch_size=options["batch_size"],
                                   progress=bar.update)
        out.write(f"sent {report.sent}, failed {report.failed} (retried by the next run)"
                  f"{f', {report.unreachable} without an address' if report.unreachable else ''}"
                  "\n")
        if report.failed:
            raise self.fail(f"{report.failed} notice(s) failed; run `privacy breach notify "
                            f"{incident.pk}` again")

    def _list(self, options: dict[str, Any], out: TextIO) -> None:
        clocks = incidents_open()
        for clock in clocks:
            incident = clock.incident
            reported = "not reported to the authority"
            if incident.reported_to_authority_at:
                reported = f"reported {_local(incident.reported_to_authority_at)}"
            out.write(
                f"#{incident.pk}  discovered {_local(incident.discovered_at)}"
                f"  {', '.join(incident.items)}  affected {incident.affected_count}, notified "
                f"{clock.notified}  {clock_text(clock)}  {reported}\n"
            )
        out.write(f"{len(clocks)} open incident(s)\n")

    def _reported(self, options: dict[str, Any], out: TextIO) -> None:
        incident = self._incident(options["incident_id"])
        if options.get("dry_run"):
            out.write(f"dry run: incident {incident.pk} unchanged\n")
            return
        breach_reported(incident=incident)
        out.write(f"incident {incident.pk}: report to the authority recorded\n")

    def _close(self, options: dict[str, Any], out: TextIO) -> None:
        incident = self._incident(options["incident_id"])
        if options.get("dry_run"):
            out.write(f"dry run: incident {incident.pk} unchanged\n")
            return
        breach_close(incident=incident)
        out.write(f"incident {incident.pk} closed\n")


ACTION = BreachAction()
