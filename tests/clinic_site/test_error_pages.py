"""The site's own error pages (400, 403, 404, 500, CSRF failure, 429): in the layout, in
Korean and in English, saying what happened and the one step that helps, with nothing from
the request (no address, no login ID) and no stack trace."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, path

from clinic_site import urls as site_urls
from tests.consultations.factories import GuestConsultationFactory
from tests.members.factories import MemberFactory

# Values a visitor sent that the error pages must never show back.
LOGIN_ID = "hong0427"
EMAIL = "hong.gildong@example.com"


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"broken for {LOGIN_ID}")


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(LOGIN_ID)


def _bad(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(LOGIN_ID)


# The test URLs, with the site's own and its error handlers (override_settings below).
urlpatterns: list[URLPattern | URLResolver] = [
    path("test-errors/boom/", _boom),
    path("test-errors/forbidden/", _forbidden),
    path("test-errors/bad/", _bad),
    *site_urls.urlpatterns,
]
handler400 = site_urls.handler400
handler500 = site_urls.handler500

KOREAN = {"HTTP_ACCEPT_LANGUAGE": "ko"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _production(settings: Any) -> Iterator[None]:
    """DEBUG off, as in production, and the test URLs above."""
    settings.DEBUG = False
    with override_settings(ROOT_URLCONF=__name__):
        yield


def _page(response: HttpResponse, status: int, *expected: str) -> str:
    assert response.status_code == status
    body = response.content.decode()
    for text in expected:
        assert text in body, text
    for leaked in (LOGIN_ID, EMAIL, "Traceback", "RuntimeError", "SuspiciousOperation"):
        assert leaked not in body, leaked
    return body


def _in_layout(body: str) -> None:
    assert 'class="site-header"' in body
    assert 'href="/"' in body or 'class="brand"' in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "title", "step"),
    [(KOREAN, "페이지를 찾을 수 없습니다", "홈페이지로 가기"),
     (ENGLISH, "Page not found", "Go to the home page")],
)
def test_404_page(client: Client, headers: dict[str, str], title: str, step: str) -> None:
    body = _page(client.get(f"/accounts/profile/{LOGIN_ID}/?email={EMAIL}", **headers),
                 404, title, step)
    _in_layout(body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "title", "step"),
    [(KOREAN, "이 페이지를 열 수 없습니다", "로그인"),
     (ENGLISH, "You cannot open this page", "Log in")],
)
def test_403_page(client: Client, headers: dict[str, str], title: str, step: str) -> None:
    body = _page(client.get(f"/test-errors/forbidden/?login={LOGIN_ID}", **headers),
                 403, title, step)
    _in_layout(body)
    assert 'href="/accounts/login/"' in body


@pytest.mark.django_db
def test_403_page_for_a_member_points_home(client: Client) -> None:
    client.force_login(MemberFactory())
    _page(client.get("/test-errors/forbidden/", **ENGLISH), 403,
          "does not have permission", "Go to the home page")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "title"),
    [(KOREAN, "요청을 처리할 수 없습니다"), (ENGLISH, "The request could not be processed")],
)
def test_400_page(client: Client, headers: dict[str, str], title: str) -> None:
    body = _page(client.get(f"/test-errors/bad/?login={LOGIN_ID}", **headers), 400, title)
    _in_layout(body)
    # A forged Host header: the same page, rendered although the host is refused.
    _page(client.get("/", HTTP_HOST=f"{LOGIN_ID}.example", **headers), 400, title)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "lang", "title", "step"),
    [(KOREAN, "ko", "일시적인 오류가 발생했습니다", "다시 시도해 주십시오"),
     (ENGLISH, "en", "Something went wrong on our side", "Please try again in a few minutes")],
)
def test_500_page(headers: dict[str, str], lang: str, title: str, step: str) -> None:
    client = Client(raise_request_exception=False)
    body = _page(client.get(f"/test-errors/boom/?login={LOGIN_ID}", **headers), 500, title, step)
    assert f'<html lang="{lang}">' in body
    assert 'class="site-header"' in body


@pytest.mark.django_db
def test_500_page_follows_the_language_cookie() -> None:
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    _page(client.get("/test-errors/boom/"), 500, "Something went wrong on our side")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "title", "step"),
    [(KOREAN, "양식을 보내지 못했습니다", "양식 새로 고치기"),
     (ENGLISH, "The form could not be sent", "Reload the form")],
)
def test_csrf_failure_page(headers: dict[str, str], title: str, step: str) -> None:
    client = Client(enforce_csrf_checks=True)
    body = _page(client.post("/accounts/login/", {"login": LOGIN_ID, "password": "x"}, **headers),
                 403, title, step)
    _in_layout(body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "title"),
    [(KOREAN, "시도 횟수를 초과했습니다"), (ENGLISH, "Too many attempts")],
)
def test_429_page_of_allauth(client: Client, settings: Any, headers: dict[str, str],
                             title: str) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip"}
    client.post("/accounts/login/", {"login": LOGIN_ID, "password": "x"}, **headers)
    body = _page(client.post("/accounts/login/", {"login": LOGIN_ID, "password": "x"},
                             **headers), 429, title)
    _in_layout(body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "title"),
    [(KOREAN, "시도 횟수를 초과했습니다"), (ENGLISH, "Too many attempts")],
)
def test_429_page_of_the_consultations_is_the_same(client: Client, settings: Any,
                                                  headers: dict[str, str], title: str) -> None:
    settings.CONSULTATIONS_GUEST_READ_RATE_LIMIT = "1/m/ip"
    guest = GuestConsultationFactory()
    data = {"reference": guest.reference, "password": LOGIN_ID}
    client.post("/consultations/guest/read/", data, **headers)
    body = _page(client.post("/consultations/guest/read/", data, **headers), 429, title)
    _in_layout(body)
