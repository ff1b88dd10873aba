"""Self-service rights in the browser: my data and its export, consent withdrawal, membership
withdrawal and the failed login after it."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from privacy.ledger import consent_record
from privacy.models import ConsentMethod, ConsentRecord
from tests.e2e.conftest import log_in, screenshot
from tests.members.factories import DEFAULT_PASSWORD, PosterFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "retention"])


def reauthenticate_if_asked(page: object, password: str) -> None:
    if "/accounts/reauthenticate/" in page.url:
        page.locator("input[name=password]").fill(password)
        page.locator("form:has(input[name=password]) button[type=submit]").first.click()
        page.wait_for_load_state()


@pytest.fixture
def member(site_content: dict) -> object:
    member = PosterFactory(username="minji", name="정민지", mobile_phone="010-2468-1357")
    consent_record(subject_ref=member.subject_ref, member=member, consent="marketing_email",
                   granted=True, method=ConsentMethod.SIGNUP_FORM)
    PosterFactory(username="someone", name="남궁다른", mobile_phone="010-9999-0000")
    return member


def refuse_cookies_and_log_in(page: object, base_url: str, username: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("button", name="모두 거부").click()
    page.locator("[data-cookie-banner]").wait_for(state="detached")
    log_in(page, base_url, username, DEFAULT_PASSWORD)


def test_my_data_and_the_export_download(live_server, member, page) -> None:
    refuse_cookies_and_log_in(page, live_server.url, "minji")
    page.goto(live_server.url + reverse("privacy:my_data"))
    main = page.locator("main").inner_text()
    assert "정민지" in main and "minji@example.com" in main
    assert "남궁다른" not in main
    screenshot(page, "my-data")

    page.goto(live_server.url + reverse("privacy:my_data_export"))
    reauthenticate_if_asked(page, DEFAULT_PASSWORD)
    assert page.url.endswith(reverse("privacy:my_data_export"))
    with page.expect_download() as download_info:
        page.locator("main form button[type=submit]").click()
    download = download_info.value
    path = download.path()
    with zipfile.ZipFile(io.BytesIO(open(path, "rb").read())) as archive:
        names = archive.namelist()
        data = next(archive.read(name) for name in names if name.endswith(".json"))
    text = json.dumps(json.loads(data), ensure_ascii=False)
    assert "정민지" in text and "010-2468-1357" in text
    assert "남궁다른" not in text and "010-9999-0000" not in text


def test_withdrawing_a_consent_in_one_click(live_server, member, page) -> None:
    refuse_cookies_and_log_in(page, live_server.url, "minji")
    page.goto(live_server.url + reverse("privacy:consents"))
    screenshot(page, "consents")
    row = page.locator("#consent-marketing_email")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    latest = ConsentRecord.objects.filter(
        subject_ref=member.subject_ref, consent="marketing_email"
    ).order_by("-recorded_at", "-pk").first()
    assert latest is not None and latest.granted is False
    assert page.get_by_role("status").first.is_visible()


def test_membership_withdrawal_then_login_fails(live_server, member, page) -> None:
    refuse_cookies_and_log_in(page, live_server.url, "minji")
    page.goto(live_server.url + reverse("privacy:withdraw"))
    reauthenticate_if_asked(page, DEFAULT_PASSWORD)
    screenshot(page, "withdraw")
    page.locator("main input[type=checkbox]").check()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert not get_user_model().objects.with_login_id("minji").filter(is_active=True).exists()

    log_in(page, live_server.url, "minji", DEFAULT_PASSWORD)
    assert "/accounts/login/" in page.url
    assert page.get_by_role("alert").is_visible()
    page.goto(live_server.url + "/accounts/profile/")
    assert "/accounts/login/" in page.url
