"""The consent ledger is append-only and the current state is derived from it."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from consultations.selectors import GUEST_CONSENT
from consultations.services import guest_consultation_create
from privacy.ledger import consent_is_granted, consent_record, consents_current_for
from privacy.models import ConsentMethod, ConsentRecord
from tests.consultations.factories import ConsultationAreaFactory
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_withdrawal_is_a_new_entry_and_state_is_the_latest() -> None:
    member = MemberFactory()
    consent_record(subject_ref=member.subject_ref, member=member, consent="marketing_email",
                   granted=True, method=ConsentMethod.SIGNUP_FORM, ip_address="203.0.113.5")
    assert consent_is_granted(subject_ref=member.subject_ref, consent="marketing_email")
    consent_record(subject_ref=member.subject_ref, member=member, consent="marketing_email",
                   granted=False, method=ConsentMethod.CONSENT_PAGE)
    assert not consent_is_granted(subject_ref=member.subject_ref, consent="marketing_email")
    assert ConsentRecord.objects.filter(member=member).count() == 2
    assert consents_current_for(subject_ref=member.subject_ref)["marketing_email"].granted is False


def test_the_ledger_refuses_updates_and_deletes() -> None:
    member = MemberFactory()
    record = consent_record(subject_ref=member.subject_ref, member=member,
                            consent="marketing_sms", granted=True,
                            method=ConsentMethod.SIGNUP_FORM)
    record.granted = False
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        ConsentRecord.objects.filter(pk=record.pk).update(granted=False)
    with pytest.raises(PermissionError):
        ConsentRecord.objects.filter(pk=record.pk).delete()
    assert ConsentRecord.objects.get(pk=record.pk).granted is True


def test_an_undeclared_consent_is_refused() -> None:
    member = MemberFactory()
    with pytest.raises(ValueError, match="unknown consent"):
        consent_record(subject_ref=member.subject_ref, consent="telepathy", granted=True,
                       method=ConsentMethod.SIGNUP_FORM)
    assert not ConsentRecord.objects.exists()


def _stored_ip(record: ConsentRecord) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ip_address FROM privacy_consentrecord WHERE id = %s", [record.pk])
        return cursor.fetchone()[0]


def test_the_ip_address_is_sealed_under_the_members_key() -> None:
    member = MemberFactory()
    record = consent_record(subject_ref=member.subject_ref, member=member,
                            consent="marketing_email", granted=True,
                            method=ConsentMethod.CONSENT_PAGE, ip_address="192.0.2.61")
    assert "192.0.2.61" not in (_stored_ip(record) or "")
    assert ConsentRecord.objects.get(pk=record.pk).ip_address == "192.0.2.61"
    member.data_key.delete()  # erasure destroys the key: the address is gone with it
    assert ConsentRecord.objects.select_related("data_key").get(pk=record.pk).ip_address in (
        "", None)


def test_a_guests_ip_address_is_sealed_under_the_questions_key() -> None:
    guest = guest_consultation_create(
        name="손님", mobile_phone="010-3333-4444", area=ConsultationAreaFactory(),
        title="제목", body="본문", password="guest-pass-123", ip_address="192.0.2.62")
    record = ConsentRecord.objects.get(subject_ref=guest.subject_ref, consent=GUEST_CONSENT)
    assert record.data_key_id == guest.data_key_id
    assert "192.0.2.62" not in (_stored_ip(record) or "")
    assert record.ip_address == "192.0.2.62"


def test_a_subject_without_a_key_keeps_no_ip_address() -> None:
    record = consent_record(subject_ref=uuid.uuid4(), consent="cookies:analytics",
                            granted=True, method=ConsentMethod.COOKIE_BANNER,
                            ip_address="192.0.2.63")
    assert (record.ip_address, record.data_key, _stored_ip(record)) == (None, None, None)
