"""Rotating the key-encryption key (``privacy rotate-keys``).

The KEK wraps every subject's data key (``DataKey``, live database) and every retained record's
key (``RetentionKey``, retention database). Rotation re-wraps each of them under the newest KEK,
the first one in ``settings.PRIVACY_KEK``. While it runs the site keeps working: every listed
KEK still unwraps (MultiFernet), and new keys are already wrapped by the newest. Keys are
re-wrapped in bounded batches, one transaction each, so an interrupted run keeps the batches it
finished; a re-run skips every key the newest KEK already wraps. Only when the whole run reports
nothing left may the old KEK be removed from ``PRIVACY_KEK``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models, router, transaction
from django.utils import timezone

from privacy import crypto
from privacy.models import DataKey, RetentionKey

MAX_BATCH_SIZE = 10_000
DEFAULT_BATCH_SIZE = 500
# Operator-facing names (English, like every message of the privacy commands).
ROTATED_MODELS: dict[type[models.Model], str] = {
    DataKey: "data keys",
    RetentionKey: "retention keys",
}


class KeyRotationError(Exception):
    """A key cannot be re-wrapped; the message names it and says what was left unchanged."""


@dataclass
class KeyBatch:
    """What one batch did (or, in a dry run, would do)."""

    model: type[models.Model]
    rewrapped: int
    already_current: int

    @property
    def size(self) -> int:
        return self.rewrapped + self.already_current


@dataclass
class KeyRotationSummary:
    label: str
    rewrapped: int = 0
    already_current: int = 0

    def add(self, batch: KeyBatch) -> None:
        self.rewrapped += batch.rewrapped
        self.already_current += batch.already_current


def key_count(model: type[models.Model]) -> int:
    return model._default_manager.using(router.db_for_read(model)).count()


def key_rotation_batches(
    *, model: type[models.Model], batch_size: int = DEFAULT_BATCH_SIZE, dry_run: bool = False
) -> Iterator[KeyBatch]:
    """Re-wrap every key of ``model`` under the newest KEK, ``batch_size`` keys at a time.

    Each batch is one transaction with its rows locked: if one key of the batch cannot be
    unwrapped by any listed KEK, ``KeyRotationError`` names it and the whole batch stays as it
    was (earlier batches stay done). A dry run checks every key the same way and writes nothing.
    """
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise KeyRotationError(f"batch size must be between 1 and {MAX_BATCH_SIZE}")
    using = router.db_for_write(model)
    has_rewrapped_at = any(field.name == "rewrapped_at" for field in model._meta.fields)
    last_pk = 0
    while True:
        with transaction.atomic(using=using):
            batch = list(
                model._default_manager.using(using)
                .select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return
            last_pk = batch[-1].pk
            changed = _rewrap_batch(batch, model=model, has_rewrapped_at=has_rewrapped_at)
            if changed and not dry_run:
                fields = ["wrapped_key", "rewrapped_at"] if has_rewrapped_at else ["wrapped_key"]
                model._default_manager.using(using).bulk_update(changed, fields)
        yield KeyBatch(
            model=model, rewrapped=len(changed), already_current=len(batch) - len(changed)
        )


def _rewrap_batch(
    batch: list[models.Model], *, model: type[models.Model], has_rewrapped_at: bool
) -> list[DataKey | RetentionKey]:
    """Re-wrap in memory the keys of ``batch`` the newest KEK does not wrap yet."""
    now = timezone.now()
    changed: list[DataKey | RetentionKey] = []
    for key in batch:
        assert isinstance(key, DataKey | RetentionKey)  # the models of ROTATED_MODELS
        if crypto.wrapped_by_newest(key.wrapped_key):
            continue
        try:
            key.wrapped_key = crypto.rewrap_key(key.wrapped_key)
        except crypto.DecryptionError:
            raise KeyRotationError(
                f"{key} cannot be unwrapped by any key in PRIVACY_KEK; nothing in its batch "
                f"({model.__name__} #{batch[0].pk} to #{batch[-1].pk}) was "
                "changed. Put the key-encryption key that wrapped it back into PRIVACY_KEK "
                "and run again: finished batches are skipped."
            ) from None
        if has_rewrapped_at and isinstance(key, DataKey):
            key.rewrapped_at = now
        changed.append(key)
    return changed


def data_keys_rotate(
    *, batch_size: int = DEFAULT_BATCH_SIZE, dry_run: bool = False
) -> list[KeyRotationSummary]:
    """Re-wrap every data key and retention key under the newest KEK (see module docstring)."""
    summaries = []
    for model, label in ROTATED_MODELS.items():
        summary = KeyRotationSummary(label=label)
        for batch in key_rotation_batches(model=model, batch_size=batch_size, dry_run=dry_run):
            summary.add(batch)
        summaries.append(summary)
    return summaries
