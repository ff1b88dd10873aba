"""Keeps the retention store (policy section 4) in its own database and everything else out."""

from __future__ import annotations

from typing import Any

RETENTION_DB = "retention"
# The destruction ledger lives beside the retained records: a restore of the live database
# must not take back the record of what was destroyed (privacy replay-destruction reads it).
# The access log's head is kept here too, out of reach of a writer of the live database.
RETENTION_MODELS = frozenset({
    ("privacy", "retentionkey"), ("privacy", "retainedrecord"), ("privacy", "destructionrecord"),
    ("privacy", "accessloghead"),
})


def is_retention_model(app_label: str, model_name: str | None) -> bool:
    return (app_label, (model_name or "").lower()) in RETENTION_MODELS


class RetentionRouter:
    """Retention models live only in ``retention``; nothing else is read, written or migrated there.
    """

    def _db_for(self, model: Any) -> str:
        meta = model._meta
        return RETENTION_DB if is_retention_model(meta.app_label, meta.model_name) else "default"

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return self._db_for(model)

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return self._db_for(model)

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # ``__class__``, not ``type()``: request.user is a lazy proxy whose type is not a model.
        return self._db_for(obj1.__class__) == self._db_for(obj2.__class__)

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        if db == RETENTION_DB:
            return is_retention_model(app_label, model_name)
        return not is_retention_model(app_label, model_name)
