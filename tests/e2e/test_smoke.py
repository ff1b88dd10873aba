"""A patient opens the site, reads the policy and switches to English."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "retention"])


def test_home_policy_and_language_switch(live_server, page) -> None:
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.get_by_role("link", name="개인정보처리방침").first.is_visible()
    screenshot(page, "home")
    page.get_by_role("link", name="개인정보처리방침").first.click()
    page.wait_for_url("**/privacy/policy/")
    assert "수집하는 개인정보 항목" in page.content()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Personal information collection items" in page.content()
    screenshot(page, "policy-en")
