"""Irreproducible on PostgreSQL: after withdrawal, expiry and ``privacy purge``, then a
checkpoint, no sealed value entered is in the raw bytes of a throwaway cluster's table and
index files (``base/``) or its write-ahead log (``pg_wal/``).

Marked ``pg_cluster``; skipped where PostgreSQL's ``initdb`` is not installed. It starts its
own cluster in a temporary directory (as the ``postgres`` user when run as root, which
``initdb`` refuses), so it needs no running server and touches no other database.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from tests.privacy.retention import pg_scenario

ROOT = Path(settings.BASE_DIR)
INITDB = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)),
              shutil.which("initdb"))

pytestmark = [
    pytest.mark.pg_cluster,
    pytest.mark.skipif(INITDB is None, reason="PostgreSQL's initdb is not installed"),
]


def _as_owner(command: list[str]) -> list[str]:
    """``initdb`` and the server refuse to run as root: run them as ``postgres`` then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    def __init__(self, root: Path) -> None:
        assert INITDB is not None
        self.bin = Path(INITDB).parent
        self.root = root
        self.data = root / "data"
        self.port = _free_port()

    def url(self, name: str) -> str:
        return f"postgres://clinic@{quote(str(self.root), safe='')}:{self.port}/{name}"

    def run(self, *command: str) -> None:
        subprocess.run(_as_owner([str(self.bin / command[0]), *command[1:]]), check=True,
                       capture_output=True, timeout=120)

    def start(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", "clinic", "--auth=trust", "-E", "UTF8",
                 "--no-locale", "--no-sync")
        options = (f"-k {self.root} -p {self.port} -c listen_addresses='' -c fsync=off")
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                 "-w", "start")
        for name in ("clinic", "clinic_ret"):
            self.run("createdb", "-h", str(self.root), "-p", str(self.port), "-U", "clinic",
                     name)

    def stop(self) -> None:
        subprocess.run(_as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                                  "stop"]), capture_output=True, timeout=120, check=False)

    def sql(self, statement: str) -> None:
        self.run("psql", "-h", str(self.root), "-p", str(self.port), "-U", "clinic", "-d",
                 "clinic", "-c", statement)

    def raw_bytes(self) -> bytes:
        return b"".join(path.read_bytes() for folder in ("base", "pg_wal")
                        for path in sorted((self.data / folder).rglob("*")) if path.is_file())


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    root = Path(tempfile.mkdtemp(prefix="pgc-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = Cluster(root)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def _django(cluster: Cluster, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": cluster.url("clinic"),
           "RETENTION_DATABASE_URL": cluster.url("clinic_ret"),
           "DJANGO_SETTINGS_MODULE": "clinic_site.settings",
           "VAR_DIR": str(cluster.root / "var")}
    env.pop("REDIS_URL", None)
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def after_purge(cluster: Cluster) -> bytes:
    """The cluster's files after the whole scenario and a checkpoint."""
    _django(cluster, "manage.py", "migrate", "--noinput", "-v0")
    _django(cluster, "manage.py", "migrate", "--noinput", "-v0", "--database", "retention")
    _django(cluster, "manage.py", "createcachetable")
    _django(cluster, "-m", "tests.privacy.retention.pg_scenario", "create")
    _django(cluster, "-m", "tests.privacy.retention.pg_scenario", "erase")
    cluster.sql("CHECKPOINT")
    return cluster.raw_bytes()


@pytest.mark.parametrize("what", sorted(pg_scenario.SEALED))
def test_no_sealed_value_is_in_the_cluster_files(after_purge: bytes, what: str) -> None:
    assert pg_scenario.SEALED[what].encode() not in after_purge, f"{what} is on disk in clear"

