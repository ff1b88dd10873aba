"""SMS goes through a pluggable backend chosen by the SMS_BACKEND setting."""

from __future__ import annotations

import datetime
import importlib
from io import StringIO

import pytest

from clinic_site import settings as project_settings
from privacy import registry
from privacy.ledger import consent_record
from privacy.models import ConsentMethod, Processor
from privacy.processors import sms
from tests.members.factories import MemberFactory


def test_locmem_backend_keeps_messages_for_tests() -> None:
    count = sms.send_messages([sms.SmsMessage(to="010-1234-5678", body="안녕하세요")])
    assert count == 1
    assert sms.outbox == [sms.SmsMessage(to="010-1234-5678", body="안녕하세요")]


def test_console_backend_writes_to_its_stream(settings) -> None:
    settings.SMS_SENDER_NUMBER = "02-6677-0010"
    stream = StringIO()
    backend = sms.get_backend("privacy.processors.sms.ConsoleBackend", stream=stream)
    assert backend.send_messages([sms.SmsMessage(to="010-1111-2222", body="본문")]) == 1
    assert "SMS from 02-6677-0010 to 010-1111-2222\n본문" in stream.getvalue()
    assert sms.outbox == []


def test_the_setting_chooses_the_backend(settings) -> None:
    settings.SMS_BACKEND = "privacy.processors.sms.ConsoleBackend"
    assert isinstance(sms.get_backend(), sms.ConsoleBackend)
    settings.SMS_BACKEND = "privacy.processors.sms.LocmemBackend"
    assert isinstance(sms.get_backend(), sms.LocmemBackend)


def test_console_is_the_default(monkeypatch) -> None:
    monkeypatch.delenv("SMS_BACKEND", raising=False)
    reloaded = importlib.reload(project_settings)
    assert reloaded.SMS_BACKEND == "privacy.processors.sms.ConsoleBackend"
    monkeypatch.setenv("SMS_BACKEND", "acme_sms.Backend")
    assert importlib.reload(project_settings).SMS_BACKEND == "acme_sms.Backend"
    monkeypatch.delenv("SMS_BACKEND")
    importlib.reload(project_settings)


def test_the_base_class_is_the_interface_a_provider_implements() -> None:
    with pytest.raises(NotImplementedError):
        sms.BaseSmsBackend().send_messages([])


@pytest.mark.django_db
def test_an_sms_provider_needing_consent_gets_no_message_for_members_who_did_not_consent(
) -> None:
    provider = Processor.objects.create(
        name="Hanbit SMS", tasks_ko="문자 발송", tasks_en="sending text messages",
        items=["mobile_phone"], since=datetime.date(2020, 1, 1), sends_sms=True,
        requires_consent=True,
    )
    agreed, refused = MemberFactory(), MemberFactory()
    consent_record(subject_ref=agreed.subject_ref, member=agreed, consent=provider.consent_key,
                   granted=True, method=ConsentMethod.CONSENT_PAGE)
    sms.outbox.clear()
    sent = sms.send_messages([
        sms.SmsMessage(to="010-1111-2222", body="안내", subject_ref=agreed.subject_ref,
                       purpose=registry.HandOver.MARKETING),
        sms.SmsMessage(to="010-3333-4444", body="안내", subject_ref=refused.subject_ref,
                       purpose=registry.HandOver.MARKETING),
        sms.SmsMessage(to="010-5555-6666", body="안내"),  # not a member's number
    ], backend=sms.LocmemBackend())
    assert sent == 2
    assert [message.to for message in sms.outbox] == ["010-1111-2222", "010-5555-6666"]
    sms.outbox.clear()
    # A message the membership needs (no advertising purpose) reaches the member who refused.
    assert sms.send_messages([
        sms.SmsMessage(to="010-3333-4444", body="인증번호", subject_ref=refused.subject_ref),
    ], backend=sms.LocmemBackend()) == 1
    assert [message.to for message in sms.outbox] == ["010-3333-4444"]
