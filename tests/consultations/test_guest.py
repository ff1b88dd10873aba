"""Guest consultations: consent, reference and password, rate-limited reading, destruction."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from consultations import selectors, services
from consultations.models import GuestConsultation
from privacy.models import ConsentMethod, ConsentRecord, DataKey
from privacy.retention.consultations import guest_consultations_destroy
from tests.consultations.factories import (
    GUEST_PASSWORD,
    ConsultationAreaFactory,
    GuestConsultationFactory,
)
from tests.members.factories import StaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "my-secret-pass-93"


def form_data(**overrides: object) -> dict:
    area = ConsultationAreaFactory(slug="nose")
    data = {
        "name": "홍길동", "mobile_phone": "010 9876 5432", "area": area.pk,
        "title": "코끝 성형 문의", "body": "코끝이 뭉툭한데 어떤 수술이 맞을까요?",
        "password": PASSWORD, "password_again": PASSWORD, "consent": "on",
        "sensitive_consent": "on",
    }
    data.update(overrides)
    return data


def test_form_shows_the_consent_notice_from_the_registry(client: Client, settings) -> None:
    settings.GUEST_CONSULTATION_DAYS_AFTER_ANSWER = 45
    page = client.get("/consultations/guest/").content.decode()
    assert "비회원 상담을 위한 개인정보 수집·이용 동의" in page
    assert "비회원의 이름 및 휴대전화번호" in page  # the item's label
    assert "상담 및 수술 후 관리" in page  # purpose
    assert "답변 후 45일" in page  # retention from the setting
    assert 'name="consent"' in page and "checked" not in page


def test_guest_posts_gets_a_reference_and_consent_is_recorded(client: Client) -> None:
    response = client.post("/consultations/guest/", form_data(), REMOTE_ADDR="203.0.113.9")
    assert response["Location"] == "/consultations/guest/done/"
    guest = GuestConsultation.objects.get()
    assert guest.mobile_phone == "010-9876-5432"  # normalised
    assert guest.password != PASSWORD and guest.password.startswith("md5$")
    stored = GuestConsultation.objects.values_list("name", "mobile_phone", "body").get()
    assert "홍길동" not in stored[0] and "9876" not in stored[1] and "코끝" not in stored[2]
    # Two entries: the contact details, and the health information under its own consent.
    records = ConsentRecord.objects.order_by("id")
    assert [(r.consent, r.granted, r.method) for r in records] == [
        ("guest_consultation", True, ConsentMethod.GUEST_FORM),
        ("guest_sensitive_health", True, ConsentMethod.GUEST_FORM),
    ]
    for record in records:
        assert record.subject_ref == guest.subject_ref
        assert record.ip_address == "203.0.113.9" and record.member is None

    done = client.get("/consultations/guest/done/").content.decode()
    assert guest.reference in done
    # shown once only
    assert client.get("/consultations/guest/done/")["Location"] == "/consultations/guest/read/"


def test_references_are_random_and_unguessable() -> None:
    references = {services.guest_reference_new() for _ in range(200)}
    assert len(references) == 200
    assert all(len(reference) == 14 for reference in references)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"consent": ""}, "consent", "비회원 상담을 받으려면"),
        ({"sensitive_consent": ""}, "sensitive_consent", "건강 정보"),
        ({"mobile_phone": "02-123-4567"}, "mobile_phone", "예: 010-1234-5678"),
        ({"mobile_phone": "010-12-345"}, "mobile_phone", "010-1234-5678"),
        ({"name": ""}, "name", "이름을 입력해 주십시오."),
        ({"body": ""}, "body", "내용을 입력해 주십시오"),
        ({"password_again": "something-else-1"}, "password_again", "비밀번호가 서로 다릅니다."),
        ({"password": "short", "password_again": "short"}, "password", "8"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    client: Client, overrides: dict, field: str, message: str
) -> None:
    response = client.post("/consultations/guest/", form_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert message in response.content.decode()
    assert not GuestConsultation.objects.exists() and not ConsentRecord.objects.exists()
    if field != "title":
        assert "코끝 성형 문의" in response.content.decode()  # the draft is kept
    assert PASSWORD not in response.content.decode()  # passwords are never echoed


def test_reading_needs_reference_and_password_and_shows_the_answer(client: Client) -> None:
    guest = GuestConsultationFactory(reference="7KQ2-M9XD-4TPA")
    services.guest_consultation_answer(
        guest_consultation=guest, staff=StaffFactory(), body="내원하셔서 상담받으세요."
    )
    wrong = client.post("/consultations/guest/read/",
                        {"reference": guest.reference, "password": "wrong-password"})
    assert "참조번호 또는 비밀번호가 올바르지 않습니다." in wrong.content.decode()
    assert guest.body not in wrong.content.decode()

    other = GuestConsultationFactory()
    response = client.post("/consultations/guest/read/",
                           {"reference": other.reference, "password": "nope-nope-1"})
    assert other.body not in response.content.decode()

    response = client.post("/consultations/guest/read/",
                           {"reference": " 7kq2m9xd4tpa ", "password": GUEST_PASSWORD})
    page = response.content.decode()
    assert response.status_code == 200
    assert guest.body in page and "내원하셔서 상담받으세요." in page
    assert "홍*동" in page and "홍길동" not in page and "9876" not in page
    assert "no-store" in response["Cache-Control"]


def test_reading_is_only_by_post(client: Client) -> None:
    guest = GuestConsultationFactory()
    response = client.get(
        "/consultations/guest/read/", {"reference": guest.reference, "password": GUEST_PASSWORD}
    )
    assert guest.body not in response.content.decode()


def test_password_guessing_is_rate_limited_per_reference(client: Client) -> None:
    guest = GuestConsultationFactory()
    for attempt in range(5):
        response = client.post(
            "/consultations/guest/read/",
            {"reference": guest.reference, "password": f"guess-{attempt}"},
            REMOTE_ADDR=f"198.51.100.{attempt}",
        )
        assert response.status_code == 200
    # the right password from a fresh address is refused too: the reference is locked
    response = client.post(
        "/consultations/guest/read/",
        {"reference": guest.reference, "password": GUEST_PASSWORD}, REMOTE_ADDR="198.51.100.99",
    )
    assert response.status_code == 429
    assert guest.body not in response.content.decode()
    assert "시도 횟수" in response.content.decode()


def test_password_guessing_is_rate_limited_per_address(client: Client) -> None:
    guests = GuestConsultationFactory.create_batch(21)
    statuses = [
        client.post(
            "/consultations/guest/read/",
            {"reference": guest.reference, "password": "guess-guess"},
            REMOTE_ADDR="192.0.2.7",
        ).status_code
        for guest in guests
    ]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429
    cache.clear()


def test_rate_limit_window_passes(client: Client) -> None:
    guest = GuestConsultationFactory()
    with time_machine.travel(datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)) as clock:
        for _ in range(6):
            response = client.post("/consultations/guest/read/",
                                   {"reference": guest.reference, "password": "x-guess-1"})
        assert response.status_code == 429
        clock.shift(datetime.timedelta(minutes=16))
        response = client.post("/consultations/guest/read/",
                               {"reference": guest.reference, "password": GUEST_PASSWORD})
        assert response.status_code == 200 and guest.body in response.content.decode()


# --- purpose achieved: destruction --------------------------------------------------------------

def test_due_for_destruction_follows_the_settings(settings) -> None:
    settings.GUEST_CONSULTATION_DAYS_AFTER_ANSWER = 30
    settings.GUEST_CONSULTATION_DAYS_UNANSWERED = 90
    now = timezone.now()
    answered_31 = GuestConsultationFactory(answered_at=now - datetime.timedelta(days=31),
                                           created_at=now - datetime.timedelta(days=40))
    GuestConsultationFactory(answered_at=now - datetime.timedelta(days=29),
                             created_at=now - datetime.timedelta(days=200))
    unanswered_91 = GuestConsultationFactory(created_at=now - datetime.timedelta(days=91))
    GuestConsultationFactory(created_at=now - datetime.timedelta(days=89))
    GuestConsultationFactory(created_at=now - datetime.timedelta(days=100),
                             destroyed_at=now - datetime.timedelta(days=1))
    due = selectors.guest_consultations_due_for_destruction(now=now)
    assert set(due) == {answered_31, unanswered_91}
    settings.GUEST_CONSULTATION_DAYS_AFTER_ANSWER = 60
    assert set(selectors.guest_consultations_due_for_destruction(now=now)) == {unanswered_91}


def test_destroy_personal_data_erases_everything_personal(client: Client) -> None:
    guest = GuestConsultationFactory()
    key_id = guest.data_key_id
    for _ in range(2):  # a second run changes nothing
        guest_consultations_destroy([guest.pk], now=timezone.now(), reason="test")
    assert not DataKey.objects.filter(pk=key_id).exists()
    stored = GuestConsultation.objects.values(
        "name", "mobile_phone", "title", "body", "answer"
    ).get(pk=guest.pk)
    assert set(stored.values()) == {""}
    guest.refresh_from_db()
    assert guest.destroyed_at is not None and guest.area_digest
    response = client.post("/consultations/guest/read/",
                           {"reference": guest.reference, "password": GUEST_PASSWORD})
    assert "올바르지 않습니다" in response.content.decode()
    assert guest not in selectors.guest_consultations_due_for_destruction(
        now=timezone.now() + datetime.timedelta(days=365)
    )


def test_guest_posting_is_rate_limited_per_address(client: Client) -> None:
    statuses = [
        client.post("/consultations/guest/", form_data(title=f"문의 {n}"),
                    REMOTE_ADDR="192.0.2.50").status_code
        for n in range(11)
    ]
    assert statuses == [302] * 10 + [429]
    assert GuestConsultation.objects.count() == 10
    assert ConsentRecord.objects.count() == 20


def test_guest_pages_render_in_english(client: Client) -> None:
    client.cookies["django_language"] = "en"
    page = client.get("/consultations/guest/").content.decode()
    assert "Collection and use of personal information for a guest consultation" in page
    assert "Destroyed 30 days after the answer" in page
