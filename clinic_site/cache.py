"""A cache tier for what every page reads: process memory in front of the shared cache.

django-cookie-consent caches its groups, and the privacy app its policy versions, in Django's
cache, which is the database when Redis is not set: a query on every request just to read the
banner state. This backend answers from process
memory for ``LOCAL_TIMEOUT`` seconds and otherwise from the shared cache, so the steady-state
consent check costs no query. A change staff make in the admin clears both tiers in the process
that made it and reaches the other workers within ``LOCAL_TIMEOUT`` seconds.

The process tier keeps the objects themselves, not pickles (unpickling the cookie groups on
every request cost more than the rest of the consent check): what is cached here is read-only
for its callers.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache


class _ProcessMemory:
    """This process's copies, each kept ``timeout`` seconds; at most ``max_entries``."""

    def __init__(self, *, timeout: int, max_entries: int, make_key: Any) -> None:
        self.timeout = timeout
        self.max_entries = max_entries
        self.make_key = make_key
        self._entries: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        entry = self._entries.get(self.make_key(key, version))
        if entry is None or entry[0] < time.time():
            return default
        return entry[1]

    def set(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.pop(next(iter(self._entries)))
            self._entries[self.make_key(key, version)] = (time.time() + self.timeout, value)

    def delete(self, key: Any, version: int | None = None) -> None:
        with self._lock:
            self._entries.pop(self.make_key(key, version), None)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        sentinel = object()
        return self.get(key, sentinel, version) is not sentinel

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class NearCache(BaseCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        options = params.get("OPTIONS", {})
        self.shared_alias = options.get("SHARED", "default")
        self.local_timeout = int(options.get("LOCAL_TIMEOUT", 30))
        super().__init__({**params, "OPTIONS": {}})
        self.local = _ProcessMemory(
            timeout=self.local_timeout, max_entries=50, make_key=self.make_and_validate_key
        )

    @property
    def shared(self) -> BaseCache:
        return caches[self.shared_alias]

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        sentinel = object()
        value = self.local.get(key, sentinel, version)
        if value is not sentinel:
            return value
        value = self.shared.get(key, sentinel, version)
        if value is sentinel:
            return default
        self.local.set(key, value, self.local_timeout, version)
        return value

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: int | None = None) -> None:
        self.shared.set(key, value, timeout, version)
        self.local.set(key, value, self.local_timeout, version)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: int | None = None) -> bool:
        added = self.shared.add(key, value, timeout, version)
        if added:
            self.local.set(key, value, self.local_timeout, version)
        return added

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self.shared.touch(key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        self.local.delete(key, version)
        return self.shared.delete(key, version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self.local.has_key(key, version) or self.shared.has_key(key, version)

    def clear(self) -> None:
        """Clear this process's tier only; the shared cache holds other users' entries."""
        self.local.clear()
