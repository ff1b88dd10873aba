"""``privacy report`` section: open personal data breaches and their 72-hour clock."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from privacy.console.breach import clock_text, incidents_open

TITLE = "Personal data breaches: open incidents and the 72-hour clock (PIPA art. 34)"


def build(*, start: datetime, end: datetime, now: datetime) -> list[dict[str, str]]:
    """Every open incident (whatever the period: an open one is always news), deadline first.

    No personal data: items, times and counts only."""
    rows = []
    for clock in incidents_open(now=now):
        incident = clock.incident
        reported = incident.reported_to_authority_at
        rows.append({
            "incident": f"#{incident.pk}",
            "discovered": f"{timezone.localtime(incident.discovered_at):%Y-%m-%d %H:%M}",
            "items": ", ".join(incident.items),
            "affected": str(incident.affected_count),
            "notified": str(clock.notified),
            "clock": clock_text(clock),
            "hours_left": f"{clock.hours_left:.1f}",
            "reported_to_authority": (
                f"{timezone.localtime(reported):%Y-%m-%d %H:%M}" if reported else ""
            ),
        })
    return rows
