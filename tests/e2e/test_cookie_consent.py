"""Cookie opt-in as the browser sees it: the cookies are read from the browser's own jar."""

from __future__ import annotations

import re
import time

import pytest
from cookie_consent.models import Cookie, CookieGroup
from django.core.cache import caches

from privacy.cookies.groups import ANALYTICS_COOKIE, INTEREST_COOKIE, groups_install
from privacy.models import Visit
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "retention"])


@pytest.fixture(autouse=True)
def _groups() -> None:
    """A transactional test before this one may have flushed the data migration's rows."""
    groups_install(CookieGroup, Cookie)
    caches["near"].clear()
    caches["near"].delete("cookie_consent_cache")


def jar(page: object) -> dict[str, dict]:
    return {cookie["name"]: cookie for cookie in page.context.cookies()}


def test_refusal_then_analytics_only_then_refusal_again(live_server, page) -> None:
    page.goto(live_server.url + "/")
    banner = page.locator("[data-cookie-banner]")
    assert banner.is_visible()
    screenshot(page, "cookie-banner")
    assert not {"cookie_consent", ANALYTICS_COOKIE, INTEREST_COOKIE} & set(jar(page))

    page.get_by_role("button", name="모두 거부").click()
    banner.wait_for(state="detached")  # closed by the script, without a reload
    consent = jar(page)["cookie_consent"]
    assert "analytics=-1" in consent["value"] and "marketing=-1" in consent["value"]
    assert 360 * 86400 < consent["expires"] - time.time() <= 365 * 86400
    page.goto(live_server.url + "/reviews/?area=nose")
    page.goto(live_server.url + "/")
    assert not page.locator("[data-cookie-banner]").count()
    assert not {ANALYTICS_COOKIE, INTEREST_COOKIE} & set(jar(page))
    assert Visit.objects.count() == 0

    page.get_by_role("link", name="쿠키 설정").click()
    page.wait_for_url("**/cookies/")
    screenshot(page, "cookie-settings")
    page.get_by_role("button", name=re.compile(r"^동의\s*: 분석 쿠키")).click()
    page.wait_for_url("**/cookies/")
    page.goto(live_server.url + "/privacy/policy/")
    assert ANALYTICS_COOKIE in jar(page) and INTEREST_COOKIE not in jar(page)
    assert list(Visit.objects.values_list("path", flat=True)) == ["/privacy/policy/"]

    page.goto(live_server.url + "/cookies/")
    page.get_by_role("button", name=re.compile(r"^거부\s*: 분석 쿠키")).click()
    page.wait_for_url("**/cookies/")
    assert ANALYTICS_COOKIE not in jar(page)
    assert Visit.objects.count() == 0


def test_accept_all_without_javascript(live_server, browser) -> None:
    context = browser.new_context(java_script_enabled=False, locale="ko-KR")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/consultations/")
        page.get_by_role("button", name="모두 동의").click()
        page.wait_for_url("**/consultations/")
        assert not page.locator("[data-cookie-banner]").count()
        page.goto(live_server.url + "/reviews/?area=eyes")
        cookies = {cookie["name"]: cookie for cookie in context.cookies()}
        assert ANALYTICS_COOKIE in cookies
        assert cookies[INTEREST_COOKIE]["value"] == "eyes"
        paths = Visit.objects.order_by("visited_at", "id").values_list("path", flat=True)
        assert list(paths) == ["/consultations/", "/reviews/"]
    finally:
        context.close()
