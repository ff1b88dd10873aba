"""``privacy notify-policy``: email every active member about a version, once each."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from django.conf import settings
from django.contrib.auth import get_user_model

from privacy.actions.base import Action
from privacy.models import PolicyVersion
from privacy.policy.services import policy_notice_recipients, policy_notice_send

if TYPE_CHECKING:
    from members.models import Member

BATCH = 500


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
        if options["dry_run"]:
            out.write(f"Dry run: would email {recipients.count()} member(s) about version "
                      f"{version.version}; nothing sent.\n")
            return
        # Primary keys first: the loop writes notices, which the recipients query reads.
        pks = list(recipients.values_list("pk", flat=True))
        total = len(pks)
        base_url = options["base_url"] or settings.SITE_URL
        sent = 0
        for member in self.progress(self._members(pks), total=total,
                                    label=f"notify {version.version}", out=out):
            if policy_notice_send(version=version, member=member, base_url=base_url):
                sent += 1
        out.write(f"Emailed {sent} member(s) about version {version.version}.\n")


    @staticmethod
    def _members(pks: list[int]) -> Iterator[Member]:
        for start in range(0, len(pks), BATCH):
            yield from get_user_model().objects.filter(pk__in=pks[start:start + BATCH]).only(
                "pk", "email", "name", "data_key"
            ).select_related("data_key").order_by("pk")


ACTION = NotifyPolicyAction()
