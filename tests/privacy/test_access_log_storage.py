"""The access log's subject column is indexed, the hash covers the same JSON text as
``json.dumps`` would write, whatever the characters in the entry, and the admin list's
filters offer their choices without reading the log."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from privacy.access_log import access_log_append, entry_digest
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
    assert entry_digest(entry, "f" * 64) == hashlib.sha256(payload.encode()).hexdigest()


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
