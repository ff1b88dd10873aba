"""Destruction of personal data whose purpose is achieved (policy sections 3 and 4).

Each retention rule of the registry is applied by a ``PurgeRule`` declared in one of the rule
modules of ``PURGE_MODULES`` (``PURGE_RULES = [...]``): the privacy app's own records, the
members app's and the consultations app's, each beside the others in this package so that
the layers below (members, consultations) never import the purge; ``purge_rules()`` finds
them all. A rule
names the rows that are due at a given time and how to destroy a batch of them; if a law keeps
some of what it destroys, ``retain`` says what, and that goes to the retention store first.

A batch is destroyed in four steps across two databases, which cannot share a transaction:

1. open a destruction-ledger entry (retention database) naming the rule and the row range;
2. copy what a law keeps into the retention store (idempotent: ``RetainedRecord.source_ref``
   is derived from the source row, so a re-run finds the copy it made);
3. delete the rows in the live database (one transaction, re-checking that they are still due);
4. close the ledger entry.

A crash between any two steps leaves an open ledger entry; the next ``privacy purge`` finishes
it first (steps 2-4 again over the entry's row range), so every record ends in exactly one
place. After a restore of the live database, ``destruction_replay`` runs the same steps over
every entry since the backup.
"""

from __future__ import annotations

import datetime
import fcntl
import math
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, router, transaction
from django.utils import timezone

from privacy import registry
from privacy.access_log import access_log_append
from privacy.models import DestructionRecord
from privacy.retention.admin_log import admin_log_remnants
from privacy.retention.store import Retention, retention_access, retention_store

if TYPE_CHECKING:
    from members.models import Member

BATCH_SIZE = 500
# The rule modules, the privacy app's own first (withdrawal, then the others), so reports
# start there.
PURGE_MODULES = (
    "privacy.retention.rules",
    "privacy.retention.members",
    "privacy.retention.consultations",
)
LOCK_NAME = "privacy-purge"
# pg_advisory_lock key: a constant 64-bit number naming "privacy purge" in this database.
ADVISORY_LOCK_KEY = 0x5052_4956_5055_5247 & 0x7FFF_FFFF_FFFF_FFFF

T = TypeVar("T")
Progress = Callable[[Iterable[T], int | None, str], Iterable[T]]


def _no_progress(items: Iterable[T], total: int | None, label: str) -> Iterable[T]:
    return items


@dataclass(frozen=True)
class PurgeRule:
    """How one registry retention rule is applied to one model's rows.

    ``due(now)`` is the queryset of rows whose purpose is achieved at ``now``;
    ``destroy(pks, now=, reason=)`` destroys those rows (called inside a transaction of the
    model's database, with only the rows still due) and returns how many it destroyed;
    ``retain(rows, now)`` (optional) says what of ``rows`` a law keeps. ``triggered`` rules are
    applied by an event (``member_erase``) rather than by the clock: ``privacy purge`` only
    finishes their interrupted runs.
    """

    key: str
    retention_rule: str
    model: str
    due: Callable[[datetime.datetime], models.QuerySet]
    destroy: Callable[..., int]
    retain: Callable[[models.QuerySet, datetime.datetime], Iterable[Retention]] | None = None
    item_keys: tuple[str, ...] = ()
    triggered: bool = False
    # Rows that name no one and have no integer key (e.g. Django's expired sessions): removed
    # after the rule's batches without a ledger entry; returns how many (or would, dry run).
    sweep: Callable[..., int] | None = None

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def database(self) -> str:
        return router.db_for_write(self.model_class())

    @property
    def source(self) -> str:
        return self.model_class()._meta.label_lower

    def rows(self, now: datetime.datetime) -> models.QuerySet:
        """Rows this rule may destroy when finishing or replaying an entry of ``now``."""
        if self.triggered:
            return self.model_class()._base_manager.all()
        return self.due(now)


# --- The rule modules ------------------------------------------------------------------------

def _purge_modules() -> list[Any]:
    # Imported by name: the rule modules import this one for ``PurgeRule``.
    return [import_module(name) for name in PURGE_MODULES]


def purge_rules() -> dict[str, PurgeRule]:
    """Every ``PURGE_RULES`` entry of every app's ``purge`` module, by key."""
    rules: dict[str, PurgeRule] = {}
    for module in _purge_modules():
        for rule in getattr(module, "PURGE_RULES", ()):
            if rule.key in rules:
                raise ImproperlyConfigured(f"purge rule {rule.key!r} is declared twice")
            if rule.retention_rule not in registry.RULES_BY_KEY:
                raise ImproperlyConfigured(
                    f"purge rule {rule.key!r} names unknown retention rule "
                    f"{rule.retention_rule!r}"
                )
            rules[rule.key] = rule
    return rules


def member_retentions() -> list[Callable[[Member, datetime.datetime], Iterable[Retention]]]:
    """``MEMBER_RETENTIONS`` of every purge module: what a law keeps when a member goes."""
    return [
        func for module in _purge_modules() for func in getattr(module, "MEMBER_RETENTIONS", ())
    ]


def member_erasers() -> list[Callable[..., None]]:
    """``MEMBER_ERASERS`` of every purge module: data of members that no foreign key cascades."""
    return [func for module in _purge_modules() for func in getattr(module, "MEMBER_ERASERS", ())]


def unplugged_rules() -> list[str]:
    """Registry rules that no purge rule applies and that are not declared pending."""
    covered = {rule.retention_rule for rule in purge_rules().values()}
    return [
        rule.key for rule in registry.RETENTION_RULES
        if rule.key not in covered and rule.key not in registry.PENDING_PURGE_RULES
    ]


# --- The four steps (module functions, so a test can make any one of them fail) -------------

def _ledger_open(
    *, rule: PurgeRule, pks: list[int], now: datetime.datetime, reason: str,
    subject_ref: uuid.UUID | None = None,
) -> DestructionRecord:
    return DestructionRecord.objects.create(
        rule_key=rule.key, reason=reason[:60], subject_ref=subject_ref,
        item_keys=",".join(rule.item_keys)[:400], source=rule.source,
        first_pk=min(pks), last_pk=max(pks), count=len(pks), started_at=now,
    )


def _store(retentions: Iterable[Retention], *, today: datetime.date) -> int:
    return retention_store(retentions, today=today)


def _destroy(
    rule: PurgeRule, pks: list[int], *, now: datetime.datetime, reason: str,
    rows: models.QuerySet,
) -> int:
    with transaction.atomic(using=rule.database):
        still_due = list(rows.filter(pk__in=pks).values_list("pk", flat=True))
        if not still_due:
            return 0
        return rule.destroy(still_due, now=now, reason=reason)


def _ledger_close(entry: DestructionRecord, *, count: int) -> None:
    DestructionRecord.objects.filter(pk=entry.pk).update(count=count, done_at=timezone.now())


@dataclass
class BatchOutcome:
    destroyed: int = 0
    retained: int = 0


def _process_batch(
    rule: PurgeRule, pks: list[int], *, now: datetime.datetime, reason: str,
    rows: models.QuerySet, entry: DestructionRecord | None = None,
    subject_ref: uuid.UUID | None = None,
) -> BatchOutcome:
    if entry is None:
        entry = _ledger_open(rule=rule, pks=pks, now=now, reason=reason, subject_ref=subject_ref)
    outcome = BatchOutcome()
    if rule.retain is not None:
        batch_rows = rows.filter(pk__in=pks)
        outcome.retained = _store(rule.retain(batch_rows, now), today=timezone.localdate())
    outcome.destroyed = _destroy(rule, pks, now=now, reason=reason, rows=rows)
    _ledger_close(entry, count=outcome.destroyed)
    return outcome


def _batches(rows: models.QuerySet, *, batch_size: int) -> Iterator[list[int]]:
    """Primary keys of ``rows`` in ascending ranges of at most ``batch_size``: constant memory,
    and each query starts where the last batch ended."""
    last: int | None = None
    ordered = rows.order_by("pk")
    while True:
        page = ordered if last is None else ordered.filter(pk__gt=last)
        pks = list(page.values_list("pk", flat=True)[:batch_size])
        if not pks:
            return
        yield pks
        last = pks[-1]


def _entry_rows(rule: PurgeRule, entry: DestructionRecord) -> models.QuerySet:
    rows = rule.rows(entry.started_at)
    if entry.first_pk is not None:
        rows = rows.filter(pk__gte=entry.first_pk, pk__lte=entry.last_pk)
    if entry.subject_ref is not None and _has_field(rule.model_class(), "subject_ref"):
        rows = rows.filter(subject_ref=entry.subject_ref)
    return rows


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


# --- Reports ---------------------------------------------------------------------------------

@dataclass
class RuleReport:
    key: str
    due: int = 0
    destroyed: int = 0
    retained: int = 0
    finished: int = 0  # interrupted ledger entries finished by this run
    error: str = ""


@dataclass
class PurgeReport:
    dry_run: bool
    rules: list[RuleReport] = field(default_factory=list)

    @property
    def failed(self) -> list[RuleReport]:
        return [rule for rule in self.rules if rule.error]

    @property
    def destroyed(self) -> int:
        return sum(rule.destroyed for rule in self.rules)

    @property
    def retained(self) -> int:
        return sum(rule.retained for rule in self.rules)

    @property
    def due(self) -> int:
        return sum(rule.due for rule in self.rules)


def _error_text(exc: BaseException) -> str:
    # Class and our own message only; database errors can quote row values (personal data).
    return type(exc).__name__


# --- Concurrency: one purge (or replay) at a time --------------------------------------------

class PurgeLocked(Exception):
    """Another ``privacy purge`` or ``replay-destruction`` is running."""


@contextmanager
def purge_lock() -> Iterator[None]:
    """Hold the purge lock for the block, or raise ``PurgeLocked`` at once.

    PostgreSQL: a session advisory lock on a connection of its own (outside the pool), so it
    works across hosts and is released if the process dies. SQLite: an exclusive ``flock`` on
    a file beside the data, released by the kernel when the process dies.
    """
    connection = connections["default"]
    if connection.vendor == "postgresql":

        params = connection.settings_dict
        raw = psycopg.connect(
            dbname=params["NAME"], user=params.get("USER") or None,
            password=params.get("PASSWORD") or None, host=params.get("HOST") or None,
            port=params.get("PORT") or None, autocommit=True,
        )
        try:
            row = raw.execute(
                "SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY]
            ).fetchone()
            assert row is not None  # a SELECT without FROM returns exactly one row
            acquired = row[0]
            if not acquired:
                raise PurgeLocked
            try:
                yield
            finally:
                raw.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
        finally:
            raw.close()
        return
    var_dir = settings.VAR_DIR
    var_dir.mkdir(parents=True, exist_ok=True)
    with open(var_dir / f"{LOCK_NAME}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PurgeLocked from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- Services ----------------------------------------------------------------------------------

def _selected(rule_keys: Iterable[str] | None) -> list[PurgeRule]:
    rules = purge_rules()
    if not rule_keys:
        return list(rules.values())
    unknown = [key for key in rule_keys if key not in rules]
    if unknown:
        raise ValueError(
            f"unknown purge rule {', '.join(unknown)}; known rules: {', '.join(rules)}"
        )
    return [rules[key] for key in rule_keys]


def _finish_open_entries(
    rule: PurgeRule, report: RuleReport, *, batch_size: int, dry_run: bool
) -> None:
    for entry in DestructionRecord.objects.filter(rule_key=rule.key, done_at=None).order_by("pk"):
        rows = _entry_rows(rule, entry)
        if dry_run:
            report.due += rows.count()
            continue
        pks_seen = False
        for pks in _batches(rows, batch_size=batch_size):
            pks_seen = True
            outcome = _process_batch(
                rule, pks, now=entry.started_at, reason=entry.reason, rows=rows, entry=entry
            )
            report.destroyed += outcome.destroyed
            report.retained += outcome.retained
        if not pks_seen:  # the crash came after the delete: only the ledger was left open
            _ledger_close(entry, count=entry.count)
        report.finished += 1


def purge(
    *,
    now: datetime.datetime | None = None,
    rule_keys: Iterable[str] | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Progress = _no_progress,
) -> PurgeReport:
    """Destroy everything due under every purge rule (or ``rule_keys``); see the module doc.

    Raises ``ValueError`` for an unknown rule and ``PurgeLocked`` if another run holds the
    lock; a failing rule does not stop the others and is reported in ``PurgeReport.failed``.
    """
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")
    now = now or timezone.now()
    rules = _selected(rule_keys)
    report = PurgeReport(dry_run=dry_run)
    with purge_lock():
        for rule in rules:
            rule_report = RuleReport(rule.key)
            report.rules.append(rule_report)
            try:
                _finish_open_entries(rule, rule_report, batch_size=batch_size, dry_run=dry_run)
                if rule.triggered:
                    continue
                if rule.sweep is not None:
                    swept = rule.sweep(now, dry_run=dry_run)
                    rule_report.due += swept
                    if not dry_run:
                        rule_report.destroyed += swept
                due = rule.due(now)
                count = due.count()
                rule_report.due += count
                if dry_run or not count:
                    continue
                batches = progress(
                    _batches(due, batch_size=batch_size), math.ceil(count / batch_size),
                    f"{rule.key} (batches of {batch_size})",
                )
                for pks in batches:
                    outcome = _process_batch(rule, pks, now=now, reason="purge", rows=due)
                    rule_report.destroyed += outcome.destroyed
                    rule_report.retained += outcome.retained
            except Exception as exc:  # reported per rule; the run goes on with the next rule
                rule_report.error = _error_text(exc)
    return report


def member_erase(
    *, member: Member, reason: str, actor: Member | None = None,
    now: datetime.datetime | None = None,
) -> BatchOutcome:
    """Withdrawal core: destroy now everything of ``member`` that no law keeps.

    What a law keeps (``MEMBER_RETENTIONS`` of the purge modules) moves to the retention store
    first; then the member's data key is destroyed (cryptographic erasure of every encrypted
    field sealed with it) and the member row goes with its consultations, answers, reviews,
    email addresses and sessions; consent-ledger entries stay only as pseudonymous proof.
    """
    if not reason or len(reason) > 60:
        raise ValueError("reason must be a short event name (1-60 characters)")
    if member is None or member.pk is None:
        raise ValueError("member_erase needs a saved member")
    now = now or timezone.now()
    rule = purge_rules()[registry.MEMBERSHIP.key]
    if actor is not None:
        access_log_append(
            actor=actor.get_username(), action="member_erase", subject_ref=member.subject_ref,
            at=now,
        )
    rows = rule.rows(now).filter(subject_ref=member.subject_ref)
    # A retry after a failed attempt finishes the attempt's ledger entry rather than opening
    # a second one.
    entry = DestructionRecord.objects.filter(
        rule_key=rule.key, subject_ref=member.subject_ref, done_at=None
    ).order_by("pk").first()
    return _process_batch(
        rule, [member.pk], now=now, reason=reason, rows=rows, subject_ref=member.subject_ref,
        entry=entry,
    )


@dataclass
class ReplayReport:
    entries: int = 0
    destroyed: int = 0
    would_destroy: int = 0
    errors: list[str] = field(default_factory=list)


def destruction_replay(
    *, since: datetime.date, dry_run: bool = False, batch_size: int = BATCH_SIZE,
    progress: Progress = _no_progress,
) -> ReplayReport:
    """After a restore from backup: destroy again what the ledger says went since ``since``."""
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    rules = purge_rules()
    report = ReplayReport()
    with purge_lock():
        entries = DestructionRecord.objects.filter(started_at__gte=start).exclude(reason="replay")
        total = entries.count()
        for entry in progress(entries.order_by("pk").iterator(chunk_size=500), total, "entries"):
            report.entries += 1
            rule = rules.get(entry.rule_key)
            if rule is None:
                report.errors.append(f"entry {entry.pk}: no purge rule {entry.rule_key!r}")
                continue
            rows = _entry_rows(rule, entry)
            if dry_run:
                report.would_destroy += rows.count()
                continue
            try:
                for pks in _batches(rows, batch_size=batch_size):
                    outcome = _process_batch(
                        rule, pks, now=entry.started_at, reason="replay", rows=rows,
                        subject_ref=entry.subject_ref,
                    )
                    report.destroyed += outcome.destroyed
            except Exception as exc:
                report.errors.append(f"entry {entry.pk}: {_error_text(exc)}")
    return report


# --- Verification --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    database: str
    table: str
    count: int
    kept_by: str = ""  # the registry rule that keeps these rows lawfully; empty: should be gone
    until: datetime.date | None = None


# Rows that stay after an erasure on purpose: pseudonymous proof of consent (rule consent_proof)
# and the staff access log (who looked at whom; rule staff_access_log).
_KEPT_LIVE = {
    "privacy.consentrecord": registry.CONSENT_PROOF.key,
    "privacy.accesslogentry": registry.STAFF_ACCESS_LOG.key,
    # Records other rules keep for their own period after the member goes (their purge rules
    # destroy them when it ends): open complaints until closed, then the retention database;
    # disclosures 3 years; advertising sent 1 year; reminders and restrictions as proof.
    "privacy.complaint": registry.COMPLAINT_RECORDS.key,
    "privacy.disclosure": registry.DISCLOSURE_RECORDS.key,
    "privacy.campaigndelivery": registry.MARKETING_SENDS.key,
    "privacy.consentreminder": registry.CONSENT_PROOF.key,
    "privacy.restriction": registry.RESTRICTION_RECORDS.key,
    "privacy.breachnotice": registry.BREACH_RECORDS.key,
    "privacy.rightsrequest": registry.RIGHTS_REQUEST_RECORDS.key,
}


def erasure_verify(*, subject_ref: uuid.UUID, actor: str) -> list[Finding]:
    """Every row in the live and retention databases that still belongs to ``subject_ref``.

    Looks at every model with a ``subject_ref`` field; for members the ledger says were
    destroyed, at every row pointing at their old primary key; and at the admin log, for
    entries naming the account or any personal record that is gone. Rows a rule keeps lawfully come
    back with ``kept_by`` set; any other finding means the erasure is incomplete.
    """

    findings: list[Finding] = []
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    member_pks = list(
        DestructionRecord.objects.filter(
            subject_ref=subject_ref, source=user_model._meta.label_lower
        ).exclude(first_pk=None).values_list("first_pk", flat=True).distinct()
    )
    for model in apps.get_models():
        if router.db_for_read(model) != "default":
            continue
        label = model._meta.label_lower
        if _has_field(model, "subject_ref"):
            rows = model._base_manager.filter(subject_ref=subject_ref)
            if label == "privacy.consentrecord":
                linked = rows.exclude(member=None).count()
                if linked:
                    findings.append(Finding("default", label, linked))
                rows = rows.filter(member=None)
            count = rows.count()
            if count:
                findings.append(Finding("default", label, count, kept_by=_KEPT_LIVE.get(label, "")))
        if member_pks:
            for fk in model._meta.concrete_fields:
                if fk.is_relation and fk.related_model is user_model:
                    count = model._base_manager.filter(**{f"{fk.attname}__in": member_pks}).count()
                    if count:
                        findings.append(Finding("default", f"{label}.{fk.name}", count))
    left_in_admin_log = admin_log_remnants(member_pks).count()
    if left_in_admin_log:
        findings.append(Finding("default", "admin.logentry", left_in_admin_log))
    with retention_access(actor=actor, action="verify-erasure", subject_ref=subject_ref) as store:
        today = timezone.localdate()
        for record in store.records(subject_ref=subject_ref):
            lawful = record.destroy_after >= today
            findings.append(Finding(
                "retention", "privacy.retainedrecord", 1,
                kept_by=record.rule_key if lawful else "", until=record.destroy_after,
            ))
    return findings
