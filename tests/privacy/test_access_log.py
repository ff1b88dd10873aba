"""The staff access log is a hash chain: tampering with one row is found and named."""

from __future__ import annotations

import datetime
import io
import itertools
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from privacy.access_log import GENESIS_HASH, access_log_append, access_log_verify
from privacy.models import AccessLogAnchor, AccessLogEntry
from privacy.retention.store import retention_access

pytestmark = pytest.mark.django_db(databases=["default", "retention"])
TABLE = AccessLogEntry._meta.db_table


def verify() -> str:
    out = io.StringIO()
    call_command("privacy", "verify-access-log", stdout=out)
    return out.getvalue()


def broken() -> str:
    with pytest.raises(CommandError) as caught:
        verify()
    return str(caught.value)


def five_entries() -> list[AccessLogEntry]:
    return [
        access_log_append(actor=f"staff{n}", action="admin:view", ip_address="10.0.0.1",
                          fields=["name", "mobile_phone"])
        for n in range(5)
    ]


def sql(statement: str, *params: object, column: str = "") -> None:
    """Tamper as someone with database access would, past the append-only model."""
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{TABLE}", TABLE).replace("{column}", column), params)


def test_entries_link_to_the_previous_one_and_verify() -> None:
    entries = five_entries()
    assert [entry.sequence for entry in entries] == [1, 2, 3, 4, 5]
    assert entries[0].previous_hash == GENESIS_HASH
    assert all(later.previous_hash == earlier.entry_hash
               for earlier, later in itertools.pairwise(entries))
    assert verify() == (f"access log verified: 5 entries, #1 to #5, head hash "
                        f"{entries[-1].entry_hash}\n")


def test_an_empty_log_verifies() -> None:
    assert verify() == "access log verified: no entries\n"


@pytest.mark.parametrize(("column", "value"), [
    ("actor", "someone_else"), ("action", "admin:list"), ("ip_address", "10.9.9.9"),
    ("fields", "name"), ("record_count", 0), ("reason", "audit"),
])
def test_a_changed_row_is_named(column: str, value: object) -> None:
    entries = five_entries()
    sql("UPDATE {TABLE} SET {column} = %s WHERE id = %s", value, entries[2].id,
        column=column)
    assert broken() == (f"access log broken: entry #3 (id {entries[2].id}) was changed after "
                        f"it was written: its content does not match its hash")


def test_a_changed_time_is_named() -> None:
    entries = five_entries()
    sql("UPDATE {TABLE} SET at = %s WHERE id = %s",
        datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC), entries[1].id)
    assert "entry #2 " in broken()


def test_a_rehashed_row_breaks_the_next_link() -> None:
    entries = five_entries()
    sql("UPDATE {TABLE} SET entry_hash = %s WHERE id = %s", "f" * 64, entries[3].id)
    assert f"entry #4 (id {entries[3].id}) was changed" in broken()


def test_a_deleted_row_is_named_as_missing() -> None:
    entries = five_entries()
    sql("DELETE FROM {TABLE} WHERE id = %s", entries[1].id)
    assert broken() == (f"access log broken: entry #2 missing before entry #3 "
                        f"(id {entries[2].id})")


def test_reordered_rows_are_named() -> None:
    entries = five_entries()
    sql("UPDATE {TABLE} SET sequence = 100 WHERE id = %s", entries[1].id)
    sql("UPDATE {TABLE} SET sequence = 2 WHERE id = %s", entries[2].id)
    sql("UPDATE {TABLE} SET sequence = 3 WHERE id = %s", entries[1].id)
    assert broken() == (
        f"access log broken: entry #2 (id {entries[2].id}) does not point at the previous "
        f"entry's hash: a row before it was changed, or rows were reordered"
    )


def test_a_row_written_around_the_append_function_is_named() -> None:
    five_entries()
    stray = AccessLogEntry.objects.create(actor="x", action="forged")
    assert broken() == (f"access log broken: entry id {stray.id} (forged) is not part of the "
                        f"chain: it was written around access_log_append")


def test_a_truncated_beginning_without_anchor_is_named() -> None:
    entries = five_entries()
    sql("DELETE FROM {TABLE} WHERE id IN (%s, %s)", entries[0].id, entries[1].id)
    assert "entries #1-#2 missing before entry #3" in broken()


def test_retention_reads_go_through_the_same_chain() -> None:
    five_entries()
    with retention_access(actor="officer", action="list"):
        pass
    entry = AccessLogEntry.objects.get(action="retention:list")
    assert entry.sequence == 6
    assert verify().startswith("access log verified: 6 entries")


def test_the_purge_keeps_an_anchor_and_the_rest_still_verifies() -> None:
    start = datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC)
    for month in range(6):
        with time_machine.travel(start + datetime.timedelta(days=61 * month), tick=False):
            access_log_append(actor="staff", action="admin:view")
    third = AccessLogEntry.objects.get(sequence=3)
    with time_machine.travel(datetime.datetime(2025, 6, 10, tzinfo=datetime.UTC), tick=False):
        out = io.StringIO()
        call_command("privacy", "purge", "--rule", "staff_access_log", stdout=out)
    assert "staff_access_log: due 3, destroyed 3" in out.getvalue()
    assert list(AccessLogEntry.objects.order_by("sequence").values_list("sequence", flat=True)) \
        == [4, 5, 6]
    anchor = AccessLogAnchor.objects.get()
    assert (anchor.sequence, anchor.entry_hash) == (3, third.entry_hash)
    assert verify().startswith("access log verified: 3 entries, #4 to #6")
    # New entries continue the chain; removing the first surviving entry is still found.
    access_log_append(actor="staff", action="admin:view")
    assert verify().startswith("access log verified: 4 entries, #4 to #7")
    sql("DELETE FROM {TABLE} WHERE sequence = 4")
    assert "entry #4 missing before entry #5" in broken()


def test_the_purge_waits_for_a_back_dated_entry_to_keep_a_prefix() -> None:
    old = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    access_log_append(actor="staff", action="a", at=old)
    access_log_append(actor="staff", action="b")  # young
    access_log_append(actor="staff", action="c", at=old)  # back-dated after a young one
    call_command("privacy", "purge", "--rule", "staff_access_log", stdout=io.StringIO())
    assert list(AccessLogEntry.objects.order_by("sequence").values_list("action", flat=True)) \
        == ["b", "c"]
    assert verify().startswith("access log verified: 2 entries, #2 to #3")


@pytest.mark.django_db(transaction=True, databases=["default", "retention"])
def test_concurrent_writers_keep_one_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the lock matters on PostgreSQL")
    access_log_append(actor="staff", action="seed")
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for _ in range(5):
                access_log_append(actor=f"writer{n}", action="admin:view")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = access_log_verify()
    assert report.problem is None
    assert report.checked == 21
