"""The retention store is read by the privacy manager's commands only, each read logged."""

from __future__ import annotations

import datetime
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin

from privacy import crypto
from privacy.models import AccessLogEntry, RetainedRecord, RetentionKey
from privacy.retention.store import Retention, retention_access, retention_store
from tests.privacy.retention.conftest import at

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

ROOT = Path(settings.BASE_DIR)
# The only modules that may touch the retention models: the store, destruction and the
# privacy manager's commands (plus the model, router and migration definitions). Key rotation
# (privacy/keys.py, behind `privacy rotate-keys`) re-wraps retention keys without reading any
# retained payload.
ALLOWED = {
    "privacy/models/__init__.py", "privacy/models/retention.py", "privacy/routers.py",
    "privacy/retention/store.py", "privacy/retention/destruction.py", "privacy/retention/rules.py",
    "privacy/registry.py", "privacy/keys.py",
}


def test_no_view_admin_or_service_touches_the_retention_models() -> None:
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.split("/")[0] in {".venv", "tests", "bench", "var"} or "/migrations/" in \
                relative or relative in ALLOWED or relative.startswith("privacy/actions/"):
            continue
        if re.search(r"\b(RetainedRecord|RetentionKey)\b", path.read_text(encoding="utf-8")):
            offenders.append(relative)
    assert offenders == []
    assert RetainedRecord not in admin.site._registry
    assert RetentionKey not in admin.site._registry


def _keep(subject: uuid.UUID) -> RetainedRecord:
    retention_store([Retention(
        source=f"store-test:{subject}", subject_ref=subject, item_key="access_log",
        rule_key="login_records", started_by="last_login", started_at=at(2026, 11, 1),
        payload={"login_id": "kim_store"},
    )], today=datetime.date(2026, 11, 2))
    return RetainedRecord.objects.get(subject_ref=subject)


def test_each_record_has_its_own_key_and_dies_with_it() -> None:
    first, second = _keep(uuid.uuid4()), _keep(uuid.uuid4())
    assert first.key_id != second.key_id
    assert "kim_store" not in first.payload
    material = RetentionKey.objects.get(pk=first.key_id).material()
    RetainedRecord.objects.filter(pk=first.pk).delete()
    RetentionKey.objects.filter(pk=first.key_id).delete()
    # A copy of the ciphertext (a backup) opens with the key, and with nothing else.
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(crypto.new_data_key(), first.payload,
                           context=f"retained:access_log:{first.source_ref}")
    assert crypto.open_sealed(material, first.payload,
                              context=f"retained:access_log:{first.source_ref}")


def test_a_copy_is_made_once_and_not_at_all_when_the_period_is_over() -> None:
    subject = uuid.uuid4()
    _keep(subject)
    _keep(subject)
    assert RetainedRecord.objects.filter(subject_ref=subject).count() == 1
    late = uuid.uuid4()
    created = retention_store([Retention(
        source=f"store-test:{late}", subject_ref=late, item_key="access_log",
        rule_key="login_records", started_by="last_login", started_at=at(2026, 1, 1),
    )], today=datetime.date(2026, 6, 1))
    assert created == 0


def test_every_read_is_logged_before_anything_is_read() -> None:
    subject = uuid.uuid4()
    _keep(subject)
    with retention_access(actor="officer_lee", action="list", subject_ref=subject) as store:
        assert AccessLogEntry.objects.filter(actor="officer_lee").count() == 1
        assert [r.subject_ref for r in store.records(subject_ref=subject)] == [subject]
    with pytest.raises(ValueError, match="needs an actor"), retention_access(
        actor=" ", action="list"
    ):
        pass
    assert AccessLogEntry.objects.count() == 1
