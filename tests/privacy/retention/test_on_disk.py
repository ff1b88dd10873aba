"""Irreproducible: after withdrawal and purge, no byte of the member's personal data is left in
the SQLite files on disk.

Sealed values are never written in clear, so neither the database file nor the write-ahead log
nor its shared-memory index holds them at any time, even with another connection holding a
read open (which keeps old log frames from being reused) and no checkpoint. The login ID and
email are sealed too (allauth's address column holds a keyed stand-in, members.emails)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Every value entered: each is encrypted (or a keyed digest) from the start.
SEALED = ["zz.disk.mail@example.org", "디스크검사회원", "010-5550-1234", "디스크검사상담본문",
          "디스크검사답변본문", "디스크검사후기본문", "디스크검사상담제목", "디스크검사후기제목",
          "198.51.100.99", "zz_disk_login"]


def _run(var_dir: Path, *args: str, returncode: int = 0) -> str:
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "RETENTION_DATABASE_URL"}}
    env.update(VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="clinic_site.settings")
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == returncode, result.stderr[-2000:]
    return result.stdout


def _disk_bytes(var_dir: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(var_dir.iterdir())
                    if path.name.endswith((".sqlite3", "-wal", "-shm", "-journal")))


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    var_dir = tmp_path_factory.mktemp("migrated") / "var"
    _run(var_dir, "manage.py", "migrate", "--noinput", "-v0")
    _run(var_dir, "manage.py", "migrate", "--noinput", "-v0", "--database", "retention")
    return var_dir


@pytest.fixture
def var_dir(migrated: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(migrated, tmp_path / "var"))


@pytest.fixture
def reader(var_dir: Path) -> Iterator[sqlite3.Connection]:
    """A second connection with a read open, as another worker would have."""
    connection = sqlite3.connect(var_dir / "db.sqlite3", isolation_level=None)
    connection.execute("BEGIN")
    connection.execute("SELECT COUNT(*) FROM django_migrations").fetchone()
    yield connection
    connection.close()


def test_no_sealed_value_is_ever_on_disk_without_a_checkpoint(
    var_dir: Path, reader: sqlite3.Connection
) -> None:
    scenario = ("-m", "tests.privacy.retention.disk_scenario")
    subject_ref = _run(var_dir, *scenario, "create").strip()
    before = _disk_bytes(var_dir)
    assert (var_dir / "db.sqlite3-wal").stat().st_size > 0  # the rows are in the log
    for needle in SEALED:
        assert needle.encode() not in before, f"{needle} is stored in plain text"
    _run(var_dir, *scenario, "erase")
    after = _disk_bytes(var_dir)
    for needle in SEALED:
        assert needle.encode() not in after, f"{needle} is on disk in plain text"
    verified = _run(var_dir, "manage.py", "privacy", "verify-erasure", "--member-ref", subject_ref)
    assert "verified" in verified


def test_no_byte_of_the_member_is_left_in_the_database_files(var_dir: Path) -> None:
    """With checkpoints, nothing of the member is in the files either, before or after."""
    subject_ref = _run(var_dir, "-m", "tests.privacy.retention.disk_scenario", "create",
                       "--checkpoint").strip()
    before = _disk_bytes(var_dir)
    for needle in SEALED:
        assert needle.encode() not in before, f"{needle} is stored in plain text"

    _run(var_dir, "-m", "tests.privacy.retention.disk_scenario", "erase", "--checkpoint")
    after = _disk_bytes(var_dir)
    assert (var_dir / "retention.sqlite3").exists()
    for needle in SEALED:
        assert needle.encode() not in after, f"{needle} is still on disk"
    # ... while the lawful copy of the log-in record is there, sealed, and verify-erasure agrees.
    listing = _run(var_dir, "manage.py", "privacy", "retention-list", "--actor", "test")
    assert subject_ref in listing and "access_log" in listing
    verified = _run(var_dir, "manage.py", "privacy", "verify-erasure", "--member-ref", subject_ref)
    assert "verified" in verified


def test_a_process_killed_between_copy_and_delete_then_purge(var_dir: Path) -> None:
    subject_ref = _run(var_dir, "-m", "tests.privacy.retention.disk_scenario", "create").strip()
    _run(var_dir, "-m", "tests.privacy.retention.disk_scenario", "erase-killed", returncode=9)
    # Killed: the copy is in the retention database and the member still live (two places,
    # until the next purge), the ledger entry open.
    left = _run(var_dir, "manage.py", "privacy", "verify-erasure", "--member-ref", subject_ref,
                returncode=1)
    assert "LEFT    default: members.member: 1 row(s)" in left
    assert "retention: privacy.retainedrecord: 1 row(s)" in left
    output = _run(var_dir, "manage.py", "privacy", "purge")
    assert "membership: due 0, destroyed 1, retained 0, finished 1 interrupted run(s)" in output
    verified = _run(var_dir, "manage.py", "privacy", "verify-erasure", "--member-ref", subject_ref)
    assert "kept    retention: privacy.retainedrecord: 1 row(s)" in verified
    assert "verified" in verified
