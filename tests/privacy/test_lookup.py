"""Mobile-number digests: kept current on save, recomputed after SECRET_KEY changes."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from consultations.models import GuestConsultation
from members.models import Member
from privacy.lookup import phone_digest
from tests.consultations.factories import GuestConsultationFactory
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("privacy", "refresh-lookup-digests", *args, stdout=out)
    return out.getvalue()


def test_the_digest_is_keyed_and_normalised() -> None:
    assert phone_digest("010-1234-5678") == phone_digest("+82 10 1234 5678")
    assert phone_digest("010-1234-5678") != phone_digest("010-1234-5679")
    assert phone_digest("5678") == "" and phone_digest("") == ""
    before = phone_digest("010-1234-5678")
    with override_settings(SECRET_KEY="another-secret-key-for-this-test-only-0123456789"):
        assert phone_digest("010-1234-5678") != before


def test_a_changed_secret_key_is_repaired_by_the_action() -> None:
    member = MemberFactory(mobile_phone="010-2222-3333")
    stored = Member.objects.get(pk=member.pk).mobile_phone_digest
    assert stored == phone_digest("010-2222-3333")
    with override_settings(SECRET_KEY="another-secret-key-for-this-test-only-0123456789"):
        assert phone_digest("010-2222-3333") != stored
        assert run("--dry-run").startswith(
            "lookup digests: 1 members checked, 1 would change\n")
        assert Member.objects.get(pk=member.pk).mobile_phone_digest == stored
        assert run().startswith("lookup digests: 1 members checked, 1 changed\n")
        assert Member.objects.get(pk=member.pk).mobile_phone_digest == phone_digest(
            "010-2222-3333")
        assert run().startswith("lookup digests: 1 members checked, 0 changed\n")


def test_guest_consultations_get_their_digest_from_the_action() -> None:
    guest = GuestConsultationFactory(mobile_phone="010-4444-5555")
    assert GuestConsultation.objects.get(pk=guest.pk).mobile_phone_digest == ""
    assert run().endswith("lookup digests: 1 guest consultations checked, 1 changed\n")
    assert GuestConsultation.objects.get(pk=guest.pk).mobile_phone_digest == phone_digest(
        "010-4444-5555")
