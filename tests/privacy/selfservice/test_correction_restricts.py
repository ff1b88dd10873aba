"""A correction asked from any channel holds the item back from every use and provision the
registry knows until it is completed; completion tells every recipient."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from privacy.errors import PrivacyError
from privacy.models import AccessLogEntry, Disclosure, DisclosureBasis, PolicyVersion, RightsRequest
from privacy.policy.services import policy_notice_recipients
from privacy.processors import sms
from privacy.processors.selectors import processor_may_receive
from privacy.processors.services import disclosure_record
from privacy.restrictions import item_is_restricted
from tests.members.factories import log_in
from tests.privacy.factories import ProcessorFactory

pytestmark = pytest.mark.django_db


def ask_correction(client: Client, member: Any, item: str) -> str:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    log_in(client, member)
    response = client.post("/privacy/my-data/request/", {"item": item, "kind": "correction"},
                           follow=True)
    return response.content.decode()


def test_a_correction_asked_on_the_website_restricts_the_item_at_once(client: Client,
                                                                       owner: Any) -> None:
    html = ask_correction(client, owner, "mobile_phone")
    assert "neither used nor provided to anyone" in html
    assert item_is_restricted(subject_ref=owner.subject_ref, item_key="mobile_phone")
    request = RightsRequest.objects.get(kind="correction")
    assert request.channel == "web" and request.completed_at is None
    assert AccessLogEntry.objects.filter(action="correction_start:web").exists()

    html = client.post("/privacy/my-data/request/",
                       {"item": "mobile_phone", "kind": "correction"}, follow=True)
    assert "already under way" in html.content.decode()
    assert RightsRequest.objects.filter(kind="correction").count() == 1


def test_a_disclosure_of_a_restricted_item_is_refused_and_nothing_stored(client: Client,
                                                                         owner: Any) -> None:
    ask_correction(client, owner, "mobile_phone")
    before = Disclosure.objects.count()
    with pytest.raises(PrivacyError, match="not provided: mobile_phone restricted"):
        disclosure_record(subject_ref=owner.subject_ref, recipient="Seoul Insurance",
                          items=["name", "mobile_phone"], legal_basis=DisclosureBasis.CONSENT)
    assert Disclosure.objects.count() == before
    # Items not under correction may still be provided.
    disclosure_record(subject_ref=owner.subject_ref, recipient="Seoul Insurance",
                      items=["name"], legal_basis=DisclosureBasis.CONSENT)
    assert Disclosure.objects.count() == before + 1


def test_a_restricted_mobile_number_gets_no_text_message(client: Client, owner: Any,
                                                          other: Any, settings) -> None:
    settings.SMS_BACKEND = "privacy.processors.sms.LocmemBackend"
    sms.outbox.clear()
    ask_correction(client, owner, "mobile_phone")
    sent = sms.send_messages([
        sms.SmsMessage(to=owner.mobile_phone, body="안내", subject_ref=owner.subject_ref),
        sms.SmsMessage(to=other.mobile_phone, body="안내", subject_ref=other.subject_ref),
    ])
    assert sent == 1
    assert [message.to for message in sms.outbox] == [other.mobile_phone]


def test_a_restricted_email_gets_no_policy_notice(client: Client, owner: Any,
                                                  other: Any) -> None:
    ask_correction(client, owner, "email")
    version = PolicyVersion.objects.get()
    recipients = set(policy_notice_recipients(version=version))
    assert owner not in recipients and other in recipients


def test_no_processor_receives_a_restricted_item(client: Client, owner: Any) -> None:
    processor = ProcessorFactory(items=["name", "mobile_phone"], requires_consent=False)
    assert processor_may_receive(processor=processor, subject_ref=owner.subject_ref)
    ask_correction(client, owner, "mobile_phone")
    assert not processor_may_receive(processor=processor, subject_ref=owner.subject_ref)


def test_the_admin_reveal_shows_the_restriction(client: Client, owner: Any,
                                                admin_client: Client) -> None:
    ask_correction(client, owner, "mobile_phone")
    html = admin_client.post(f"/admin/members/member/{owner.pk}/reveal/").content.decode()
    assert owner.mobile_phone not in html
    assert "(처리정지: 정정이 완료될 때까지 이용하거나 제공할 수 없습니다)" in html


def test_completing_a_website_correction_lifts_it_and_tells_the_recipients(
        client: Client, owner: Any) -> None:
    ask_correction(client, owner, "mobile_phone")
    out = StringIO()
    call_command("privacy", "correct", "--member", owner.username, "--item", "mobile_phone",
                 "--channel", "phone", "--reference", "CALL-9", "--complete",
                 "--value", "010-4444-5555", stdout=out)
    assert "1 recipient(s) notified" in out.getvalue()
    assert not item_is_restricted(subject_ref=owner.subject_ref, item_key="mobile_phone")
    assert [message.to for message in mail.outbox] == [["privacy-own@insurer.example"]]
    assert "010-4444-5555" in mail.outbox[0].body
    assert RightsRequest.objects.get(kind="correction").completed_at is not None


def test_no_mail_goes_to_a_restricted_address_even_without_a_processor(
        client: Client, owner: Any, other: Any, settings) -> None:
    settings.EMAIL_BACKEND = "privacy.processors.mail.ProcessorCheckedEmailBackend"
    settings.EMAIL_REAL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ask_correction(client, owner, "email")
    mail.outbox.clear()
    # The notice that a consultation was answered, or any other message, is held back.
    assert mail.send_mail("답변 안내", "body", None, [owner.email]) == 0
    assert mail.send_mail("답변 안내", "body", None, [other.email]) == 1
    assert [message.to for message in mail.outbox] == [[other.email]]
