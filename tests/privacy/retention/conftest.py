"""Fixtures for the retention and destruction tests."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.management import call_command

from privacy.ledger import consent_record
from privacy.models import ConsentMethod
from privacy.retention.destruction import purge
from tests.consultations.factories import AnswerFactory, ConsultationFactory, ReviewFactory
from tests.members.factories import MemberFactory

SEOUL = datetime.timezone(datetime.timedelta(hours=9))


def at(*args: int) -> datetime.datetime:
    """A moment in Seoul time (the site's time zone)."""
    return datetime.datetime(*args, tzinfo=SEOUL)


def purge_on(moment: datetime.datetime, *rules: str) -> Any:
    """``privacy purge`` of ``rules`` as of ``moment``; a rule that raised fails the test (the
    purge itself reports a failing rule and goes on with the others)."""


    with time_machine.travel(moment, tick=False):
        report = purge(rule_keys=list(rules))
    assert not report.failed, [rule.error for rule in report.failed]
    return report


def run(*args: str) -> str:
    out = StringIO()
    call_command("privacy", *args, stdout=out)
    return out.getvalue()


def unconfirmed_member(**kwargs: Any) -> Any:
    member = MemberFactory(**kwargs)
    EmailAddress.objects.create(user=member, email=member.email, verified=False, primary=True)
    return member


@pytest.fixture
def member_with_data() -> Any:
    """A member who logged in, posted, was answered, reviewed and consented."""
    member = MemberFactory(
        username="hong_gildong", name="홍길동테스트", email="gildong.hong@example.org",
        mobile_phone="010-9876-5432",
    )
    member.last_login = at(2026, 11, 20, 10, 0)
    member.save(update_fields=["last_login"])
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    consultation = ConsultationFactory(author=member, body="쌍꺼풀 수술 후 흉터가 걱정됩니다")
    AnswerFactory(consultation=consultation, body="흉터는 6개월이면 옅어집니다")
    ReviewFactory(author=member, body="코 성형 후기입니다 만족합니다")
    consent_record(
        subject_ref=member.subject_ref, member=member, consent="marketing_email", granted=True,
        method=ConsentMethod.SIGNUP_FORM, ip_address="203.0.113.7",
    )
    return member
