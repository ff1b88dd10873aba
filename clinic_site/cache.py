"""A cache tier for what every page reads: process memory in front of the shared cache.

django-cookie-consent caches its groups, the privacy app its policy versions and the boards
their areas in Django's cache, which is the database when Redis is not set: a query on every
request just to read the banner state. This backend answers from process memory for
``LOCAL_TIMEOUT`` seconds and otherwise from the shared cache, so the steady-state consent
check costs no query.

Staff change these rows on one server while others serve pages, so a process tier must not
outlive a change anywhere. A ``delete`` or ``clear`` (what every service calls after a staff
change) writes a new generation token into the shared cache; every process reads that token
at most once per ``CHECK_SECONDS`` (one small read, not one per request) and drops its copies
when it differs. A change made on one server is therefore seen by every process of every
server within ``CHECK_SECONDS`` (1 by default), and no copy is kept longer than
``LOCAL_TIMEOUT`` in any case.

The process tier keeps the objects themselves, not pickles (unpickling the cookie groups on
every request cost more than the rest of the consent check): what is cached here is read-only
for its callers.

A cache is an optimisation, so the shared cache being unreachable (Redis down) must not take
the pages with it: a failed shared read is a miss, a failed write or delete is skipped, and
the process tier alone serves for ``RETRY_SECONDS`` before the shared cache is tried again
(so a page does not wait on a dead connection each time). One WARNING line is logged when the
shared cache fails and one INFO line when it answers again, without the exception's text (it
may carry the server's address) or a traceback. While it is down, a change made on another
server is not announced here, so a copy may be up to ``LOCAL_TIMEOUT`` old; ``/healthz``
reports the shared cache itself.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import DatabaseError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
T = TypeVar("T")

# What the shared cache raises when its server cannot be reached or answer: Redis's errors,
# the database cache's, and socket errors underneath either.
SHARED_CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, DatabaseError, OSError)

# Monotonic seconds for the generation checks (a module attribute, so tests can move it).
_clock = time.monotonic
GENERATION_KEY = "near-cache:generation"


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
        self.check_seconds = float(options.get("CHECK_SECONDS", 1))
        self.retry_seconds = float(options.get("RETRY_SECONDS", 5))
        super().__init__({**params, "OPTIONS": {}})
        self.local = _ProcessMemory(
            timeout=self.local_timeout, max_entries=50, make_key=self.make_and_validate_key
        )
        self._generation: Any = None
        self._checked_until = 0.0
        self._check_lock = threading.Lock()
        self._down_until: float | None = None  # set while the shared cache is failing

    @property
    def shared(self) -> BaseCache:
        return caches[self.shared_alias]

    def _shared(self, call: Callable[[BaseCache], T], fallback: T) -> T:
        """``call`` on the shared cache, or ``fallback`` while it is unreachable."""
        down_until = self._down_until
        if down_until is not None and _clock() < down_until:
            return fallback
        try:
            result = call(self.shared)
        except SHARED_CACHE_ERRORS as error:
            if self._down_until is None:
                logger.warning(
                    "shared cache %r unreachable (%s); serving from process memory, retrying "
                    "every %ss", self.shared_alias, type(error).__name__, self.retry_seconds,
                )
            self._down_until = _clock() + self.retry_seconds
            return fallback
        if down_until is not None:
            self._down_until = None
            logger.info("shared cache %r answers again", self.shared_alias)
        return result

    def _fresh_local(self) -> _ProcessMemory:
        """The process tier, emptied first if any process has changed an entry since it was
        last checked (at most ``check_seconds`` ago)."""
        now = _clock()
        if now >= self._checked_until:
            generation = self._shared(lambda shared: shared.get(GENERATION_KEY),
                                      self._generation)
            with self._check_lock:
                if generation != self._generation:
                    self.local.clear()
                    self._generation = generation
                self._checked_until = now + self.check_seconds
        return self.local

    def _changed(self) -> None:
        """Tell every process that its copies are stale, this one included."""
        generation = uuid.uuid4().hex
        self._shared(lambda shared: shared.set(GENERATION_KEY, generation, None), None)
        with self._check_lock:
            self.local.clear()
            self._generation = generation
            self._checked_until = _clock() + self.check_seconds

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        sentinel = object()
        value = self._fresh_local().get(key, sentinel, version)
        if value is not sentinel:
            return value
        value = self._shared(lambda shared: shared.get(key, sentinel, version), sentinel)
        if value is sentinel:
            return default
        self.local.set(key, value, self.local_timeout, version)
        return value

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: int | None = None) -> None:
        self._shared(lambda shared: shared.set(key, value, timeout, version), None)
        self._fresh_local().set(key, value, self.local_timeout, version)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: int | None = None) -> bool:
        # Unreachable, the shared cache cannot say whether the key exists: taken as added,
        # like any other write while it is down.
        added = self._shared(lambda shared: shared.add(key, value, timeout, version), True)
        if added:
            self._fresh_local().set(key, value, self.local_timeout, version)
        return added

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._shared(lambda shared: shared.touch(key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        deleted = self._shared(lambda shared: shared.delete(key, version), False)
        self._changed()
        return deleted

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._fresh_local().has_key(key, version) or self._shared(
            lambda shared: shared.has_key(key, version), False
        )

    def clear(self) -> None:
        """Drop every process's copies; the shared entries stay (the shared cache holds other
        users' entries too, and ``delete`` removes one)."""
        self._changed()
