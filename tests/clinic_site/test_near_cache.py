"""The near cache on two servers: a change made on one is seen by the other within seconds."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from redis.exceptions import ConnectionError as RedisConnectionError

from clinic_site import cache as near_cache
from clinic_site.cache import NearCache
from consultations.selectors import _AREAS_CACHE_KEY as AREAS_KEY
from consultations.selectors import area_list_cache_clear, area_list_cached
from tests.consultations.factories import ConsultationAreaFactory

pytestmark = pytest.mark.django_db


class Clock:
    """Monotonic seconds the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(near_cache, "_clock", fake)
    return fake


def server() -> NearCache:
    """One server's near cache: its own process memory, the shared cache of all servers."""
    return NearCache("near", {"OPTIONS": {"SHARED": "default", "LOCAL_TIMEOUT": 30,
                                          "CHECK_SECONDS": 1}})


def test_a_change_on_one_server_reaches_the_other_within_the_check_interval(
    clock: Clock,
) -> None:
    first, second = server(), server()
    first.set("policy_versions", ["2026-01"])
    assert second.get("policy_versions") == ["2026-01"]  # now in the second's memory

    first.delete("policy_versions")  # staff publish a version on the first server
    first.set("policy_versions", ["2026-01", "2026-11"])
    assert first.get("policy_versions") == ["2026-01", "2026-11"]
    clock.now += 1.01
    assert second.get("policy_versions") == ["2026-01", "2026-11"]


def test_clear_on_one_server_drops_the_copies_of_every_server(clock: Clock) -> None:
    first, second = server(), server()
    first.set("cookie_groups", "old")
    assert second.get("cookie_groups") == "old"
    caches["default"].set("cookie_groups", "new")  # the shared value changed meanwhile
    first.clear()
    clock.now += 1.01
    assert second.get("cookie_groups") == "new"


def test_without_changes_a_server_answers_from_memory_and_checks_once_a_second(
    clock: Clock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counted at the shared cache itself, whatever it is (the database cache here, Redis
    when REDIS_URL is set)."""
    first = server()
    first.set("areas", ["코"])
    shared = caches["default"]
    reads: list[str] = []
    real_get = shared.get

    def counting_get(key: Any, *args: Any, **kwargs: Any) -> Any:
        reads.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(shared, "get", counting_get)
    for _ in range(50):
        assert first.get("areas") == ["코"]
    assert reads == []
    clock.now += 1.01
    for _ in range(50):
        assert first.get("areas") == ["코"]
    assert reads == [near_cache.GENERATION_KEY]  # the generation check, then memory again


def test_areas_edited_by_staff_on_one_server_are_not_served_stale_by_another(
    clock: Clock,
) -> None:
    ConsultationAreaFactory(name_en="Nose")
    other = server()
    assert [area.name_en for area in area_list_cached()] == ["Nose"]  # this server
    assert [area.name_en for area in other.get(AREAS_KEY)] == ["Nose"]  # the other one

    area_list_cache_clear()  # what the admin's save of an area calls
    clock.now += 1.01
    assert other.get(AREAS_KEY) is None  # it reads the areas again


class Unreachable(BaseCache):
    """A shared cache whose server does not answer, counting the attempts."""

    def __init__(self) -> None:
        super().__init__({})
        self.attempts = 0

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        self.attempts += 1
        raise RedisConnectionError("Error 111 connecting to 10.0.0.5:6379. Connection refused.")

    get = set = add = delete = touch = has_key = _fail


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> Unreachable:
    shared = Unreachable()
    monkeypatch.setattr(NearCache, "shared", property(lambda self: shared))
    return shared


def test_an_unreachable_shared_cache_is_a_miss_and_memory_still_serves(
    clock: Clock, unreachable: Unreachable, caplog: pytest.LogCaptureFixture,
) -> None:
    near = server()
    assert near.get("cookie_groups", "default") == "default"  # a miss, not an error
    near.set("cookie_groups", ["necessary"])
    assert near.get("cookie_groups") == ["necessary"]  # from process memory
    assert near.add("policy_versions", ["1.0"]) is True
    assert near.delete("cookie_groups") is False
    near.clear()
    assert near.touch("anything") is False and near.has_key("anything") is False

    assert unreachable.attempts == 1  # then left alone for RETRY_SECONDS
    records = [r for r in caplog.records if r.name == "clinic_site.cache"]
    assert [r.levelname for r in records] == ["WARNING"]
    assert "10.0.0.5" not in records[0].getMessage() and records[0].exc_info is None


def test_the_shared_cache_is_tried_again_after_the_retry_interval(
    clock: Clock, unreachable: Unreachable, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    near = server()
    near.get("areas")
    clock.now += 4.9
    near.get("areas")
    assert unreachable.attempts == 1
    clock.now += 0.2
    near.get("areas")
    assert unreachable.attempts == 2  # still down: still a single WARNING line
    assert [r.levelname for r in caplog.records if r.name == "clinic_site.cache"] == ["WARNING"]

    monkeypatch.setattr(NearCache, "shared", property(lambda self: caches["default"]))
    caches["default"].set("areas", ["코"])
    clock.now += 5.1
    assert near.get("areas") == ["코"]
    assert [r.levelname for r in caplog.records if r.name == "clinic_site.cache"] == [
        "WARNING", "INFO"]
