"""Browser tests: Playwright (Python) driving Debian's Chromium against pytest-django's live server.

Playwright's own browser download does not work on these machines; Debian's `chromium` is
launched instead. Without it the tests are skipped with a message saying how to get it.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from cookie_consent.models import Cookie, CookieGroup
from django.core.cache import caches
from playwright.sync_api import sync_playwright

from consultations.services import area_ensure_defaults
from privacy.cookies.groups import groups_install
from privacy.models import PolicyVersion
from privacy.policy.services import policy_version_publish
from tests.consultations.factories import AnswerFactory, ConsultationFactory, ReviewFactory
from tests.members.factories import (
    DEFAULT_PASSWORD,
    PosterFactory,
    StaffFactory,
    totp_code,
    verify_email,
)

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
# axe-core comes from the npm registry into the test run only (tests/e2e/axe/package.json,
# installed by .ci/run or by the fixture below); the site never serves it.
AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"mobile": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _totp_tolerance(settings: object) -> None:
    """The live server runs on the real clock, so a code typed at a window's last second
    reaches it in the next window; one window either side is accepted, as many sites do."""
    settings.MFA_TOTP_TOLERANCE = 1


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

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: object) -> Iterator[object]:
    context = browser.new_context(viewport=VIEWPORTS[request.param], locale="ko-KR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.viewport_name = request.param
    yield page
    context.close()


def screenshot(page: object, name: str) -> None:
    """Save a screenshot for review (test-output/ is not committed)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}-{page.viewport_name}.png"), full_page=True)


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core script, installed with npm from the lock file when it is missing."""
    if not AXE_SCRIPT.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip(
                "accessibility checks skipped: axe-core is not installed and npm is unavailable "
                "(install Node.js and run `npm ci` in tests/e2e/axe)"
            )
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=AXE_DIR,
                       check=True, timeout=300)
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page: object, axe_source: str, impacts: tuple[str, ...] = (
        "serious", "critical")) -> list[str]:
    """Run axe-core on the page as it is now; one line per violation of the given impacts.

    The script is evaluated through the DevTools protocol, which the site's CSP
    (script-src 'self') does not govern, so nothing is loosened on the site for the check."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
        if violation["impact"] in impacts
    ]


def site_nav(page: object) -> object:
    """The header's links, opened first where they fold behind the menu button (phones)."""
    menu = page.locator(".menu-toggle")
    if menu.is_visible() and menu.get_attribute("open") is None:
        menu.locator("summary").click()
    return page.locator(".site-nav")


def log_in(page: object, base_url: str, username: str, password: str,
           totp_secret: str | None = None) -> None:
    """Log in through allauth's form, and its TOTP step for staff."""
    page.goto(base_url + "/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state()
    if totp_secret is not None:
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.locator("input[name=code]").fill(totp_code(totp_secret))
        page.locator("form:has(input[name=code]) button[type=submit]:not([form])").click()
        page.wait_for_load_state()


@contextmanager
def staff_admin(browser: object, page: object, base_url: str, *, name: str) -> Iterator[object]:
    """A page of a second browser context, signed in as a new staff member (superuser) through
    the log-in form and its TOTP step, at the size of ``page``; closed afterwards."""
    secret = generate_totp_secret()
    staff = verify_email(StaffFactory(totp=False, is_superuser=True, name=name))
    TOTP.activate(staff, secret)
    context = browser.new_context(viewport=page.viewport_size, locale="ko-KR")
    context.set_default_timeout(10_000)
    try:
        admin = context.new_page()
        admin.viewport_name = page.viewport_name
        log_in(admin, base_url, staff.username, DEFAULT_PASSWORD, totp_secret=secret)
        yield admin
    finally:
        context.close()


@pytest.fixture
def site_content(transactional_db: None) -> dict[str, object]:
    """What a visitor finds on a running site: the default areas, cookie groups, a published
    policy version, a public consultation with its answer and a published review.

    Transactional tests flush the tables, data migrations' rows included, so they are made
    again here."""



    groups_install(CookieGroup, Cookie)
    caches["near"].clear()
    caches["near"].delete("cookie_consent_cache")
    areas = {area.slug: area for area in area_ensure_defaults()}
    version = PolicyVersion.objects.filter(version="1.0").first() or policy_version_publish(
        version="1.0", effective_on=datetime.date(2024, 7, 1)
    )
    caches["near"].clear()
    author = PosterFactory(name="김민수")
    consultation = ConsultationFactory(author=author, area=areas["eyes"],
                                       title="쌍꺼풀 수술 후 붓기 문의")
    AnswerFactory(consultation=consultation, author=StaffFactory(),
                  body="보통 2주 정도면 큰 붓기는 빠집니다.")
    review = ReviewFactory(author=author, area=areas["nose"], title="코 수술 후기")
    return {"areas": areas, "version": version, "consultation": consultation,
            "review": review}
