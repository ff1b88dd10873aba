"""A member with something in (nearly) every registry item, and their legal representative."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from members.models import LegalRepresentative, LoginRecord, LoginResult
from privacy.ledger import consent_record
from privacy.models import ConsentMethod, DisclosureBasis, PolicyVersion
from privacy.processors.services import disclosure_record
from tests.consultations.factories import (
    AnswerFactory,
    ConsultationAreaFactory,
    ConsultationFactory,
    ReviewFactory,
)
from tests.members.factories import MemberFactory, PosterFactory


@pytest.fixture
def policy_version(db: Any) -> PolicyVersion:
    return PolicyVersion.objects.create(version="1.0", effective_on=date(2024, 7, 1))


def fill(member: Any, *, tag: str) -> Any:
    """Give ``member`` data in the items a member can have, each value marked with ``tag``."""
    area = ConsultationAreaFactory(slug=f"area-{tag}", name_ko=f"부위-{tag}",
                                   name_en=f"Area {tag}")
    member.home_phone = "02-123-4567"
    member.home_address = f"서울시 중구 {tag}로 1"
    member.date_of_birth = "1990-05-17"
    member.desired_area = area
    member.save()
    for key in ("optional_items", "sensitive_health", "marketing_email"):
        consent_record(subject_ref=member.subject_ref, member=member, consent=key, granted=True,
                       method=ConsentMethod.SIGNUP_FORM, ip_address="203.0.113.7")
    consultation = ConsultationFactory(author=member, area=area, body=f"질문 본문 {tag}")
    AnswerFactory(consultation=consultation, body=f"답변 본문 {tag}")
    ReviewFactory(author=member, area=area, body=f"후기 본문 {tag}")
    LoginRecord.objects.create(member=member, result=LoginResult.SUCCESS,
                               ip_address="198.51.100.4", recorded_at=timezone.now())
    disclosure_record(subject_ref=member.subject_ref, recipient=f"보험사 {tag}",
                      recipient_contact=f"privacy-{tag}@insurer.example",
                      items=["name", "mobile_phone"], legal_basis=DisclosureBasis.CONSENT)
    return member


@pytest.fixture
def owner(policy_version: PolicyVersion) -> Any:
    return fill(PosterFactory(name="주인회원", mobile_phone="010-1111-2222"), tag="own")


@pytest.fixture
def other(policy_version: PolicyVersion) -> Any:
    return fill(PosterFactory(name="다른회원", mobile_phone="010-3333-4444"), tag="other")


@pytest.fixture
def family(policy_version: PolicyVersion) -> tuple[Any, Any]:
    """A representative member and the child under 14 they confirmed."""
    parent = PosterFactory(name="보호자", mobile_phone="010-5555-6666")
    child = fill(MemberFactory(name="어린이", mobile_phone="010-7777-8888"), tag="child")
    LegalRepresentative.objects.create(
        child=child, name="보호자", email=parent.email, relation="parent",
        representative_member=parent, confirmed_at=timezone.now(),
    )
    return parent, child
