"""The retention store (policy section 4): what a law keeps after the purpose is achieved.

Records live in the separate ``retention`` database (``privacy.routers``), each sealed under a
``RetentionKey`` of its own, so deleting that key destroys the record in every copy, backups
included. Only the privacy manager's commands read the store, and every read goes through
``retention_access``, which writes an ``AccessLogEntry`` first.

A copy into the store is idempotent: its ``source_ref`` is derived from the source row, so a
transfer interrupted after the copy and run again finds the copy instead of making a second one.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone, translation

from privacy import crypto, registry
from privacy.access_log import access_log_append
from privacy.models import RetainedRecord, RetentionKey
from privacy.routers import RETENTION_DB

# Namespace of the deterministic source references (uuid5); never change it, or re-runs of
# interrupted transfers would no longer find their copies.
SOURCE_NAMESPACE = uuid.UUID("6f1d3c52-2b4e-4c31-9a55-2f0e51d8b7a4")


def source_ref_for(source: str) -> uuid.UUID:
    """The reference of the copy of ``source`` (e.g. ``"membership:<subject>:access_log"``)."""
    return uuid.uuid5(SOURCE_NAMESPACE, source)


@dataclass(frozen=True)
class Retention:
    """What a law keeps of one destroyed row, to be copied to the retention store first.

    ``rule_key`` names the registry rule whose ``kept_by_law_for`` and ``law`` apply;
    ``started_at`` is the event that started the legal period (``started_by`` names it).
    """

    source: str
    subject_ref: uuid.UUID
    item_key: str
    rule_key: str
    started_by: str
    started_at: datetime.datetime
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def source_ref(self) -> uuid.UUID:
        return source_ref_for(self.source)

    @property
    def rule(self) -> registry.RetentionRule:
        return registry.RULES_BY_KEY[self.rule_key]

    @property
    def destroy_after(self) -> datetime.date:
        kept_for = self.rule.kept_by_law_for
        if kept_for is None:
            raise ValueError(f"rule {self.rule_key} keeps nothing by law")
        return timezone.localdate(self.started_at + kept_for)

    @property
    def legal_basis(self) -> str:
        with translation.override(None):
            return str(self.rule.law or registry.LegalBasis.LAW.label)[:200]


def _seal_context(item_key: str, source_ref: uuid.UUID) -> str:
    return f"retained:{item_key}:{source_ref}"


def retention_store(retentions: Iterable[Retention], *, today: datetime.date) -> int:
    """Copy ``retentions`` into the store unless already there; returns how many were new.

    A retention whose legal period has already ended by ``today`` is not copied at all.
    """
    wanted = [r for r in retentions if r.destroy_after >= today]
    if not wanted:
        return 0
    with transaction.atomic(using=RETENTION_DB):
        existing = set(
            RetainedRecord.objects.filter(
                source_ref__in=[r.source_ref for r in wanted]
            ).values_list("source_ref", flat=True)
        )
        created = 0
        for retention in wanted:
            if retention.source_ref in existing:
                continue
            material = crypto.new_data_key()
            key = RetentionKey.objects.create(wrapped_key=crypto.wrap_key(material))
            RetainedRecord.objects.create(
                subject_ref=retention.subject_ref,
                item_key=retention.item_key,
                rule_key=retention.rule_key,
                legal_basis=retention.legal_basis,
                started_by=retention.started_by,
                started_at=retention.started_at,
                destroy_after=retention.destroy_after,
                payload=crypto.seal(
                    material, json.dumps(retention.payload, ensure_ascii=False),
                    context=_seal_context(retention.item_key, retention.source_ref),
                ),
                key=key,
                source_ref=retention.source_ref,
            )
            existing.add(retention.source_ref)
            created += 1
    return created


def retained_records_destroy(*, pks: list[int]) -> int:
    """Delete retained records and their keys (each record has a key of its own)."""
    with transaction.atomic(using=RETENTION_DB):
        key_ids = list(
            RetainedRecord.objects.filter(pk__in=pks).values_list("key_id", flat=True)
        )
        count, _ = RetainedRecord.objects.filter(pk__in=pks).delete()
        RetentionKey.objects.filter(pk__in=key_ids).delete()
    return count


class RetentionReader:
    """Reads of the store, handed out only by ``retention_access`` (after logging the read)."""

    def records(self, *, subject_ref: uuid.UUID | None = None) -> Iterator[RetainedRecord]:
        records = RetainedRecord.objects.order_by("destroy_after", "id")
        if subject_ref is not None:
            records = records.filter(subject_ref=subject_ref)
        return records.iterator(chunk_size=500)

    def count(self, *, subject_ref: uuid.UUID) -> int:
        return RetainedRecord.objects.filter(subject_ref=subject_ref).count()

    def summary_by_item(self) -> dict[str, dict[str, Any]]:
        """Per item key: records, distinct subjects and the oldest period start; ``"*"`` for
        the whole store. Aggregates only (two queries): no payload is read (inventory)."""
        rows = RetainedRecord.objects.order_by().values("item_key").annotate(
            records=Count("id"), subjects=Count("subject_ref", distinct=True),
            oldest=Min("started_at"),
        )
        summary = {row["item_key"]: row for row in rows}
        summary["*"] = RetainedRecord.objects.aggregate(
            records=Count("id"), subjects=Count("subject_ref", distinct=True),
            oldest=Min("started_at"),
        )
        return summary

    def open_payload(self, record: RetainedRecord) -> dict[str, Any]:
        key = RetentionKey.objects.get(pk=record.key_id)
        plain = crypto.open_sealed(
            key.material(), record.payload,
            context=_seal_context(record.item_key, record.source_ref),
        )
        return json.loads(plain)


@contextmanager
def retention_access(
    *, actor: str, action: str, subject_ref: uuid.UUID | None = None
) -> Iterator[RetentionReader]:
    """The one way to read the retention store: the read is logged before anything is read."""
    if not actor.strip():
        raise ValueError("a read of the retention store needs an actor")
    access_log_append(
        actor=actor.strip()[:150], action=f"retention:{action}"[:60], subject_ref=subject_ref,
        at=timezone.now(),
    )
    yield RetentionReader()
