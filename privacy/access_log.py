"""The staff access log as a hash chain: every entry holds the hash of the one before.

Korean safety-measure rules ask that records of access to personal data be protected from
tampering. Each entry's hash covers its own content and the previous entry's hash, so a changed,
deleted or reordered row breaks the chain from that row on; ``privacy verify-access-log``
recomputes it. ``access_log_append`` is the only writer; the purge destroys a prefix of the
chain only and keeps the hash of the last destroyed entry as an anchor (``AccessLogAnchor``),
so the remaining entries still verify.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from privacy.models import AccessLogAnchor, AccessLogEntry

GENESIS_HASH = "0" * 64
_APPEND_ATTEMPTS = 5


def entry_digest(entry: AccessLogEntry, previous_hash: str) -> str:
    """SHA-256 over the previous hash and every recorded column of the entry."""
    content = {
        "sequence": entry.sequence,
        "actor": entry.actor,
        "at": entry.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "action": entry.action,
        "subject_ref": str(entry.subject_ref) if entry.subject_ref else "",
        "ip_address": entry.ip_address or "",
        "fields": entry.fields,
        "record_count": entry.record_count,
        "reason": entry.reason,
    }
    payload = previous_hash + json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _chain_head() -> tuple[int, str]:
    """(sequence, hash) of the newest entry, locked, else of the anchor.

    On PostgreSQL (READ COMMITTED) a writer that waited for the lock on the newest row gets
    that row even if another writer appended after it meanwhile; a fresh read shows whether
    it still is the newest, and if not, the newer one is locked instead. Every writer thus
    holds the lock on the real head before it appends."""
    chained = AccessLogEntry.objects.filter(sequence__isnull=False).order_by("-sequence")
    last = chained.select_for_update().first()
    while last is not None:
        newest = chained.values_list("sequence", flat=True).first()
        if newest == last.sequence:
            return last.sequence, last.entry_hash
        last = chained.select_for_update().first()
    anchor = AccessLogAnchor.objects.order_by("-sequence").first()
    if anchor is not None:
        return anchor.sequence, anchor.entry_hash
    return 0, GENESIS_HASH


def access_log_append(
    *, actor: str, action: str, subject_ref: uuid.UUID | None = None,
    ip_address: str | None = None, fields: Iterable[str] = (), record_count: int = 1,
    reason: str = "", at: datetime.datetime | None = None,
) -> AccessLogEntry:
    """Append one entry at the head of the chain.

    The newest entry is locked while the next is computed (``select_for_update``; SQLite
    serialises writers anyway); two writers that still meet on the same sequence (the first
    entry of an empty log) collide on its unique index and the loser retries."""
    if not actor.strip():
        raise ValueError("an access log entry needs an actor")
    values = {
        "actor": actor.strip()[:150], "action": action[:60], "subject_ref": subject_ref,
        "ip_address": ip_address or None, "fields": ",".join(fields)[:500],
        "record_count": max(int(record_count), 0), "reason": reason[:200],
        "at": at or timezone.now(),
    }
    for attempt in range(_APPEND_ATTEMPTS):
        try:
            with transaction.atomic():
                sequence, previous_hash = _chain_head()
                entry = AccessLogEntry(sequence=sequence + 1, previous_hash=previous_hash,
                                       **values)
                entry.entry_hash = entry_digest(entry, previous_hash)
                entry.save()
                return entry
        except IntegrityError:
            if attempt == _APPEND_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def client_ip(request: Any) -> str | None:
    """The address the request came from (``REMOTE_ADDR``; the proxy sets it, see DESIGN.md)."""
    return request.META.get("REMOTE_ADDR") or None


def access_log_request(
    request: Any, *, action: str, subject_ref: uuid.UUID | None = None,
    fields: Iterable[str] = (), record_count: int = 1, reason: str = "",
) -> AccessLogEntry:
    """Append an entry for a staff request (actor and IP taken from the request)."""
    return access_log_append(
        actor=request.user.get_username(), action=action, subject_ref=subject_ref,
        ip_address=client_ip(request), fields=fields, record_count=record_count,
        reason=reason,
    )


@dataclass(frozen=True)
class ChainProblem:
    """The first place where the chain does not hold."""

    sequence: int | None
    entry_id: int | None
    message: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_sequence: int | None
    last_sequence: int | None
    head_hash: str
    problem: ChainProblem | None


def access_log_verify(*, batch_size: int = 2000) -> ChainReport:
    """Recompute the chain from the anchor (or the start) to the newest entry."""
    unchained = AccessLogEntry.objects.filter(sequence__isnull=True).order_by("id").first()
    anchor = AccessLogAnchor.objects.order_by("-sequence").first()
    expected_sequence = (anchor.sequence if anchor else 0) + 1
    previous_hash = anchor.entry_hash if anchor else GENESIS_HASH
    first = None
    checked = 0
    rows = AccessLogEntry.objects.filter(sequence__isnull=False).order_by("sequence")
    for entry in rows.iterator(chunk_size=batch_size):
        first = entry.sequence if first is None else first
        problem = None
        if entry.sequence < expected_sequence:
            problem = f"entry #{entry.sequence} (id {entry.id}) lies before the anchor " \
                      f"#{expected_sequence - 1}: it should have been purged or was inserted"
        elif entry.sequence > expected_sequence:
            missing = (f"entries #{expected_sequence}-#{entry.sequence - 1}"
                       if entry.sequence - expected_sequence > 1 else
                       f"entry #{expected_sequence}")
            problem = f"{missing} missing before entry #{entry.sequence} (id {entry.id})"
        elif entry.previous_hash != previous_hash:
            problem = (f"entry #{entry.sequence} (id {entry.id}) does not point at the previous "
                       f"entry's hash: a row before it was changed, or rows were reordered")
        elif entry_digest(entry, previous_hash) != entry.entry_hash:
            problem = (f"entry #{entry.sequence} (id {entry.id}) was changed after it was "
                       f"written: its content does not match its hash")
        if problem is not None:
            return ChainReport(checked, first, entry.sequence, previous_hash,
                               ChainProblem(entry.sequence, entry.id, problem))
        checked += 1
        previous_hash = entry.entry_hash
        expected_sequence += 1
    chain_problem = None
    if unchained is not None:
        chain_problem = ChainProblem(None, unchained.id, (
            f"entry id {unchained.id} ({unchained.action}) is not part of the chain: "
            f"it was written around access_log_append"))
    return ChainReport(checked, first, expected_sequence - 1 if checked else None,
                       previous_hash, chain_problem)


@transaction.atomic
def access_log_destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
    """The purge's destroy step: delete the given entries that form the oldest part of the
    chain, and anchor the chain at the last one destroyed.

    An entry due for destruction that has a younger surviving entry before it in the chain
    (an entry written with a back-dated time) waits until that one is due too."""
    wanted = set(pks)
    unchained = list(AccessLogEntry.objects.filter(pk__in=wanted, sequence__isnull=True)
                     .values_list("pk", flat=True))
    first_kept = (
        AccessLogEntry.objects.filter(sequence__isnull=False).exclude(pk__in=wanted)
        .order_by("sequence").values_list("sequence", flat=True).first()
    )
    prefix = AccessLogEntry.objects.filter(pk__in=wanted, sequence__isnull=False)
    if first_kept is not None:
        prefix = prefix.filter(sequence__lt=first_kept)
    last = prefix.order_by("-sequence").first()
    destroyed = 0
    if last is not None:
        AccessLogAnchor.objects.create(sequence=last.sequence, entry_hash=last.entry_hash,
                                       created_at=now)
        destroyed += AccessLogEntry.objects.filter(
            sequence__isnull=False, sequence__lte=last.sequence
        ).purge_expired()
    if unchained:
        destroyed += AccessLogEntry.objects.filter(pk__in=unchained).purge_expired()
    return destroyed
