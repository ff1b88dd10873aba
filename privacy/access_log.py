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
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from allauth.core.internal import httpkit
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router, transaction
from django.utils import timezone

from privacy.models import AccessLogAnchor, AccessLogEntry

GENESIS_HASH = "0" * 64
logger = logging.getLogger(__name__)

# Each failed attempt means another writer appended meanwhile.
_APPEND_ATTEMPTS = 100


# The JSON text the hash covers: keys sorted, json.dumps's separators; strings go through
# json's own string encoder, numbers are integers and the time and UUID need no escaping.
_CONTENT = ('{"action": %s, "actor": %s, "at": "%s", "fields": %s, "ip_address": %s, '
            '"reason": %s, "record_count": %d, "sequence": %d, "subject_ref": "%s"}')
_json_text = encode_basestring

# The columns a hash covers, in the order ``_digest`` takes them.
_HASHED = ("sequence", "actor", "at", "action", "subject_ref", "ip_address", "fields",
           "record_count", "reason")


def _digest(
    previous_hash: str, sequence: int, actor: str, at: datetime.datetime, action: str,
    subject_ref: uuid.UUID | None, ip_address: str | None, fields: str, record_count: int,
    reason: str,
) -> str:
    """SHA-256 over the previous hash and the entry's columns as a JSON object with sorted
    keys (``json.dumps(..., sort_keys=True, ensure_ascii=False)``), written out directly: the
    verification hashes every entry, and the generic encoder would double its cost."""
    payload = _CONTENT % (
        _json_text(action), _json_text(actor),
        at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        _json_text(fields), _json_text(ip_address or ""), _json_text(reason),
        record_count, sequence, str(subject_ref) if subject_ref else "",
    )
    return hashlib.sha256((previous_hash + payload).encode()).hexdigest()


def entry_digest(entry: AccessLogEntry, previous_hash: str) -> str:
    """SHA-256 over the previous hash and every recorded column of the entry."""
    return _digest(previous_hash, *(getattr(entry, name) for name in _HASHED))


def _chain_head() -> tuple[int, str]:
    """(sequence, hash) of the newest entry, locked, else of the anchor.

    On PostgreSQL (READ COMMITTED) a writer that waited for the lock on the newest row gets
    that row even if another writer appended after it meanwhile; its insert then finds the
    sequence taken and it reads the head again (``access_log_append``)."""
    last = (
        AccessLogEntry.objects.filter(sequence__isnull=False).order_by("-sequence")
        .select_for_update().values_list("sequence", "entry_hash").first()
    )
    if last is not None:
        return last
    anchor = AccessLogAnchor.objects.order_by("-sequence").first()
    if anchor is not None:
        return anchor.sequence, anchor.entry_hash
    return 0, GENESIS_HASH


def _insert_unless_taken(entry: AccessLogEntry) -> int | None:
    """Insert the entry unless its sequence is taken; its id, else ``None``.

    ``INSERT ... ON CONFLICT (sequence) DO NOTHING RETURNING id``: a taken sequence is no
    error, so the transaction stays usable without a savepoint."""
    opts = AccessLogEntry._meta
    columns = [field for field in opts.concrete_fields if not field.primary_key]
    connection = connections[router.db_for_write(AccessLogEntry)]
    quote = connection.ops.quote_name
    # Identifiers come from the model, quoted; every value is a parameter.
    table = quote(opts.db_table)
    names = ", ".join(quote(field.column) for field in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    unique = quote(opts.get_field("sequence").column)
    sql = (f"INSERT INTO {table} ({names}) VALUES ({placeholders}) "  # noqa: S608
           f"ON CONFLICT ({unique}) DO NOTHING RETURNING {quote(opts.pk.column)}")
    params = [field.get_db_prep_save(getattr(entry, field.attname), connection)
              for field in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def access_log_append(
    *, actor: str, action: str, subject_ref: uuid.UUID | None = None,
    ip_address: str | None = None, fields: Iterable[str] = (), record_count: int = 1,
    reason: str = "", at: datetime.datetime | None = None,
) -> AccessLogEntry:
    """Append one entry at the head of the chain.

    Two statements per entry: the newest entry is read and locked (``select_for_update``;
    SQLite serialises writers anyway), then the next one is inserted unless another writer
    took its sequence first (after waiting for the lock, or on an empty log), in which case
    the head is read again. No savepoint is needed, as nothing fails."""
    if not actor.strip():
        raise ValueError("an access log entry needs an actor")
    values = {
        "actor": actor.strip()[:150], "action": action[:60], "subject_ref": subject_ref,
        "ip_address": ip_address or None, "fields": ",".join(fields)[:500],
        "record_count": max(int(record_count), 0), "reason": reason[:200],
        "at": at or timezone.now(),
    }
    with transaction.atomic(savepoint=False):
        for _attempt in range(_APPEND_ATTEMPTS):
            sequence, previous_hash = _chain_head()
            entry = AccessLogEntry(sequence=sequence + 1, previous_hash=previous_hash,
                                   **values)
            entry.entry_hash = entry_digest(entry, previous_hash)
            entry_id = _insert_unless_taken(entry)
            if entry_id is not None:
                entry.pk = entry_id
                entry._state.adding = False
                entry._state.db = router.db_for_write(AccessLogEntry)
                return entry
    raise RuntimeError(f"the access log head moved {_APPEND_ATTEMPTS} times in a row; "
                       "the entry was not written")


def client_ip(request: Any) -> str | None:
    """The client's address: the one thing everything that records or limits by address asks.

    Without trusted proxies it is the connection's peer and ``X-Forwarded-For`` is ignored
    (anyone can send it). Behind ``ALLAUTH_TRUSTED_PROXY_COUNT`` proxies it is the address the
    outermost trusted proxy saw, or ``ALLAUTH_TRUSTED_CLIENT_IP_HEADER`` when a proxy names the
    client in a header of its own. allauth reads its settings itself, so its rate limits (the
    adapter's ``get_client_ip`` calls this) and our records always agree. ``None`` when the
    request did not pass through every trusted proxy: no address is better than a forged one.
    """
    try:
        return httpkit.get_client_ip(request)
    except ImproperlyConfigured:
        logger.warning("X-Forwarded-For holds fewer addresses than ALLAUTH_TRUSTED_PROXY_COUNT;"
                       " the client address is unknown")
        return None


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


def access_log_verify(*, batch_size: int = 5000) -> ChainReport:
    """Recompute the chain from the anchor (or the start) to the newest entry."""
    unchained = AccessLogEntry.objects.filter(sequence__isnull=True).order_by("id").first()
    anchor = AccessLogAnchor.objects.order_by("-sequence").first()
    expected_sequence = (anchor.sequence if anchor else 0) + 1
    previous_hash = anchor.entry_hash if anchor else GENESIS_HASH
    first = None
    checked = 0
    rows = (
        AccessLogEntry.objects.filter(sequence__isnull=False).order_by("sequence")
        .values_list("id", "previous_hash", "entry_hash", *_HASHED)
    )
    for entry_id, stored_previous, entry_hash, *hashed in rows.iterator(chunk_size=batch_size):
        sequence = hashed[0]
        first = sequence if first is None else first
        problem = None
        if sequence < expected_sequence:
            problem = f"entry #{sequence} (id {entry_id}) lies before the anchor " \
                      f"#{expected_sequence - 1}: it should have been purged or was inserted"
        elif sequence > expected_sequence:
            missing = (f"entries #{expected_sequence}-#{sequence - 1}"
                       if sequence - expected_sequence > 1 else
                       f"entry #{expected_sequence}")
            problem = f"{missing} missing before entry #{sequence} (id {entry_id})"
        elif stored_previous != previous_hash:
            problem = (f"entry #{sequence} (id {entry_id}) does not point at the previous "
                       f"entry's hash: a row before it was changed, or rows were reordered")
        elif _digest(previous_hash, *hashed) != entry_hash:
            problem = (f"entry #{sequence} (id {entry_id}) was changed after it was "
                       f"written: its content does not match its hash")
        if problem is not None:
            return ChainReport(checked, first, sequence, previous_hash,
                               ChainProblem(sequence, entry_id, problem))
        checked += 1
        previous_hash = entry_hash
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
