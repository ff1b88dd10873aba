"""The consent ledger is append-only and the current state is derived from it."""

from __future__ import annotations

import pytest

from privacy.ledger import consent_is_granted, consent_record, consents_current_for
from privacy.models import ConsentMethod, ConsentRecord
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
