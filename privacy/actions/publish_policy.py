"""``privacy publish-policy``: freeze the policy as rendered now under a new version number."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from typing import Any, TextIO

from django.utils import timezone

from privacy.actions.base import Action
from privacy.errors import PrivacyError
from privacy.ledger import POLICY_BANNER_DAYS
from privacy.policy.services import policy_render, policy_version_check, policy_version_publish


class PublishPolicyAction(Action):
    help = ("Publish a new privacy-policy version, frozen as rendered now from the registry, "
            "taking effect on --effective (announced on the site 7 days before).")
    changes_data = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--version", required=True, help="Version number, e.g. 2.1")
        parser.add_argument("--effective", required=True, metavar="YYYY-MM-DD",
                            help="Day the version takes effect (today or later).")
        parser.add_argument("--summary", default="",
                            help="What changes, in Korean, shown on Korean pages and emails.")
        parser.add_argument("--summary-en", default="",
                            help="What changes, in English, shown on English pages and emails.")
        parser.add_argument("--requires-reconsent", action="store_true",
                            help="Members must consent again at their next login.")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        try:
            effective_on = date.fromisoformat(options["effective"])
        except ValueError:
            raise self.fail(
                f"--effective {options['effective']!r} is not a date in the form YYYY-MM-DD"
            ) from None
        for option in ("summary", "summary_en"):
            if len(options[option]) > 2000:
                raise self.fail(f"--{option.replace('_', '-')} is longer than 2000 characters")
        try:
            if options["dry_run"]:
                policy_version_check(version=options["version"], effective_on=effective_on,
                                     not_before=timezone.localdate())
                size = len(policy_render("ko")) + len(policy_render("en"))
                out.write(f"Dry run: would publish version {options['version']} effective "
                          f"{effective_on:%Y-%m-%d} ({size} characters of text); nothing "
                          "written.\n")
                return
            version = policy_version_publish(
                version=options["version"], effective_on=effective_on,
                summary=options["summary"], summary_en=options["summary_en"],
                requires_reconsent=options["requires_reconsent"],
                not_before=timezone.localdate(),
            )
        except PrivacyError as error:
            raise self.fail(str(error)) from None
        reconsent = " (members will be asked to consent again)" * version.requires_reconsent
        out.write(f"Published version {version.version}, effective "
                  f"{version.effective_on:%Y-%m-%d}{reconsent}.\n")
        banner_from = version.effective_on - timedelta(days=POLICY_BANNER_DAYS)
        if banner_from < timezone.localdate():
            out.write(f"Warning: takes effect in fewer than {POLICY_BANNER_DAYS} days; the law "
                      "asks for at least 7 days' notice.\n")
        out.write(f"Next: python manage.py privacy notify-policy --version {version.version}\n")


ACTION = PublishPolicyAction()
