"""Open requests at a glance: the privacy manager's list of what must be answered, and by when."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from privacy.console.inventory import open_requests
from privacy.models import Complaint, ComplaintStatus, RightsRequest
from tests.members.factories import MemberFactory, StaffFactory
from tests.privacy.console.conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 20, 12, 0)
URL = reverse("admin:privacy_openrequest_changelist")


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def complaint(received: Any, status: str = ComplaintStatus.RECEIVED) -> Complaint:
    return Complaint.objects.create(name="민원인 고길순", contact="010-5151-2626",
                                    body="내 정보가 왜 보관되나요", created_at=received,
                                    status=status)


@pytest.fixture
def manager(client) -> Any:
    staff = StaffFactory()
    staff.user_permissions.add(Permission.objects.get(codename="view_openrequest"))
    client.force_login(staff)
    return staff


def test_open_complaints_overdue_first_then_by_deadline() -> None:
    recent = complaint(at(2026, 11, 18))  # due 11-28
    oldest = complaint(at(2026, 11, 1))  # due 11-11: 9 days overdue
    older = complaint(at(2026, 11, 5))  # due 11-15: 5 days overdue
    complaint(at(2026, 10, 1), status=ComplaintStatus.ANSWERED)
    complaint(at(2026, 10, 1), status=ComplaintStatus.CLOSED)
    rows = open_requests(NOW)
    assert [row.reference for row in rows] == [f"#{oldest.pk}", f"#{older.pk}", f"#{recent.pk}"]
    assert [row.overdue_days for row in rows] == [9, 5, 0]
    assert str(rows[2].due_on) == "2026-11-28"


def test_rights_requests_join_complaints_by_deadline() -> None:
    late = RightsRequest.objects.create(
        subject_ref=MemberFactory().subject_ref, kind="correction", channel="phone",
        received_at=at(2026, 11, 2), due_on=at(2026, 11, 12).date(),
    )
    RightsRequest.objects.create(
        subject_ref=MemberFactory().subject_ref, kind="export", channel="web",
        received_at=at(2026, 11, 2), due_on=at(2026, 11, 12).date(), completed_at=at(2026, 11, 3),
    )
    fresh = complaint(at(2026, 11, 18))
    rows = open_requests(NOW)
    assert [row.reference for row in rows] == [f"#{late.pk}", f"#{fresh.pk}"]
    assert rows[0].overdue_days == 8


def test_the_privacy_manager_sees_the_list_without_personal_values(
    client, manager, django_assert_max_num_queries
) -> None:
    overdue = complaint(at(2026, 11, 1))
    client.get(URL)  # warm the per-process caches (policy versions, cookie groups)
    for _ in range(10):
        complaint(at(2026, 11, 15))
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="overdue"') == 1
    assert reverse("admin:privacy_complaint_change", args=[overdue.pk]) in page
    assert "9일 지남" in page or "9 days overdue" in page
    for value in ("고길순", "010-5151-2626", "보관되나요"):
        assert value not in page
    assert URL in client.get(reverse("admin:index")).content.decode()


def test_staff_without_the_permission_get_403(client) -> None:
    client.force_login(StaffFactory())
    assert client.get(URL).status_code == 403


def test_members_and_anonymous_are_sent_to_log_in(client) -> None:
    assert client.get(URL).status_code == 302
    client.force_login(MemberFactory())
    assert client.get(URL).status_code == 302


def test_an_empty_list_says_so(client, manager) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert "처리 중인 요청이나 민원이 없습니다" in response.content.decode() or \
        "No open requests" in response.content.decode()
