"""Guests are told by text message: the reference at posting, a notice when answered, and the
reference again on request (by number and password, with no way to learn who posted)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from consultations import services
from consultations.models import GuestConsultation
from privacy.ledger import consent_record
from privacy.models import AccessLogEntry, ConsentMethod
from privacy.processors import sms
from tests.consultations.factories import ConsultationAreaFactory
from tests.members.factories import StaffFactory

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

PASSWORD = "my-secret-pass-93"


@pytest.fixture(autouse=True)
def _texts(settings: Any) -> Iterator[None]:
    settings.SMS_BACKEND = "privacy.processors.sms.LocmemBackend"
    settings.SITE_URL = "https://www.jangps.example"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def post_guest(client: Client, captured: Any, **overrides: str) -> GuestConsultation:
    area = ConsultationAreaFactory(slug="nose")
    data = {"name": "홍길동", "mobile_phone": "010 9876 5432", "area": area.pk,
            "title": "코끝 성형 문의", "body": "코끝이 뭉툭한데 어떤 수술이 맞을까요?",
            "password": PASSWORD, "password_again": PASSWORD, "consent": "on",
            "sensitive_consent": "on", **overrides}
    with captured(execute=True):
        response = client.post("/consultations/guest/", data)
    assert response.status_code == 302
    return GuestConsultation.objects.latest("id")


def test_posting_texts_the_reference_and_logs_the_hand_over(
    client: Client, django_capture_on_commit_callbacks: Any,
) -> None:
    guest = post_guest(client, django_capture_on_commit_callbacks)
    assert len(sms.outbox) == 1
    message = sms.outbox[0]
    assert message.to == "010-9876-5432" and message.subject_ref == guest.subject_ref
    assert guest.reference in message.body
    assert "https://www.jangps.example/consultations/guest/read/" in message.body
    assert "코끝" not in message.body and "홍길동" not in message.body  # no contents, no name
    entry = AccessLogEntry.objects.get(action="sms:guest_posted")
    assert entry.subject_ref == guest.subject_ref and entry.fields == "mobile_phone"
    assert "010" not in entry.reason
    done = client.get("/consultations/guest/done/").content.decode()
    assert "문자 메시지" in done


def test_the_first_answer_sends_a_notice_without_the_answer(
    client: Client, django_capture_on_commit_callbacks: Any,
) -> None:
    guest = post_guest(client, django_capture_on_commit_callbacks)
    sms.outbox.clear()
    staff = StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.guest_consultation_answer(guest_consultation=guest, staff=staff,
                                           body="비중격 연장술을 권합니다.")
    assert len(sms.outbox) == 1
    notice = sms.outbox[0].body
    assert "답변이 등록되었습니다" in notice and guest.reference in notice
    assert "비중격" not in notice
    with django_capture_on_commit_callbacks(execute=True):  # a correction of the answer
        services.guest_consultation_answer(guest_consultation=guest, staff=staff,
                                           body="비중격 연장술 또는 귀연골 이식을 권합니다.")
    assert len(sms.outbox) == 1
    assert AccessLogEntry.objects.filter(action="sms:guest_answered").count() == 1


def test_no_text_once_the_contact_consent_has_ended(
    client: Client, django_capture_on_commit_callbacks: Any,
) -> None:
    guest = post_guest(client, django_capture_on_commit_callbacks)
    sms.outbox.clear()
    consent_record(subject_ref=guest.subject_ref, consent="guest_consultation", granted=False,
                   method=ConsentMethod.OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        services.guest_consultation_answer(guest_consultation=guest, staff=StaffFactory(),
                                           body="답변")
    assert sms.outbox == []


def test_the_reference_is_sent_again_to_the_phone_never_shown(
    client: Client, django_capture_on_commit_callbacks: Any, django_assert_max_num_queries: Any,
) -> None:
    guest = post_guest(client, django_capture_on_commit_callbacks)
    sms.outbox.clear()
    page = client.get("/consultations/guest/read/").content.decode()
    assert 'href="/consultations/guest/find/"' in page
    client.get("/consultations/guest/find/")
    with django_assert_max_num_queries(4):
        assert client.get("/consultations/guest/find/").status_code == 200
    # Two rate counters in the database cache (about 8 queries each), the session, one read
    # of the candidates whatever their number, and the text's send as the queue runs it here
    # (its once-only key, the consent and processor gates, the access log).
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(34):
        response = client.post("/consultations/guest/find/",
                               {"mobile_phone": "01098765432", "password": PASSWORD})
    found_page = client.get(response["Location"]).content.decode()
    assert guest.reference not in found_page
    assert "문자 메시지로 보내 드립니다" in found_page
    assert [m.to for m in sms.outbox] == ["010-9876-5432"]
    assert guest.reference in sms.outbox[0].body


@pytest.mark.parametrize("data", [
    {"mobile_phone": "010-9876-5432", "password": "wrong-password-1"},
    {"mobile_phone": "010-1111-2222", "password": PASSWORD},
])
def test_a_mismatch_reads_exactly_like_a_match_and_sends_nothing(
    client: Client, django_capture_on_commit_callbacks: Any, data: dict[str, str],
) -> None:
    post_guest(client, django_capture_on_commit_callbacks)
    sms.outbox.clear()
    matched = client.post("/consultations/guest/find/",
                          {"mobile_phone": "010-9876-5432", "password": PASSWORD}, follow=True)
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        missed = client.post("/consultations/guest/find/", data, follow=True)
    assert sms.outbox == []
    assert missed.status_code == matched.status_code == 200
    assert [str(m) for m in missed.context["messages"]] == [
        str(m) for m in matched.context["messages"]]


@pytest.mark.parametrize(("data", "message"), [
    ({"mobile_phone": "02-123-4567", "password": PASSWORD}, "010-1234-5678"),
    ({"mobile_phone": "", "password": PASSWORD}, "휴대전화번호를 입력해 주십시오"),
    ({"mobile_phone": "010-9876-5432", "password": ""}, "비밀번호를 입력해 주십시오"),
    ({"mobile_phone": "0" * 40, "password": PASSWORD}, "20"),
])
def test_bad_input_on_the_find_form_is_refused(
    client: Client, data: dict[str, str], message: str,
) -> None:
    response = client.post("/consultations/guest/find/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert sms.outbox == []


def test_asking_again_is_rate_limited_per_number(
    client: Client, django_capture_on_commit_callbacks: Any,
) -> None:
    post_guest(client, django_capture_on_commit_callbacks)
    sms.outbox.clear()
    statuses = []
    for attempt in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            statuses.append(client.post(
                "/consultations/guest/find/",
                {"mobile_phone": "010-9876-5432", "password": PASSWORD},
                REMOTE_ADDR=f"192.0.2.{attempt + 1}",
            ).status_code)
    assert statuses == [302, 302, 302, 429]
    assert len(sms.outbox) == 3


def test_the_guest_form_asks_the_health_consent_in_its_own_unticked_box(client: Client) -> None:
    ConsultationAreaFactory(slug="nose")
    page = client.get("/consultations/guest/").content.decode()
    assert page.count("<fieldset") == 2
    assert "비회원 상담을 위한 민감정보(건강 정보) 처리 동의" in page
    box = page[page.index('name="sensitive_consent"') - 120:
               page.index('name="sensitive_consent"') + 80]
    assert "checked" not in box
