"""Journeys as a patient and a staff member make them, in Chromium, on a phone and a desktop.

Every journey starts with a first visit (the cookie banner is answered first, as a visitor
would), goes through the pages only, and checks what the person sees and what was stored."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

from consultations.models import Consultation, GuestConsultation
from consultations.services import guest_consultation_answer
from privacy.models import ConsentRecord
from privacy.processors import sms
from tests.e2e.conftest import log_in, screenshot, site_nav, staff_admin
from tests.members.factories import DEFAULT_PASSWORD, PosterFactory, StaffFactory
from tests.privacy.factories import ProcessorFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "retention"])

PASSWORD = "Seoul-garden-2026!"


def refuse_cookies(page: object) -> None:
    page.get_by_role("button", name="모두 거부").click()
    page.locator("[data-cookie-banner]").wait_for(state="detached")


def test_sign_up_with_optional_boxes_empty_confirm_email_and_log_in(
    live_server, site_content, page
) -> None:

    page.goto(live_server.url + "/")
    refuse_cookies(page)
    site_nav(page).get_by_role("link", name="회원가입").click()
    page.wait_for_url("**/accounts/signup/")
    page.get_by_label("이름").first.fill("박서연")
    page.get_by_label("아이디").fill("seoyeon")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_email").fill("seoyeon@example.com")
    page.locator("#id_mobile_phone").fill("01098765432")
    page.locator("#id_date_of_birth").fill("1994-03-09")
    assert not page.locator("form.signup-form input[type=checkbox]:checked").count()
    screenshot(page, "signup-filled")
    page.locator("form.signup-form button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")
    screenshot(page, "signup-verification-sent")

    member = get_user_model().objects.with_login_id("seoyeon").get()
    assert member.name == "박서연" and member.mobile_phone == "010-9876-5432"
    assert not member.home_phone and not member.home_address
    granted = ConsentRecord.objects.filter(subject_ref=member.subject_ref, granted=True)
    assert not granted.exists()  # every optional box was left empty: nothing was consented
    assert not EmailAddress.objects.get(user=member).verified

    # Logging in before confirming the address sends the visitor back to confirm it.
    log_in(page, live_server.url, "seoyeon", PASSWORD)
    assert "/accounts/confirm-email/" in page.url

    [message] = [m for m in mail.outbox if m.to == ["seoyeon@example.com"]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(link.replace("https://", "http://"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert EmailAddress.objects.get(user=member).verified

    log_in(page, live_server.url, "seoyeon", PASSWORD)
    page.goto(live_server.url + "/accounts/profile/")
    main = page.locator("main").inner_text()
    assert "박서연" in main
    assert "010-9876-5432" in main or "010-****-5432" in main
    assert "1994-03-09" in main
    assert site_nav(page).get_by_role("link", name="로그아웃").is_visible()
    screenshot(page, "my-page")

    # From my page, a first question: the form itself asks the sensitive-information consent
    # the sign-up left empty (unticked, with its notice), so posting never dead-ends.
    page.locator("main").get_by_role("link", name="상담 신청하기").first.click()
    page.wait_for_url("**/consultations/new/")
    box = page.locator("input[name=sensitive_consent]")
    assert box.is_visible() and not box.is_checked()
    assert "건강정보입니다" in page.locator("main form").inner_text()
    assert page.locator("input[name=is_private]").is_checked()  # private unless chosen
    page.locator("select[name=area]").select_option(label="코")
    page.locator("input[name=title]").fill("코끝 교정 상담 부탁드립니다")
    page.locator("textarea[name=body]").fill("코끝이 살짝 휘었습니다. 어떤 수술이 맞을까요?")
    page.locator("main form button[type=submit]").click()  # without the box: told why
    page.wait_for_load_state()
    assert "글을 올리시려면 민감정보 처리 동의에 표시해 주십시오." in page.locator(
        "main").inner_text()
    assert not Consultation.objects.filter(author=member).exists()
    page.locator("input[name=sensitive_consent]").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/consultations/\d+/$"))
    assert "코끝이 살짝 휘었습니다" in page.locator("main").inner_text()
    assert ConsentRecord.objects.filter(subject_ref=member.subject_ref,
                                        consent="sensitive_health", granted=True).exists()

    page.goto(live_server.url + "/accounts/profile/")
    row = page.locator("table.my-consultations tr", has_text="코끝 교정 상담 부탁드립니다")
    assert "답변 대기" in row.inner_text()
    page.goto(live_server.url + "/consultations/mine/")
    row = page.locator("table.my-consultations tr", has_text="코끝 교정 상담 부탁드립니다")
    assert "답변 대기" in row.inner_text() and "비공개" in row.inner_text()
    screenshot(page, "my-consultations")


def test_guest_consultation_then_reading_the_answer_with_the_texted_reference(
    live_server, site_content, page, settings
) -> None:
    settings.SMS_BACKEND = "privacy.processors.sms.LocmemBackend"
    sms.outbox.clear()
    # The clinic's text-message provider asks consent for advertising only: the texts about the
    # guest's own question are part of the service asked for (policy section 5).
    ProcessorFactory(name="문자발송사", tasks_ko="문자 메시지 발송",
                     tasks_en="Sending text messages", items=["guest_contact"],
                     sends_sms=True, requires_consent=True)
    page.goto(live_server.url + "/consultations/guest/")
    refuse_cookies(page)
    page.locator("input[name=name]").fill("홍길동")
    page.locator("input[name=mobile_phone]").fill("010 1234 5678")
    page.locator("select[name=area]").select_option(label="코")
    page.locator("input[name=title]").fill("콧대 높이는 수술 문의")
    page.locator("textarea[name=body]").fill("회복 기간이 얼마나 걸리나요?")
    page.locator("input[name=password]").fill("guest-pass-2026")
    page.locator("input[name=password_again]").fill("guest-pass-2026")
    page.locator("input[name=consent]").check()
    page.locator("input[name=sensitive_consent]").check()  # health information: its own box
    screenshot(page, "guest-form-filled")
    page.locator("form:has(input[name=consent]) button[type=submit]").click()
    page.wait_for_url("**/consultations/guest/done/")
    shown = page.locator(".reference").inner_text().strip()
    assert "문자 메시지로 보내 드리며" in page.locator("main").inner_text()
    screenshot(page, "guest-done")

    # The text message carries the reference and the page to read the answer on.
    [posted] = sms.outbox
    assert posted.to == "010-1234-5678" and "콧대" not in posted.body
    reference = re.search(r"참조번호: ([A-Z0-9-]+)", posted.body).group(1)
    assert reference == shown
    read_path = re.search(r"https?://[^\s/]+(/\S+)", posted.body).group(1)
    assert read_path == "/consultations/guest/read/"

    guest = GuestConsultation.objects.get(reference=reference)
    assert guest.mobile_phone == "010-1234-5678" and guest.name == "홍길동"
    page.goto(live_server.url + "/consultations/guest/read/")
    page.locator("input[name=reference]").fill(reference)
    page.locator("input[name=password]").fill("guest-pass-2026")
    page.locator("main form button[type=submit]").click()
    assert not page.locator("section.answer").count()
    assert "콧대 높이는 수술 문의" in page.locator("main h1").inner_text()

    guest_consultation_answer(guest_consultation=guest, staff=StaffFactory(),
                              body="보통 일주일이면 일상생활이 가능합니다.")
    [notice] = sms.outbox[1:]
    assert "답변이 등록되었습니다" in notice.body and reference in notice.body
    assert "일주일" not in notice.body  # the notice, never the answer

    page.goto(live_server.url + read_path)
    page.locator("input[name=reference]").fill(reference)
    page.locator("input[name=password]").fill("wrong-password-1")
    page.locator("main form button[type=submit]").click()
    assert page.get_by_role("alert").is_visible()
    assert "보통 일주일이면" not in page.content()

    page.locator("input[name=reference]").fill(reference.lower())
    page.locator("input[name=password]").fill("guest-pass-2026")
    page.locator("main form button[type=submit]").click()
    answer = page.locator("section.answer")
    assert "보통 일주일이면 일상생활이 가능합니다." in answer.inner_text()
    meta = page.locator("main .meta").first.inner_text()
    assert "홍*동" in meta and "홍길동" not in page.content()
    assert re.search(r"\d{4}-\d{2}-\d{2}", meta)
    screenshot(page, "guest-answer")


def test_private_consultation_answered_by_staff_in_the_admin(
    live_server, site_content, page, browser
) -> None:

    member = PosterFactory(username="jieun", name="이지은")
    page.goto(live_server.url + "/")
    refuse_cookies(page)
    log_in(page, live_server.url, "jieun", DEFAULT_PASSWORD)
    page.goto(live_server.url + "/consultations/new/")
    page.locator("select[name=area]").select_option(label="눈")
    page.locator("input[name=title]").fill("눈매 교정 재수술 상담")
    page.locator("textarea[name=body]").fill("예전에 수술한 쪽이 비대칭입니다.")
    page.locator("input[name=is_private]").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/consultations/\d+/$"))
    consultation = Consultation.objects.get(author=member)
    assert consultation.is_private
    assert "예전에 수술한 쪽이 비대칭입니다." in page.locator("main").inner_text()
    screenshot(page, "private-consultation")

    # Nobody else reads it: a visitor is asked to log in, another member who does is told
    # the page does not exist (the site's 404 page), and the board shows no title.
    PosterFactory(username="minsu")
    visitor = browser.new_context(locale="ko-KR")
    try:
        other = visitor.new_page()
        other.goto(f"{live_server.url}/consultations/{consultation.pk}/")
        assert "/accounts/login/?next=" in other.url
        other.locator("input[name=login]").fill("minsu")
        other.locator("input[name=password]").fill(DEFAULT_PASSWORD)
        other.locator("form:has(input[name=password]) button[type=submit]").click()
        other.wait_for_url(re.compile(rf".*/consultations/{consultation.pk}/$"))
        assert other.locator("main h1").inner_text() == "페이지를 찾을 수 없습니다"
        assert "눈매 교정" not in other.content()
        other.goto(live_server.url + "/consultations/")
        assert "눈매 교정 재수술 상담" not in other.content()
    finally:
        visitor.close()

    # A staff member answers in the admin, after the TOTP step.
    with staff_admin(browser, page, live_server.url, name="최원장") as admin:
        response = admin.goto(
            f"{live_server.url}/admin/consultations/consultation/{consultation.pk}/change/"
        )
        assert response.status == 200
        admin.locator("textarea[name$='-0-body']").fill("진료 예약 후 직접 보고 말씀드리겠습니다.")
        screenshot(admin, "admin-answer")
        admin.locator("input[name=_continue]").click()
        admin.wait_for_load_state()
        assert admin.locator(".messagelist .success").count() == 1

    [notice] = [m for m in mail.outbox if m.to == [member.email]]
    assert "진료 예약 후" not in notice.body  # the mail carries a link only, never the answer
    assert f"/consultations/{consultation.pk}/" in notice.body
    # The member follows the email's link logged out: log-in first, then the answer.
    link = re.search(r"(/consultations/\d+/)", notice.body)
    assert link is not None
    reader_context = browser.new_context(viewport=page.viewport_size, locale="ko-KR")
    try:
        reader = reader_context.new_page()
        reader.viewport_name = page.viewport_name
        reader.goto(live_server.url + link.group(1))
        assert "/accounts/login/?next=" in reader.url
        reader.locator("input[name=login]").fill("jieun")
        reader.locator("input[name=password]").fill(DEFAULT_PASSWORD)
        reader.locator("form:has(input[name=password]) button[type=submit]").click()
        reader.wait_for_url(re.compile(rf".*{link.group(1)}$"))
        assert "진료 예약 후 직접 보고 말씀드리겠습니다." in reader.locator(".answer").inner_text()
        screenshot(reader, "private-consultation-answered")
    finally:
        reader_context.close()
