"""Rotating the key-encryption key (``privacy rotate-keys``).

The KEK wraps every subject's data key (``DataKey``, live database), every retained record's
key (``RetentionKey``, retention database) and, through ``members.adapters.MFAAdapter``, the
staff's TOTP secrets and recovery-code seeds (allauth's ``Authenticator``; its re-wrapping is
declared in ``members.services`` and joined in by the ``rotate-keys`` action). Rotation
re-wraps each of them under the newest KEK, the first one in ``settings.PRIVACY_KEK``. While it
runs the site keeps working: every listed KEK still unwraps (MultiFernet), and new keys are
already wrapped by the newest. Rows are re-wrapped in bounded batches, one transaction each, so
an interrupted run keeps the batches it finished; a re-run skips every row whose secrets the
newest KEK already wraps. Only when the whole run reports nothing left may the old KEK be
removed from ``PRIVACY_KEK``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models, router, transaction
from django.db.models import Q
from django.utils import timezone

from privacy import crypto
from privacy.models import DataKey, RetentionKey

MAX_BATCH_SIZE = 10_000
DEFAULT_BATCH_SIZE = 500


class KeyRotationError(Exception):
    """A key cannot be re-wrapped; the message names it and says what was left unchanged."""


@dataclass(frozen=True)
class RotationTarget:
    """The rows of one model that hold secrets wrapped by the KEK, and how to re-wrap a row.

    ``rewrap(row, now)`` re-wraps in memory every secret of ``row`` the newest KEK does not
    wrap yet and says whether it changed anything; it raises ``crypto.DecryptionError`` when a
    secret cannot be unwrapped by any listed KEK. ``fields`` are the columns it changes,
    ``only`` narrows the rows to those that hold wrapped secrets, and ``describe`` names a row
    in error messages. ``label`` is the operator-facing name (English, like every message of
    the privacy commands)."""

    label: str
    model: type[models.Model]
    fields: tuple[str, ...]
    rewrap: Callable[[Any, dt.datetime], bool]
    only: Q = field(default_factory=Q)
    describe: Callable[[Any], str] = str

    def count(self) -> int:
        return self.model._default_manager.using(router.db_for_read(self.model)).filter(
            self.only).count()


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


def rewrapped(token: str) -> str | None:
    """``token`` re-wrapped under the newest KEK, or None when the newest KEK wraps it already.

    Raises ``crypto.DecryptionError`` when no listed KEK unwraps it."""
    if crypto.wrapped_by_newest(token):
        return None
    return crypto.rewrap_key(token)


def _rewrap_data_key(key: DataKey, now: dt.datetime) -> bool:
    token = rewrapped(key.wrapped_key)
    if token is None:
        return False
    key.wrapped_key = token
    key.rewrapped_at = now
    return True


def _rewrap_retention_key(key: RetentionKey, now: dt.datetime) -> bool:
    token = rewrapped(key.wrapped_key)
    if token is None:
        return False
    key.wrapped_key = token
    return True


DATA_KEYS = RotationTarget(label="data keys", model=DataKey,
                           fields=("wrapped_key", "rewrapped_at"), rewrap=_rewrap_data_key)
RETENTION_KEYS = RotationTarget(label="retention keys", model=RetentionKey,
                                fields=("wrapped_key",), rewrap=_rewrap_retention_key)
# The keys of the privacy base itself; the action adds the secrets other apps wrap.
KEY_TARGETS: tuple[RotationTarget, ...] = (DATA_KEYS, RETENTION_KEYS)


def key_rotation_batches(
    *, target: RotationTarget, batch_size: int = DEFAULT_BATCH_SIZE, dry_run: bool = False
) -> Iterator[KeyBatch]:
    """Re-wrap every row of ``target`` under the newest KEK, ``batch_size`` rows at a time.

    Each batch is one transaction with its rows locked: if one row of the batch cannot be
    unwrapped by any listed KEK, ``KeyRotationError`` names it and the whole batch stays as it
    was (earlier batches stay done). A dry run checks every row the same way and writes nothing.
    """
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise KeyRotationError(f"batch size must be between 1 and {MAX_BATCH_SIZE}")
    model = target.model
    using = router.db_for_write(model)
    last_pk = 0
    while True:
        with transaction.atomic(using=using):
            batch = list(
                model._default_manager.using(using)
                .select_for_update()
                .filter(target.only, pk__gt=last_pk)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return
            last_pk = batch[-1].pk
            changed = _rewrap_batch(batch, target=target)
            if changed and not dry_run:
                model._default_manager.using(using).bulk_update(changed, list(target.fields))
        yield KeyBatch(
            model=model, rewrapped=len(changed), already_current=len(batch) - len(changed)
        )


def _rewrap_batch(batch: list[models.Model], *, target: RotationTarget) -> list[models.Model]:
    """Re-wrap in memory the rows of ``batch`` the newest KEK does not wrap entirely yet."""
    now = timezone.now()
    changed: list[models.Model] = []
    for row in batch:
        try:
            if target.rewrap(row, now):
                changed.append(row)
        except crypto.DecryptionError:
            raise KeyRotationError(
                f"{target.describe(row)} cannot be unwrapped by any key in PRIVACY_KEK; "
                f"nothing in its batch ({target.model.__name__} #{batch[0].pk} to "
                f"#{batch[-1].pk}) was changed. Put the key-encryption key that wrapped it back "
                "into PRIVACY_KEK and run again: finished batches are skipped."
            ) from None
    return changed


def keys_rotate(
    *, targets: tuple[RotationTarget, ...] = KEY_TARGETS, batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
) -> list[KeyRotationSummary]:
    """Re-wrap every row of ``targets`` under the newest KEK (see module docstring)."""
    summaries = []
    for target in targets:
        summary = KeyRotationSummary(label=target.label)
        for batch in key_rotation_batches(target=target, batch_size=batch_size, dry_run=dry_run):
            summary.add(batch)
        summaries.append(summary)
    return summaries
