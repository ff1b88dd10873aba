"""Staff work in the admin: answering (with the email), procedure records, moderation,
guest answers."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.test import Client

from consultations.models import (
    Answer,
    ConsultationKind,
    GuestConsultation,
    ProcedureRecord,
    Review,
    ReviewStatus,
)
from consultations.services import NotAllowed, procedure_record_create
from members.roles import DOCTOR
from tests.consultations.factories import (
    AftercareFactory,
    AnswerFactory,
    ConsultationAreaFactory,
    ConsultationFactory,
    GuestConsultationFactory,
    ReviewFactory,
)
from tests.members.factories import MemberFactory, PosterFactory, StaffFactory

pytestmark = pytest.mark.django_db(databases=["default", "retention"])


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


def test_every_consultation_list_filters_answered_and_waiting(
    client: Client, django_assert_max_num_queries,
) -> None:
    client.force_login(StaffFactory(role=DOCTOR))
    answered = ConsultationFactory(title="답변한 게시판 질문")
    AnswerFactory(consultation=answered)
    ConsultationFactory(title="기다리는 게시판 질문")
    AftercareFactory(title="기다리는 수술 후 질문")
    waiting = client.get("/admin/consultations/consultation/?answered=no").content.decode()
    assert "기다리는 게시판 질문" in waiting and "기다리는 수술 후 질문" in waiting
    assert "답변한 게시판 질문" not in waiting
    aftercare = client.get(
        f"/admin/consultations/consultation/?answered=no&kind__exact={ConsultationKind.AFTERCARE}"
    ).content.decode()
    assert "기다리는 수술 후 질문" in aftercare and "기다리는 게시판 질문" not in aftercare
    done = client.get("/admin/consultations/consultation/?answered=yes").content.decode()
    assert "답변한 게시판 질문" in done and "기다리는 게시판 질문" not in done

    guest_waiting = GuestConsultationFactory(reference="WAIT-0001-ABCD")
    guest_done = GuestConsultationFactory(reference="DONE-0001-ABCD")
    GuestConsultation.objects.filter(pk=guest_done.pk).update(answered_at=guest_waiting.created_at)
    client.get("/admin/consultations/guestconsultation/?answered=no")
    with django_assert_max_num_queries(12):
        page = client.get("/admin/consultations/guestconsultation/?answered=no").content.decode()
    assert "WAIT-0001-ABCD" in page and "DONE-0001-ABCD" not in page
    page = client.get("/admin/consultations/guestconsultation/?answered=yes").content.decode()
    assert "DONE-0001-ABCD" in page and "WAIT-0001-ABCD" not in page
