"""The retention database holds only retention models, and they live nowhere else."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connections, router

from consultations.models import Consultation
from privacy import crypto
from privacy.models import ConsentRecord, DataKey, RetainedRecord, RetentionKey

pytestmark = pytest.mark.django_db(databases=["default", "retention"])


def tables(alias: str) -> set[str]:
    return set(connections[alias].introspection.table_names())


def test_routes_retention_models_to_the_retention_database() -> None:
    assert router.db_for_read(RetainedRecord) == "retention"
    assert router.db_for_write(RetentionKey) == "retention"
    for model in (Consultation, ConsentRecord, DataKey):
        assert router.db_for_read(model) == "default"
        assert router.db_for_write(model) == "default"


def test_migrations_put_each_table_in_one_database_only() -> None:
    retention, default = tables("retention"), tables("default")
    assert {"privacy_retainedrecord", "privacy_retentionkey"} <= retention
    assert retention - {"django_migrations"} == {
        "privacy_retainedrecord", "privacy_retentionkey", "privacy_destructionrecord",
        "privacy_accessloghead",
    }
    assert "privacy_retainedrecord" not in default
    assert "members_member" in default


def test_a_retained_record_is_written_to_and_read_from_retention_only() -> None:
    key = RetentionKey.objects.create(wrapped_key=crypto.wrap_key(crypto.new_data_key()))
    RetainedRecord.objects.create(
        subject_ref=uuid.uuid4(), item_key="access_log", rule_key="login_records",
        legal_basis="law", started_by="membership_withdrawn",
        started_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        destroy_after=datetime.date(2026, 4, 1), payload="sealed", key=key,
    )
    with connections["retention"].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM privacy_retainedrecord")
        assert cursor.fetchone() == (1,)
    assert RetainedRecord.objects.count() == 1


def test_relations_across_the_two_databases_are_refused() -> None:
    data_key = DataKey.objects.create_for_subject()
    retention_key = RetentionKey(wrapped_key="x")
    assert router.allow_relation(data_key, retention_key) is False
