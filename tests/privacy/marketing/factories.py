from __future__ import annotations

from datetime import datetime

import factory
import time_machine
from allauth.account.models import EmailAddress

from privacy.ledger import consent_record
from privacy.models import Campaign, CampaignChannel, ConsentMethod, ConsentRecord
from tests.members.factories import MemberFactory


class ReachableMemberFactory(MemberFactory):
    """A member who confirmed their email address, as allauth records it at sign-up."""

    @factory.post_generation
    def confirmed_email(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and self.email and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"봄맞이 이벤트 {n}")
    channel = CampaignChannel.EMAIL
    body = "3월 한 달 동안 상담 예약 시 10% 할인해 드립니다."

    @factory.post_generation
    def areas(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted:
            self.areas.set(extracted)


def consent(member, key: str, granted: bool = True, *, at: datetime | None = None) -> ConsentRecord:
    """Record a consent decision of ``member`` through the ledger service, at ``at`` if given."""
    def record() -> ConsentRecord:
        return consent_record(subject_ref=member.subject_ref, member=member, consent=key,
                              granted=granted, method=ConsentMethod.SIGNUP_FORM)

    if at is None:
        return record()
    with time_machine.travel(at, tick=False):
        return record()
