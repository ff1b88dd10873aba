"""Browser tests: Playwright (Python) driving Debian's Chromium against pytest-django's live server.

Playwright's own browser download does not work on these machines; Debian's `chromium` is
launched instead. Without it the tests are skipped with a message saying how to get it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
VIEWPORTS = {"mobile": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"browser tests skipped: no Chromium at {CHROMIUM} "
            "(install Debian's package: apt-get install chromium)"
        )
    # The live server runs in a thread of this process; Django refuses ORM calls from async
    # contexts, which Playwright's sync API uses under the hood.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: object) -> Iterator[object]:
    context = browser.new_context(viewport=VIEWPORTS[request.param], locale="ko-KR")
    page = context.new_page()
    page.viewport_name = request.param
    yield page
    context.close()


def screenshot(page: object, name: str) -> None:
    """Save a screenshot for review (test-output/ is not committed)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}-{page.viewport_name}.png"), full_page=True)
