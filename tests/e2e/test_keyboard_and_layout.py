"""Keyboard use, visible focus and reflow, plus the review screenshots of the main pages.

A visitor without a mouse reaches the cookie banner right after the header, answers it with
the keyboard, and lands in the main content; every page fits a 390 px wide phone without
sideways scrolling (WCAG 1.4.10)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "retention"])

FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {tag: el.tagName, text: (el.innerText || el.value || '').trim(),
            href: el.getAttribute('href'), inBanner: !!el.closest('[data-cookie-banner]'),
            inMain: !!el.closest('main'), outline: style.outlineStyle,
            outlineWidth: parseFloat(style.outlineWidth), outlineColor: style.outlineColor,
            background: getComputedStyle(el.closest('section, header, main, footer') ||
                                         document.body).backgroundColor};
}"""


def _luminance(css_colour: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", css_colour)[:3])
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
              for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_cookie_banner_is_answered_with_the_keyboard(live_server, site_content, page) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first["href"] == "#main"  # the skip link comes first
    order = [first]
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        order.append(focused)
        if focused["inBanner"] and focused["text"] == "모두 거부":
            break
    else:
        pytest.fail(f"the banner's refuse button is not reachable by Tab: {order}")
    assert not any(step["inMain"] for step in order), "main content comes before the banner"
    assert focused["outline"] != "none" and focused["outlineWidth"] >= 2  # visible focus
    assert contrast(focused["outlineColor"], focused["background"]) >= 3  # WCAG 1.4.11
    screenshot(page, "banner-keyboard-focus")
    page.keyboard.press("Enter")
    page.locator("[data-cookie-banner]").wait_for(state="detached")
    assert page.evaluate("() => document.activeElement.id") == "main"
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    assert "analytics=-1" in cookies["cookie_consent"]


def test_the_skip_link_moves_focus_to_the_content(live_server, site_content, page) -> None:
    page.goto(live_server.url + "/consultations/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getBoundingClientRect().left") >= 0
    page.keyboard.press("Enter")
    page.wait_for_url("**#main")  # the hash changes after the key event, not with it
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["inMain"]


MAIN_PAGES = {
    "home": "/",
    "consultations": "/consultations/",
    "consultation": "/consultations/{consultation}/",
    "guest-form": "/consultations/guest/",
    "reviews": "/reviews/",
    "policy": "/privacy/policy/",
    "policy-versions": "/privacy/policy/versions/",
    "complaints": "/privacy/complaints/",
    "cookies": "/cookies/",
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
    "doctors": "/doctors/",
    "visit": "/visit/",
    "booking": "/consultations/booking/",
}


def test_main_pages_fit_the_screen_and_are_photographed(
    live_server, site_content, page, axe_source
) -> None:
    """On the phone too, axe finds nothing serious (target sizes, reflowed contrast)."""
    overflowing = []
    for name, path in MAIN_PAGES.items():
        page.goto(live_server.url + path.format(consultation=site_content["consultation"].pk))
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > page.viewport_size["width"]:
            overflowing.append(f"{name}: {width}px")
        split = page.evaluate(
            "() => [...document.querySelectorAll('a[href^=\"tel:\"]')]"
            ".filter(a => a.getClientRects().length > 1).map(a => a.innerText)"
        )
        if split:
            overflowing.append(f"{name}: phone number split over lines: {split}")
        overflowing.extend(f"{name}: {line}" for line in axe_violations(page, axe_source))
        screenshot(page, f"page-{name}")
    assert overflowing == []
