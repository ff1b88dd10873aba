"""Start-up configuration: bad input stops with one line naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.mail import get_connection

from clinic_site.env import (
    ConfigurationError,
    database_config,
    env_admins,
    env_bool,
    fernet_keys,
    redis_url,
)

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEK = "dGVzdC1vbmx5LWtlay0wMTIzNDU2Nzg5YWJjZGVmMDE="
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-real-production-secret-key-with-enough-entropy-0123456789-abcdefgh",
    "PRIVACY_KEK": GOOD_KEK,
    "ALLOWED_HOSTS": "www.jangps.example",
    "HTTPS": "1",
    "DATABASE_URL": "",
    "RETENTION_DATABASE_URL": "",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "ALLOW_UNSENT_MAIL": "0",
}


def manage(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "PRIVACY_KEK", "DEBUG", "DATABASE_URL",
                       "RETENTION_DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update({"VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=120, check=False,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], variable: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]


def test_production_without_secret_key_stops_naming_it(tmp_path: Path) -> None:
    env = {**PRODUCTION}
    del env["SECRET_KEY"]
    assert_one_clear_line(manage("check", tmp_path=tmp_path, **env), "SECRET_KEY")


def test_production_without_kek_stops_naming_it(tmp_path: Path) -> None:
    env = {**PRODUCTION}
    del env["PRIVACY_KEK"]
    assert_one_clear_line(manage("check", tmp_path=tmp_path, **env), "PRIVACY_KEK")


@pytest.mark.parametrize(
    "url", ["not a url", "mysql://root@localhost/clinic", "postgres://postgres@127.0.0.1:5432"]
)
def test_malformed_database_url_stops_naming_it(tmp_path: Path, url: str) -> None:
    result = manage("check", tmp_path=tmp_path, **{**PRODUCTION, "DATABASE_URL": url})
    assert_one_clear_line(result, "DATABASE_URL")


def test_malformed_retention_url_names_its_own_variable(tmp_path: Path) -> None:
    result = manage("check", tmp_path=tmp_path, **{**PRODUCTION, "RETENTION_DATABASE_URL": "x"})
    assert_one_clear_line(result, "RETENTION_DATABASE_URL")


def test_debug_generates_local_secrets_under_var(tmp_path: Path) -> None:
    result = manage("check", tmp_path=tmp_path, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").read_text().strip()
    assert fernet_keys("PRIVACY_KEK", (tmp_path / "privacy_kek").read_text())
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_check_deploy_with_production_settings_prints_no_warning(tmp_path: Path) -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path,
                    **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_env_bool_refuses_unknown_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ConfigurationError, match="DEBUG"):
        env_bool("DEBUG")


def test_postgres_url_uses_the_psycopg_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://clinic:pw@db.internal:5432/clinic")
    config = database_config("DATABASE_URL", Path("unused.sqlite3"))
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "clinic"
    assert config["CONN_MAX_AGE"] == 0  # required by the pool
    assert config["OPTIONS"]["pool"]["max_size"] >= 1


def test_unset_url_means_sqlite_with_secure_delete(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RETENTION_DATABASE_URL", raising=False)
    config = database_config("RETENTION_DATABASE_URL", Path("var/retention.sqlite3"))
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert "secure_delete=ON" in config["OPTIONS"]["init_command"]
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_malformed_kek_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="PRIVACY_KEK"):
        fernet_keys("PRIVACY_KEK", "short")


def test_email_timeout_defaults_and_reaches_the_smtp_connection(settings) -> None:
    """The site's mail backend wraps the real one; the SMTP connection it opens carries the
    timeout, so a hung mail server fails the send instead of holding the worker."""
    assert int(os.environ.get("EMAIL_TIMEOUT") or 10) == settings.EMAIL_TIMEOUT
    settings.EMAIL_TIMEOUT = 3
    assert get_connection("django.core.mail.backends.smtp.EmailBackend").timeout == 3
    settings.EMAIL_REAL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert get_connection("privacy.processors.mail.ProcessorCheckedEmailBackend").real.timeout == 3


def test_email_timeout_is_read_from_the_environment(tmp_path: Path) -> None:
    result = manage(
        "shell", "-c", "from django.core.mail import get_connection; "
        "print(get_connection().real.timeout)",
        tmp_path=tmp_path, DEBUG="1", EMAIL_TIMEOUT="7",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "7"


def test_malformed_email_timeout_stops_naming_it(tmp_path: Path) -> None:
    result = manage("check", tmp_path=tmp_path, **{**PRODUCTION, "EMAIL_TIMEOUT": "ten"})
    assert_one_clear_line(result, "EMAIL_TIMEOUT")


@pytest.mark.parametrize("backend", [
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
])
def test_production_refuses_a_backend_that_sends_no_mail(tmp_path: Path, backend: str) -> None:
    result = manage("check", tmp_path=tmp_path, **{**PRODUCTION, "EMAIL_BACKEND": backend})
    assert_one_clear_line(result, "EMAIL_BACKEND")
    assert "ALLOW_UNSENT_MAIL" in result.stderr


def test_production_without_email_backend_stops_naming_it(tmp_path: Path) -> None:
    env = {key: value for key, value in PRODUCTION.items() if key != "EMAIL_BACKEND"}
    result = manage("check", tmp_path=tmp_path, **env, EMAIL_BACKEND="")
    assert_one_clear_line(result, "EMAIL_BACKEND")


def test_unsent_mail_explicitly_allowed_starts_but_the_deploy_check_says_so(tmp_path: Path
                                                                            ) -> None:
    result = manage("check", "--deploy", tmp_path=tmp_path, **{
        **PRODUCTION, "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "ALLOW_UNSENT_MAIL": "1",
    })
    assert result.returncode == 0, result.stderr
    assert "clinic_site.W001" in result.stderr + result.stdout
    assert "sends no mail" in result.stderr + result.stdout


def test_deploy_check_warns_behind_a_proxy_that_names_no_client(tmp_path: Path) -> None:
    result = manage("check", "--deploy", tmp_path=tmp_path,
                    **{**PRODUCTION, "BEHIND_PROXY": "1"})
    assert "clinic_site.W002" in result.stderr + result.stdout
    result = manage("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path,
                    **{**PRODUCTION, "BEHIND_PROXY": "1", "ALLAUTH_TRUSTED_PROXY_COUNT": "1"})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("variable", "value"), [
    ("ALLAUTH_TRUSTED_PROXY_COUNT", "one"),
    ("ALLAUTH_TRUSTED_PROXY_COUNT", "-1"),
    ("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", "X Real IP"),
    ("REDIS_URL", "localhost:6379"),
    ("REDIS_URL", "redis://"),
    ("REDIS_URL", "redis://cache:port/0"),
    ("REDIS_URL", "redis://cache:6379/zero"),
    ("ADMINS", "ops"),
    ("ADMINS", "Ops <ops@example>"),
    ("ADMINS", "ops@example.kr; dev@example.kr"),
    ("LOG_FORMAT", "xml"),
])
def test_malformed_operations_setting_stops_naming_it(tmp_path: Path, variable: str,
                                                     value: str) -> None:
    result = manage("check", tmp_path=tmp_path, **{**PRODUCTION, variable: value})
    assert_one_clear_line(result, variable)


def test_proxy_count_and_header_together_are_refused(tmp_path: Path) -> None:
    result = manage("check", tmp_path=tmp_path, **{
        **PRODUCTION, "ALLAUTH_TRUSTED_PROXY_COUNT": "1",
        "ALLAUTH_TRUSTED_CLIENT_IP_HEADER": "X-Real-IP",
    })
    assert_one_clear_line(result, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER")


def test_admins_accepts_names_and_bare_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMINS", "운영팀 <ops@jangps.example>, dev@jangps.example")
    assert env_admins("ADMINS") == [
        ("운영팀", "ops@jangps.example"), ("dev@jangps.example", "dev@jangps.example"),
    ]


@pytest.mark.parametrize("url", [
    "redis://cache:6379/0", "rediss://:secret@cache.internal:6380", "unix:///run/redis.sock",
])
def test_well_formed_redis_urls_are_kept(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("REDIS_URL", url)
    assert redis_url("REDIS_URL") == url


def test_proxy_settings_reach_allauth(tmp_path: Path) -> None:
    result = manage(
        "shell", "-c", "from allauth import app_settings as s; "
        "print(s.TRUSTED_PROXY_COUNT, s.TRUSTED_CLIENT_IP_HEADER)",
        tmp_path=tmp_path, DEBUG="1", ALLAUTH_TRUSTED_PROXY_COUNT="2",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "2 None"
