"""The privacy manager records consent decisions received offline and acts for a guest by the
consultation's reference: export and erase."""

from __future__ import annotations

import io
import json
import zipfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from consultations.models import Consultation, GuestConsultation
from privacy.ledger import consent_is_granted, consents_current_for
from privacy.models import AccessLogEntry, ConsentRecord, DataKey, RightsRequest
from tests.consultations.factories import GuestConsultationFactory

pytestmark = pytest.mark.django_db(databases=["default", "retention"])


def run(*args: str) -> str:
    out = StringIO()
    call_command("privacy", *args, stdout=out)
    return out.getvalue()


def test_a_members_consent_received_by_phone_goes_on_the_ledger(owner: Any) -> None:
    output = run("consent", "--member", owner.username, "--withdraw", "marketing_email",
                 "--channel", "phone", "--reference", "CALL-2026-31")
    assert "recorded marketing_email withdrawn" in output
    assert not consent_is_granted(subject_ref=owner.subject_ref, consent="marketing_email")
    record = consents_current_for(subject_ref=owner.subject_ref)["marketing_email"]
    assert (record.method, record.actor, record.channel, record.reference) == (
        "officer", "staff", "phone", "CALL-2026-31")
    entry = AccessLogEntry.objects.get(action="consent_withdraw:phone")
    assert entry.subject_ref == owner.subject_ref and entry.actor.startswith("shell:")
    request = RightsRequest.objects.get(kind="consent_withdrawal")
    assert (request.channel, request.reference) == ("phone", "CALL-2026-31")
    # An advertising consent change is confirmed to the person, naming how it was received.
    [message] = mail.outbox
    assert message.to == [owner.email] and "phone" in message.body


def test_a_guests_consent_received_by_mail(owner: Any) -> None:
    guest = GuestConsultationFactory()
    output = run("consent", "--guest", guest.reference.lower(), "--withdraw",
                 "guest_consultation", "--channel", "mail", "--reference", "L-77")
    assert f"guest consultation {guest.reference}" in output
    record = ConsentRecord.objects.filter(subject_ref=guest.subject_ref).latest("recorded_at",
                                                                               "id")
    assert not record.granted and record.channel == "mail" and record.reference == "L-77"


@pytest.mark.parametrize(("args", "error"), [
    (("--member", "{member}", "--grant", "marketing_fax"), "unknown consent 'marketing_fax'"),
    (("--guest", "{guest}", "--grant", "marketing_email"), "unknown consent 'marketing_email'"),
    (("--guest", "ZZZZ-ZZZZ-ZZZZ", "--grant", "guest_consultation"),
     "no guest consultation with reference 'ZZZZ-ZZZZ-ZZZZ'"),
    (("--member", "nobody_here", "--grant", "marketing_email"), "no member with login ID"),
])
def test_bad_consent_input_is_one_line_and_changes_nothing(owner: Any, args: tuple[str, ...],
                                                           error: str) -> None:
    guest = GuestConsultationFactory()
    before = ConsentRecord.objects.count()
    filled = [a.format(member=owner.username, guest=guest.reference) for a in args]
    with pytest.raises(CommandError, match=error) as refused:
        run("consent", *filled, "--channel", "phone", "--reference", "CALL-1")
    assert "\n" not in str(refused.value)
    assert ConsentRecord.objects.count() == before
    assert not RightsRequest.objects.exists() and mail.outbox == []


def test_consent_dry_run_changes_nothing(owner: Any) -> None:
    before = ConsentRecord.objects.count()
    output = run("consent", "--member", owner.username, "--grant", "marketing_sms", "--channel",
                 "mail", "--reference", "L-1", "--dry-run")
    assert output.startswith("dry run: would record marketing_sms granted")
    assert ConsentRecord.objects.count() == before and mail.outbox == []


def test_guest_export_writes_the_guests_zip(tmp_path: Path) -> None:
    guest = GuestConsultationFactory(name="홍길동", body="비염이 있는데 코 수술이 가능한가요?")
    other = GuestConsultationFactory(name="김철수")
    target = tmp_path / "guest.zip"
    output = run("guest-export", guest.reference, "--channel", "mail", "--reference", "L-5",
                 "--output", str(target))
    assert f"exported guest consultation {guest.reference}" in output
    document = json.loads(zipfile.ZipFile(io.BytesIO(target.read_bytes())).read("data.json"))
    assert document["consultation"]["name"] == "홍길동"
    assert "비염" in document["consultation"]["question"]
    assert "김철수" not in json.dumps(document, ensure_ascii=False)
    assert document["reference"] == guest.reference
    entry = AccessLogEntry.objects.get(action="data_export:mail")
    assert entry.subject_ref == guest.subject_ref and other.subject_ref != entry.subject_ref
    assert RightsRequest.objects.get(kind="export").reference == "L-5"


def test_guest_erase_destroys_the_guests_data(tmp_path: Path) -> None:
    guest = GuestConsultationFactory(name="홍길동")
    key_id = guest.data_key_id
    output = run("guest-erase", guest.reference, "--channel", "phone", "--reference", "CALL-8")
    assert "is destroyed" in output
    guest.refresh_from_db()
    assert guest.destroyed_at is not None and guest.name == "" and guest.body == ""
    assert not DataKey.objects.filter(pk=key_id).exists()
    assert RightsRequest.objects.get(kind="deletion").channel == "phone"
    assert AccessLogEntry.objects.filter(action="guest_erase:phone").exists()
    with pytest.raises(CommandError, match="was destroyed on"):
        run("guest-export", guest.reference, "--channel", "mail", "--reference", "L-6",
            "--output", str(tmp_path / "late.zip"))
    assert not (tmp_path / "late.zip").exists()


@pytest.mark.parametrize("action", ["guest-export", "guest-erase"])
def test_an_unknown_guest_reference_is_refused(action: str, tmp_path: Path) -> None:
    GuestConsultationFactory()
    extra = ["--output", str(tmp_path / "x.zip")] if action == "guest-export" else []
    with pytest.raises(CommandError, match="no guest consultation with reference 'NOPE-0000'"):
        run(action, "NOPE-0000", "--channel", "mail", "--reference", "L-9", *extra)
    assert not RightsRequest.objects.exists()
    assert GuestConsultation.objects.filter(destroyed_at__isnull=True).count() == 1
    assert not (tmp_path / "x.zip").exists()


def test_guest_erase_dry_run_changes_nothing() -> None:
    guest = GuestConsultationFactory()
    assert "was not erased" in run("guest-erase", guest.reference, "--channel", "mail",
                                   "--reference", "L-1", "--dry-run")
    guest.refresh_from_db()
    assert guest.destroyed_at is None and not RightsRequest.objects.exists()


def test_withdrawing_the_sensitive_consent_from_the_shell_lists_and_destroys(owner: Any) -> None:
    consultation = Consultation.objects.get(author=owner)
    output = run("consent", "--member", owner.username, "--withdraw", "sensitive_health",
                 "--channel", "mail", "--reference", "L-12", "--dry-run")
    assert f"destroy   consultation #{consultation.pk} (1 answer(s))" in output
    assert Consultation.objects.filter(author=owner).exists()
    output = run("consent", "--member", owner.username, "--withdraw", "sensitive_health",
                 "--channel", "mail", "--reference", "L-12")
    assert "destroy   desired_area" in output and "recorded sensitive_health withdrawn" in output
    assert not Consultation.objects.filter(author=owner).exists()
