"""Every provision of a member's data to a third party is logged, append-only."""

from __future__ import annotations

import pytest

from privacy.errors import PrivacyError
from privacy.models import Disclosure, DisclosureBasis
from privacy.processors.selectors import disclosures_for
from privacy.processors.services import disclosure_record
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_disclosures_are_recorded_and_listed_per_subject() -> None:
    member, other = MemberFactory(), MemberFactory()
    first = disclosure_record(subject_ref=member.subject_ref, recipient="Seoul Insurance",
                              recipient_contact="claims@insurance.example",
                              items=["name", "mobile_phone"], legal_basis=DisclosureBasis.CONSENT)
    disclosure_record(subject_ref=other.subject_ref, recipient="Police",
                      items=["name"], legal_basis=DisclosureBasis.LAW,
                      basis_detail="Criminal Procedure Act art. 199(2)")
    second = disclosure_record(subject_ref=member.subject_ref, recipient="Referral hospital",
                               items=["consultation_content"], legal_basis=DisclosureBasis.LAW)
    assert list(disclosures_for(subject_ref=member.subject_ref)) == [second, first]
    assert first.items == ["name", "mobile_phone"]
    # A corrected phone number concerns only the recipients that received it.
    assert disclosures_for(subject_ref=member.subject_ref, items=["mobile_phone"]) == [first]
    assert disclosures_for(subject_ref=member.subject_ref, items=["home_address"]) == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"items": ["shoe_size"]}, "unknown: shoe_size"),
    ({"items": []}, "none given"),
    ({"recipient": "  "}, "recipient is required"),
    ({"legal_basis": "whim"}, "unknown legal basis 'whim'"),
])
def test_bad_disclosures_are_refused(kwargs: dict, message: str) -> None:
    member = MemberFactory()
    arguments = {"subject_ref": member.subject_ref, "recipient": "Seoul Insurance",
                 "items": ["name"], "legal_basis": DisclosureBasis.CONSENT, **kwargs}
    with pytest.raises(PrivacyError, match=message):
        disclosure_record(**arguments)
    assert not Disclosure.objects.exists()


def test_the_log_refuses_updates_and_deletes() -> None:
    member = MemberFactory()
    disclosure = disclosure_record(subject_ref=member.subject_ref, recipient="Seoul Insurance",
                                   items=["name"], legal_basis=DisclosureBasis.CONSENT)
    disclosure.recipient = "Someone else"
    with pytest.raises(PermissionError):
        disclosure.save()
    with pytest.raises(PermissionError):
        Disclosure.objects.filter(pk=disclosure.pk).delete()
    assert Disclosure.objects.get().recipient == "Seoul Insurance"


def test_admin_adds_but_never_changes_or_deletes(admin_client) -> None:
    member = MemberFactory()
    disclosure = disclosure_record(subject_ref=member.subject_ref, recipient="Seoul Insurance",
                                   items=["name"], legal_basis=DisclosureBasis.CONSENT)
    assert "Seoul Insurance" in admin_client.get(
        "/admin/privacy/disclosure/").content.decode()
    assert admin_client.get("/admin/privacy/disclosure/add/").status_code == 200
    assert admin_client.post(f"/admin/privacy/disclosure/{disclosure.pk}/change/",
                             {"recipient": "Other"}).status_code == 403
    assert admin_client.post(f"/admin/privacy/disclosure/{disclosure.pk}/delete/",
                             {"post": "yes"}).status_code == 403
    assert Disclosure.objects.get().recipient == "Seoul Insurance"
