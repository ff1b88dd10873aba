"""The periodic jobs: what runs on a clock, not when someone types a command.

The task queue has no scheduler of its own, so systemd timers (``deploy/``) start
``manage.py privacy scheduled <job>`` on each server's schedule; docs/operations.md lists
them. Every job runs under the purge lock (``privacy.retention.destruction.purge_lock``): one
job at a time across all servers, never beside a purge or a replay; a job that finds the lock
held raises ``PurgeLocked`` and its next run does the work.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from privacy.access_log import access_log_verify
from privacy.console.breach import incidents_open
from privacy.marketing.campaigns import consent_reminders_send
from privacy.models import SentMessage
from privacy.outbox import email_enqueue
from privacy.retention.destruction import purge, purge_lock

logger = logging.getLogger(__name__)

# An open breach incident is brought to the officer while fewer hours than this remain of its
# 72-hour clock, and every run after it is overdue.
BREACH_WARNING_HOURS = 24
# Finished task rows are kept this long for the operator to look into, then deleted; the
# record of a send outlives every retry of it.
TASK_RESULTS_KEPT = datetime.timedelta(days=7)
SENT_MESSAGES_KEPT = datetime.timedelta(days=30)
# A task still marked running this long after it started was left by a worker that died
# (killed, host lost): it is queued again. Running it twice sends nothing twice (send keys,
# campaign claims), so the bound only needs to exceed a normal run.
TASK_STALE_AFTER = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class JobOutcome:
    summary: str
    problem: str = ""  # set when the job found something wrong: the command exits non-zero


def job_purge() -> JobOutcome:
    """Destroy what every retention rule says is due (``purge`` takes the lock itself)."""
    report = purge()
    summary = f"purge: {len(report.rules)} rules, destroyed {report.destroyed}, " \
              f"retained {report.retained}"
    if report.failed:
        return JobOutcome(summary, "rules failed: " + ", ".join(r.key for r in report.failed))
    return JobOutcome(summary)


def job_remind_consents() -> JobOutcome:
    """The two-yearly reminder of marketing consents; each period is reminded once."""
    with purge_lock():
        report = consent_reminders_send()
    summary = f"remind-consents: sent {report.sent}, failed {report.failed}"
    if report.failed:
        return JobOutcome(summary, f"{report.failed} reminder(s) failed; the next run retries")
    return JobOutcome(summary)


def job_review_access_log() -> JobOutcome:
    """Recompute the staff access log's hash chain; a break is reported at once."""
    with purge_lock():
        report = access_log_verify()
    if report.problem is not None:
        logger.error("staff access log broken after %d entries", report.checked)
        return JobOutcome(f"review-access-log: checked {report.checked}",
                          f"access log broken: {report.problem.message}")
    return JobOutcome(f"review-access-log: {report.checked} entries verified")


def job_breach_deadlines() -> JobOutcome:
    """Mail the officer every open incident near or past its 72-hour notification deadline."""
    with purge_lock():
        pressing = [clock for clock in incidents_open()
                    if clock.hours_left < BREACH_WARNING_HOURS]
    if not pressing:
        return JobOutcome("breach-deadlines: no open incident near its deadline")
    lines = [
        {"pk": clock.incident.pk, "hours": f"{abs(clock.hours_left):.1f}",
         "overdue": clock.overdue, "notified": clock.notified}
        for clock in pressing
    ]
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("privacy/email/breach_deadline_subject.txt",
                                   {"count": len(lines)}).strip()
        body = render_to_string("privacy/email/breach_deadline.txt", {"lines": lines})
    email_enqueue(EmailMessage(subject, body, None, [settings.PRIVACY_OFFICER["email"]]))
    logger.warning("%d breach incident(s) near or past the notification deadline", len(lines))
    return JobOutcome(f"breach-deadlines: {len(lines)} incident(s) brought to the officer")


def job_prune_tasks() -> JobOutcome:
    """Queue again the tasks a dead worker left running; delete finished task rows and old
    send records. Waiting tasks stay."""
    now = timezone.now()
    with purge_lock():
        requeued = DBTaskResult.objects.running().filter(
            started_at__lt=now - TASK_STALE_AFTER
        ).update(status=TaskResultStatus.READY, started_at=None)
        tasks, _ = DBTaskResult.objects.finished().filter(
            finished_at__lt=now - TASK_RESULTS_KEPT
        ).delete()
        sends, _ = SentMessage.objects.filter(sent_at__lt=now - SENT_MESSAGES_KEPT).delete()
    if requeued:
        logger.warning("%d task(s) left running by a stopped worker queued again", requeued)
    return JobOutcome(f"prune-tasks: queued again {requeued} task(s) left running, deleted "
                      f"{tasks} finished task(s), {sends} send record(s)")


JOBS: dict[str, Callable[[], JobOutcome]] = {
    "purge": job_purge,
    "remind-consents": job_remind_consents,
    "review-access-log": job_review_access_log,
    "breach-deadlines": job_breach_deadlines,
    "prune-tasks": job_prune_tasks,
}
