"""Project-wide fixtures. Factories live in one module per app (tests/<app>/factories.py)."""

from __future__ import annotations

import pytest
from django.conf import settings


def pytest_configure(config: pytest.Config) -> None:
    # Hashing with PBKDF2 costs ~0.3 s per password; tests do not need that strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache(request: pytest.FixtureRequest) -> None:
    """Rate-limit counters and cached groups live in the cache; no test may see another's.

    The local cache is a database table (rolled back with each test); Redis needs clearing."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db", "transactional_db", "live_server", "client", "admin_client"
    } & set(request.fixturenames)
    if uses_db:
        from django.core.cache import caches

        for alias in settings.CACHES:
            caches[alias].clear()


@pytest.fixture
def admin_user(db: None) -> object:
    """pytest-django's superuser, with the TOTP authenticator every staff account needs."""
    from tests.members.factories import StaffFactory

    return StaffFactory(username="admin", is_superuser=True)
