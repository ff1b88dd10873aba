"""``privacy retention-list``: the retention store, read only here and each read logged."""

from __future__ import annotations

import argparse
import getpass
import uuid
from typing import Any, TextIO

from privacy.actions.base import Action
from privacy.retention.store import retention_access


class RetentionListAction(Action):
    help = (
        "List the records the retention database keeps by law (legal basis, event, "
        "destroy-after date); --show-payload opens one subject's records. Every read is "
        "written to the access log."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--member-ref", metavar="UUID", help="Only this subject's records.")
        parser.add_argument(
            "--show-payload", action="store_true",
            help="Decrypt and show the kept data (needs --member-ref).",
        )
        parser.add_argument("--actor", default="", help="Who reads (for the access log).")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        subject_ref = None
        if options.get("member_ref"):
            try:
                subject_ref = uuid.UUID(options["member_ref"])
            except ValueError:
                raise self.fail(
                    f"--member-ref must be a UUID, got {options['member_ref']!r}"
                ) from None
        if options["show_payload"] and subject_ref is None:
            raise self.fail("--show-payload needs --member-ref (one subject at a time)")
        actor = options["actor"] or getpass.getuser()
        action = "show-payload" if options["show_payload"] else "list"
        count = 0
        with retention_access(actor=actor, action=action, subject_ref=subject_ref) as store:
            for record in store.records(subject_ref=subject_ref):
                count += 1
                out.write(
                    f"{record.pk}\t{record.subject_ref}\t{record.item_key}\t{record.rule_key}\t"
                    f"{record.started_by} {record.started_at:%Y-%m-%d}\t"
                    f"destroy after {record.destroy_after}\t{record.legal_basis}\n"
                )
                if options["show_payload"]:
                    for name, value in store.open_payload(record).items():
                        out.write(f"    {name}: {value}\n")
        out.write(f"{count} retained record(s); this read is in the access log\n")


ACTION = RetentionListAction()
