"""axe-core on every public page, in Korean and in English: no serious or critical violation.

The cookie banner is open on every page (a first visit), so it is checked everywhere too.
Pages with form errors are checked after a failed submit, where errors must be announced and
linked to their fields."""

from __future__ import annotations

import contextlib
import datetime

import pytest
from django.core.cache import caches
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from privacy.policy.services import policy_version_publish
from tests.e2e.conftest import VIEWPORTS, axe_violations, log_in, screenshot
from tests.members.factories import DEFAULT_PASSWORD, PosterFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "retention"])

LOCALES = {"ko": "ko-KR", "en": "en-US"}
PUBLIC_PAGES = {
    "home": "/",
    "consultations": "/consultations/",
    "consultation": "/consultations/{consultation}/",
    "guest-form": "/consultations/guest/",
    "guest-read": "/consultations/guest/read/",
    "booking-form": "/consultations/booking/",
    "booking-read": "/consultations/booking/status/",
    "doctors": "/doctors/",
    "visit": "/visit/",
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
# Forms submitted empty: the errors they show are checked too.
FORMS_WITH_ERRORS = {
    "guest-form": ("/consultations/guest/", "form:has(input[name=password_again])"),
    "signup": ("/accounts/signup/", "form.signup-form"),
    "complaints": ("/privacy/complaints/", "main form"),
}
# The member's question form is checked in the member-pages test below.


@pytest.fixture(params=list(LOCALES))
def language_page(request: pytest.FixtureRequest, browser: object):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale=LOCALES[request.param])
    page = context.new_page()
    page.viewport_name = f"desktop-{request.param}"
    page.language = request.param
    yield page
    context.close()


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_public_page_has_no_serious_violation(
    live_server, site_content, language_page, axe_source, name: str
) -> None:
    page = language_page
    path = PUBLIC_PAGES[name].format(consultation=site_content["consultation"].pk)
    response = page.goto(live_server.url + path)
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == page.language
    assert axe_violations(page, axe_source) == []


@pytest.mark.parametrize("name", list(FORMS_WITH_ERRORS))
def test_form_errors_are_accessible_and_linked_to_their_fields(
    live_server, site_content, language_page, axe_source, name: str
) -> None:
    page = language_page
    path, form = FORMS_WITH_ERRORS[name]
    page.goto(live_server.url + path)
    page.locator(f"{form} button[type=submit]").last.click()
    page.wait_for_load_state()
    assert axe_violations(page, axe_source) == []
    invalid = page.locator("[aria-invalid=true]")
    assert invalid.count() >= 1, "the errors are not marked on the fields"
    for index in range(invalid.count()):
        field = invalid.nth(index)
        described_by = (field.get_attribute("aria-describedby") or "").split()
        error_ids = [ident for ident in described_by if ident.endswith("_error")]
        assert error_ids, f"{field.get_attribute('name')}: error not linked"
        assert page.locator(f"#{error_ids[0]}").inner_text().strip()
        missing = [ident for ident in described_by if not page.locator(f"#{ident}").count()]
        assert missing == [], f"{field.get_attribute('name')}: describedby points nowhere"
    # The summary is announced and each of its lines takes the keyboard to its field.
    summary = page.get_by_role("alert")
    assert summary.count() == 1
    links = summary.locator("a")
    assert links.count() == invalid.count()
    target = links.last.get_attribute("href")
    links.last.click()
    assert page.evaluate("() => '#' + document.activeElement.id") == target
    screenshot(page, f"errors-{name}")


def test_a_wrong_login_is_announced(live_server, site_content, language_page, axe_source) -> None:
    page = language_page
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill("nobody")
    page.locator("input[name=password]").fill("not-the-password-1")
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert alert.count() == 1
    expected = {
        "ko": "아이디 또는 비밀번호가 올바르지 않습니다", "en": "not correct",
    }[page.language]
    assert expected in alert.inner_text()
    assert axe_violations(page, axe_source) == []


def test_the_checker_finds_what_it_must(live_server, site_content, language_page,
                                        axe_source) -> None:
    """An unlabelled field and an empty button, added to a clean page, are reported."""
    page = language_page
    page.goto(live_server.url + "/")
    assert axe_violations(page, axe_source) == []
    page.evaluate("""() => {
        const main = document.getElementById('main');
        main.appendChild(document.createElement('input'));
        main.appendChild(document.createElement('button'));
    }""")
    found = {line.split(" ")[0] for line in axe_violations(page, axe_source)}
    assert found == {"label", "button-name"}


MEMBER_PAGES = {
    "my-page": "/accounts/profile/",
    "profile-edit": "/accounts/profile/edit/",
    "consultation-form": "/consultations/new/",
    "aftercare": "/consultations/aftercare/",
    "my-reviews": "/reviews/mine/",
    "consent-receipts": "/privacy/consents/receipts/",
    "sessions": "/accounts/sessions/",
}
# Self-service pages.
for _name in ("my_data", "my_data_export", "consents", "withdraw"):
    with contextlib.suppress(NoReverseMatch):
        MEMBER_PAGES[_name.replace("_", "-")] = reverse(f"privacy:{_name}")


def test_member_pages_and_the_policy_banner_have_no_serious_violation(
    live_server, site_content, language_page, axe_source
) -> None:
    """A logged-in member's pages, with the banner of an upcoming policy version showing."""



    policy_version_publish(version="2.0",
                           effective_on=timezone.localdate() + datetime.timedelta(days=3))
    caches["near"].clear()
    PosterFactory(username="yuna", name="한유나")
    page = language_page
    log_in(page, live_server.url, "yuna", DEFAULT_PASSWORD)
    found = {}
    for name, path in MEMBER_PAGES.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, name
        assert page.locator(".policy-banner").count() == 1, name
        if violations := axe_violations(page, axe_source):
            found[name] = violations
    screenshot(page, "member-sessions")
    assert found == {}
