"""Phone first: at 390x844 the header is one line, no page scrolls sideways, tables read as
labelled cards with dates on one line, the policy opens on its table of contents and prints
whole, and the exported data.html fits the phone it is opened on.

Screenshots of every page checked here, at 390x844 (and of the main pages at 1280x800 too),
are kept under test-output/screenshots/ for review."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse

from privacy.ledger import consent_record
from privacy.models import ConsentMethod
from tests.consultations.factories import ConsultationFactory, ReviewFactory
from tests.e2e.conftest import VIEWPORTS, log_in, screenshot
from tests.members.factories import DEFAULT_PASSWORD, PosterFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "retention"])

# One line of the header: the 44px targets and their padding, with room for rounding.
HEADER_MAX_HEIGHT = 72

PUBLIC_PAGES = {
    "home": "/",
    "consultations": "/consultations/",
    "consultation": "/consultations/{consultation}/",
    "guest-form": "/consultations/guest/",
    "guest-read": "/consultations/guest/read/",
    "guest-find": "/consultations/guest/find/",
    "reviews": "/reviews/",
    "policy": "/privacy/policy/",
    "policy-versions": "/privacy/policy/versions/",
    "policy-version": "/privacy/policy/1.0/",
    "complaints": "/privacy/complaints/",
    "cookies": "/cookies/",
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
    "password-reset": "/accounts/password/reset/",
}
MEMBER_PAGES = {
    "my-page": "members:my_page",
    "my-data": "privacy:my_data",
    "my-consents": "privacy:consents",
    "consent-receipts": "privacy:consent_receipts",
    "my-reviews": "reviews:mine",
    "new-review": "reviews:create",
    "new-consultation": "consultations:create",
    "my-consultations": "consultations:mine",
    "aftercare": "consultations:aftercare",
    "email": "account_email",
    "password-change": "account_change_password",
    "sessions": "usersessions_list",
    "withdraw": "privacy:withdraw",
}

# What a phone must not show: a page wider than the screen, a header of more than one line,
# a date or phone number split over two lines, a table cell squeezed to a few syllables.
LAYOUT_PROBLEMS = """(maxHeader) => {
    const problems = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width) {
        problems.push(`scrolls sideways: ${document.documentElement.scrollWidth}px`);
    }
    const header = document.querySelector('.site-header').getBoundingClientRect();
    if (header.height > maxHeader) problems.push(`header ${header.height}px high`);
    const row = [...document.querySelectorAll('.header-row > *')]
        .filter(el => el.getClientRects().length)
        .map(el => el.getBoundingClientRect());
    if (Math.max(...row.map(r => r.bottom)) - Math.min(...row.map(r => r.top)) > maxHeader) {
        problems.push('header items on more than one line');
    }
    const brand = document.querySelector('.brand');
    if (brand.scrollWidth > brand.clientWidth) problems.push('the clinic name is cut short');
    const lines = el => {
        const range = document.createRange();
        range.selectNodeContents(el);
        const rects = [...range.getClientRects()].filter(r => r.width);
        return new Set(rects.map(r => Math.round(r.top))).size;
    };
    for (const el of document.querySelectorAll('main time, main .date, a[href^="tel:"]')) {
        if (el.getClientRects().length && lines(el) > 1) {
            problems.push(`split over lines: ${el.innerText}`);
        }
    }
    // (The boards' cells are the parts of one line under the title, short by design.)
    for (const cell of document.querySelectorAll('main td, main th')) {
        if (cell.closest('.board')) continue;
        const box = cell.getBoundingClientRect();
        if (box.width && box.width < 120 && cell.innerText.trim().length > 3) {
            const text = cell.innerText.slice(0, 20);
            problems.push(`narrow cell (${Math.round(box.width)}px): ${text}`);
        }
    }
    return problems;
}"""


@pytest.fixture
def phone(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport=VIEWPORTS["mobile"], locale="ko-KR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.viewport_name = "mobile"
    yield page
    context.close()


@pytest.fixture
def member(site_content: dict) -> object:
    """A member with something on each of their pages: a consultation, a review, consents."""
    member = PosterFactory(username="seoyeon", name="박서연", mobile_phone="010-2468-1357")
    consent_record(subject_ref=member.subject_ref, member=member, consent="marketing_email",
                   granted=True, method=ConsentMethod.SIGNUP_FORM)
    consent_record(subject_ref=member.subject_ref, member=member, consent="marketing_email",
                   granted=False, method=ConsentMethod.CONSENT_PAGE)
    ConsultationFactory(author=member, area=site_content["areas"]["eyes"],
                        title="눈매 교정 후 회복 기간이 궁금합니다")
    ReviewFactory(author=member, area=site_content["areas"]["nose"], title="코 성형 후기입니다")
    return member


def refuse_cookies(page: object, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("button", name="모두 거부").click()
    page.locator("[data-cookie-banner]").wait_for(state="detached")


def check_layout(page: object, name: str) -> list[str]:
    problems = page.evaluate(LAYOUT_PROBLEMS, HEADER_MAX_HEIGHT)
    screenshot(page, f"phone-{name}")
    return [f"{name}: {problem}" for problem in problems]


def test_public_pages_fit_a_phone_with_a_one_line_header(
    live_server, site_content, phone
) -> None:
    problems = []
    for name, path in PUBLIC_PAGES.items():
        phone.goto(live_server.url + path.format(consultation=site_content["consultation"].pk))
        problems += check_layout(phone, name)
    # With the cookie banner answered, as most visits are.
    refuse_cookies(phone, live_server.url)
    for name in ("home", "consultations", "policy"):
        phone.goto(live_server.url + PUBLIC_PAGES[name])
        problems += check_layout(phone, f"{name}-after-cookies")
    # In English the clinic's name is longer and the other language is 한국어.
    phone.get_by_role("button", name="English").click()
    phone.wait_for_load_state()
    assert phone.locator("html").get_attribute("lang") == "en"
    for name in ("home", "consultations", "policy", "signup"):
        phone.goto(live_server.url + PUBLIC_PAGES[name])
        problems += check_layout(phone, f"{name}-en")
    assert problems == []


def test_member_pages_fit_a_phone_with_a_one_line_header(live_server, member, phone) -> None:
    refuse_cookies(phone, live_server.url)
    log_in(phone, live_server.url, "seoyeon", DEFAULT_PASSWORD)
    problems = []
    for name, url_name in MEMBER_PAGES.items():
        phone.goto(live_server.url + reverse(url_name))
        assert "/accounts/login/" not in phone.url, name
        problems += check_layout(phone, name)
    assert problems == []


def test_the_menu_folds_the_links_on_a_phone_and_not_on_a_desktop(
    live_server, site_content, page
) -> None:
    page.goto(live_server.url + "/")
    consultations = page.locator(".site-nav").get_by_role("link", name="상담")
    menu = page.locator(".menu-toggle summary")
    if page.viewport_name == "desktop":
        assert consultations.is_visible() and not menu.is_visible()
        return
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= HEADER_MAX_HEIGHT
    assert not consultations.is_visible()
    assert page.get_by_role("button", name="English").is_visible()  # the other language
    assert not page.get_by_role("button", name="한국어").is_visible()
    menu.focus()
    page.keyboard.press("Enter")  # opens with the keyboard, as a button does
    assert consultations.is_visible()
    assert page.locator(".menu-toggle").get_attribute("open") is not None
    for link in page.locator(".site-nav a").all():
        assert link.bounding_box()["height"] >= 44  # touch targets of at least 44px
    screenshot(page, "menu-open")
    consultations.click()
    page.wait_for_url("**/consultations/")


def test_tables_become_labelled_cards_on_a_phone(live_server, member, page) -> None:
    refuse_cookies(page, live_server.url)
    log_in(page, live_server.url, "seoyeon", DEFAULT_PASSWORD)
    page.goto(live_server.url + reverse("privacy:consents"))
    row = page.locator("table.consents tbody tr").first
    state = row.locator("td[data-label='상태']")
    label = state.evaluate("cell => getComputedStyle(cell, '::before').content")
    if page.viewport_name == "mobile":
        assert label == '"상태"'  # the column's name above the value
        assert page.locator("table.consents thead").bounding_box()["height"] <= 1  # for readers
        box, card = state.bounding_box(), row.bounding_box()
        assert box["width"] > 0.8 * card["width"]  # one cell a line, the card's full width
    else:
        assert label in ("none", "normal")
        assert page.locator("table.consents thead").is_visible()
    screenshot(page, "consents-table")


def test_the_policy_opens_on_its_contents_and_prints_whole(
    live_server, site_content, page
) -> None:
    page.goto(live_server.url + "/privacy/policy/")
    page.get_by_role("button", name="모두 거부").click()
    sections = page.locator("details.policy-section")
    assert sections.count() == 14
    assert page.locator("details.policy-section[open]").count() == 0
    if page.viewport_name == "mobile":
        # Folded, the whole policy is a few screens, not 15,000px.
        assert page.evaluate("() => document.documentElement.scrollHeight") < 4 * 844
    retention = page.locator("details:has(#retention)")
    page.locator(".policy-toc").get_by_role("link", name="3. 개인정보의 보유 및 이용 기간").click()
    page.wait_for_url("**#retention")
    assert retention.get_attribute("open") is not None
    assert retention.locator("table").is_visible()
    screenshot(page, "policy-retention-open")

    # A closed section's text is in the print: neither the script's nor the stylesheet's
    # opening may be missing.
    page.emulate_media(media="print")
    items_table = page.locator("details:has(#items) table")
    assert items_table.evaluate("table => table.getBoundingClientRect().height") > 0
    page.emulate_media(media="screen")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("details.policy-section[open]").count() == 14
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("details.policy-section[open]").count() == 1  # the one opened by hand


def test_a_link_to_a_section_opens_it(live_server, site_content, page) -> None:
    page.goto(live_server.url + "/privacy/complaints/")
    page.get_by_role("button", name="모두 거부").click()
    page.locator("main a[href$='#officer']").click()
    page.wait_for_url("**/privacy/policy/#officer")
    officer = page.locator("details:has(#officer)")
    officer.locator("dl.officer").wait_for(state="visible")
    assert officer.get_attribute("open") is not None


def test_the_exported_page_fits_a_phone(live_server, member, phone, tmp_path: Path) -> None:
    refuse_cookies(phone, live_server.url)
    log_in(phone, live_server.url, "seoyeon", DEFAULT_PASSWORD)
    phone.goto(live_server.url + reverse("privacy:my_data_export"))
    if "/accounts/reauthenticate/" in phone.url:
        phone.locator("input[name=password]").fill(DEFAULT_PASSWORD)
        phone.locator("form:has(input[name=password]) button[type=submit]").first.click()
        phone.wait_for_load_state()
    with phone.expect_download() as download_info:
        phone.locator("main form button[type=submit]").click()
    with zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes())) as archive:
        data_html = tmp_path / "data.html"
        data_html.write_bytes(archive.read("data.html"))
    phone.goto(data_html.as_uri())
    assert "박서연" in phone.locator("body").inner_text()
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    label = phone.locator("td[data-label]").first.evaluate(
        "cell => getComputedStyle(cell, '::before').content")
    assert label not in ("none", "normal", '""')
    screenshot(phone, "export-data-html")
