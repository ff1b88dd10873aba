"""Shared helpers of the security suite: production-like settings and an HTML inspector."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress

from members.emails import email_stand_in

# Script types a browser never executes (data blocks); CSP does not apply to them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}


@pytest.fixture
def production(settings):
    """What `HTTPS=1` turns on in production (settings.py reads it once at import time)."""
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.LANGUAGE_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    return settings


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts and styles without the nonce,
    ``style=`` attributes and ``on…=`` event-handler attributes."""

    def __init__(self, nonce: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in attributes:
            if name == "style":
                self.problems.append(f"<{tag} style=...> (inline style attribute)")
            elif name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> (inline event handler)")
        if tag == "script" and "src" not in attributes:
            script_type = (attributes.get("type") or "").lower()
            if script_type not in DATA_SCRIPT_TYPES and not self._has_nonce(attributes):
                self.problems.append("<script> inline without the CSP nonce")
        if tag == "style" and not self._has_nonce(attributes):
            self.problems.append("<style> element without the CSP nonce")
        if tag == "link" and (attributes.get("href") or "").startswith("javascript:"):
            self.problems.append("javascript: URL")
        if tag == "a" and (attributes.get("href") or "").lower().startswith("javascript:"):
            self.problems.append("javascript: URL")

    def _has_nonce(self, attributes: dict[str, str | None]) -> bool:
        return self.nonce is not None and attributes.get("nonce") == self.nonce


def inline_code_problems(html: str, nonce: str | None) -> list[str]:
    finder = InlineCodeFinder(nonce)
    finder.feed(html)
    finder.close()
    return finder.problems


def verified_email(member) -> None:
    """allauth lets a member log in only with a verified address (mandatory verification)."""
    EmailAddress.objects.update_or_create(
        user=member, email=email_stand_in(member.email),
        defaults={"verified": True, "primary": True},
    )


def signup_fields(username: str, email: str, **extra: str) -> dict[str, str]:
    """A sign-up that the site's form accepts (an adult, only the required items)."""
    return {
        "name": "홍길동", "username": username, "email": email,
        "password1": "correct-horse-battery-9", "password2": "correct-horse-battery-9",
        "mobile_phone": "010-1234-5678", "date_of_birth": "1990-05-17",
        "home_phone": "", "home_address": "", "desired_area": "", **extra,
    }
