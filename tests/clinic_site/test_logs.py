"""Log lines: time, level, logger and request id, as JSON in production; oversized and
malformed requests as one WARNING line; errors mailed to ADMINS with no request values."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.cache import caches
from django.test import Client

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

ADMIN = ("운영팀", "ops@jangps.example")


def _capture(logger_name: str) -> Iterator[io.StringIO]:
    """The configured stream handler of ``logger_name`` (formatter and filters as in
    production), writing into a buffer for the test."""
    handler = next(h for h in logging.getLogger(logger_name).handlers
                   if isinstance(h, logging.StreamHandler)
                   and not isinstance(h, logging.FileHandler))
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


@pytest.fixture
def site_log() -> Iterator[io.StringIO]:
    yield from _capture("")


@pytest.fixture
def security_log() -> Iterator[io.StringIO]:
    yield from _capture("django.security")


def lines(buffer: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_a_line_carries_time_level_logger_and_the_requests_id(
    client: Client, site_log: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_set(*args: object, **kwargs: object) -> None:
        raise ConnectionError("down")

    monkeypatch.setattr(caches["default"], "set", broken_set)
    response = client.get("/healthz")
    assert response.status_code == 503
    [line] = [line for line in lines(site_log) if line["logger"] == "clinic_site.views"]
    assert line["level"] == "WARNING"
    assert line["message"] == "health check failing: cache"
    assert line["request_id"] == response["X-Request-ID"]
    assert line["time"].startswith("2026-11-26T03:00")  # the test clock, in UTC


def test_each_request_gets_its_own_id_and_a_proxys_id_is_kept(client: Client) -> None:
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="0f3a9c2e-nginx-7d41")
    assert kept["X-Request-ID"] == "0f3a9c2e-nginx-7d41"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="x\nfake line")
    assert forged["X-Request-ID"] != "x\nfake line"


@pytest.mark.parametrize("attack", ["too_big", "too_many_fields", "bad_host"])
def test_an_oversized_or_malformed_request_is_one_warning_line(
    attack: str, settings, security_log: io.StringIO, site_log: io.StringIO
) -> None:
    settings.ADMINS = [ADMIN]
    client = Client()
    if attack == "too_big":
        response = client.post("/consultations/guest/", {"body": "가" * 600_000})
    elif attack == "too_many_fields":
        response = client.post("/consultations/guest/", {f"f{n}": "1" for n in range(300)})
    else:
        response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    [line] = lines(security_log)
    assert line["level"] == "WARNING"
    assert line["logger"].startswith("django.security.")
    assert "exception" not in line and "Traceback" not in security_log.getvalue()
    assert site_log.getvalue() == ""
    assert mail.outbox == []  # nothing for the admins either


def test_an_error_is_mailed_to_admins_without_request_values(
    settings, site_log: io.StringIO
) -> None:
    settings.ROOT_URLCONF = "tests.clinic_site.failing_urls"
    settings.ADMINS = [ADMIN]
    client = Client(raise_request_exception=False, REMOTE_ADDR="198.51.100.5")
    client.cookies["sessionid"] = "session-cookie-value-42"
    response = client.post(
        "/boom/one-time-token-1234/?name=%ED%99%8D%EA%B8%B8%EB%8F%99",
        {"name": "김민지", "phone": "010-1234-5678"},
        HTTP_USER_AGENT="Mozilla/5.0 (personal device 77)",
    )
    assert response.status_code == 500
    [message] = mail.outbox
    assert message.to == [ADMIN[1]]
    report = message.subject + message.body
    assert "RuntimeError" in report and "the view failed" in report
    assert "/boom/<str:token>/" in report  # where it failed, as the URL pattern
    assert "POST" in report and "name = '********************'" in report
    logged = site_log.getvalue()
    assert "RuntimeError" in logged
    for value in ("김민지", "010-1234-5678", "홍길동", "%ED%99%8D", "one-time-token-1234",
                  "198.51.100.5", "session-cookie-value-42", "personal device 77"):
        assert value not in report, value
        assert value not in logged, value


def test_a_refused_form_names_its_url_pattern_not_its_path(security_log: io.StringIO) -> None:
    """CSRF refusals are logged by Django with the path; a path can carry a one-time token."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/staff/enrolment/one-time-token-5678/", {})
    assert response.status_code == 403
    [line] = lines(security_log)
    assert line["logger"] == "django.security.csrf" and line["level"] == "WARNING"
    assert "/accounts/staff/enrolment/<str:token>/" in line["message"]
    assert "one-time-token-5678" not in security_log.getvalue()
