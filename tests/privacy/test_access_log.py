"""The staff access log is a hash chain: tampering with one row is found and named."""

from __future__ import annotations

import datetime
import hashlib
import io
import itertools
import threading
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from privacy.access_log import (
    GENESIS_HASH,
    access_log_append,
    access_log_verify,
    entry_digest,
    rechain_entries,
)
from privacy.models import AccessLogAnchor, AccessLogEntry, AccessLogHead
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
@pytest.mark.parametrize("in_requests", [False, True], ids=["alone", "in requests"])
def test_concurrent_writers_keep_one_chain(in_requests: bool) -> None:
    """Writers alone, each guessing the head from what this process appended last and often
    wrong, and writers inside transactions of their own (as requests), which lock and read
    it."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the lock matters on PostgreSQL")
    access_log_append(actor="staff", action="seed")
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for _ in range(5):
                if in_requests:
                    with transaction.atomic():
                        access_log_append(actor=f"writer{n}", action="admin:view")
                        access_log_append(actor=f"writer{n}", action="admin:list")
                else:
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
    assert report.checked == (41 if in_requests else 21)
    head = AccessLogHead.objects.using("retention").get()
    assert head.sequence == report.last_sequence


# The keyed chain and its head, against someone who can write to the live database but does
# not hold PRIVACY_ACCESS_LOG_KEY.

ATTACKER_KEY = b"a key that is not the site's 0123"[:32]


@pytest.fixture
def anchored(django_capture_on_commit_callbacks: Any) -> list[AccessLogEntry]:
    """Five entries appended as the site does, each committed, so the head follows them."""
    entries = []
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            entries.append(access_log_append(actor=f"staff{n}", action="admin:view",
                                             ip_address="10.0.0.1"))
    return entries


def rechain_as_attacker(settings: Any) -> None:
    """Recompute the whole chain with the project's own code, but without the site's key."""
    settings.PRIVACY_ACCESS_LOG_KEY = ATTACKER_KEY
    rechain_entries(GENESIS_HASH)
    settings.PRIVACY_ACCESS_LOG_KEY = KEY


KEY = django_settings.PRIVACY_ACCESS_LOG_KEY


def test_the_head_follows_each_committed_append(anchored: list[AccessLogEntry]) -> None:
    head = AccessLogHead.objects.using("retention").get()
    assert (head.sequence, head.entry_hash) == (5, anchored[-1].entry_hash)
    assert verify().startswith("access log verified: 5 entries, #1 to #5")


def test_deleting_the_newest_entry_is_found(anchored: list[AccessLogEntry]) -> None:
    sql("DELETE FROM {TABLE} WHERE id = %s", anchored[-1].id)
    assert broken() == ("access log broken: entry #5 missing at the end: the head in the "
                        "retention database records entry #5 as the newest")


def test_deleting_the_two_newest_entries_is_found(anchored: list[AccessLogEntry]) -> None:
    sql("DELETE FROM {TABLE} WHERE sequence >= 4")
    assert "entries #4-#5 missing at the end" in broken()


def test_editing_the_newest_entry_is_found(anchored: list[AccessLogEntry]) -> None:
    sql("UPDATE {TABLE} SET actor = 'someone_else' WHERE id = %s", anchored[-1].id)
    assert f"entry #5 (id {anchored[-1].id}) was changed" in broken()


def test_editing_and_rechaining_without_the_key_is_found(
    anchored: list[AccessLogEntry], settings: Any
) -> None:
    sql("UPDATE {TABLE} SET actor = 'someone_else' WHERE id = %s", anchored[2].id)
    rechain_as_attacker(settings)
    assert f"entry #1 (id {anchored[0].id}) was changed after it was written" in broken()


def test_deleting_and_rechaining_without_the_key_is_found(
    anchored: list[AccessLogEntry], settings: Any
) -> None:
    sql("DELETE FROM {TABLE} WHERE id = %s", anchored[1].id)
    sql("UPDATE {TABLE} SET sequence = sequence - 1 WHERE sequence > 2")
    rechain_as_attacker(settings)
    assert "was changed after it was written" in broken()


def test_a_plain_sha256_chain_no_longer_verifies(anchored: list[AccessLogEntry]) -> None:
    """The unkeyed digest the chain used to have: recomputing it is no way around the key."""
    previous = GENESIS_HASH
    for entry in AccessLogEntry.objects.order_by("sequence"):
        keyed = entry_digest(entry, previous)
        plain = hashlib.sha256(previous.encode()).hexdigest()
        assert keyed != plain
        sql("UPDATE {TABLE} SET previous_hash = %s, entry_hash = %s WHERE id = %s",
            previous, plain, entry.id)
        previous = plain
    assert "entry #1 " in broken()


def test_deleting_the_newest_and_moving_the_head_back_needs_the_key(
    anchored: list[AccessLogEntry],
) -> None:
    """Even with the retention database: a head moved back to entry #4 names a hash that
    only the key could have produced for a rewritten #4."""
    sql("DELETE FROM {TABLE} WHERE id = %s", anchored[-1].id)
    AccessLogHead.objects.using("retention").update(sequence=4, entry_hash="0" * 64)
    assert f"entry #4 (id {anchored[3].id}) is not the entry the head" in broken()


def test_a_forged_anchor_is_found(anchored: list[AccessLogEntry]) -> None:
    """Cutting the oldest entries and writing an anchor as the purge would, without the key."""
    sql("DELETE FROM {TABLE} WHERE sequence <= 2")
    AccessLogAnchor.objects.create(sequence=2, entry_hash=anchored[1].entry_hash)
    assert broken() == ("access log broken: the anchor at entry #2 was not written by the "
                        "purge: the entries before it may have been deleted")


def test_the_purge_tags_its_anchor(anchored: list[AccessLogEntry]) -> None:
    with time_machine.travel(datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC), tick=False):
        call_command("privacy", "purge", "--rule", "staff_access_log", stdout=io.StringIO())
    anchor = AccessLogAnchor.objects.get()
    assert anchor.sequence == 5 and len(anchor.anchor_tag) == 64
    # Every entry is gone; the head points at the last purged one, which is no remnant.
    assert verify() == "access log verified: no entries\n"


def test_a_new_key_is_taken_in_by_rechaining(
    anchored: list[AccessLogEntry], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.PRIVACY_ACCESS_LOG_KEY = ATTACKER_KEY  # the operator's new key
    assert "entry #1 " in broken()
    out = io.StringIO()
    call_command("privacy", "rechain-access-log", stdout=out)
    assert out.getvalue() == "access log: re-chained 5 entries\n"
    assert verify().startswith("access log verified: 5 entries, #1 to #5")
    with django_capture_on_commit_callbacks(execute=True):
        access_log_append(actor="staff", action="admin:view")
    assert verify().startswith("access log verified: 6 entries, #1 to #6")


def test_the_monthly_report_prints_the_head(anchored: list[AccessLogEntry]) -> None:
    out = io.StringIO()
    call_command("privacy", "report", "--section", "access_log_head", stdout=out)
    assert "#5" in out.getvalue()
    assert anchored[-1].entry_hash in out.getvalue()


def test_a_rolled_back_append_does_not_move_the_head(
    anchored: list[AccessLogEntry], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ZeroDivisionError), \
            transaction.atomic():
        access_log_append(actor="staff", action="admin:view")
        1 / 0  # noqa: B018
    assert AccessLogHead.objects.using("retention").get().sequence == 5
    assert verify().startswith("access log verified: 5 entries")
