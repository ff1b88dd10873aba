"""Delegation (policy section 5): no member's data reaches a consent-requiring processor first."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

import clinic_site.settings as configured
from privacy.ledger import consent_record
from privacy.models import ConsentMethod, ConsentRecord
from privacy.processors.mail import refused_addresses
from privacy.processors.selectors import processor_may_receive
from privacy.registry import HANDOVER_HEADER, HandOver
from tests.members.factories import MemberFactory
from tests.privacy.factories import ProcessorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked_mail(settings):
    settings.EMAIL_BACKEND = "privacy.processors.mail.ProcessorCheckedEmailBackend"
    settings.EMAIL_REAL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def grant(member, processor, granted: bool = True) -> None:
    consent_record(subject_ref=member.subject_ref, member=member,
                   consent=processor.consent_key, granted=granted,
                   method=ConsentMethod.CONSENT_PAGE)


def test_processor_may_receive_follows_consent_and_period() -> None:
    member = MemberFactory()
    free = ProcessorFactory(requires_consent=False)
    gated = ProcessorFactory(requires_consent=True)
    ended = ProcessorFactory(until=datetime.date(2026, 2, 1))
    assert processor_may_receive(processor=free, subject_ref=member.subject_ref)
    assert not processor_may_receive(processor=gated, subject_ref=member.subject_ref)
    assert not processor_may_receive(processor=ended, subject_ref=member.subject_ref)
    assert processor_may_receive(processor=gated, subject_ref=member.subject_ref,
                                 purpose=HandOver.ACCOUNT)  # the membership needs it
    grant(member, gated)
    assert processor_may_receive(processor=gated, subject_ref=member.subject_ref)
    grant(member, gated, granted=False)
    assert not processor_may_receive(processor=gated, subject_ref=member.subject_ref)


def test_consent_keys_of_unknown_processors_are_refused() -> None:
    member = MemberFactory()
    for key in ("processor:999", "processor:abc", "processor:"):
        with pytest.raises(ValueError, match="unknown consent"):
            consent_record(subject_ref=member.subject_ref, consent=key, granted=True,
                           method=ConsentMethod.CONSENT_PAGE)
    assert not ConsentRecord.objects.exists()


def advertisement(*to: str) -> EmailMessage:
    return EmailMessage("Event", "body", None, list(to),
                        headers={HANDOVER_HEADER: HandOver.MARKETING})


def test_advertising_mail_to_members_without_consent_is_withheld(checked_mail) -> None:
    ProcessorFactory(sends_email=True, requires_consent=True)
    processor = ProcessorFactory(sends_email=True, requires_consent=True, name="Second Mail")
    agreed, silent = MemberFactory(), MemberFactory()
    for p in type(processor).objects.all():
        grant(agreed, p)
    sent = advertisement(agreed.email, silent.email, "officer@clinic.example").send()
    assert sent == 1
    assert mail.outbox[0].to == [agreed.email, "officer@clinic.example"]
    assert advertisement(silent.email).send() == 0
    assert len(mail.outbox) == 1
    # Mail the membership needs is not advertising: it reaches the member all the same.
    assert send_mail("Your account", "body", None, [silent.email]) == 1
    assert mail.outbox[1].to == [silent.email]


def test_mail_passes_when_no_consent_is_required(checked_mail) -> None:
    ProcessorFactory(sends_email=True, requires_consent=False)
    ProcessorFactory(sends_email=False, requires_consent=True)  # does not carry mail
    member = MemberFactory()
    message = EmailMessage("Hi", "body", None, [f"Member <{member.email.upper()}>"])
    assert message.send() == 1
    assert len(mail.outbox) == 1


def test_the_settings_wrap_the_configured_backend() -> None:
    assert configured.EMAIL_BACKEND == "privacy.processors.mail.ProcessorCheckedEmailBackend"
    assert configured.EMAIL_REAL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"


def test_admin_lists_processors_and_refuses_unknown_items(admin_client) -> None:
    ProcessorFactory(name="Hanbit Mail Co.")
    assert "Hanbit Mail Co." in admin_client.get("/admin/privacy/processor/").content.decode()
    response = admin_client.post("/admin/privacy/processor/add/", {
        "name": "Bad Co.", "tasks_ko": "x", "tasks_en": "x", "items": ["shoe_size"],
        "since": "2026-01-01",
    })
    assert response.status_code == 200
    assert not ProcessorFactory._meta.model.objects.filter(name="Bad Co.").exists()


def test_the_wrapper_refuses_to_wrap_itself(settings) -> None:
    settings.EMAIL_REAL_BACKEND = "privacy.processors.mail.ProcessorCheckedEmailBackend"
    with pytest.raises(ImproperlyConfigured, match="name the real mail backend"):
        get_connection("privacy.processors.mail.ProcessorCheckedEmailBackend")


def test_the_check_costs_the_same_queries_for_many_addresses(
    checked_mail, django_assert_max_num_queries
) -> None:
    """One query per processor, not per member: a campaign batch of hundreds costs the same."""

    ProcessorFactory(sends_email=True, requires_consent=True)
    members = [MemberFactory() for _ in range(12)]
    for member in members[::2]:
        grant(member, ProcessorFactory._meta.model.objects.get())
    addresses = {member.email for member in members}
    refused_addresses(addresses, purpose=HandOver.MARKETING)  # warms the policy-version cache
    # processors, members, restrictions, one ledger read per processor
    with django_assert_max_num_queries(4):
        refused = refused_addresses(addresses, purpose=HandOver.MARKETING)
    assert refused == {member.email for member in members[1::2]}
    assert refused_addresses(addresses, purpose=HandOver.ACCOUNT) == set()


def test_an_open_connection_reads_the_processors_once_for_all_its_messages(checked_mail) -> None:
    """A campaign or breach batch sends message by message on one open connection: the
    processors are read when it opens, not again for each message."""

    processor = ProcessorFactory(sends_email=True, requires_consent=True)
    members = [MemberFactory() for _ in range(4)]
    grant(members[0], processor)
    with CaptureQueriesContext(connection) as queries, get_connection() as mail_connection:
        sent = sum(mail_connection.send_messages([advertisement(member.email)])
                   for member in members)
    reads = [q["sql"] for q in queries if 'FROM "privacy_processor"' in q["sql"]]
    assert len(reads) == 1
    assert sent == 1 and [m.to for m in mail.outbox] == [[members[0].email]]
