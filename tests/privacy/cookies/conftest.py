"""Cookie groups as the data migration creates them, and a cold group cache for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cookie_consent.models import Cookie, CookieGroup
from django.core.cache import caches
from django.http import SimpleCookie
from django.test import Client

from privacy.cookies.groups import groups_install


@pytest.fixture(autouse=True)
def cookie_groups(db: None) -> Iterator[None]:
    """The groups exist even after a transactional test flushed the migration's rows."""
    caches["near"].clear()
    groups_install(CookieGroup, Cookie)
    caches["near"].delete("cookie_consent_cache")
    yield
    caches["near"].clear()


def set_cookies(response: object) -> SimpleCookie:
    """The Set-Cookie headers of one response (not the client's jar)."""
    return response.cookies  # type: ignore[attr-defined]


def is_set(response: object, name: str) -> bool:
    morsel = set_cookies(response).get(name)
    return morsel is not None and morsel["max-age"] != 0 and morsel.value != ""


def is_expired(response: object, name: str) -> bool:
    """A Set-Cookie that makes the browser drop the cookie."""
    morsel = set_cookies(response).get(name)
    return morsel is not None and morsel["max-age"] == 0 and "1970" in morsel["expires"]


def decide(client: Client, action: str, **data: str) -> object:
    return client.post(f"/cookies/{action}/", {"next": "/", **data})
