"""Korean first, English second: the same page in each language, and the Korean way of
writing names (family name first, whole), phone numbers (010-1234-5678, 02-6677-0010) and
dates (2026-11-25) in Korean, kept the same in English."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "retention"])


def test_board_and_footer_in_korean_then_in_english(live_server, site_content, page) -> None:
    today = timezone.localdate().isoformat()
    page.goto(live_server.url + "/consultations/")
    assert page.locator("html").get_attribute("lang") == "ko"
    row = page.locator("table.board tbody tr").first
    cells = [cell.inner_text().strip() for cell in row.locator("td").all()]
    assert cells == ["눈", "쌍꺼풀 수술 후 붓기 문의", "김*수", today, "답변 완료"]
    footer = page.locator("footer").inner_text()
    assert "개인정보 보호책임자: 장진우 (고객지원팀)" in footer
    assert re.search(r"\b02-6677-0010\b", footer)
    screenshot(page, "board-ko")

    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/consultations/")
    assert page.locator("html").get_attribute("lang") == "en"
    row = page.locator("table.board tbody tr").first
    cells = [cell.inner_text().strip() for cell in row.locator("td").all()]
    assert cells == ["Eyes", "쌍꺼풀 수술 후 붓기 문의", "김*수", today, "Answered"]
    footer = page.locator("footer").inner_text()
    assert "Jang Jin-woo (Customer Service Department)" in footer and "02-6677-0010" in footer
    # The choice is kept from page to page.
    page.goto(live_server.url + f"/consultations/{site_content['consultation'].pk}/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert today in page.locator("main .meta").first.inner_text()
    assert page.locator(".answer h2").inner_text() == "Answer from the clinic"
    screenshot(page, "consultation-en")

    page.get_by_role("button", name="한국어").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.locator(".answer h2").inner_text() == "병원 답변"
