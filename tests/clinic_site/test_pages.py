"""Home page layout, languages and the health check."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import caches
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from tests.members.factories import PosterFactory, log_in

pytestmark = pytest.mark.django_db(databases=["default", "retention"])


def test_home_has_navigation_and_officer_from_settings(client: Client, settings) -> None:
    settings.PRIVACY_OFFICER = {**settings.PRIVACY_OFFICER, "phone": "02-1234-5678",
                                "email": "officer@clinic.example"}
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ko">' in html
    for path in ("/consultations/", "/reviews/", "/privacy/policy/", "/accounts/login/",
                 "/accounts/signup/"):
        assert f'href="{path}"' in html
    assert "02-1234-5678" in html
    assert "officer@clinic.example" in html
    assert "개인정보처리방침" in html


def test_language_switch_to_english_and_back(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Privacy policy" in html
    assert "Jang Plastic Surgery" in html
    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/"}, follow=True)
    assert '<html lang="ko">' in response.content.decode()


def test_healthz_is_200_when_databases_cache_and_migrations_hold(
    client: Client, django_assert_max_num_queries
) -> None:
    client.get("/healthz")  # the first request fills the cookie groups' cache (middleware)
    # Per database: SELECT 1 and the migration table (with its existence check); the cache
    # probe's queries are the test settings' database cache (Redis in production).
    with django_assert_max_num_queries(10), django_assert_max_num_queries(4, using="retention"):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok", "databases": {"default": "ok", "retention": "ok"},
        "cache": "ok", "migrations": "ok",
    }


def test_healthz_is_503_naming_the_cache_when_it_fails(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_set(*args: object, **kwargs: object) -> None:
        raise ConnectionError("redis at 10.0.0.5:6379 refused")

    monkeypatch.setattr(caches["default"], "set", broken_set)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["cache"]
    assert body["cache"] == "unavailable"
    assert body["databases"] == {"default": "ok", "retention": "ok"}
    assert "refused" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_healthz_is_503_naming_pending_migrations(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    pending = [(MigrationExecutor(connections["default"]).loader.graph.leaf_nodes()[0], False)]
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: pending)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["migrations"]
    assert response.json()["migrations"] == "pending"


def test_healthz_is_503_when_the_retention_database_is_down(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    retention = connections["retention"]

    def broken_cursor(*args: object, **kwargs: object) -> None:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(retention, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["databases"] == {"default": "ok", "retention": "unavailable"}
    assert response.json()["failing"] == ["database:retention", "migrations"]
    assert "refused" not in response.content.decode()


def test_healthz_refuses_writes(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


def test_cached_header_carries_each_requests_token_and_path_escaped() -> None:
    """The header's links are a cached fragment: each response still has its own CSRF
    token, which the language form accepts, and its own path, escaped."""
    client = Client(enforce_csrf_checks=True)
    tokens = []
    for _ in range(2):
        fresh = Client(enforce_csrf_checks=True)
        html = fresh.get("/reviews/", QUERY_STRING="a=1&b='<x>'").content.decode()
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1))
        assert "'<x>'" not in html
        assert 'name="next" value="/reviews/?a=1&amp;b=&#x27;%3Cx%3E&#x27;"' in html
    assert tokens[0] != tokens[1]
    html = client.get("/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/",
                                              "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_cached_header_and_footer_follow_the_signed_in_state(client: Client) -> None:
    anonymous = client.get("/").content.decode()
    assert 'href="/accounts/login/"' in anonymous and "/accounts/logout/" not in anonymous
    member = PosterFactory()
    log_in(client, member)
    signed_in = client.get("/").content.decode()
    assert "/accounts/logout/" in signed_in and 'href="/accounts/login/"' not in signed_in
    assert 'href="/privacy/consents/receipts/"' in signed_in
    assert 'href="/privacy/consents/receipts/"' not in anonymous
    assert 'href="/accounts/login/"' in Client().get("/").content.decode()


def test_with_redis_unreachable_pages_answer_and_healthz_names_the_cache(
    client: Client, settings, caplog: pytest.LogCaptureFixture,
    django_assert_max_num_queries: Any,
) -> None:
    """REDIS_URL set, nothing listening: the near cache in front of it serves from process
    memory, so the pages still answer; the health check probes the shared cache itself and
    fails on it alone. The outage is logged once, without the server's address."""
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
    }}
    caches["near"].clear()  # a fresh process tier, as after a restart
    for path in ("/", "/consultations/", "/reviews/", "/privacy/policy/", "/cookies/",
                 "/consultations/guest/", "/accounts/login/"):
        response = client.get(path)
        assert response.status_code == 200, path
    with django_assert_max_num_queries(12):  # the cookie groups come from process memory
        assert client.get("/").status_code == 200

    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
    assert response.json()["databases"] == {"default": "ok", "retention": "ok"}

    near = [r for r in caplog.records if r.name == "clinic_site.cache"]
    assert [r.levelname for r in near] == ["WARNING"]
    assert near[0].exc_info is None and "127.0.0.1" not in near[0].getMessage()
