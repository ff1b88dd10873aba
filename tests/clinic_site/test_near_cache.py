"""The near cache on two servers: a change made on one is seen by the other within seconds."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches

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
    clock: Clock, django_assert_num_queries: Any,
) -> None:
    first = server()
    first.set("areas", ["코"])
    with django_assert_num_queries(0):
        for _ in range(50):
            assert first.get("areas") == ["코"]
    clock.now += 1.01
    with django_assert_num_queries(1):  # the generation check, then memory again
        for _ in range(50):
            assert first.get("areas") == ["코"]


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
