from __future__ import annotations

import factory

from consultations.models import Answer, Consultation, ConsultationArea, Review, ReviewStatus
from tests.members.factories import MemberFactory


class ConsultationAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsultationArea
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"area-{n}")
    name_ko = factory.Sequence(lambda n: f"부위{n}")
    name_en = factory.Sequence(lambda n: f"Area {n}")


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    author = factory.SubFactory(MemberFactory)
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

    author = factory.SubFactory(MemberFactory)
    area = factory.SubFactory(ConsultationAreaFactory)
    title = factory.Sequence(lambda n: f"후기 {n}")
    body = "친절하게 상담해 주셨어요."
    rating = 5
    status = ReviewStatus.PUBLISHED
    data_key = factory.SelfAttribute("author.data_key")
