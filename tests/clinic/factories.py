from __future__ import annotations

import datetime

import factory

from clinic.models import Doctor, Holiday, OpeningHours, ProcedurePage, VisitInformation
from tests.consultations.factories import ConsultationAreaFactory


class ProcedurePageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedurePage

    area = factory.SubFactory(ConsultationAreaFactory)
    summary_ko = "자연스러운 눈매를 만듭니다."
    summary_en = "Natural-looking eyes."
    procedures_ko = "<p>쌍꺼풀 수술과 <strong>눈매교정</strong>을 합니다.</p>"
    procedures_en = "<p>Double eyelids and <strong>ptosis correction</strong>.</p>"
    recovery_ko = "<p>큰 붓기는 2~4주면 빠집니다.</p>"
    recovery_en = "<p>Most swelling settles in 2-4 weeks.</p>"
    risks_ko = "<ul><li>붓기와 멍</li></ul>"
    risks_en = "<ul><li>Swelling and bruising</li></ul>"


class DoctorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Doctor

    name_ko = factory.Sequence(lambda n: f"의사{n}")
    name_en = factory.Sequence(lambda n: f"Doctor {n}")
    specialty_ko = "성형외과 전문의"
    specialty_en = "Board-certified plastic surgeon"
    qualifications_ko = "성형외과 전문의\n대한성형외과학회 정회원"
    qualifications_en = "Board-certified plastic surgeon\nMember, KSPRS"


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours
        django_get_or_create = ("weekday",)

    weekday = 0
    opens_at = datetime.time(10)
    closes_at = datetime.time(19)


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holiday

    date = datetime.date(2026, 12, 25)
    name_ko = "성탄절"
    name_en = "Christmas Day"


class VisitInformationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitInformation

    subway_ko = "2호선 강남역 10번 출구"
    subway_en = "Gangnam station exit 10 (line 2)"
    bus_ko = "강남역 정류장"
    bus_en = "Gangnam station stop"


def week_of_hours() -> None:
    """Monday to Friday 10:00-19:00, Saturday 10:00-15:00, Sunday closed."""
    for weekday in range(5):
        OpeningHoursFactory(weekday=weekday)
    OpeningHoursFactory(weekday=5, closes_at=datetime.time(15))
