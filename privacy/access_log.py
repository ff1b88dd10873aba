"""The staff access log as a keyed hash chain: every entry holds the hash of the one before.

Korean safety-measure rules ask that records of access to personal data be protected from
tampering, including by someone who can write to the database. Each entry's hash is an HMAC,
under ``settings.PRIVACY_ACCESS_LOG_KEY`` (which the database never holds), of its own content
and the previous entry's hash: a changed, deleted or reordered row breaks the chain from that
row on, and nobody without the key can compute a new chain over the rows that remain.
``privacy verify-access-log`` recomputes it.

Both ends are anchored. The purge destroys a prefix of the chain only and keeps the hash of the
last destroyed entry as an anchor (``AccessLogAnchor``) tagged with the key, so the remaining
entries still verify and a prefix cannot be cut by anyone else. The newest entry's sequence
and hash are copied, after each append commits, to ``AccessLogHead`` in the retention database
(and printed in the monthly report), so deleting the newest entries is found as well.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import itertools
import logging
import multiprocessing
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache, partial
from json.encoder import encode_basestring
from typing import Any, cast

from allauth.core.internal import httpkit
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections, router, transaction
from django.db.models import F, Func, Max, Min, TextField, Value
from django.utils import timezone

from privacy.models import AccessLogAnchor, AccessLogEntry, AccessLogHead

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64

# Each failed attempt means another writer appended meanwhile.
_APPEND_ATTEMPTS = 100


# The JSON text the hash covers: keys sorted, json.dumps's separators; strings go through
# json's own string encoder, numbers are integers and the time and UUID need no escaping.
# The verification has the database fill in the same text (``_hashed_text``).
_CONTENT = ('{"action": %s, "actor": %s, "at": "%s", "fields": %s, "ip_address": %s, '
            '"reason": %s, "record_count": %d, "sequence": %d, "subject_ref": "%s"}')
_json_text = encode_basestring

# The columns a hash covers, in the order ``_digest`` takes them.
_HASHED = ("sequence", "actor", "at", "action", "subject_ref", "ip_address", "fields",
           "record_count", "reason")


@lru_cache(maxsize=2)
def _keyed(key: bytes) -> Any:
    """An HMAC-SHA256 with the key already absorbed; each digest starts from a copy of it."""
    return hmac.new(key, digestmod=hashlib.sha256)


def _mac(text: str) -> str:
    keyed = _keyed(settings.PRIVACY_ACCESS_LOG_KEY).copy()
    keyed.update(text.encode())
    return str(keyed.hexdigest())


def _digest(
    previous_hash: str, sequence: int, actor: str, at: datetime.datetime, action: str,
    subject_ref: uuid.UUID | None, ip_address: str | None, fields: str, record_count: int,
    reason: str,
) -> str:
    """HMAC-SHA256 over the previous hash and the entry's columns as a JSON object with sorted
    keys (``json.dumps(..., sort_keys=True, ensure_ascii=False)``), written out directly, as
    the verification has the database write it (``_hashed_text``)."""
    payload = _CONTENT % (
        _json_text(action), _json_text(actor),
        at.astimezone(datetime.UTC).isoformat(timespec="microseconds"), _json_text(fields),
        _json_text(ip_address or ""), _json_text(reason), record_count, sequence,
        str(subject_ref) if subject_ref else "",
    )
    mac = _keyed(settings.PRIVACY_ACCESS_LOG_KEY).copy()
    mac.update((previous_hash + payload).encode())
    return str(mac.hexdigest())


def entry_digest(entry: AccessLogEntry, previous_hash: str) -> str:
    """The keyed hash over the previous hash and every recorded column of the entry."""
    return _digest(previous_hash, *(getattr(entry, name) for name in _HASHED))


def anchor_tag(sequence: int, entry_hash: str, created_at: datetime.datetime) -> str:
    """The keyed tag that shows an anchor was written by the purge."""
    at = created_at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    return _mac(f"anchor:{sequence}:{entry_hash}:{at}")


def access_log_rechain() -> int:
    """Recompute every surviving entry's hash and every anchor's tag under the current key;
    the number of entries re-chained.

    Run once when the chain is first keyed (the migration that adds the key) and after the
    key is replaced (``privacy rechain-access-log``), only right after the log verified under
    the old key: a chain recomputed over tampered rows would hide the tampering."""
    anchors = list(AccessLogAnchor.objects.order_by("sequence"))
    for anchor in anchors:
        tag = anchor_tag(anchor.sequence, anchor.entry_hash, anchor.created_at)
        AccessLogAnchor.objects.filter(pk=anchor.pk).chain_rewrite(anchor_tag=tag)
    head = rechain_entries(anchors[-1].entry_hash if anchors else GENESIS_HASH)
    if head is not None:
        _head_advance(*head, force=True)
    return AccessLogEntry.objects.filter(sequence__isnull=False).count()


def rechain_entries(previous_hash: str) -> tuple[int, str] | None:
    """Recompute the chain over every chained entry from ``previous_hash``; the new head's
    (sequence, hash), or None for an empty log."""
    head = None
    entries = AccessLogEntry.objects.filter(sequence__isnull=False).order_by("sequence")
    for entry in entries.iterator():
        entry_hash = entry_digest(entry, previous_hash)
        AccessLogEntry.objects.filter(pk=entry.pk).chain_rewrite(
            previous_hash=previous_hash, entry_hash=entry_hash)
        previous_hash = entry_hash
        head = (entry.sequence, entry_hash)
    return head


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


# The (sequence, hash) this process last appended, per database: the guess at the head that
# lets an append be one statement. A wrong guess (another process appended since, a rolled-back
# transaction, a purge or a re-chain) inserts nothing and costs the locked read it saves.
_last_appended: dict[str, tuple[int, str]] = {}

# Ends a statement's condition on PostgreSQL: the transaction it runs in commits without
# waiting for its WAL to reach the disk (``synchronous_commit`` off for that transaction only;
# ``set_config`` returns the new value). Used only where ``_one_wal`` says it is safe.
_NO_FLUSH = "set_config('synchronous_commit', 'off', true) = 'off'"


def _server_instance(using: str) -> tuple[Any, ...]:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_postmaster_start_time(), current_setting('port'), "
                       "inet_server_addr()")
        return tuple(cursor.fetchone())


@lru_cache(maxsize=4)
def _one_wal(live: str, kept: str) -> bool:
    """Whether the live database and the one that keeps the head are one PostgreSQL server
    (the same running postmaster: its start time, port and address), and so write one WAL.

    Only then may an entry's own transaction commit without waiting for the disk. Its head
    is moved in the retention database after that commit, so its commit record comes later
    in the same WAL; WAL reaches the disk in order, so whatever a crash leaves of the head's
    move, the entry it names survived as well: the head never runs ahead of the log. With
    two servers nothing orders the two flushes, and the entry's commit waits for the disk
    as usual. Asked once per process (the databases a process is configured with do not
    change); any doubt answers no."""
    if connections[live].vendor != "postgresql" or connections[kept].vendor != "postgresql":
        return False
    try:
        return _server_instance(live) == _server_instance(kept)
    except DatabaseError:
        logger.warning("could not tell whether the access log and its head share a server")
        return False


def _insert_columns() -> list[Any]:
    return [field for field in AccessLogEntry._meta.concrete_fields if not field.primary_key]


@lru_cache(maxsize=8)
def _insert_sql(using: str, *, guarded: bool, no_flush: bool) -> str:
    """The statement ``_insert_unless_taken`` runs, written once per database and form."""
    opts = AccessLogEntry._meta
    columns = _insert_columns()
    connection = connections[using]
    quote = connection.ops.quote_name
    # Identifiers and types come from the model, quoted; every value is a parameter.
    table = quote(opts.db_table)
    names = ", ".join(quote(field.column) for field in columns)
    unique = quote(opts.get_field("sequence").column)
    hash_column = quote(opts.get_field("entry_hash").column)
    if not guarded:
        placeholders = ", ".join(["%s"] * len(columns))
        source = f"VALUES ({placeholders})"
    else:
        # PostgreSQL types a SELECT's parameters as text unless told; SQLite needs no types.
        typed = ", ".join("%s" if connection.vendor == "sqlite"
                          else f"CAST(%s AS {field.db_type(connection)})"
                          for field in columns)
        source = (f"SELECT {typed} WHERE EXISTS (SELECT 1 FROM {table} "  # noqa: S608
                  f"WHERE {unique} = %s AND {hash_column} = %s)")
        if no_flush:
            source += f" AND {_NO_FLUSH}"
    return (f"INSERT INTO {table} ({names}) {source} "
            f"ON CONFLICT ({unique}) DO NOTHING RETURNING {quote(opts.pk.column)}")


def _insert_unless_taken(entry: AccessLogEntry, *, after: tuple[int, str] | None = None,
                         no_flush: bool = False) -> int | None:
    """Insert the entry unless its sequence is taken; its id, else ``None``.

    ``INSERT ... ON CONFLICT (sequence) DO NOTHING RETURNING id``: a taken sequence is no
    error, so the transaction stays usable without a savepoint. With ``after`` (a sequence
    and hash) the row is inserted only if that entry exists with that hash
    (``INSERT ... SELECT ... WHERE EXISTS``): the head is checked and the entry written in
    one statement. With ``no_flush`` too (a statement that is its own transaction) that
    transaction commits without waiting for the disk (``_NO_FLUSH``)."""
    using = router.db_for_write(AccessLogEntry)
    connection = connections[using]
    params = [field.get_db_prep_save(getattr(entry, field.attname), connection)
              for field in _insert_columns()]
    if after is not None:
        params += list(after)
    sql = _insert_sql(using, guarded=after is not None, no_flush=after is not None and no_flush)
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

    Alone (a command, a purge step), one statement when this process appended the head
    itself: the entry is inserted after the entry it last appended, if that is still there
    with its hash and nothing follows it (``_insert_unless_taken`` with ``after``); the
    statement is its own transaction, which commits without waiting for the disk when the
    head is kept on the same server (``_one_wal``). Inside a request's transaction the guess
    is not tried: with several workers appending in turn it misses as often as not, and a
    miss costs a statement more than the locked read it would save. Otherwise (or another
    process appended since) two statements, in a transaction: the newest entry is read and
    locked (``select_for_update``; SQLite serialises writers anyway), then the next one is
    inserted unless another writer took its sequence first (after waiting for the lock, or
    on an empty log), in which case the head is read again. No savepoint is needed, as
    nothing fails."""
    if not actor.strip():
        raise ValueError("an access log entry needs an actor")
    values = {
        "actor": actor.strip()[:150], "action": action[:60], "subject_ref": subject_ref,
        # As the column stores it (an IPv6 address compressed, in lower case): the hash
        # covers what is read back.
        "ip_address": (AccessLogEntry._meta.get_field("ip_address").get_prep_value(ip_address)
                       if ip_address else None),
        "fields": ",".join(fields)[:500],
        "record_count": max(int(record_count), 0), "reason": reason[:200],
        "at": at or timezone.now(),
    }
    using = router.db_for_write(AccessLogEntry)
    alone = connections[using].get_autocommit()  # the statement is its own transaction
    no_flush = alone and _one_wal(using, router.db_for_write(AccessLogHead))
    guess = _last_appended.get(using) if alone else None
    if guess is not None:
        entry = _entry_after(*guess, values)
        entry_id = _insert_unless_taken(entry, after=guess, no_flush=no_flush)
        if entry_id is not None:
            return _appended(entry, entry_id, using)
    with transaction.atomic(using=using, savepoint=False):
        if no_flush:
            with connections[using].cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        for _attempt in range(_APPEND_ATTEMPTS):
            entry = _entry_after(*_chain_head(), values)
            entry_id = _insert_unless_taken(entry)
            if entry_id is not None:
                return _appended(entry, entry_id, using)
    raise RuntimeError(f"the access log head moved {_APPEND_ATTEMPTS} times in a row; "
                       "the entry was not written")


def _entry_after(sequence: int, previous_hash: str, values: dict[str, Any]) -> AccessLogEntry:
    entry = AccessLogEntry(sequence=sequence + 1, previous_hash=previous_hash, **values)
    entry.entry_hash = entry_digest(entry, previous_hash)
    return entry


def _appended(entry: AccessLogEntry, entry_id: int, using: str) -> AccessLogEntry:
    """The inserted entry as a saved instance; the head follows it once it commits."""
    entry.pk = entry_id
    entry._state.adding = False
    entry._state.db = using
    sequence = cast(int, entry.sequence)  # set by _entry_after
    _last_appended[using] = (sequence, entry.entry_hash)
    transaction.on_commit(partial(_head_advance, sequence, entry.entry_hash),
                          using=using, robust=True)
    return entry


@lru_cache(maxsize=8)
def _head_sql(using: str, *, force: bool, no_flush: bool) -> str:
    """The UPDATE that moves the head, written once per database and form: the head moves
    after every append that commits, and Django's compiling a queryset's update each time
    cost more than the statement itself (about 0.2 ms of an append's 0.6 on PostgreSQL)."""
    opts = AccessLogHead._meta
    quote = connections[using].ops.quote_name
    # Identifiers come from the model, quoted; every value is a parameter.
    sequence = quote(opts.get_field("sequence").column)
    conditions = [f"{quote(opts.pk.column)} = 1"]
    if not force:
        conditions.append(f"{sequence} < %s")
    if no_flush:
        conditions.append(_NO_FLUSH)
    return (f"UPDATE {quote(opts.db_table)} SET {sequence} = %s, "  # noqa: S608
            f"{quote(opts.get_field('entry_hash').column)} = %s, "
            f"{quote(opts.get_field('updated_at').column)} = %s "
            f"WHERE {' AND '.join(conditions)}")


def _head_advance(sequence: int, entry_hash: str, *, force: bool = False) -> None:
    """Move the head kept in the retention database forward to ``sequence`` (never back,
    unless ``force``: a re-chained log starts a new head).

    Runs after the append commits, so a rolled-back entry never becomes the head; a head
    that could not be written (the retention database unreachable) is logged and lags
    behind, which the verification accepts: the next append moves it on.

    For the same reason the move is one statement that does not wait for PostgreSQL to
    flush it to disk (``_NO_FLUSH``, for its own transaction only, so never when the
    retention database is inside a transaction of its own, whose commit must wait): a
    crash can lose the last moves, leaving a head that lags, never one that is wrong,
    because the entry it names committed before it, either waiting for the disk or in the
    same WAL (``_one_wal``)."""
    using = router.db_for_write(AccessLogHead)
    connection = connections[using]
    now = timezone.now()
    no_flush = connection.vendor == "postgresql" and connection.get_autocommit()
    params: list[Any] = [sequence, entry_hash, AccessLogHead._meta.get_field(
        "updated_at").get_db_prep_save(now, connection)]
    if not force:
        params.append(sequence)
    try:
        with connection.cursor() as cursor:
            cursor.execute(_head_sql(using, force=force, no_flush=no_flush), params)
            if cursor.rowcount:
                return
        with transaction.atomic(using=using):
            heads = AccessLogHead.objects.using(using)
            if not heads.filter(pk=1).exists():
                heads.create(pk=1, sequence=sequence, entry_hash=entry_hash, updated_at=now)
    except DatabaseError:
        logger.exception("access log head not moved to #%s", sequence)


def access_log_head() -> AccessLogHead | None:
    """The head kept in the retention database, if any entry was ever appended."""
    return AccessLogHead.objects.using(router.db_for_read(AccessLogHead)).filter(pk=1).first()


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


class _UtcIsoText(Func):
    """The entry's time as the text its hash covers (``isoformat(timespec="microseconds")``
    in UTC), written by the database: converting a million timestamps in Python costs more
    than hashing them. SQLite holds the time as naive UTC text, without a fraction when it
    has no microseconds; PostgreSQL formats it. (The project runs on these two only.)"""

    arity = 1
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = ("replace(CASE WHEN length(%(expressions)s) = 19 THEN %(expressions)s || "
                    "'.000000' ELSE %(expressions)s END, ' ', 'T') || '+00:00'")
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = ("to_char(%(expressions)s AT TIME ZONE 'UTC', "
                    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')")
        return self.as_sql(compiler, connection, template=template, **extra)


class _UuidText(Func):
    """The subject reference as the text its hash covers (``str(uuid)``, or "" for none).
    SQLite holds it as 32 hex digits; PostgreSQL as a uuid."""

    arity = 1
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        parts = " || '-' || ".join(
            f"substr(%(expressions)s, {start}, {length})"
            for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12)))
        return self.as_sql(compiler, connection, template=f"coalesce({parts}, '')",
                              **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection,
                              template="coalesce(%(expressions)s::text, '')", **extra)


class _IpText(Func):
    """The IP address as the appending process read it: PostgreSQL keeps it as ``inet``,
    which ``abbrev`` writes as its output function does (a cast to text would add the
    netmask); SQLite keeps the text."""

    arity = 1
    output_field = TextField()
    template = "%(expressions)s"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="abbrev(%(expressions)s)", **extra)


class _JsonText(Func):
    """A text column as a JSON string (``""`` for none), escaped as ``json.dumps(...,
    ensure_ascii=False)`` escapes it: quote, backslash and control characters, the rest as
    it is. SQLite's ``json_quote`` and PostgreSQL's ``to_json`` both write exactly that
    (``tests/privacy/test_access_log_storage.py`` holds them to it)."""

    arity = 1
    output_field = TextField()
    template = "json_quote(coalesce(%(expressions)s, ''))"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection,
                           template="to_json(coalesce(%(expressions)s, ''))", **extra)


class _Filled(Func):
    """A text with ``%s`` holes filled in by the database with the expressions' values (a
    null as nothing): SQLite's ``printf``, PostgreSQL's ``concat`` of the pieces and values
    (which costs it less than ``format``)."""

    output_field = TextField()

    def __init__(self, text: str, *expressions: Any) -> None:
        super().__init__(*expressions)
        self.text = text

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        filled = self.copy()
        filled.set_source_expressions([Value(self.text), *self.get_source_expressions()])
        return super(_Filled, filled).as_sql(compiler, connection, function="printf", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        pieces = self.text.split("%s")
        parts: list[Any] = [Value(pieces[0])] if pieces[0] else []
        for expression, piece in zip(self.get_source_expressions(), pieces[1:], strict=True):
            parts += [expression, Value(piece)] if piece else [expression]
        filled = self.copy()
        filled.set_source_expressions(parts)
        return super(_Filled, filled).as_sql(compiler, connection, function="concat", **extra)


def _hashed_text() -> _Filled:
    """The exact text an entry's hash covers (the previous hash and ``_CONTENT`` filled in,
    as ``_digest`` writes it), written by the database: verifying an entry is then one HMAC
    in Python, with no per-entry formatting or escaping. The previous hash is the stored
    one, which the verification compares with the hash the entry before it ended on."""
    return _Filled(
        "%s" + _CONTENT.replace("%d", "%s"),
        F("previous_hash"), _JsonText("action"), _JsonText("actor"), _UtcIsoText("at"),
        _JsonText("fields"), _JsonText(_IpText("ip_address")), _JsonText("reason"),
        F("record_count"), F("sequence"), _UuidText("subject_ref"),
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


@dataclass(frozen=True)
class _Segment:
    """One stretch of the chain, ``low`` to ``high`` by sequence, checked on its own.

    The first segment starts from the anchor (``previous_hash`` and ``expected``); a later
    one starts from the previous hash its first entry records, which the join then compares
    with the hash the segment before it ended on."""

    low: int
    high: int
    expected: int | None
    previous_hash: str | None
    head: tuple[int, str] | None
    batch_size: int


@dataclass(frozen=True)
class _SegmentResult:
    checked: int
    first_sequence: int | None
    start_hash: str | None
    end_hash: str | None
    next_expected: int | None
    problem: ChainProblem | None


def _entry_id(sequence: int) -> int | None:
    """The id of the entry at ``sequence``: read only to name a problem."""
    return AccessLogEntry.objects.filter(sequence=sequence).values_list("id", flat=True).first()


def _entry_problem(sequence: int, expected: int, stored_previous: str, previous_hash: str,
                   hash_matches: bool) -> ChainProblem:
    """What is wrong with the entry at ``sequence``, which did not verify."""
    entry_id = _entry_id(sequence)
    if sequence < expected:
        message = (f"entry #{sequence} (id {entry_id}) lies before the anchor "
                   f"#{expected - 1}: it should have been purged or was inserted")
    elif sequence > expected:
        missing = (f"entries #{expected}-#{sequence - 1}"
                   if sequence - expected > 1 else f"entry #{expected}")
        message = f"{missing} missing before entry #{sequence} (id {entry_id})"
    elif stored_previous != previous_hash:
        message = (f"entry #{sequence} (id {entry_id}) does not point at the previous "
                   f"entry's hash: a row before it was changed, or rows were reordered")
    elif not hash_matches:
        message = (f"entry #{sequence} (id {entry_id}) was changed after it was written: "
                   f"its content does not match its hash")
    else:
        message = (f"entry #{sequence} (id {entry_id}) is not the entry the head in the "
                   f"retention database records: the log was rewritten from there")
    return ChainProblem(sequence, entry_id, message)


def _segment_rows(segment: _Segment) -> Iterator[tuple[int, str, str, str]]:
    """The segment's (sequence, previous hash, hash, hashed text), by sequence, read in
    ranges of ``batch_size`` sequences: each range is an ordinary query on the sequence's
    index, so PostgreSQL neither holds a cursor open nor keeps the whole result for it."""
    entries = AccessLogEntry.objects.order_by("sequence").values_list(
        "sequence", "previous_hash", "entry_hash", _hashed_text())
    for low in range(segment.low, segment.high + 1, segment.batch_size):
        high = min(low + segment.batch_size - 1, segment.high)
        yield from entries.filter(sequence__gte=low, sequence__lte=high)


def _segment_check(segment: _Segment) -> _SegmentResult:
    """Recompute one segment's hashes; the first problem in it, if any.

    The database writes the text each hash covers (``_hashed_text``), so an entry costs
    Python one HMAC (a copy of the keyed one) and a few comparisons; what went wrong is
    worked out only for the entry that did not verify."""
    keyed = _keyed(settings.PRIVACY_ACCESS_LOG_KEY)
    rows = _segment_rows(segment)
    first = next(rows, None)
    if first is None:
        return _SegmentResult(0, None, None, segment.previous_hash, segment.expected, None)
    first_sequence, start_hash = first[0], first[1]
    if segment.expected is None:
        expected, previous_hash = first_sequence, start_hash
    else:
        expected, previous_hash = segment.expected, segment.previous_hash or ""
    head_sequence, head_hash = segment.head or (None, None)
    start = expected
    for sequence, stored_previous, entry_hash, text in itertools.chain((first,), rows):
        mac = keyed.copy()
        mac.update(text.encode())
        hash_matches = mac.hexdigest() == entry_hash
        if (sequence != expected or stored_previous != previous_hash or not hash_matches
                or (sequence == head_sequence and entry_hash != head_hash)):
            return _SegmentResult(
                expected - start, first_sequence, start_hash, previous_hash, expected,
                _entry_problem(sequence, expected, stored_previous, previous_hash,
                               hash_matches))
        previous_hash = entry_hash
        expected += 1
    return _SegmentResult(expected - start, first_sequence, start_hash, previous_hash,
                          expected, None)


def _segments_run(segments: list[_Segment]) -> list[_SegmentResult]:
    """Check the segments, each in a process of its own when there are several and other
    processes see the same rows: not inside a transaction (whose rows they would not see,
    and whose connection must stay open) nor on an in-memory SQLite database."""
    if len(segments) == 1 or any(
        connections[alias].in_atomic_block or (
            connections[alias].vendor == "sqlite"
            and cast(Any, connections[alias]).is_in_memory_db())
        for alias in connections
    ):
        return [_segment_check(segment) for segment in segments]
    # A forked process must open connections of its own, not share the parent's sockets:
    # the connections and PostgreSQL's connection pools are closed before forking (the
    # parent opens them again when it next queries).
    _connections_release()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(segments), mp_context=context,
                             initializer=_connections_release) as pool:
        return list(pool.map(_segment_check, segments))


def _connections_release() -> None:
    connections.close_all()
    for alias in connections:
        connection = connections[alias]
        if connection.vendor == "postgresql" and connection.settings_dict["OPTIONS"].get("pool"):
            cast(Any, connection).close_pool()


def access_log_verify(
    *, batch_size: int = 5000, processes: int = 1, parallel_from: int = 0
) -> ChainReport:
    """Recompute the chain from the anchor (or the start) to the newest entry, and check that
    it reaches the head kept in the retention database.

    With ``processes`` above one the chain is cut into that many segments by sequence, each
    checked in a process of its own; a segment starts from the previous hash its first entry
    records, and each join checks that it is the hash the segment before it ended on, so the
    result is the one a single pass gives. A chain shorter than ``parallel_from`` entries is
    checked in one pass."""
    head = access_log_head()
    unchained = AccessLogEntry.objects.filter(sequence__isnull=True).order_by("id").first()
    anchor = AccessLogAnchor.objects.order_by("-sequence").first()
    expected = (anchor.sequence if anchor else 0) + 1
    previous_hash = anchor.entry_hash if anchor else GENESIS_HASH
    if anchor is not None and not hmac.compare_digest(
        anchor.anchor_tag, anchor_tag(anchor.sequence, anchor.entry_hash, anchor.created_at)
    ):
        return ChainReport(0, None, None, previous_hash, ChainProblem(anchor.sequence, None, (
            f"the anchor at entry #{anchor.sequence} was not written by the purge: the "
            f"entries before it may have been deleted")))
    bounds = AccessLogEntry.objects.filter(sequence__isnull=False).aggregate(
        low=Min("sequence"), high=Max("sequence"))
    results: list[_SegmentResult] = []
    if bounds["low"] is not None:
        low, high = bounds["low"], bounds["high"]
        count = max(1, min(processes, high - low + 1))
        if high - low + 1 < parallel_from:
            count = 1
        step = -(-(high - low + 1) // count)
        head_mark = (head.sequence, head.entry_hash) if head is not None else None
        segments = [
            _Segment(start, min(start + step - 1, high), expected if start == low else None,
                     previous_hash if start == low else None, head_mark, batch_size)
            for start in range(low, high + 1, step)
        ]
        results = _segments_run(segments)
    checked = 0
    first = None
    for result in results:
        if result.first_sequence is None:
            continue  # a stretch of sequences that no entry holds: the join finds the gap
        first = result.first_sequence if first is None else first
        if result.first_sequence != expected and checked:
            first_id = _entry_id(result.first_sequence)
            missing = (f"entries #{expected}-#{result.first_sequence - 1}"
                       if result.first_sequence - expected > 1 else f"entry #{expected}")
            return ChainReport(checked, first, result.first_sequence, previous_hash,
                               ChainProblem(result.first_sequence, first_id,
                                            f"{missing} missing before entry "
                                            f"#{result.first_sequence} (id {first_id})"))
        if checked and result.start_hash != previous_hash:
            first_id = _entry_id(result.first_sequence)
            return ChainReport(checked, first, result.first_sequence, previous_hash,
                               ChainProblem(result.first_sequence, first_id, (
                                   f"entry #{result.first_sequence} (id {first_id}) "
                                   f"does not point at the previous entry's hash: a row "
                                   f"before it was changed, or rows were reordered")))
        if result.problem is not None:
            return ChainReport(checked + result.checked, first, result.problem.sequence,
                               result.end_hash or previous_hash, result.problem)
        checked += result.checked
        previous_hash = result.end_hash or previous_hash
        expected = result.next_expected or expected
    chain_problem = None
    last_sequence = expected - 1
    if head is not None and head.sequence > last_sequence:
        missing = (f"entries #{last_sequence + 1}-#{head.sequence}"
                   if head.sequence > last_sequence + 1 else f"entry #{head.sequence}")
        chain_problem = ChainProblem(head.sequence, None, (
            f"{missing} missing at the end: the head in the retention database records "
            f"entry #{head.sequence} as the newest"))
    elif unchained is not None:
        chain_problem = ChainProblem(None, unchained.id, (
            f"entry id {unchained.id} ({unchained.action}) is not part of the chain: "
            f"it was written around access_log_append"))
    return ChainReport(checked, first, last_sequence if checked else None,
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
        AccessLogAnchor.objects.create(
            sequence=last.sequence, entry_hash=last.entry_hash, created_at=now,
            anchor_tag=anchor_tag(last.sequence, last.entry_hash, now))
        destroyed += AccessLogEntry.objects.filter(
            sequence__isnull=False, sequence__lte=last.sequence
        ).purge_expired()
    if unchained:
        destroyed += AccessLogEntry.objects.filter(pk__in=unchained).purge_expired()
    return destroyed
