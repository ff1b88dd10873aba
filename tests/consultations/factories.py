from __future__ import annotations

import datetime
import json

import factory
from django.contrib.auth.hashers import make_password

from consultations.models import (
    Answer,
    BookingRequest,
    Consultation,
    ConsultationArea,
    ConsultationKind,
    ContactChannel,
    GuestConsultation,
    ProcedureRecord,
    Review,
    ReviewStatus,
)
from privacy.lookup import phone_digest
from tests.members.factories import PosterFactory


class ConsultationAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsultationArea
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"area-{n}")
    name_ko = factory.Sequence(lambda n: f"부위{n}")
    name_en = factory.Sequence(lambda n: f"Area {n}")

    @factory.post_generation
    def read_into_the_near_cache(self, create: bool, extracted: object, **kwargs: object) -> None:
        """As once staff have added an area and a page has shown it: the areas that sealed rows
        name by id are in the near cache (``ConsultationArea.objects.by_pk``), so a test that
        counts a page's queries counts its steady state, not the one read after a change."""
        if create:
            ConsultationArea.objects.by_pk(self.pk)


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    author = factory.SubFactory(PosterFactory)
    area = factory.SubFactory(ConsultationAreaFactory)
    title = factory.Sequence(lambda n: f"상담 제목 {n}")
    body = "수술 후 붓기가 언제 빠지나요?"
    is_private = False
    data_key = factory.SelfAttribute("author.data_key")


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    consultation = factory.SubFactory(ConsultationFactory)
    body = "2주 정도면 큰 붓기는 빠집니다."
    data_key = factory.SelfAttribute("consultation.data_key")


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    author = factory.SubFactory(PosterFactory)
    area = factory.SubFactory(ConsultationAreaFactory)
    title = factory.Sequence(lambda n: f"후기 {n}")
    body = "친절하게 상담해 주셨어요."
    rating = 5
    status = ReviewStatus.PUBLISHED
    data_key = factory.SelfAttribute("author.data_key")


class ProcedureRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureRecord

    member = factory.SubFactory(PosterFactory)
    area = factory.SubFactory(ConsultationAreaFactory)
    procedure_name = "쌍꺼풀 수술"
    performed_on = datetime.date(2026, 10, 1)
    data_key = factory.SelfAttribute("member.data_key")


class AftercareFactory(ConsultationFactory):
    kind = ConsultationKind.AFTERCARE
    is_private = True
    procedure = factory.SubFactory(
        ProcedureRecordFactory, member=factory.SelfAttribute("..author")
    )
    area = factory.SelfAttribute("procedure.area")


GUEST_PASSWORD = "guest-pass-4821"


class GuestConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuestConsultation

    reference = factory.Sequence(lambda n: f"TEST-{n:04d}-ABCD")
    password = factory.LazyFunction(lambda: make_password(GUEST_PASSWORD))
    name = "홍길동"
    mobile_phone = "010-9876-5432"
    area = factory.SubFactory(ConsultationAreaFactory)
    title = "코 성형 문의"
    body = "비염이 있는데 코 수술이 가능한가요?"


def seoul(text: str) -> datetime.datetime:
    """"2026-11-27 10:00" in Seoul, as an aware datetime."""
    return datetime.datetime.fromisoformat(f"{text}+09:00")


class BookingRequestFactory(factory.django.DjangoModelFactory):
    """A guest's request for Friday 2026-11-27 10:00 or 14:00 (the test clock is the Thursday
    before), to be told by text message."""

    class Meta:
        model = BookingRequest

    reference = factory.Sequence(lambda n: f"BK{n:02d}-TEST-0000")
    area = factory.SubFactory(ConsultationAreaFactory)
    name = "홍길동"
    channel = ContactChannel.SMS
    contact = "010-1234-5678"
    contact_digest = factory.LazyAttribute(lambda o: phone_digest(o.contact))
    note = "쌍꺼풀 상담"
    preferred_slots = factory.LazyFunction(lambda: json.dumps(
        [seoul("2026-11-27 10:00").isoformat(), seoul("2026-11-27 14:00").isoformat()]))
