"""``privacy notify-policy``: email every active member about a version, once each."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from django.conf import settings

from privacy.actions.base import Action
from privacy.models import PolicyVersion
from privacy.services import policy_notice_recipients, policy_notice_send


class NotifyPolicyAction(Action):
    help = ("Email every active member about a policy version. Resumable: members already "
            "told are skipped, so a second run sends nothing.")
    changes_data = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--version", required=True, help="The published version number.")
        parser.add_argument("--base-url", default=None,
                            help="Site address for the link (default: the SITE_URL setting).")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        version = PolicyVersion.objects.filter(version=options["version"]).first()
        if version is None:
            known = ", ".join(PolicyVersion.objects.values_list("version", flat=True)) or "none"
            raise self.fail(f"no published policy version {options['version']!r} "
                            f"(published: {known})")
        recipients = policy_notice_recipients(version=version)
        total = recipients.count()
        if options["dry_run"]:
            out.write(f"Dry run: would email {total} member(s) about version "
                      f"{version.version}; nothing sent.\n")
            return
        base_url = options["base_url"] or settings.SITE_URL
        sent = 0
        for member in self.progress(recipients.iterator(chunk_size=500), total=total,
                                    label=f"notify {version.version}", out=out):
            if policy_notice_send(version=version, member=member, base_url=base_url):
                sent += 1
        out.write(f"Emailed {sent} member(s) about version {version.version}.\n")


ACTION = NotifyPolicyAction()
