"""Withdrawal: member_erase destroys now what no law keeps and moves what a law keeps."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.db import connection

from consultations.models import Answer, Consultation, Review
from members.models import Member
from privacy import crypto
from privacy.ledger import consent_is_granted
from privacy.models import (
    AccessLogEntry,
    ConsentRecord,
    DataKey,
    DestructionRecord,
    RetainedRecord,
)
from privacy.retention.destruction import member_erase
from privacy.retention.store import retention_access
from tests.members.factories import MemberFactory, StaffFactory
from tests.privacy.retention.conftest import at, run

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

NOW = at(2026, 12, 1, 15, 0)  # after the fixture's records (made on the test clock)


@pytest.fixture
def erased(member_with_data: Any) -> dict[str, Any]:
    member = member_with_data
    facts = {
        "pk": member.pk, "subject_ref": member.subject_ref, "username": member.username,
        "data_key_id": member.data_key_id,
        "consultation_ids": list(member.consultations.values_list("pk", flat=True)),
    }
    with time_machine.travel(NOW, tick=False):
        member_erase(member=member, reason="withdrawal")
    return facts


def test_member_row_posts_addresses_and_data_key_are_gone(erased: dict[str, Any]) -> None:
    assert not Member.objects.filter(pk=erased["pk"]).exists()
    assert not Consultation.objects.filter(pk__in=erased["consultation_ids"]).exists()
    assert not Answer.objects.filter(consultation_id__in=erased["consultation_ids"]).exists()
    assert not Review.objects.filter(author_id=erased["pk"]).exists()
    assert not EmailAddress.objects.filter(user_id=erased["pk"]).exists()
    assert not DataKey.objects.filter(pk=erased["data_key_id"]).exists()


def test_consent_ledger_stays_only_as_pseudonymous_proof(erased: dict[str, Any]) -> None:
    records = ConsentRecord.objects.filter(subject_ref=erased["subject_ref"])
    assert records.count() == 2  # the grant, and the withdrawal recorded with the membership
    assert not records.exclude(member=None).exists()
    assert consent_is_granted(subject_ref=erased["subject_ref"], consent="marketing_email") is False


def test_what_the_law_keeps_moves_to_the_retention_database_sealed(
    erased: dict[str, Any],
) -> None:
    record = RetainedRecord.objects.get(subject_ref=erased["subject_ref"])
    assert record.item_key == "access_log" and record.rule_key == "login_records"
    assert "Communications Secrets" in record.legal_basis
    assert record.started_by == "last_login"
    assert record.destroy_after == datetime.date(2027, 2, 18)  # 90 days after the last log-in
    assert erased["username"] not in record.payload  # sealed
    with retention_access(actor="officer", action="test", subject_ref=record.subject_ref) as s:
        assert s.open_payload(record)["login_id"] == erased["username"]


def test_the_ledger_records_the_withdrawal_without_personal_data(erased: dict[str, Any]) -> None:
    entry = DestructionRecord.objects.get(subject_ref=erased["subject_ref"])
    assert (entry.rule_key, entry.reason, entry.count) == ("membership", "withdrawal", 1)
    assert entry.done_at is not None and entry.source == "members.member"
    assert erased["username"] not in str(vars(entry))


def test_sessions_and_admin_history_naming_the_member_go() -> None:
    member = MemberFactory()
    staff = StaffFactory()
    UserSession.objects.create(user=member, session_key="k" * 32, ip="198.51.100.4",
                               user_agent="Firefox")
    LogEntry.objects.create(
        user=staff, content_type=ContentType.objects.get_for_model(Member),
        object_id=str(member.pk), object_repr=member.username, action_flag=CHANGE,
    )
    member_erase(member=member, reason="withdrawal", actor=staff)
    assert not UserSession.objects.filter(session_key="k" * 32).exists()
    assert not LogEntry.objects.filter(object_repr=member.username).exists()
    log = AccessLogEntry.objects.get(action="member_erase")
    assert (log.actor, log.subject_ref) == (staff.username, member.subject_ref)


def test_a_member_who_never_logged_in_leaves_nothing_in_retention() -> None:
    member = MemberFactory()
    member_erase(member=member, reason="withdrawal")
    assert not RetainedRecord.objects.filter(subject_ref=member.subject_ref).exists()


def test_bad_arguments_are_refused_and_change_nothing() -> None:
    member = MemberFactory()
    with pytest.raises(ValueError, match="reason"):
        member_erase(member=member, reason="")
    with pytest.raises(ValueError, match="saved member"):
        member_erase(member=Member(username="unsaved"), reason="withdrawal")
    assert Member.objects.filter(pk=member.pk).exists()
    assert not DestructionRecord.objects.exists()


def test_verify_erasure_reports_nothing_left_but_lawful_rows(erased: dict[str, Any]) -> None:
    output = run("verify-erasure", "--member-ref", str(erased["subject_ref"]), "--actor", "kim")
    assert "verified" in output
    assert "kept    default: privacy.consentrecord: 2 row(s) (rule consent_proof)" in output
    assert "kept    retention: privacy.retainedrecord: 1 row(s) (rule login_records until " \
        "2027-02-18)" in output
    assert AccessLogEntry.objects.filter(
        actor="kim", action="retention:verify-erasure", subject_ref=erased["subject_ref"]
    ).exists()


def test_verify_erasure_fails_when_rows_are_left(member_with_data: Any) -> None:
    with pytest.raises(CommandError, match="incomplete"):
        run("verify-erasure", "--member-ref", str(member_with_data.subject_ref))


def test_verify_erasure_refuses_a_malformed_reference() -> None:
    with pytest.raises(CommandError, match="must be a UUID"):
        run("verify-erasure", "--member-ref", "not-a-uuid")


def test_verify_erasure_of_an_unknown_subject_finds_nothing() -> None:
    assert "verified" in run("verify-erasure", "--member-ref", str(uuid.uuid4()))


def test_retention_list_reads_only_through_the_logged_command(erased: dict[str, Any]) -> None:
    ref = str(erased["subject_ref"])
    output = run("retention-list", "--actor", "officer")
    assert ref in output and "destroy after 2027-02-18" in output
    assert erased["username"] not in output
    shown = run("retention-list", "--member-ref", ref, "--show-payload", "--actor", "officer")
    assert f"login_id: {erased['username']}" in shown
    actions = list(AccessLogEntry.objects.filter(actor="officer").values_list("action", flat=True))
    assert sorted(actions) == ["retention:list", "retention:show-payload"]


def test_retention_list_refuses_payloads_of_everyone_and_bad_refs() -> None:
    with pytest.raises(CommandError, match="needs --member-ref"):
        run("retention-list", "--show-payload")
    with pytest.raises(CommandError, match="must be a UUID"):
        run("retention-list", "--member-ref", "x")
    assert not AccessLogEntry.objects.exists()


def test_copies_of_the_encrypted_fields_are_unreadable_once_the_key_is_destroyed(
    member_with_data: Any,
) -> None:
    """What a backup or a not-yet-vacuumed PostgreSQL page still holds is ciphertext only."""


    member = member_with_data
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile_phone FROM members_member WHERE id = %s", [member.pk])
        (phone_copy,) = cursor.fetchone()
        cursor.execute("SELECT body FROM consultations_consultation WHERE author_id = %s",
                       [member.pk])
        (body_copy,) = cursor.fetchone()
    assert "9876" not in phone_copy and "흉터" not in body_copy
    MemberFactory()  # someone else, whose key stays
    with time_machine.travel(NOW, tick=False):
        member_erase(member=member, reason="withdrawal")
    remaining = list(DataKey.objects.all())
    assert remaining and member.data_key_id not in {key.pk for key in remaining}
    for data_key in remaining:
        with pytest.raises(crypto.DecryptionError):
            crypto.open_sealed(data_key.material(), phone_copy,
                               context="members.member.mobile_phone")
        with pytest.raises(crypto.DecryptionError):
            crypto.open_sealed(data_key.material(), body_copy,
                               context="consultations.consultation.body")
