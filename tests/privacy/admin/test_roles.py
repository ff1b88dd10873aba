"""Roles are groups created by the migration; each reaches only its models."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from members import roles
from privacy.models import AccessLogEntry
from tests.consultations.factories import AftercareFactory, ConsultationFactory

pytestmark = pytest.mark.django_db(databases=["default", "retention"])  # the inventory reads both

RECEPTIONIST_DENIED = [
    "/admin/privacy/consentrecord/", "/admin/privacy/complaint/", "/admin/privacy/disclosure/",
    "/admin/privacy/accesslogentry/", "/admin/consultations/procedurerecord/",
    "/admin/members/loginrecord/", "/admin/privacy/campaign/", "/admin/auth/group/",
    "/admin/privacy/inventory/", "/admin/privacy/openrequest/",
]
RECEPTIONIST_ALLOWED = [
    "/admin/members/member/", "/admin/consultations/consultation/",
    "/admin/consultations/guestconsultation/", "/admin/consultations/review/",
]
PRIVACY_MANAGER_ALLOWED = [
    "/admin/privacy/consentrecord/", "/admin/privacy/complaint/", "/admin/privacy/disclosure/",
    "/admin/privacy/accesslogentry/", "/admin/privacy/processor/",
    "/admin/privacy/policyversion/", "/admin/members/loginrecord/", "/admin/members/member/",
    "/admin/privacy/inventory/", "/admin/privacy/openrequest/",
]
PRIVACY_MANAGER_DENIED = [
    "/admin/consultations/consultation/", "/admin/consultations/guestconsultation/",
    "/admin/consultations/procedurerecord/", "/admin/auth/group/",
]


def test_the_migration_created_the_four_roles() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLES)
    receptionist = {f"{p.content_type.app_label}.{p.codename}"
                    for p in Group.objects.get(name=roles.RECEPTIONIST).permissions.all()}
    assert receptionist == set(roles.ROLE_PERMISSIONS[roles.RECEPTIONIST])
    assert "privacy.reveal_personal_data" not in receptionist


def test_creating_the_roles_again_changes_nothing() -> None:
    roles.roles_create(apps)  # the administrator also gets permissions created since
    before = {group.name: group.permissions.count() for group in Group.objects.all()}
    roles.roles_create(apps)
    after = {group.name: group.permissions.count() for group in Group.objects.all()}
    assert after == before


@pytest.mark.parametrize("url", RECEPTIONIST_DENIED)
def test_a_receptionist_cannot_open_privacy_records(receptionist: Any, url: str) -> None:
    client, _staff = receptionist
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", RECEPTIONIST_ALLOWED)
def test_a_receptionist_opens_the_front_desk_lists(receptionist: Any, url: str) -> None:
    client, _staff = receptionist
    assert client.get(url).status_code == 200


def test_a_receptionist_cannot_reveal(receptionist: Any, kim: Any) -> None:
    client, _staff = receptionist
    assert client.post(f"/admin/members/member/{kim.pk}/reveal/").status_code == 403
    assert not AccessLogEntry.objects.filter(action__startswith="reveal").exists()


def test_a_receptionist_cannot_export(receptionist: Any, kim: Any) -> None:
    client, _staff = receptionist
    page = client.get("/admin/members/member/").content.decode()
    assert 'value="export_csv"' not in page
    response = client.post("/admin/members/member/", {
        "action": "export_csv", "_selected_action": [kim.pk], "confirm": "yes",
        "reason": "curious about members",
    })
    assert response.get("Content-Type", "").startswith("text/html")
    assert not AccessLogEntry.objects.filter(action__startswith="export").exists()


def test_post_surgery_consultations_are_for_doctors(receptionist: Any, doctor: Any) -> None:
    aftercare = AftercareFactory(title="수술 후 상담 제목")
    ConsultationFactory(title="일반 상담 제목")
    front_desk, _ = receptionist
    page = front_desk.get("/admin/consultations/consultation/").content.decode()
    assert "일반 상담 제목" in page and "수술 후 상담 제목" not in page
    response = front_desk.get(f"/admin/consultations/consultation/{aftercare.pk}/change/")
    assert response.status_code == 302  # "does not exist": not in the receptionist's queryset
    doctor_client, _ = doctor
    assert "수술 후 상담 제목" in doctor_client.get(
        "/admin/consultations/consultation/").content.decode()
    assert doctor_client.get(
        f"/admin/consultations/consultation/{aftercare.pk}/change/").status_code == 200


def test_a_doctor_reaches_procedure_records_but_not_the_privacy_records(doctor: Any) -> None:
    client, _staff = doctor
    assert client.get("/admin/consultations/procedurerecord/").status_code == 200
    assert client.get("/admin/privacy/consentrecord/").status_code == 403
    assert client.get("/admin/privacy/complaint/").status_code == 403


@pytest.mark.parametrize("url", PRIVACY_MANAGER_ALLOWED)
def test_the_privacy_manager_opens_privacy_records(privacy_manager: Any, url: str) -> None:
    client, _staff = privacy_manager
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PRIVACY_MANAGER_DENIED)
def test_the_privacy_manager_does_not_read_consultations(privacy_manager: Any,
                                                          url: str) -> None:
    client, _staff = privacy_manager
    assert client.get(url).status_code == 403


def test_the_privacy_manager_cannot_reveal(privacy_manager: Any, kim: Any) -> None:
    client, _staff = privacy_manager
    assert client.post(f"/admin/members/member/{kim.pk}/reveal/").status_code == 403


def test_the_administrator_reaches_everything(staff_client: Any, kim: Any) -> None:
    client, _staff = staff_client(roles.ADMINISTRATOR)
    for url in [*RECEPTIONIST_ALLOWED, *PRIVACY_MANAGER_ALLOWED, *RECEPTIONIST_DENIED]:
        assert client.get(url).status_code == 200, url
    assert client.post(f"/admin/members/member/{kim.pk}/reveal/").status_code == 200


def test_staff_without_a_role_reach_nothing(staff_client: Any, kim: Any) -> None:
    client, _staff = staff_client()
    for url in [*RECEPTIONIST_ALLOWED, *PRIVACY_MANAGER_ALLOWED]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/admin/members/member/{kim.pk}/reveal/").status_code == 403
