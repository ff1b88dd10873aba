"""A scratch site for the benchmarks: fresh databases, generated secrets, bench settings.

SQLite by default, in ``VAR_DIR`` (``/tmp/bench-var`` unless set; emptied first, and never the
developer's ``var/``). With ``DATABASE_URL`` set, that PostgreSQL database is dropped and created
again, so its name must contain ``bench`` (e.g. ``postgres://postgres@127.0.0.1/clinic_bench``).
The retention database stays SQLite in ``VAR_DIR`` unless ``RETENTION_DATABASE_URL`` is set.
"""

from __future__ import annotations

import base64
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VAR_DIR = str(Path(tempfile.gettempdir()) / "bench-var")


def _recreate_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"DATABASE_URL names {name!r}: the benchmark drops and creates the "
                         "database, so its name must contain 'bench'")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare() -> dict[str, str]:
    """Set the environment, set Django up on empty databases, migrate and load the demo
    content (areas, policy, staff). Returns the environment for gunicorn."""
    sys.path.insert(0, str(ROOT))
    var_dir = Path(os.environ.setdefault("VAR_DIR", DEFAULT_VAR_DIR)).resolve()
    if var_dir == (ROOT / "var").resolve():
        raise SystemExit("VAR_DIR is the developer's var/: the benchmark needs a scratch directory")
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory
    os.environ["STATIC_MANIFEST"] = "0"  # static files from the finders: no collectstatic
    os.environ.setdefault("SECRET_KEY", "bench-only-" + uuid.uuid4().hex)
    os.environ.setdefault("PRIVACY_KEK", base64.urlsafe_b64encode(os.urandom(32)).decode())
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    os.environ.setdefault("ALLOW_UNSENT_MAIL", "1")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if os.environ.get("DATABASE_URL"):
        _recreate_postgres(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("migrate", database="retention", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return dict(os.environ)


def database_description() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"
