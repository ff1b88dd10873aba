"""Connections to a SQLite database are kept per worker: opening one costs as much CPU as
rendering a page (bench/RESULTS.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinic_site.env import database_config


def test_sqlite_connections_persist_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_CONN_MAX_AGE", raising=False)
    config = database_config("DATABASE_URL", Path("var/db.sqlite3"))
    assert config["CONN_MAX_AGE"] == 600 and config["CONN_HEALTH_CHECKS"] is True


def test_sqlite_connection_age_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "0")
    assert database_config("DATABASE_URL", Path("var/db.sqlite3"))["CONN_MAX_AGE"] == 0


def test_postgres_keeps_the_pool_instead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic")
    config = database_config("DATABASE_URL", Path("unused.sqlite3"))
    assert config["CONN_MAX_AGE"] == 0 and "pool" in config["OPTIONS"]
