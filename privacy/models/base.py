"""Append-only rows: evidence that is added to and never edited (ledgers, logs)."""

from __future__ import annotations

from typing import Any

from django.db import models

# The columns of a keyed hash chain (``privacy.access_log``), which only a change of its key
# rewrites.
CHAIN_COLUMNS = frozenset({"previous_hash", "entry_hash", "anchor_tag"})


class AppendOnlyQuerySet(models.QuerySet):
    """Ledgers are proof: rows are never changed or deleted through the ORM.

    The only way out is ``purge_expired`` (privacy purge, retention rules of the registry)."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError(f"{self.model._meta.label} is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError(f"{self.model._meta.label} is append-only")

    def purge_expired(self) -> int:
        """Delete the rows of this queryset for good; for the privacy purge only."""
        return self._raw_delete(self.db)

    def ip_addresses_forget(self) -> int:
        """Blank the IP address of these rows, the one change a ledger allows: an IP address is
        access IP information, kept 3 months (registry rule ``login_records``) while the entry
        itself stays as proof. For the privacy purge only."""
        return super().update(ip_address=None)


    def chain_rewrite(self, **hashes: str) -> int:
        """Rewrite the hash-chain columns of these rows, the other change a ledger allows:
        when the access log's key is replaced, its hashes are recomputed under the new key
        (``privacy rechain-access-log``) while the entries themselves stay as they were."""
        if not hashes or set(hashes) - CHAIN_COLUMNS:
            raise PermissionError(f"{self.model._meta.label} is append-only")
        return super().update(**hashes)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError(f"{self._meta.label} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(f"{self._meta.label} is append-only")
