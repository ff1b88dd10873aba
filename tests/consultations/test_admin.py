"""Staff work in the admin: answering (with the email), procedure records, moderation,
guest answers."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.test import Client

from consultations.models import Answer, GuestConsultation, ProcedureRecord, Review, ReviewStatus
from consultations.services import NotAllowed, procedure_record_create
from tests.consultations.factories import (
    ConsultationAreaFactory,
    ConsultationFactory,
    GuestConsultationFactory,
    ReviewFactory,
)
from tests.members.factories import MemberFactory, PosterFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client: Client) -> Client:
    client.force_login(StaffFactory(is_superuser=True))
    return client


def test_answer_inline_answers_and_emails_the_author(
    admin: Client, django_capture_on_commit_callbacks
) -> None:
    consultation = ConsultationFactory(author__email="asker@example.com", body="가슴 보형물")
    url = f"/admin/consultations/consultation/{consultation.pk}/change/"
    assert admin.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, {
            "answers-TOTAL_FORMS": "1", "answers-INITIAL_FORMS": "0",
            "answers-MIN_NUM_FORMS": "0", "answers-MAX_NUM_FORMS": "1000",
            "answers-0-body": "내원 상담을 권합니다.", "answers-0-consultation": consultation.pk,
            "_save": "Save",
        })
    assert response.status_code == 302, response.content.decode()[:3000]
    answer = Answer.objects.get()
    assert answer.body == "내원 상담을 권합니다." and answer.author.is_staff
    assert answer.data_key_id == consultation.author.data_key_id
    assert len(mail.outbox) == 1 and "가슴" not in mail.outbox[0].body
    assert f"/consultations/{consultation.pk}/" in mail.outbox[0].body


def test_procedure_record_is_sealed_with_the_members_key(admin: Client) -> None:
    member = PosterFactory()  # has given the consent to sensitive information
    area = ConsultationAreaFactory()
    response = admin.post("/admin/consultations/procedurerecord/add/", {
        "member": member.pk, "area": area.pk, "procedure_name": "안면윤곽 수술",
        "performed_on": "2026-09-10",
    })
    assert response.status_code == 302
    record = ProcedureRecord.objects.get()
    assert record.data_key_id == member.data_key_id and record.recorded_by.is_staff
    raw = ProcedureRecord.objects.values_list("procedure_name", flat=True).get()
    assert "안면윤곽" not in raw and record.procedure_name == "안면윤곽 수술"


def test_moderation_actions_publish_and_reject(admin: Client) -> None:
    first, second = ReviewFactory.create_batch(2, status=ReviewStatus.PENDING)
    page = admin.get("/admin/consultations/review/").content.decode()
    assert "publish" in page and "reject" in page
    admin.post("/admin/consultations/review/",
               {"action": "publish", "_selected_action": [first.pk]})
    admin.post("/admin/consultations/review/",
               {"action": "reject", "_selected_action": [second.pk]})
    assert Review.objects.get(pk=first.pk).status == ReviewStatus.PUBLISHED
    assert Review.objects.get(pk=second.pk).status == ReviewStatus.REJECTED
    assert Review.objects.get(pk=first.pk).moderated_at is not None


def test_staff_answer_a_guest_in_the_admin(admin: Client) -> None:
    guest = GuestConsultationFactory()
    url = f"/admin/consultations/guestconsultation/{guest.pk}/change/"
    page = admin.get(url).content.decode()
    assert guest.body in page
    response = admin.post(url, {"answer": "전화 드리겠습니다.", "_save": "Save"})
    assert response.status_code == 302
    guest = GuestConsultation.objects.get()
    assert guest.answer == "전화 드리겠습니다." and guest.answered_at is not None


def test_members_cannot_reach_the_admin(client: Client) -> None:
    client.force_login(MemberFactory())
    response = client.get("/admin/consultations/consultation/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_area_changed_in_the_admin_shows_at_once_on_the_pages(
    admin: Client, django_capture_on_commit_callbacks
) -> None:
    """Pages list the areas from the near cache; the admin clears it, again at commit."""
    area = ConsultationAreaFactory(name_ko="보톡스", name_en="Botox", slug="botox")
    def listed(path: str) -> str:
        pattern = r'<ul class="area-list">(.*?)</ul>' if path == "/" else (
            r'<select id="id_area_filter" name="area">(.*?)</select>')
        return re.search(pattern, admin.get(path).content.decode(), re.DOTALL).group(1)

    assert "보톡스" in listed("/")  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/admin/consultations/consultationarea/{area.pk}/change/", {
            "name_ko": "보톡스", "name_en": "Botox", "slug": "botox", "position": 0,
        })  # "is_active" left out: unticked
    assert response.status_code == 302
    assert "보톡스" not in listed("/")
    assert "보톡스" not in listed("/consultations/")


def test_a_procedure_needs_the_members_sensitive_consent(admin: Client) -> None:
    member = MemberFactory()  # no consent to sensitive information
    area = ConsultationAreaFactory()
    admin.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = admin.post("/admin/consultations/procedurerecord/add/", {
        "member": member.pk, "area": area.pk, "procedure_name": "안면윤곽 수술",
        "performed_on": "2026-09-10",
    })
    assert response.status_code == 200
    page = response.content.decode()
    assert "This member has not given the consent" in page
    assert "Sensitive information: consultation area and contents" in page
    assert not ProcedureRecord.objects.exists()
    with pytest.raises(NotAllowed, match="has not given the consent"):
        procedure_record_create(member=member, area=area, procedure_name="x",
                                performed_on=datetime.date(2026, 9, 10))
    assert not ProcedureRecord.objects.exists()
