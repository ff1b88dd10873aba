"""Verifying the access log in segments finds what one pass finds, and an append after the
entry this process wrote last is one statement that still checks the head."""

from __future__ import annotations

import datetime
import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from privacy import access_log
from privacy.access_log import access_log_append, access_log_verify
from privacy.models import AccessLogEntry, AccessLogHead

pytestmark = pytest.mark.django_db(databases=["default", "retention"])
TABLE = AccessLogEntry._meta.db_table


def sql(statement: str, *params: object) -> None:
    """Tamper as someone with database access would, past the append-only model."""
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{TABLE}", TABLE), params)


@pytest.fixture
def ten(django_capture_on_commit_callbacks: Any) -> list[AccessLogEntry]:
    """Ten committed entries (the head follows them), with times in and out of UTC, with
    and without microseconds, and with and without a subject."""
    entries = []
    seoul = datetime.timezone(datetime.timedelta(hours=9))
    for n in range(10):
        at = datetime.datetime(2026, 3, 1 + n, 9, 30, 0, 0 if n % 2 else 123456 * n % 999999,
                               tzinfo=seoul if n % 3 else datetime.UTC)
        with django_capture_on_commit_callbacks(execute=True):
            entries.append(access_log_append(
                actor=f"staff{n}", action="admin:view", at=at, ip_address="10.0.0.1",
                subject_ref=None if n % 4 == 0 else uuid.UUID(int=n * 7919)))
    return entries


def test_every_kind_of_time_and_subject_verifies_in_one_pass_and_in_segments(
    ten: list[AccessLogEntry],
) -> None:
    single = access_log_verify()
    assert single.problem is None and single.checked == 10
    for processes in (2, 3, 7, 10, 16):
        assert access_log_verify(processes=processes) == single
    for batch_size in (1, 3, 4):
        assert access_log_verify(batch_size=batch_size) == single


TAMPERING: dict[str, Callable[[list[AccessLogEntry]], None]] = {
    "a row deleted at a segment's start": lambda e: sql(
        "DELETE FROM {TABLE} WHERE id = %s", e[4].id),
    "a row deleted at a segment's end": lambda e: sql(
        "DELETE FROM {TABLE} WHERE id = %s", e[3].id),
    "a whole segment deleted": lambda e: sql(
        "DELETE FROM {TABLE} WHERE sequence BETWEEN 4 AND 6"),
    "a segment's first row edited": lambda e: sql(
        "UPDATE {TABLE} SET actor = 'x' WHERE id = %s", e[4].id),
    "a segment's first row rehashed": lambda e: sql(
        "UPDATE {TABLE} SET entry_hash = %s WHERE id = %s", "f" * 64, e[3].id),
    "a link across a join rewritten": lambda e: sql(
        "UPDATE {TABLE} SET previous_hash = %s WHERE id = %s", "e" * 64, e[4].id),
    "the newest row edited": lambda e: sql(
        "UPDATE {TABLE} SET reason = 'x' WHERE id = %s", e[9].id),
    "the newest row deleted": lambda e: sql("DELETE FROM {TABLE} WHERE id = %s", e[9].id),
    "a time moved by a microsecond": lambda e: sql(
        "UPDATE {TABLE} SET at = %s WHERE id = %s",
        e[7].at + datetime.timedelta(microseconds=1), e[7].id),
    "a subject removed": lambda e: sql(
        "UPDATE {TABLE} SET subject_ref = NULL WHERE id = %s", e[5].id),
    "rows swapped across a join": lambda e: (
        sql("UPDATE {TABLE} SET sequence = 100 WHERE id = %s", e[3].id),
        sql("UPDATE {TABLE} SET sequence = 4 WHERE id = %s", e[4].id),
        sql("UPDATE {TABLE} SET sequence = 5 WHERE id = %s", e[3].id)),
}


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING.keys())
def test_segments_name_the_same_first_problem_as_one_pass(
    ten: list[AccessLogEntry], tamper: Callable[[list[AccessLogEntry]], None],
) -> None:
    tamper(ten)
    single = access_log_verify()
    assert single.problem is not None
    for processes in (2, 3, 4):
        assert access_log_verify(processes=processes) == single
    # Read in ranges of a few sequences, whose ends fall anywhere.
    for batch_size in (1, 2, 3):
        assert access_log_verify(batch_size=batch_size) == single
        assert access_log_verify(processes=2, batch_size=batch_size) == single


def test_the_command_checks_in_the_processes_asked_for(ten: list[AccessLogEntry]) -> None:
    out = io.StringIO()
    call_command("privacy", "verify-access-log", "--processes", "3", stdout=out)
    assert out.getvalue().startswith("access log verified: 10 entries, #1 to #10")
    sql("DELETE FROM {TABLE} WHERE id = %s", ten[6].id)
    with pytest.raises(CommandError, match=r"entry #7 missing before entry #8"):
        call_command("privacy", "verify-access-log", "--processes", "3", stdout=io.StringIO())


@pytest.mark.parametrize("value", ["0", "65", "two"])
def test_a_bad_number_of_processes_is_refused(ten: list[AccessLogEntry], value: str) -> None:
    with pytest.raises(CommandError, match="processes"):
        call_command("privacy", "verify-access-log", "--processes", value,
                     stdout=io.StringIO())
    assert AccessLogEntry.objects.count() == 10


@pytest.mark.django_db(databases=["default", "retention"], transaction=True)
def test_appending_after_this_process_own_entry_is_one_statement(
    django_assert_num_queries: Any,
) -> None:
    """Outside a transaction (a command, a purge step), after its own entry: one statement."""
    first = access_log_append(actor="staff", action="admin:view")
    with django_assert_num_queries(1, using="default"):
        entry = access_log_append(actor="staff", action="admin:view")
    assert entry.sequence == 2 and entry.previous_hash == first.entry_hash
    assert access_log_verify().checked == 2


def test_inside_a_transaction_an_append_locks_and_reads_the_head(
    ten: list[AccessLogEntry], django_assert_num_queries: Any,
) -> None:
    """A request's append reads the head under a lock and inserts after it: two round trips,
    whichever worker wrote the head."""
    with django_assert_num_queries(2, using="default"):
        entry = access_log_append(actor="staff", action="admin:view")
    assert entry.sequence == 11 and entry.previous_hash == ten[-1].entry_hash
    assert access_log_verify().problem is None


def test_inside_a_transaction_another_writer_in_between_is_followed(
    ten: list[AccessLogEntry], django_assert_num_queries: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """This process wrote #9 last, another one #10: a request's append does not guess, it
    locks and reads the head and follows #10."""
    monkeypatch.setitem(access_log._last_appended, "default", (9, ten[8].entry_hash))
    with django_assert_num_queries(2, using="default"):
        entry = access_log_append(actor="staff", action="admin:view")
    assert entry.sequence == 11 and entry.previous_hash == ten[-1].entry_hash
    assert access_log_verify().problem is None


@pytest.mark.django_db(databases=["default", "retention"], transaction=True)
def test_another_writer_in_between_is_found_and_chained_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """This process appended #2 last, another process #3: the one-statement insert after #2
    finds #3 taken and writes nothing; the append reads the head and follows #3."""
    entries = [access_log_append(actor=f"staff{n}", action="admin:view") for n in range(3)]
    monkeypatch.setitem(access_log._last_appended, "default", (2, entries[1].entry_hash))
    entry = access_log_append(actor="staff", action="admin:view")
    assert entry.sequence == 4 and entry.previous_hash == entries[2].entry_hash
    assert AccessLogEntry.objects.get(sequence=3).id == entries[2].id
    assert access_log_verify().problem is None


@pytest.mark.django_db(databases=["default", "retention"], transaction=True)
def test_an_append_after_its_own_last_entry_was_deleted_follows_the_real_head() -> None:
    """The entry this process appended last was deleted behind its back: the next append
    follows the entry that is there, and the deletion is still found through the head."""
    entries = [access_log_append(actor=f"staff{n}", action="admin:view") for n in range(3)]
    sql("DELETE FROM {TABLE} WHERE id = %s", entries[2].id)
    entry = access_log_append(actor="staff", action="admin:view")
    assert entry.sequence == 3 and entry.previous_hash == entries[1].entry_hash
    problem = access_log_verify().problem
    assert problem is not None and problem.sequence == 3
    assert "is not the entry the head in the retention database records" in problem.message


@pytest.mark.django_db(databases=["default", "retention"], transaction=True)
def test_an_append_after_a_rolled_back_one_follows_the_committed_head() -> None:
    last = access_log_append(actor="staff", action="admin:view")
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        access_log_append(actor="staff", action="admin:view")
        1 / 0  # noqa: B018
    entry = access_log_append(actor="staff", action="admin:view")
    assert entry.sequence == 2 and entry.previous_hash == last.entry_hash
    assert access_log_verify().problem is None


def test_an_append_after_the_whole_log_was_purged_follows_the_anchor(
    ten: list[AccessLogEntry], django_capture_on_commit_callbacks: Any,
) -> None:
    with time_machine.travel(datetime.datetime(2035, 1, 1, tzinfo=datetime.UTC), tick=False):
        call_command("privacy", "purge", "--rule", "staff_access_log", stdout=io.StringIO())
    assert not AccessLogEntry.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        entry = access_log_append(actor="staff", action="admin:view")
    assert entry.sequence == 11 and entry.previous_hash == ten[-1].entry_hash
    assert access_log_verify().checked == 1
    assert AccessLogHead.objects.using("retention").get().sequence == 11


@pytest.mark.django_db(databases=["default", "retention"], transaction=True)
def test_segments_in_processes_of_their_own_find_the_same_problem() -> None:
    """Committed entries, outside any transaction: on a database other processes can open
    (PostgreSQL, a SQLite file) each segment is checked in a process of its own."""
    entries = [access_log_append(actor=f"staff{n}", action="admin:view") for n in range(8)]
    single = access_log_verify()
    assert single.problem is None and access_log_verify(processes=2) == single
    sql("UPDATE {TABLE} SET fields = 'name' WHERE id = %s", entries[5].id)
    single = access_log_verify()
    assert single.problem is not None and single.problem.sequence == 6
    assert access_log_verify(processes=2) == single
    # The connections this process closed before forking open again.
    assert AccessLogEntry.objects.count() == 8


def statements_of_an_append() -> list[str]:
    """The statements an append outside a transaction runs, as PostgreSQL logs them."""
    with CaptureQueriesContext(connection) as live:
        access_log_append(actor="staff", action="admin:view")
    return [query["sql"] for query in live.captured_queries]


@pytest.mark.django_db(databases=["default", "retention"], transaction=True)
def test_alone_on_one_postgresql_server_an_append_commits_without_waiting_for_the_disk() -> None:
    """The entry's own transaction and the head's move commit without a flush when the log
    and its head share a server (one WAL); the chain and the head are as ever."""
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    assert access_log._one_wal("default", "retention")
    access_log_append(actor="staff", action="admin:view")
    statements = statements_of_an_append()
    assert len(statements) == 1 and "set_config('synchronous_commit', 'off', true)" in \
        statements[0]
    with CaptureQueriesContext(connections["retention"]) as kept:
        entry = access_log_append(actor="staff", action="admin:view")
    assert [query["sql"] for query in kept.captured_queries if "UPDATE" in query["sql"]]
    assert all("set_config('synchronous_commit', 'off', true)" in query["sql"]
               for query in kept.captured_queries)
    head = AccessLogHead.objects.using("retention").get()
    assert (head.sequence, head.entry_hash) == (entry.sequence, entry.entry_hash)
    assert access_log_verify().problem is None
    # The setting was the statement's transaction's only.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


@pytest.mark.django_db(databases=["default", "retention"], transaction=True)
def test_on_two_servers_an_append_waits_for_the_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the head on another server nothing orders the two flushes: the entry's commit
    waits for the disk, so the head cannot name an entry a crash lost."""
    monkeypatch.setattr(access_log, "_server_instance", lambda using: using)
    access_log._one_wal.cache_clear()
    try:
        assert not access_log._one_wal("default", "retention")
        access_log_append(actor="staff", action="admin:view")
        statements = statements_of_an_append()
    finally:
        access_log._one_wal.cache_clear()
    assert len(statements) == 1 and "synchronous_commit" not in statements[0]
    assert access_log_verify().checked == 2


def test_inside_a_transaction_the_commit_is_left_as_it_is(ten: list[AccessLogEntry]) -> None:
    """A request's transaction holds more than the entry: its commit is not the log's to
    hurry."""
    with CaptureQueriesContext(connection) as live:
        access_log_append(actor="staff", action="admin:view")
    assert not [query for query in live.captured_queries
                if "synchronous_commit" in query["sql"]]
