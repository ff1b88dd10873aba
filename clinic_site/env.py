"""Reading configuration from environment variables.

Start-up must fail on bad configuration with one line that names the variable, so every
parser here raises ``ConfigurationError`` with such a line and ``manage.py``/``wsgi.py`` print
it instead of a traceback.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
# Mail backends that deliver nothing: they print, store or drop each message.
UNSENT_MAIL_BACKENDS = frozenset({
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
})
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigurationError(ImproperlyConfigured):
    """A setting taken from the environment is missing or malformed."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigurationError(
        f"{name}: expected one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}: expected a whole number, got {raw!r}") from None


def env_count(name: str, default: int) -> int:
    """A whole number of zero or more (a count of proxies, of workers)."""
    value = env_int(name, default)
    if value < 0:
        raise ConfigurationError(f"{name}: expected zero or more, got {value}")
    return value


# An HTTP header's name: letters, digits and hyphens (RFC 9110 allows more; proxies use these).
_HEADER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")


def env_header_name(name: str) -> str | None:
    """The name of an HTTP header, such as ``X-Real-IP``, or ``None`` when unset."""
    raw = env_str(name)
    if not raw:
        return None
    if not _HEADER_NAME.fullmatch(raw):
        raise ConfigurationError(
            f"{name}: expected a header name of letters, digits and hyphens, got {raw!r}"
        )
    return raw


def redis_url(name: str) -> str:
    """A ``redis://``, ``rediss://`` or ``unix://`` URL, or ``""`` when unset.

    Checked here because the Redis client only parses it at the first request, where a typo
    would show up as a failing rate limit rather than at start-up."""
    raw = env_str(name)
    if not raw:
        return ""
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ConfigurationError(f"{name}: not a valid Redis URL") from None
    if parts.scheme in {"redis", "rediss"}:
        database = parts.path.lstrip("/")
        if not parts.hostname or (port is not None and not 0 < port < 65536):
            raise ConfigurationError(f"{name}: a Redis URL needs a host, e.g. "
                                     "redis://cache:6379/0")
        if database and not database.isdigit():
            raise ConfigurationError(f"{name}: the database after the host must be a number")
    elif parts.scheme == "unix":
        if not parts.path:
            raise ConfigurationError(f"{name}: a unix:// Redis URL needs a socket path")
    else:
        raise ConfigurationError(f"{name}: only redis://, rediss:// and unix:// URLs are "
                                 "supported")
    return raw


_ADMIN = re.compile(r"(?:(?P<name>[^<>,@]*?)\s*<(?P<bracketed>[^<>\s]+)>|(?P<bare>[^<>\s]+))")
_EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+")


def env_admins(name: str) -> list[tuple[str, str]]:
    """``ADMINS`` as Django wants it: ``Name <address>`` or bare addresses, comma-separated.

    Strict, because a typo here silently sends error reports nowhere."""
    admins: list[tuple[str, str]] = []
    for entry in env_list(name):
        match = _ADMIN.fullmatch(entry)
        address = (match.group("bracketed") or match.group("bare")) if match else ""
        if not _EMAIL.fullmatch(address):
            raise ConfigurationError(
                f"{name}: expected 'Name <address>' or an address, comma-separated; "
                f"got {entry!r}"
            )
        assert match is not None  # a valid address implies a match
        admins.append(((match.group("name") or "").strip() or address, address))
    return admins


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    raw = env_str(name).lower()
    if not raw:
        return default
    if raw not in choices:
        raise ConfigurationError(f"{name}: expected one of {', '.join(choices)}; got {raw!r}")
    return raw


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [part.strip() for part in raw.split(",") if part.strip()]


def database_config(name: str, sqlite_path: Path, *, pool: bool = True) -> dict[str, Any]:
    """A ``DATABASES`` entry from ``name`` (a URL), or a local SQLite file when it is unset."""
    url = env_str(name)
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": sqlite_path,
            "OPTIONS": {
                # WAL + NORMAL: a write no longer waits on a full fsync; secure_delete overwrites
                # freed pages so destroyed personal data cannot be read back from the file.
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA secure_delete=ON;"
                    "PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Opening a SQLite connection (functions, pragmas, schema)
            # costs about 2 ms of CPU, as much as rendering a page; keep it per worker.
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 600),
            "CONN_HEALTH_CHECKS": True,
        }
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url))
    except Exception as exc:  # the library raises several types for malformed URLs
        raise ConfigurationError(f"{name}: not a valid database URL ({exc})") from None
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ConfigurationError(f"{name}: only postgres:// and sqlite:/// URLs are supported")
    if engine == "django.db.backends.postgresql":
        if not config.get("NAME"):
            raise ConfigurationError(f"{name}: the URL names no database")
        if pool:
            # psycopg's pool replaces persistent connections: Django requires CONN_MAX_AGE = 0.
            config["CONN_MAX_AGE"] = 0
            config.setdefault("OPTIONS", {})["pool"] = {
                "min_size": 1,
                "max_size": env_int("DATABASE_POOL_SIZE", 10),
                "timeout": 10,
            }
        config["CONN_HEALTH_CHECKS"] = True
    return config


def local_secret(path: Path, *, nbytes: int = 32, urlsafe_b64: bool = False) -> str:
    """Read a secret kept under ``var/`` for local use, generating it on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = (
        base64.urlsafe_b64encode(secrets.token_bytes(nbytes)).decode()
        if urlsafe_b64
        else secrets.token_urlsafe(nbytes)
    )
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def fernet_keys(name: str, raw: str) -> list[str]:
    """Validate a comma-separated list of 32-byte url-safe base64 keys, newest first."""
    keys = [part.strip() for part in raw.split(",") if part.strip()]
    if not keys:
        raise ConfigurationError(f"{name}: no key given")
    for key in keys:
        try:
            decoded = base64.urlsafe_b64decode(key.encode())
        except (ValueError, TypeError):
            decoded = b""
        if len(decoded) != 32:
            raise ConfigurationError(f"{name}: each key must be 32 bytes in url-safe base64")
    return keys
