"""The access log's subject column is indexed, and the hash covers the same JSON text as
``json.dumps`` would write, whatever the characters in the entry."""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid

import pytest
from django.db import connection

from privacy.access_log import entry_digest
from privacy.models import AccessLogEntry

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
