"""Report section: rights requests open now (overdue first) and those received in the month."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from privacy.models import RightsRequest

TITLE = "Rights requests (policy section 6: answer within 10 days)"


def build(*, start: datetime.datetime, end: datetime.datetime,
          now: datetime.datetime) -> list[dict[str, str]]:
    """Open requests (whenever received) and every request received in [start, end)."""
    today = timezone.localdate(now)
    requests = RightsRequest.objects.filter(
        Q(completed_at__isnull=True) | Q(received_at__gte=start, received_at__lt=end)
    ).order_by("due_on", "received_at", "id")
    rows = []
    for request in requests:
        if request.completed_at is not None:
            state = "completed"
        elif request.due_on < today:
            state = "OVERDUE"
        else:
            state = "open"
        rows.append({
            "id": str(request.pk),
            "state": state,
            "kind": request.kind,
            "channel": request.channel,
            "reference": request.reference,
            "items": ",".join(request.items),
            "received": f"{timezone.localtime(request.received_at):%Y-%m-%d}",
            "due": request.due_on.isoformat(),
            "completed": (f"{timezone.localtime(request.completed_at):%Y-%m-%d}"
                          if request.completed_at else ""),
        })
    order = {"OVERDUE": 0, "open": 1, "completed": 2}
    return sorted(rows, key=lambda row: (order[row["state"]], row["due"], int(row["id"])))
