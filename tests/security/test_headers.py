"""Production headers on the main pages: HSTS, a strict CSP that the pages actually keep to,
Referrer-Policy, Permissions-Policy, framing, sniffing and cookie flags."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.members.factories import DEFAULT_PASSWORD, MemberFactory
from tests.security.conftest import inline_code_problems, verified_email

pytestmark = pytest.mark.django_db

MAIN_PAGES = [
    "home",
    "consultations:list",
    "reviews:list",
    "privacy:policy",
    "account_login",
    "account_signup",
]
# Features no page of the site uses; the header must switch each off.
FEATURES_OFF = ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"]


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def csp_nonce(directives: dict[str, list[str]]) -> str | None:
    for source in directives.get("script-src", []) + directives.get("style-src", []):
        if source.startswith("'nonce-"):
            return source.removeprefix("'nonce-").removesuffix("'")
    return None


@pytest.fixture
def https_client(production) -> Client:
    # A new client builds its middleware chain after the settings were overridden.
    return Client()


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_main_page_sends_the_production_headers(https_client: Client, name: str) -> None:
    response = https_client.get(reverse(name), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"

    permissions = response["Permissions-Policy"]
    for feature in FEATURES_OFF:
        assert f"{feature}=()" in permissions

    directives = csp_directives(response["Content-Security-Policy"])
    for directive in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in directives[directive]
        assert "'unsafe-eval'" not in directives[directive]
        assert "*" not in directives[directive]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]

    html = response.content.decode()
    assert inline_code_problems(html, csp_nonce(directives)) == []


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_csrf_cookie_is_secure_httponly_and_same_site(https_client: Client, name: str) -> None:
    response = https_client.get(reverse(name), secure=True)
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_session_cookie_after_login_is_secure_httponly_and_same_site(
    https_client: Client,
) -> None:
    member = MemberFactory()
    verified_email(member)
    response = https_client.post(
        reverse("account_login"),
        {"login": member.username, "password": DEFAULT_PASSWORD},
        secure=True,
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    cookie = response.cookies["sessionid"]
    assert cookie.value
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_plain_http_is_redirected_to_https(https_client: Client) -> None:
    response = https_client.get(reverse("home"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_the_inline_code_check_catches_what_it_must() -> None:
    """The page check above is only worth something if it sees violations."""
    html = (
        '<p style="color:red">x</p><button onclick="go()">x</button>'
        "<script>alert(1)</script><script nonce=\"abc\">ok()</script>"
        '<script type="application/json">{}</script><script src="/static/x.js"></script>'
        "<style>p{}</style>"
    )
    problems = inline_code_problems(html, "abc")
    assert len(problems) == 4


def test_a_server_error_reveals_nothing_and_keeps_the_headers(
    production, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise RuntimeError("boom: 010-5555-1234 SELECT * FROM members_member")

    monkeypatch.setattr("clinic_site.views.area_list_cached", broken)
    client = Client(raise_request_exception=False)
    response = client.get(reverse("home"), secure=True)
    assert response.status_code == 500
    html = response.content.decode()
    for leak in ("010-5555-1234", "SELECT", "Traceback", "RuntimeError", "SECRET_KEY",
                 "clinic_site"):
        assert leak not in html
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
