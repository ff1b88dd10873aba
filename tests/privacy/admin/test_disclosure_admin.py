"""Staff record a provision to a third party in the admin: the person by login ID or guest
reference, items from the registry; masked, logged, and refused with a clear reason."""

from __future__ import annotations

from typing import Any

import pytest

from privacy.models import AccessLogEntry, Disclosure, RequestChannel
from privacy.restrictions import restriction_start
from tests.consultations.factories import GuestConsultationFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/privacy/disclosure/add/"


def form(subject: str, **changes: Any) -> dict[str, Any]:
    return {"subject": subject, "recipient": "한빛손해보험", "recipient_contact":
            "claims.team@insurer.example", "items": ["name", "mobile_phone"],
            "legal_basis": "consent", "basis_detail": "보험금 청구 동의서 2026-118",
            "disclosed_at_0": "2026-11-30", "disclosed_at_1": "10:30:00", **changes}


def english(client: Any) -> Any:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def test_the_privacy_manager_records_a_disclosure(privacy_manager: Any, kim: Any,
                                                  django_assert_max_num_queries: Any) -> None:
    client, manager = privacy_manager
    with django_assert_max_num_queries(18):  # admin, permissions and cold caches
        assert client.get(ADD).status_code == 200
    response = client.post(ADD, form("kim_minsu"))
    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert disclosure.subject_ref == kim.subject_ref
    assert disclosure.items == ["name", "mobile_phone"]
    assert disclosure.recorded_by == manager and disclosure.legal_basis == "consent"
    assert f"{disclosure.disclosed_at:%Y-%m-%d}" == "2026-11-30"
    entry = AccessLogEntry.objects.get(action="add:privacy.disclosure")
    assert entry.subject_ref == kim.subject_ref and entry.actor == manager.username

    page = client.get(f"/admin/privacy/disclosure/{disclosure.pk}/change/").content.decode()
    assert "한빛손해보험" in page
    assert "claims.team@insurer.example" not in page  # the contact is masked


def test_a_guest_is_named_by_the_consultation_reference(privacy_manager: Any) -> None:
    client, _manager = privacy_manager
    guest = GuestConsultationFactory()
    assert client.post(ADD, form(guest.reference, items=["guest_contact"])).status_code == 302
    assert Disclosure.objects.get().subject_ref == guest.subject_ref


@pytest.mark.parametrize(("changes", "error"), [
    ({"items": ["shoe_size"]}, "Select a valid choice. shoe_size is not one of the available"),
    ({"items": []}, "This field is required."),
    ({"subject": "nobody_here"}, "No member or guest consultation goes by this login ID"),
    ({"legal_basis": "whim"}, "Select a valid choice. whim is not one of the available"),
])
def test_bad_input_is_refused_and_nothing_stored(privacy_manager: Any, kim: Any,
                                                 changes: dict[str, Any], error: str) -> None:
    client, _manager = privacy_manager
    response = english(client).post(ADD, form(**{"subject": "kim_minsu", **changes}))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Disclosure.objects.exists()
    assert not AccessLogEntry.objects.filter(action="add:privacy.disclosure").exists()


def test_a_restricted_item_is_not_provided(privacy_manager: Any, kim: Any) -> None:
    client, _manager = privacy_manager
    restriction_start(subject_ref=kim.subject_ref, items=["mobile_phone"],
                      channel=RequestChannel.PHONE)
    response = english(client).post(ADD, form("kim_minsu"))
    assert response.status_code == 200
    assert "not provided: mobile_phone restricted" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_a_receptionist_cannot_record_one(receptionist: Any, kim: Any) -> None:
    client, _staff = receptionist
    assert client.post(ADD, form("kim_minsu")).status_code == 403
    assert not Disclosure.objects.exists()
