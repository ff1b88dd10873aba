"""The access log's subject column is indexed, the hash covers the same JSON text as
``json.dumps`` would write, whatever the characters in the entry, and the admin list's
filters offer their choices without reading the log."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from privacy.access_log import access_log_append, access_log_verify, entry_digest
from privacy.admin_mixins import EstimatedCountPaginator
from privacy.models import AccessLogEntry
from tests.members.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_the_subject_reference_is_indexed() -> None:
    table = AccessLogEntry._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    assert any(info["index"] and info["columns"] == ["subject_ref"]
               for info in constraints.values())


@pytest.mark.parametrize("text", ["", "김민수", 'quote " and \\ backslash', "tab\tnew\nline\x01",
                                  "emoji \U0001F600 and \u2028"])
@pytest.mark.parametrize("subject_ref", [None, uuid.UUID("12345678-1234-5678-1234-567812345678")])
def test_the_hash_covers_the_json_of_the_entry(text: str, subject_ref: uuid.UUID | None) -> None:
    at = datetime.datetime(2026, 11, 3, 9, 30, 1, 25, tzinfo=datetime.timezone(
        datetime.timedelta(hours=9)))
    entry = AccessLogEntry(sequence=42, actor=text or "lee", at=at, action=f"view:{text}",
                           subject_ref=subject_ref, ip_address=None if text else "192.0.2.1",
                           fields=text, record_count=7, reason=text)
    content = {
        "sequence": 42, "actor": entry.actor,
        "at": at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "action": entry.action, "subject_ref": str(subject_ref) if subject_ref else "",
        "ip_address": entry.ip_address or "", "fields": text, "record_count": 7,
        "reason": text,
    }
    payload = "f" * 64 + json.dumps(content, sort_keys=True, ensure_ascii=False)
    assert entry_digest(entry, "f" * 64) == hmac.new(
        settings.PRIVACY_ACCESS_LOG_KEY, payload.encode(), hashlib.sha256).hexdigest()


TEXTS = ["", "김민수", 'quote " and \\ backslash', "tab\tnew\nline\x01\x1f\x7f",
         "emoji \U0001F600 and \u2028\u2029", "percent %s %d %% and {braces}"]


@pytest.mark.django_db(databases=["default", "retention"])
@pytest.mark.parametrize("ip_address", [None, "192.0.2.1", "2001:DB8::1", "::ffff:192.0.2.1",
                                        "fe80::1ff:fe23:4567:890a"])
def test_the_database_writes_the_text_the_hash_covers(ip_address: str | None) -> None:
    """The verification has the database write each entry's hashed text; whatever the
    characters and the address, it is the text the appending process hashed."""
    for n, text in enumerate(TEXTS):
        access_log_append(actor=text or "lee", action=f"view:{text}", fields=[text, "name"],
                          reason=text, ip_address=ip_address, record_count=n * 1000,
                          subject_ref=uuid.uuid4() if n % 2 else None,
                          at=datetime.datetime(2026, 11, 3, 9, 30, 1, n * 7,
                                               tzinfo=datetime.UTC))
    report = access_log_verify()
    assert report.problem is None
    assert report.checked == len(TEXTS)


def test_the_admin_list_offers_choices_without_reading_the_log(client: Client) -> None:
    client.force_login(StaffFactory(is_superuser=True))
    for action in ("view:members.member", "list:members.member", "inventory"):
        access_log_append(actor="lee", action=action, subject_ref=uuid.uuid4())
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/privacy/accesslogentry/?kind=view")
    assert response.status_code == 200
    assert [entry.action for entry in response.context["cl"].result_list] == [
        "view:members.member"]
    statements = [query["sql"].upper() for query in captured.captured_queries]
    assert not [sql for sql in statements if "DISTINCT" in sql or re.search(r"\b(MIN|MAX)\(", sql)]
    response = client.get("/admin/privacy/accesslogentry/?kind=inventory")
    assert [entry.action for entry in response.context["cl"].result_list] == ["inventory"]


def test_the_admin_search_finds_one_actor_or_one_subject_exactly(client: Client) -> None:
    client.force_login(StaffFactory(is_superuser=True))
    subject = uuid.uuid4()
    access_log_append(actor="lee", action="view:members.member", subject_ref=subject)
    access_log_append(actor="kim", action="view:members.member", subject_ref=uuid.uuid4())
    access_log_append(actor="leeds", action="list:members.member")

    def found(term: str) -> list[str]:
        response = client.get("/admin/privacy/accesslogentry/", {"q": term})
        assert response.status_code == 200
        return [entry.actor for entry in response.context["cl"].result_list]

    assert found("lee") == ["lee"]
    assert found(str(subject)) == ["lee"]
    assert found(" kim ") == ["kim"]
    assert found("nobody") == []


def test_the_whole_log_on_postgresql_is_counted_from_the_estimate(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite counts exactly, and cheaply")
    client.force_login(StaffFactory(is_superuser=True))
    for _ in range(3):
        access_log_append(actor="lee", action="view:members.member")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {AccessLogEntry._meta.db_table}")
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_UP_TO", 0)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/privacy/accesslogentry/")
    assert response.context["cl"].result_count >= 3
    assert not [query for query in captured.captured_queries
                if "COUNT(*)" in query["sql"] and AccessLogEntry._meta.db_table in query["sql"]]
    assert client.get("/admin/privacy/accesslogentry/", {"q": "lee"}).context[
        "cl"].result_count == 3


def test_a_searched_list_counts_at_most_a_bounded_number_of_entries(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One actor's entries are counted up to ``FILTERED_UP_TO`` (with a LIMIT), so the count
    costs the same however long the log; below it the count is exact."""
    client.force_login(StaffFactory(is_superuser=True))
    for n in range(5):
        access_log_append(actor="lee", action="view:members.member", reason=f"{n}")
    access_log_append(actor="kim", action="view:members.member")
    monkeypatch.setattr(EstimatedCountPaginator, "FILTERED_UP_TO", 3)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/privacy/accesslogentry/", {"q": "lee"})
    assert response.context["cl"].result_count == 3
    counts = [query["sql"] for query in captured.captured_queries
              if "COUNT(" in query["sql"] and AccessLogEntry._meta.db_table in query["sql"]]
    assert counts and all("LIMIT 3" in sql for sql in counts)
    # The newest entries are listed first.
    assert [entry.reason for entry in response.context["cl"].result_list][:3] == ["4", "3", "2"]
    monkeypatch.setattr(EstimatedCountPaginator, "FILTERED_UP_TO", 5_000)
    assert client.get("/admin/privacy/accesslogentry/", {"q": "lee"}).context[
        "cl"].result_count == 5
