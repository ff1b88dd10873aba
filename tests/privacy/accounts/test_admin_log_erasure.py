"""The admin's change history is a store of personal data: withdrawal and the purge remove every
entry naming the member's records, and ``privacy verify-erasure`` fails on one left behind."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError

from consultations.models import Answer, Consultation
from members.models import Member
from privacy.retention.destruction import member_erase
from tests.consultations.factories import AnswerFactory, ConsultationFactory
from tests.members.factories import PosterFactory, StaffFactory
from tests.privacy.retention.conftest import run

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

PRIVATE_TITLE = "비공개 상담: 코 재수술 상담 문의"


def _log(staff: Any, obj: Any, flag: int, message: str = "") -> LogEntry:
    return LogEntry.objects.create(
        user=staff, content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk), object_repr=str(obj)[:200], action_flag=flag,
        change_message=message,
    )


@pytest.fixture
def answered(db: Any) -> dict[str, Any]:
    """A private consultation answered in the admin: the admin logged the answer and the
    consultation, naming the private title."""
    member = PosterFactory()
    staff = StaffFactory()
    consultation = ConsultationFactory(author=member, title=PRIVATE_TITLE, is_private=True)
    answer = AnswerFactory(consultation=consultation, author=staff)
    _log(staff, consultation, CHANGE, f'[{{"added": {{"name": "answer", "object": "{answer}"}}}}]')
    _log(staff, answer, ADDITION)
    _log(staff, member, CHANGE)
    return {"member": member, "staff": staff, "consultation": consultation, "answer": answer}


def _naming(*objects: Any) -> list[LogEntry]:
    return [entry for entry in LogEntry.objects.all()
            if any(entry.content_type.model_class() is type(obj)
                   and entry.object_id == str(obj.pk) for obj in objects)]


def test_withdrawal_and_purge_leave_no_entry_naming_the_members_records(
    answered: dict[str, Any],
) -> None:
    member, consultation, answer = answered["member"], answered["consultation"], \
        answered["answer"]
    assert len(_naming(member, consultation, answer)) == 3
    member_erase(member=member, reason="withdrawal")
    run("purge")
    assert not Consultation.objects.filter(pk=consultation.pk).exists()
    assert not Answer.objects.filter(pk=answer.pk).exists()
    assert _naming(member, consultation, answer) == []
    assert not LogEntry.objects.filter(object_repr__contains="재수술").exists()
    assert "verified" in run("verify-erasure", "--member-ref", str(member.subject_ref))


def test_a_remnant_in_the_admin_log_fails_verification_naming_it(
    answered: dict[str, Any],
) -> None:
    member, consultation = answered["member"], answered["consultation"]
    member_erase(member=member, reason="withdrawal")
    # Planted by hand: an entry naming the destroyed consultation by its private title.
    LogEntry.objects.create(
        user=answered["staff"], content_type=ContentType.objects.get_for_model(Consultation),
        object_id=str(consultation.pk), object_repr=PRIVATE_TITLE, action_flag=CHANGE,
    )
    with pytest.raises(CommandError, match="incomplete") as failure:
        run("verify-erasure", "--member-ref", str(member.subject_ref))
    assert "1 row(s) left" in str(failure.value)


def test_verification_names_the_admin_log(answered: dict[str, Any]) -> None:
    member = answered["member"]
    member_erase(member=member, reason="withdrawal")
    LogEntry.objects.create(
        user=answered["staff"], content_type=ContentType.objects.get_for_model(Member),
        object_id=str(member.pk), object_repr=member.username, action_flag=CHANGE,
    )
    out = StringIO()
    with pytest.raises(CommandError, match="incomplete"):
        call_command("privacy", "verify-erasure", "--member-ref", str(member.subject_ref),
                     stdout=out)
    assert "LEFT    default: admin.logentry: 1 row(s)" in out.getvalue()


def test_the_purge_removes_the_entry_of_a_record_deleted_in_the_admin() -> None:
    staff = StaffFactory()
    consultation = ConsultationFactory(author=PosterFactory(), title=PRIVATE_TITLE)
    _log(staff, consultation, DELETION)
    kept = _log(staff, ConsultationFactory(author=PosterFactory()), CHANGE)
    consultation.delete()
    assert "admin_log" in run("purge")
    assert list(LogEntry.objects.all()) == [kept]
