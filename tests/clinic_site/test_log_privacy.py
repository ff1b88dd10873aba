"""No personal data in the log: the main journeys run with the production log configuration
captured (JSON lines, site and security handlers), and nothing anyone typed shows up in it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import date

import pytest
from django.test import Client

from consultations.models import Consultation, GuestConsultation
from privacy.models import PolicyVersion
from tests.consultations.factories import ConsultationAreaFactory
from tests.members.factories import (
    DEFAULT_PASSWORD,
    PosterFactory,
    StaffFactory,
    reauthenticate,
    verify_email,
)

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

SIGNUP = {
    "name": "김하늘", "username": "skyuser77", "email": "sky.kim@example.org",
    "password1": "Sky-Blue-Horse-8841", "password2": "Sky-Blue-Horse-8841",
    "mobile_phone": "010-5555-7777", "date_of_birth": "1988-04-09",
    "home_phone": "02-345-6789", "home_address": "서울시 강남구 테헤란로 999", "desired_area": "",
    "consent_optional_items": "on", "consent_sensitive_health": "on",
}
GUEST = {
    "name": "이바다", "mobile_phone": "010-8888-1212", "title": "코끝 재수술 가능 여부 4417",
    "body": "3년 전 수술한 코끝이 내려앉았습니다 9923", "password": "guest-pass-6612",
    "password_again": "guest-pass-6612", "consent": "on", "sensitive_consent": "on",
}
MEMBER_QUESTION = {"title": "쌍꺼풀 라인 비대칭 문의 7731", "body": "왼쪽 라인이 더 높습니다 5180"}
ANSWER = "내원하셔서 라인을 확인해 보겠습니다 2207"
ADDRESSES = ("203.0.113.77", "198.51.100.61", "192.0.2.45")


@pytest.fixture
def captured_log() -> Iterator[io.StringIO]:
    """Every handler that writes lines, as configured, writing into one buffer."""
    buffer = io.StringIO()
    handlers = list({h for name in ("", "django.request", "django.security")
                     for h in logging.getLogger(name).handlers
                     if type(h) is logging.StreamHandler})
    previous = [handler.setStream(buffer) for handler in handlers]
    try:
        yield buffer
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.setStream(stream)


def test_the_main_journeys_write_nothing_personal_to_the_log(
    captured_log: io.StringIO, django_capture_on_commit_callbacks
) -> None:
    PolicyVersion.objects.create(version="1.0", effective_on=date(2024, 7, 1))
    area = ConsultationAreaFactory()
    poster = PosterFactory(name="박민준", email="minjun.park@example.net",
                           mobile_phone="010-2424-6868")
    staff = StaffFactory(is_superuser=True)
    visitor, member, guest = (Client(REMOTE_ADDR=address) for address in ADDRESSES)

    # Sign-up, then a wrong and a right log-in.
    assert visitor.post("/accounts/signup/", SIGNUP).status_code == 302
    verify_email(poster)
    member.post("/accounts/login/", {"login": poster.username, "password": "wrong-guess-3390"})
    assert member.post("/accounts/login/", {"login": poster.username,
                                            "password": DEFAULT_PASSWORD}).status_code == 302
    # A member's consultation, answered by staff in the admin.
    assert member.post("/consultations/new/",
                       {"area": area.pk, **MEMBER_QUESTION}).status_code == 302
    consultation = Consultation.objects.get(author=poster)
    admin = Client(REMOTE_ADDR=ADDRESSES[0])
    admin.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/admin/consultations/consultation/{consultation.pk}/change/", {
            "answers-TOTAL_FORMS": "1", "answers-INITIAL_FORMS": "0",
            "answers-MIN_NUM_FORMS": "0", "answers-MAX_NUM_FORMS": "1000",
            "answers-0-body": ANSWER, "answers-0-consultation": consultation.pk,
            "_save": "Save",
        })
    assert response.status_code == 302
    # A guest's consultation, read back with its password (and once with a wrong one).
    assert guest.post("/consultations/guest/", {"area": area.pk, **GUEST}).status_code == 302
    reference = GuestConsultation.objects.get().reference
    guest.post("/consultations/guest/read/", {"reference": reference, "password": "nope-1234"})
    page = guest.post("/consultations/guest/read/",
                      {"reference": reference, "password": GUEST["password"]})
    assert GUEST["body"] in page.content.decode()
    # A guest pasting far too much is refused, and logged as one line without it.
    oversized = guest.post("/consultations/guest/",
                           {"area": area.pk, **GUEST, "body": GUEST["body"] * 40_000})
    assert oversized.status_code == 400
    # Withdrawal.
    reauthenticate(member)
    assert member.post("/privacy/withdraw/", {"confirm": "on"}).status_code == 200
    assert not Consultation.objects.filter(pk=consultation.pk).exists()

    log = captured_log.getvalue()
    assert '"logger": "django.security.RequestDataTooBig"' in log
    entered = [
        *(value for key, value in SIGNUP.items() if not key.startswith("consent_")),
        "01055557777", *GUEST.values(), "01088881212", reference,
        *MEMBER_QUESTION.values(), ANSWER, poster.username, poster.name, poster.email,
        "010-2424-6868", "wrong-guess-3390", DEFAULT_PASSWORD, "nope-1234", *ADDRESSES,
        staff.username,
    ]
    for value in entered:
        if len(value) >= 4:  # dates and "on" also appear in every time stamp and word
            assert value not in log, value
