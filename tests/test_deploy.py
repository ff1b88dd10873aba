"""deploy/: the example environment names every variable the code reads; the units and the
nginx site agree with each other and with the settings."""

from __future__ import annotations

import re
from pathlib import Path

from privacy.console.jobs import JOBS

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
# Where the code reads the environment: the settings, their parsers and gunicorn's file.
READERS = [ROOT / "clinic_site" / "settings.py", ROOT / "clinic_site" / "env.py",
           ROOT / "gunicorn.conf.py"]
READ = re.compile(
    r"""(?:env_\w+|database_config|redis_url|environ\.get|environ\[|getenv)\(?\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def variables_read() -> set[str]:
    return {name for path in READERS for name in READ.findall(path.read_text())}


def test_the_example_environment_lists_every_variable_the_code_reads() -> None:
    example = (DEPLOY / "clinic.env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    read = variables_read()
    assert {"SECRET_KEY", "PRIVACY_KEK", "TASKS_BACKEND", "REDIS_URL"} <= read
    assert read - listed == set()


def test_every_job_has_a_timer_that_starts_it_through_the_job_unit() -> None:
    for job in JOBS:
        timer = (DEPLOY / "systemd" / f"clinic-job-{job}.timer").read_text()
        assert f"Unit=clinic-job@{job}.service" in timer
        assert "OnCalendar=" in timer and "Persistent=true" in timer
    unit = (DEPLOY / "systemd" / "clinic-job@.service").read_text()
    assert "manage.py privacy scheduled %i" in unit and "SuccessExitStatus=75" in unit


def test_nginx_replaces_the_forwarded_headers_and_sends_hsts() -> None:
    site = (DEPLOY / "nginx" / "clinic.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert 'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains; ' \
           'preload" always;' in site
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in site
    worker = (DEPLOY / "systemd" / "clinic-worker.service").read_text()
    assert "manage.py db_worker" in worker
