"""``privacy rechain-access-log``: key the staff access log's chain with a new key.

Replacing ``PRIVACY_ACCESS_LOG_KEY`` leaves every stored hash computed under the old key, so
the log no longer verifies. The steps (docs/privacy-manager.md, "The staff access log"): run
``verify-access-log`` under the old key, set the new key, then run this action, which
recomputes every entry's hash, every anchor's tag and the head under the new key.
"""

from __future__ import annotations

from typing import Any, TextIO

from privacy.access_log import access_log_rechain
from privacy.actions.base import Action
from privacy.models import AccessLogEntry


class RechainAccessLogAction(Action):
    help = (
        "Recompute the access log's hash chain, anchors and head under the current "
        "PRIVACY_ACCESS_LOG_KEY, after the key was replaced. Run verify-access-log under the "
        "old key first: a chain recomputed over changed rows would hide the change."
    )
    changes_data = True

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        if options.get("dry_run"):
            count = AccessLogEntry.objects.filter(sequence__isnull=False).count()
            out.write(f"access log: would re-chain {count} entries\n")
            return
        out.write(f"access log: re-chained {access_log_rechain()} entries\n")


ACTION = RechainAccessLogAction()
