"""Booking journeys in Chromium: a guest books from an area page, staff confirm in the admin
and the guest sees the confirmation by reference; a member books and sees it on my page.

The live server runs on the real clock, so the booked day is computed: three days ahead,
with the clinic open every day of the week in these tests."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import caches
from django.utils import timezone

from consultations.models import BookingRequest, BookingStatus
from privacy.processors import sms
from tests.clinic.factories import OpeningHoursFactory, ProcedurePageFactory
from tests.e2e.conftest import log_in, screenshot, staff_admin
from tests.members.factories import DEFAULT_PASSWORD, PosterFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "retention"])


@pytest.fixture
def clinic(site_content: dict, settings: object) -> str:
    """The eyes page published, the clinic open 09:00-18:00 every day; the day to book."""
    settings.SMS_BACKEND = "privacy.processors.sms.LocmemBackend"
    sms.outbox.clear()
    ProcedurePageFactory(area=site_content["areas"]["eyes"])
    for weekday in range(7):
        OpeningHoursFactory(weekday=weekday, opens_at=datetime.time(9),
                            closes_at=datetime.time(18))
    caches["near"].clear()
    return f"{timezone.localdate() + datetime.timedelta(days=3):%Y-%m-%d}"


def refuse_cookies(page: object) -> None:
    page.get_by_role("button", name="모두 거부").click()
    page.locator("[data-cookie-banner]").wait_for(state="detached")


def test_a_guest_books_from_the_area_page_staff_confirm_and_the_guest_sees_it(
    live_server, clinic, page, browser
) -> None:
    day = clinic
    page.goto(live_server.url + "/")
    refuse_cookies(page)
    page.locator(".area-list a", has_text="눈").click()
    page.wait_for_url("**/procedures/eyes/")
    page.get_by_role("link", name="상담 예약 신청").first.click()
    page.wait_for_url("**/consultations/booking/?area=eyes")
    assert page.locator("select[name=area] option:checked").inner_text() == "눈"
    page.locator("#slot-date-1").fill(day)
    page.locator("#slot-time-1").select_option("10:00")
    page.locator("#slot-date-2").fill(day)
    page.locator("#slot-time-2").select_option("14:30")
    page.locator("textarea[name=note]").fill("쌍꺼풀 상담을 받고 싶습니다.")
    page.locator("input[name=name]").fill("홍길동")
    page.locator("input[name=mobile_phone]").fill("010 1234 5678")
    assert not page.locator("input[name=consent]").is_checked()
    assert not page.locator("input[name=consent_sensitive]").is_checked()
    page.locator("input[name=consent]").check()
    page.locator("input[name=consent_sensitive]").check()
    screenshot(page, "booking-form")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/consultations/booking/done/")
    reference = page.locator(".reference").inner_text().strip()
    booking = BookingRequest.objects.get(reference=reference)
    assert booking.contact == "010-1234-5678" and len(booking.slots()) == 2

    with staff_admin(browser, page, live_server.url, name="최실장") as admin:
        admin.goto(f"{live_server.url}/admin/consultations/bookingrequest/{booking.pk}/change/")
        assert "홍길동" not in admin.content()
        admin.locator("input[name=decision][value=confirm]").check()
        admin.locator("select[name=confirm_slot]").select_option(label=f"{day} 14:30")
        screenshot(admin, "booking-admin")
        admin.locator("input[name=_continue]").click()
        admin.wait_for_load_state()
        assert admin.locator(".messagelist .success").count() >= 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert [message.to for message in sms.outbox] == ["010-1234-5678"]

    page.goto(live_server.url + "/consultations/booking/status/")
    page.locator("input[name=reference]").fill(reference.lower())
    page.locator("input[name=contact]").fill("01012345678")
    page.locator("main form button[type=submit]").click()
    assert page.locator("main .status").inner_text() == "확정"
    assert f"{day} 14:30" in page.locator("main dl.booking").inner_text()
    assert "홍*동" in page.locator("main .meta").inner_text()
    screenshot(page, "booking-status")


def test_a_member_books_and_sees_it_on_my_page(live_server, clinic, page) -> None:
    member = PosterFactory(name="김민지")
    page.goto(live_server.url + "/")
    refuse_cookies(page)
    log_in(page, live_server.url, member.username, DEFAULT_PASSWORD)
    page.goto(live_server.url + "/consultations/booking/")
    assert page.locator("input[name=name]").count() == 0
    page.locator("select[name=area]").select_option(label="코")
    page.locator("#slot-date-1").fill(clinic)
    page.locator("#slot-time-1").select_option("11:00")
    page.locator("input[name=channel][value=email]").check()
    page.locator("input[name=consent]").check()
    page.locator("input[name=consent_sensitive]").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/consultations/booking/done/")
    reference = page.locator(".reference").inner_text().strip()
    page.goto(live_server.url + "/accounts/profile/")
    section = page.locator("section[aria-labelledby=bookings-heading]")
    assert reference in section.inner_text() and "확인 중" in section.inner_text()
    assert f"{clinic} 11:00" in section.inner_text()
    screenshot(page, "booking-my-page")
