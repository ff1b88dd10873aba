"""``privacy report`` section: the staff access log's head, printed to keep it off-site.

The head (newest entry's sequence and keyed hash) is anchored in the retention database; the
printed report is a second copy no database writer can reach. Comparing a later
``privacy verify-access-log`` with the head printed here shows whether entries up to it were
deleted or rewritten since.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from privacy.access_log import access_log_head

TITLE = "Staff access log head (keep this printout: it anchors the log's hash chain)"


def build(*, start: datetime, end: datetime, now: datetime) -> list[dict[str, str]]:
    """The head as of now, whatever the month asked for: only the current head anchors."""
    head = access_log_head()
    if head is None:
        return []
    return [{
        "sequence": f"#{head.sequence}",
        "entry_hash": head.entry_hash,
        "recorded": f"{timezone.localtime(head.updated_at):%Y-%m-%d %H:%M}",
    }]
