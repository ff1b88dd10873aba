"""A database restart must not fail the requests after it: the psycopg pool checks each
connection as it lends it (Django's CONN_HEALTH_CHECKS does not apply to pooled connections).

The restart itself is exercised by bench/load_faults.py on a server of its own; here a pooled
connection's server process is terminated (what a restart does to every connection), on the
test database only, and the pool must lend a working connection afterwards.
"""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg_pool import ConnectionPool

from clinic_site.env import database_config


def test_the_site_pool_checks_every_connection_it_lends(monkeypatch: pytest.MonkeyPatch) -> None:
    """Django (5.1+) gives a pool ``check=ConnectionPool.check_connection`` when
    CONN_HEALTH_CHECKS is on: the setting must stay on for pooled databases."""
    monkeypatch.setenv("DATABASE_URL", "postgres://clinic:pw@db.internal:5432/clinic")
    config = database_config("DATABASE_URL", Path("unused.sqlite3"))
    assert config["OPTIONS"]["pool"]
    assert config["CONN_HEALTH_CHECKS"] is True


def _terminate_every_other_backend() -> list[int]:
    """What a server restart does to every pooled connection, on the test database only (the
    test's own connection, which holds its transaction, is spared)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        killed = [row[0] for row in cursor.fetchall()]
        for _ in range(50):
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh view inside the transaction
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [killed])
            if cursor.fetchone()[0] == 0:
                return killed
            time.sleep(0.1)
    raise AssertionError(f"backends {killed} did not end")


@pytest.mark.django_db
def test_a_connection_killed_under_the_site_pool_is_replaced_before_use() -> None:
    """A sync gunicorn worker keeps one idle connection per database in its pool; after a
    restart the first request gets a working one (after psycopg's ~1 s back-off), not a 500.
    (Each further dead idle connection doubles the wait: see bench/README.md on threads.)"""
    if connection.vendor != "postgresql":
        pytest.skip("the pool is PostgreSQL's (run with DATABASE_URL=postgres://...)")
    pool = connection.pool
    with pool.connection() as pooled:
        idle = pooled.info.backend_pid
    assert idle in _terminate_every_other_backend()
    with pool.connection() as pooled:
        assert pooled.execute("SELECT 1").fetchone() == (1,)
        assert pooled.info.backend_pid != idle


@pytest.mark.django_db
def test_control_a_pool_without_the_check_lends_the_dead_connection() -> None:
    """Why the check matters: without it the request that gets a dead connection fails."""
    if connection.vendor != "postgresql":
        pytest.skip("the pool is PostgreSQL's (run with DATABASE_URL=postgres://...)")
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    pool = ConnectionPool(kwargs=params, min_size=1, max_size=1, check=None, open=True)
    try:
        with pool.connection() as pooled:
            pid = pooled.info.backend_pid
        assert pid in _terminate_every_other_backend()
        with pool.connection() as pooled, pytest.raises(psycopg.OperationalError):
            pooled.execute("SELECT 1")
    finally:
        pool.close()
