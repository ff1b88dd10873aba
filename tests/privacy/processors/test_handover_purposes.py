"""Hand-over by purpose (policy section 5): what the membership needs is never withheld for want
of a consent; advertising waits for the consent a processor asks for."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from members.emails import email_stand_in
from members.models import Member
from privacy.models import Processor
from tests.members.conftest import STRONG_PASSWORD
from tests.members.factories import MemberFactory
from tests.privacy.factories import ProcessorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def consent_requiring_mailer(settings: Any) -> Processor:
    settings.EMAIL_BACKEND = "privacy.processors.mail.ProcessorCheckedEmailBackend"
    settings.EMAIL_REAL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return ProcessorFactory(sends_email=True, requires_consent=True)


def test_sign_up_confirmation_reaches_a_new_member_who_cannot_have_consented_yet(
    client: Client, consent_requiring_mailer: Processor
) -> None:
    response = client.post("/accounts/signup/", {
        "name": "홍길동", "username": "hong_gildong", "email": "hong@example.com",
        "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD,
        "mobile_phone": "010 1234 5678", "date_of_birth": "1990-05-17", "home_phone": "",
        "home_address": "", "desired_area": "",
    })
    assert response.status_code == 302
    assert Member.objects.with_login_id("hong_gildong").exists()
    assert [message.to for message in mail.outbox] == [["hong@example.com"]]


def test_a_password_reset_reaches_a_member_who_did_not_consent(
    client: Client, consent_requiring_mailer: Processor
) -> None:
    member = MemberFactory()
    EmailAddress.objects.update_or_create(
        user=member, email=email_stand_in(member.email),
        defaults={"verified": True, "primary": True},
    )
    response = client.post("/accounts/password/reset/", {"email": member.email})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[member.email]]


def test_a_processor_is_in_korea_and_needs_no_consent_unless_staff_say_so() -> None:
    processor = Processor.objects.create(name="Mailer", tasks_ko="발송", tasks_en="sending",
                                         since="2026-01-01")
    assert processor.country == "KR"
    assert processor.requires_consent is False
