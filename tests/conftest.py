"""Project-wide fixtures. Factories live in one module per app (tests/<app>/factories.py)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import factory.random
import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import Client

from members import roles
from tests.members.factories import StaffFactory

# Every test that does not travel elsewhere starts at this instant (12:00 in Seoul, at the
# start of a 30-second TOTP window), so what a test sees depends on the commit, not on the day
# it runs. The clock ticks from there: timeouts and waits behave as usual.
TEST_CLOCK_START = datetime.datetime(2026, 11, 26, 3, 0, tzinfo=datetime.UTC)


def pytest_configure(config: pytest.Config) -> None:
    # Hashing with PBKDF2 costs ~0.3 s per password; tests do not need that strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _test_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """The fixed clock, for the fixtures and the code alike, and the factories' random data
    drawn the same way in every run. Browser tests keep the real clock: Chromium drops
    cookies that expire before its own (real) time."""
    factory.random.reseed_random(request.node.nodeid)
    if request.node.get_closest_marker("e2e"):
        yield
        return
    with time_machine.travel(TEST_CLOCK_START, tick=True):
        yield


@pytest.fixture(autouse=True)
def _clear_cache(request: pytest.FixtureRequest) -> None:
    """Rate-limit counters and cached groups live in the cache; no test may see another's.

    The local cache is a database table (rolled back with each test); Redis needs clearing."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db", "transactional_db", "live_server", "client", "admin_client"
    } & set(request.fixturenames)
    if uses_db:

        for alias in settings.CACHES:
            caches[alias].clear()


@pytest.fixture
def staff_client(db: Any) -> Callable[..., tuple[Client, Any]]:
    """``staff_client("receptionist")`` -> (logged-in client, staff account)."""

    def make(role: str | None = None, **kwargs: Any) -> tuple[Client, Any]:
        staff = StaffFactory(**kwargs)
        if role is not None:
            staff.groups.add(Group.objects.get(name=role))
        client = Client(REMOTE_ADDR="203.0.113.7")
        client.force_login(staff)
        return client, staff

    return make


@pytest.fixture
def receptionist(staff_client: Callable[..., tuple[Client, Any]]) -> tuple[Client, Any]:
    return staff_client(roles.RECEPTIONIST)


@pytest.fixture
def doctor(staff_client: Callable[..., tuple[Client, Any]]) -> tuple[Client, Any]:
    return staff_client(roles.DOCTOR)


@pytest.fixture
def privacy_manager(staff_client: Callable[..., tuple[Client, Any]]) -> tuple[Client, Any]:
    return staff_client(roles.PRIVACY_MANAGER)


@pytest.fixture
def admin_user(db: None) -> object:
    """pytest-django's superuser, with the TOTP authenticator every staff account needs."""
    return StaffFactory(username="admin", is_superuser=True)
