"""Monthly review of the staff access log (``privacy report --month YYYY-MM``, staff section).

Korean safety-measure rules ask that the access records of staff who process personal data are
checked every month: who read how much, who revealed or downloaded what and why, whose volume
is unusual, and which staff logins failed.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Max, Sum
from django.utils.timezone import localtime

from members.models import LoginRecord, LoginResult, Member
from privacy.models import AccessLogEntry

TITLE = "Staff access to personal data"

# A month is unusual when a staff account read more than this many times its monthly mean of
# the previous months, and at least UNUSUAL_MIN_RECORDS records (a few reads are never unusual).
UNUSUAL_FACTOR = 3
UNUSUAL_MIN_RECORDS = 50
HISTORY_MONTHS = 3


def _month_start(moment: datetime, months_back: int) -> datetime:
    index = moment.year * 12 + (moment.month - 1) - months_back
    return moment.replace(year=index // 12, month=index % 12 + 1, day=1, hour=0, minute=0,
                          second=0, microsecond=0)


def _row(section: str, staff: str, count: int | str, detail: str = "") -> dict[str, str]:
    return {"section": section, "staff": staff, "count": str(count), "detail": detail}


def _records_per_actor(start: datetime, end: datetime) -> dict[str, int]:
    rows = (AccessLogEntry.objects.filter(at__gte=start, at__lt=end).values("actor")
            .annotate(records=Sum("record_count")))
    return {row["actor"]: row["records"] or 0 for row in rows}


def build(*, start: datetime, end: datetime, now: datetime) -> list[dict[str, str]]:
    """Rows of ``section, staff, count, detail``; sections: accesses, reveal, export,
    unusual_volume, failed_logins (in this order)."""
    in_month = AccessLogEntry.objects.filter(at__gte=start, at__lt=end)
    rows: list[dict[str, str]] = []

    per_actor = (in_month.values("actor")
                 .annotate(entries=Count("id"), records=Sum("record_count"))
                 .order_by("actor"))
    for item in per_actor:
        rows.append(_row("accesses", item["actor"], item["entries"],
                         f"records read: {item['records'] or 0}"))

    for entry in in_month.filter(action__startswith="reveal:").order_by("at", "sequence"):
        rows.append(_row("reveal", entry.actor, 1,
                         f"{localtime(entry.at):%Y-%m-%d %H:%M} {entry.action.partition(':')[2]} "
                         f"subject {entry.subject_ref or '-'}"))

    for entry in in_month.filter(action__startswith="export:").order_by("at", "sequence"):
        rows.append(_row("export", entry.actor, entry.record_count,
                         f"{localtime(entry.at):%Y-%m-%d %H:%M} reason: {entry.reason}"))

    current = {item["actor"]: item["records"] or 0 for item in per_actor}  # read above
    history = _records_per_actor(_month_start(start, HISTORY_MONTHS), start)
    for actor in sorted(current):
        mean = history.get(actor, 0) / HISTORY_MONTHS
        records = current[actor]
        if records >= UNUSUAL_MIN_RECORDS and records > UNUSUAL_FACTOR * mean:
            rows.append(_row("unusual_volume", actor, records,
                             f"monthly mean of the previous {HISTORY_MONTHS} months: "
                             f"{mean:.1f}"))

    failed = list(LoginRecord.objects.filter(
        result=LoginResult.FAILURE, member__is_staff=True,
        recorded_at__gte=start, recorded_at__lt=end,
    ).values("member").annotate(failures=Count("id"), last=Max("recorded_at")))
    # Login IDs are sealed: the few staff accounts named are read with their keys.
    staff = Member.objects.select_related("data_key").in_bulk([item["member"] for item in failed])
    for item in sorted(failed, key=lambda item: staff[item["member"]].username):
        rows.append(_row("failed_logins", staff[item["member"]].username, item["failures"],
                         f"last at {localtime(item['last']):%Y-%m-%d %H:%M}"))
    return rows
