"""``privacy rotate-keys``: re-wrap every secret wrapped by the key-encryption key under the
newest one."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any, TextIO

from members.services import AUTHENTICATOR_SECRETS
from privacy import keys
from privacy.actions.base import Action

# Everything wrapped by PRIVACY_KEK: the privacy base's data and retention keys, and the staff's
# TOTP secrets and recovery-code seeds (wrapped by members.adapters.MFAAdapter).
ROTATION_TARGETS: tuple[keys.RotationTarget, ...] = (*keys.KEY_TARGETS, AUTHENTICATOR_SECRETS)


class RotateKeysAction(Action):
    help = (
        "Re-wrap every data key, retention key and staff TOTP secret and recovery-code seed "
        "under the newest key-encryption key (the first in PRIVACY_KEK). Run it with the new "
        "key first and the old one(s) after it; the site keeps working meanwhile. Interrupted "
        "runs resume. Remove an old key from PRIVACY_KEK only after a run that reports nothing "
        "left to re-wrap."
    )
    changes_data = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=keys.DEFAULT_BATCH_SIZE,
            help=f"Rows per transaction (1 to {keys.MAX_BATCH_SIZE}; "
                 f"default {keys.DEFAULT_BATCH_SIZE}).",
        )

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        batch_size = options["batch_size"]
        dry_run = options.get("dry_run", False)
        if not 1 <= batch_size <= keys.MAX_BATCH_SIZE:
            raise self.fail(f"--batch-size must be between 1 and {keys.MAX_BATCH_SIZE}")
        verb = "would re-wrap" if dry_run else "re-wrapped"
        pending = 0
        for target in ROTATION_TARGETS:
            summary = keys.KeyRotationSummary(label=target.label)
            batches = keys.key_rotation_batches(target=target, batch_size=batch_size,
                                                dry_run=dry_run)
            try:
                for _ in self.progress(self._each_key(batches, summary),
                                       total=target.count(), label=target.label, out=out):
                    pass
            except keys.KeyRotationError as exc:
                raise self.fail(str(exc)) from None
            pending += summary.rewrapped
            out.write(f"{target.label}: {summary.rewrapped} {verb}, "
                      f"{summary.already_current} already under the newest key\n")
        if dry_run:
            out.write(f"dry run: nothing changed; {pending} key(s) to re-wrap\n")
        elif pending:
            out.write("done: every key is wrapped by the newest key; run again to confirm "
                      "nothing is left before removing an old key from PRIVACY_KEK\n")
        else:
            out.write("nothing left to re-wrap: older keys may be removed from PRIVACY_KEK\n")

    @staticmethod
    def _each_key(
        batches: Iterator[keys.KeyBatch], summary: keys.KeyRotationSummary
    ) -> Iterator[None]:
        """One item per row handled, so the progress bar counts rows, not batches."""
        for batch in batches:
            summary.add(batch)
            yield from (None for _ in range(batch.size))


ACTION = RotateKeysAction()
