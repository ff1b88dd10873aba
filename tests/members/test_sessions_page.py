"""The signed-in sessions page names each device in words, never its raw browser string."""

from __future__ import annotations

import pytest
from django.test import Client

from members.devices import device_summary
from tests.members.factories import MemberFactory, log_in

pytestmark = pytest.mark.django_db

ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 "
                  "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36")
IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


@pytest.mark.parametrize(("user_agent", "words"), [
    (ANDROID_CHROME, "Android의 Chrome"),
    (IPHONE_SAFARI, "iOS의 Safari"),
    ("", "알 수 없는 브라우저"),
    ("\x00garbage", "알 수 없는 브라우저"),
])
def test_a_user_agent_reads_as_browser_on_system(user_agent: str, words: str) -> None:
    assert device_summary(user_agent) == words


def test_the_sessions_page_shows_devices_in_words(django_assert_max_num_queries) -> None:
    member = MemberFactory()
    phone = Client(HTTP_USER_AGENT=ANDROID_CHROME)
    log_in(phone, member)
    laptop = Client(HTTP_USER_AGENT=IPHONE_SAFARI)
    log_in(laptop, member)
    phone.get("/accounts/sessions/")
    with django_assert_max_num_queries(12):
        html = phone.get("/accounts/sessions/").content.decode()
    assert "Android의 Chrome" in html and "iOS의 Safari" in html
    assert "Mozilla" not in html and "AppleWebKit" not in html
    phone.cookies["django_language"] = "en"
    assert "Chrome on Android" in phone.get("/accounts/sessions/").content.decode()
