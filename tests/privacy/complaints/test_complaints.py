"""Complaints reach the privacy officer: stored encrypted, emailed as a link, deadline shown."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client

from privacy.models import Complaint, ComplaintStatus
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

BODY = "제 전화번호가 동의 없이 광고 문자에 쓰였습니다. 확인 부탁드립니다."


def submit(client: Client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/privacy/complaints/", data)


def test_a_guest_complaint_is_stored_encrypted_and_the_officer_gets_a_link(
    client: Client, django_capture_on_commit_callbacks, settings
) -> None:
    response = submit(client, django_capture_on_commit_callbacks,
                      name="홍길동", contact="010-2222-3333", body=BODY)
    assert response.status_code == 302
    assert response["Location"] == "/privacy/complaints/sent/"
    complaint = Complaint.objects.get()
    assert (complaint.name, complaint.contact, complaint.body) == ("홍길동", "010-2222-3333",
                                                                   BODY)
    assert complaint.member is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, contact, body FROM privacy_complaint")
        raw = " ".join(cursor.fetchone())
    assert "홍길동" not in raw and "3333" not in raw and "광고" not in raw

    [message] = mail.outbox
    assert message.to == [settings.PRIVACY_OFFICER["email"]]
    assert f"/admin/privacy/complaint/{complaint.pk}/change/" in message.body
    assert "광고" not in message.body and "홍길동" not in message.body
    assert "3333" not in message.body
    due = complaint.answer_due_on
    assert f"{due:%Y-%m-%d}" in message.body


def test_a_member_complaint_needs_no_name_or_contact(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    member = MemberFactory()
    client.force_login(member)
    assert 'name="contact"' not in client.get("/privacy/complaints/").content.decode()
    response = submit(client, django_capture_on_commit_callbacks, body=BODY)
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.member == member
    assert complaint.subject_ref == member.subject_ref
    assert complaint.data_key_id != member.data_key_id  # kept by law after erasure


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "", "contact": "010-1111-2222", "body": BODY}, "name"),
    ({"name": "홍길동", "contact": "", "body": BODY}, "contact"),
    ({"name": "홍길동", "contact": "010-1111-2222", "body": "짧음"}, "body"),
    ({"name": "홍" * 51, "contact": "010-1111-2222", "body": BODY}, "name"),
    ({"name": "홍길동", "contact": "010-1111-2222", "body": "가" * 3001}, "body"),
])
def test_bad_input_is_refused_and_nothing_stored(
    client: Client, django_capture_on_commit_callbacks, data: dict, field: str
) -> None:
    response = submit(client, django_capture_on_commit_callbacks, **data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Complaint.objects.exists()
    assert mail.outbox == []


def test_the_form_is_rate_limited(
    client: Client, django_capture_on_commit_callbacks, settings
) -> None:
    settings.PRIVACY_COMPLAINT_RATE_LIMIT = "2/h/ip"
    for _ in range(2):
        submit(client, django_capture_on_commit_callbacks, name="홍길동",
               contact="010-2222-3333", body=BODY)
    response = submit(client, django_capture_on_commit_callbacks, name="홍길동",
                      contact="010-2222-3333", body=BODY)
    assert response.status_code == 429
    assert Complaint.objects.count() == 2


def test_the_officer_sees_status_and_deadline_with_overdue_highlighted(admin_client) -> None:
    with time_machine.travel(datetime.datetime(2026, 11, 1, 3, 0, tzinfo=datetime.UTC)):
        old = Complaint.objects.create(name="가", contact="나", body=BODY)
        answered = Complaint.objects.create(name="다", contact="라", body=BODY,
                                            status=ComplaintStatus.ANSWERED)
    with time_machine.travel(datetime.datetime(2026, 11, 20, 3, 0, tzinfo=datetime.UTC)):
        fresh = Complaint.objects.create(name="마", contact="바", body=BODY)
    with time_machine.travel(datetime.datetime(2026, 11, 25, 3, 0, tzinfo=datetime.UTC)):
        html = admin_client.get("/admin/privacy/complaint/").content.decode()
        assert old.is_overdue() and not answered.is_overdue() and not fresh.is_overdue()
    assert f'<strong class="overdue">{old.answer_due_on:%Y-%m-%d}' in html
    assert "2026-11-11" in html  # the answered one's deadline, not highlighted
    assert html.count('class="overdue"') == 1
    assert f"{fresh.answer_due_on:%Y-%m-%d}" == "2026-11-30"


def test_answering_in_the_admin_records_when(admin_client) -> None:
    complaint = Complaint.objects.create(name="가", contact="나", body=BODY)
    response = admin_client.post(f"/admin/privacy/complaint/{complaint.pk}/change/",
                                 {"status": ComplaintStatus.ANSWERED})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED
    assert complaint.answered_at is not None


def test_anonymous_cannot_open_the_admin_list(client: Client) -> None:
    Complaint.objects.create(name="가", contact="나", body=BODY)
    assert client.get("/admin/privacy/complaint/").status_code == 302


def test_the_footer_links_to_complaints_and_receipts(client: Client) -> None:
    html = client.get("/").content.decode()
    assert 'href="/privacy/complaints/"' in html
    assert 'href="/privacy/consents/receipts/"' not in html
    client.force_login(MemberFactory())
    assert 'href="/privacy/consents/receipts/"' in client.get("/").content.decode()
