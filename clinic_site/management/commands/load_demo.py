"""Load demo content for a local run: areas, answered consultations, reviews, a staff account,
the current privacy policy and the clinic's pages (procedures, doctors, hours, directions).
Safe to run again: it adds only what is missing."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from clinic import services as clinic_services
from clinic.models import Doctor, Holiday, OpeningHours, VisitInformation
from consultations import services
from consultations.models import Consultation, ProcedureRecord, Review, ReviewStatus
from consultations.selectors import BOARD_CONSENT
from privacy.ledger import consent_is_granted, consent_record
from privacy.models import ConsentMethod, PolicyVersion
from privacy.policy.services import policy_version_publish

DEMO_STAFF_LOGIN = "staff"
DEMO_PATIENTS = (
    ("demo_kim", "김민수", "demo.kim@example.com", "010-1111-2222"),
    ("demo_lee", "이서연", "demo.lee@example.com", "010-3333-4444"),
)
DEMO_CONSULTATIONS = (
    ("demo_kim", "eyes", "쌍꺼풀 수술 후 붓기는 얼마나 가나요?",
     "다음 달에 쌍꺼풀 수술을 생각하고 있습니다. 붓기가 빠지는 데 보통 얼마나 걸리나요?",
     False, "보통 2~4주면 큰 붓기는 빠지며, 자연스러워지기까지 2~3개월이 걸립니다."),
    ("demo_lee", "nose", "코 재수술 상담 문의",
     "예전에 코 수술을 받았는데 모양이 마음에 들지 않습니다. 재수술이 가능한지 궁금합니다.",
     True, "사진과 이전 수술 기록을 가지고 내원하시면 정확히 상담해 드리겠습니다."),
    ("demo_kim", "skin", "레이저 토닝 주기",
     "레이저 토닝은 몇 주 간격으로 받는 것이 좋을까요?", False, None),
)
DEMO_REVIEWS = (
    ("demo_lee", "eyes", "자연스러운 눈매가 되었어요",
     "상담부터 수술 후 관리까지 친절하게 안내해 주셔서 만족합니다.", 5),
    ("demo_kim", "face-contour", "회복 과정이 생각보다 편했어요",
     "붓기 관리 방법을 자세히 알려주셔서 도움이 되었습니다.", 4),
)
DEMO_PROCEDURES = (("demo_kim", "eyes", "쌍꺼풀 수술", datetime.date(2026, 10, 1)),)
# (slug, summary ko/en, procedures ko/en, recovery ko/en, risks ko/en)
DEMO_PAGES: tuple[tuple[str, ...], ...] = (
    ("eyes", "쌍꺼풀, 눈매교정, 눈밑 지방 재배치로 또렷하고 자연스러운 눈매를 만듭니다.",
     "Double eyelids, ptosis correction and lower-lid fat repositioning for natural, clear eyes.",
     "<p>절개식·매몰식 쌍꺼풀, 눈매교정, 앞트임, 눈밑 지방 재배치를 합니다.</p>",
     "<p>Incisional and non-incisional double eyelids, ptosis correction, epicanthoplasty and "
     "lower-lid fat repositioning.</p>",
     "<p>실밥은 5~7일 뒤에 풉니다. 큰 붓기는 2~4주, 자연스러워지기까지 2~3개월이 걸립니다.</p>",
     "<p>Stitches come out after 5-7 days. Most swelling settles in 2-4 weeks; the result looks "
     "natural after 2-3 months.</p>",
     "<ul><li>붓기와 멍</li><li>좌우 비대칭</li><li>드물게 감염이나 재수술</li></ul>",
     "<ul><li>Swelling and bruising</li><li>Asymmetry</li><li>Rarely infection or revision</li>"
     "</ul>"),
    ("nose", "콧대, 코끝, 재수술까지 얼굴에 어울리는 코를 상담합니다.",
     "Bridge, tip and revision rhinoplasty, planned for your face.",
     "<p>콧대 높이기, 코끝 성형, 매부리코 교정, 코 재수술을 합니다.</p>",
     "<p>Bridge augmentation, tip plasty, hump reduction and revision rhinoplasty.</p>",
     "<p>부목은 약 1주일 뒤에 제거합니다. 큰 붓기는 1개월, 최종 모양은 6개월 뒤에 "
     "자리 잡습니다.</p>",
     "<p>The splint comes off after about a week. Swelling settles in a month; the final shape "
     "after six months.</p>",
     "<ul><li>붓기와 코막힘</li><li>보형물 비침이나 염증</li><li>모양에 따른 재수술</li></ul>",
     "<ul><li>Swelling and a blocked nose</li><li>Implant visibility or inflammation</li>"
     "<li>Revision for shape</li></ul>"),
    ("skin", "레이저, 리프팅, 색소 치료로 피부를 관리합니다.",
     "Laser, lifting and pigment treatments for your skin.",
     "<p>레이저 토닝, 프락셀, 고주파 리프팅, 기미·잡티 치료를 합니다.</p>",
     "<p>Laser toning, fractional laser, radio-frequency lifting, melasma and spot treatment.</p>",
     "<p>대부분 바로 일상생활을 할 수 있으며, 붉은기는 며칠 안에 가라앉습니다.</p>",
     "<p>Most people return to daily life at once; redness fades within a few days.</p>",
     "<ul><li>일시적인 붉은기</li><li>드물게 색소 침착</li></ul>",
     "<ul><li>Temporary redness</li><li>Rarely pigmentation</li></ul>"),
)
DEMO_DOCTORS = (
    ("장진우", "Jang Jin-woo", "대표원장 · 성형외과 전문의",
     "Head doctor, board-certified plastic surgeon",
     "성형외과 전문의\n대한성형외과학회 정회원", "Board-certified plastic surgeon\n"
     "Member, Korean Society of Plastic and Reconstructive Surgeons"),
    ("김하늘", "Kim Ha-neul", "원장 · 성형외과 전문의", "Doctor, board-certified plastic surgeon",
     "성형외과 전문의\n대한미용성형외과학회 정회원", "Board-certified plastic surgeon\n"
     "Member, Korean Society for Aesthetic Plastic Surgery"),
)
DEMO_HOURS = {
    **{weekday: (datetime.time(10), datetime.time(19)) for weekday in range(5)},
    5: (datetime.time(10), datetime.time(15)),
}
DEMO_HOLIDAYS = (
    (datetime.date(2026, 12, 25), "성탄절", "Christmas Day"),
    (datetime.date(2027, 1, 1), "신정", "New Year's Day"),
)
DEMO_POLICY_VERSION = "1.0"
DEMO_POLICY_EFFECTIVE = datetime.date(2024, 7, 1)


class Command(BaseCommand):
    help = "Load demo content (idempotent). Prints the staff password once, when it is created."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        Member = get_user_model()
        areas = {area.slug: area for area in services.area_ensure_defaults()}

        if not PolicyVersion.objects.filter(version=DEMO_POLICY_VERSION).exists():
            policy_version_publish(
                version=DEMO_POLICY_VERSION, effective_on=DEMO_POLICY_EFFECTIVE,
                summary="개인정보 등록부에서 만든 첫 번째 개인정보처리방침입니다.",
                summary_en="First version of the policy generated from the privacy registry.",
            )

        staff = Member.objects.with_login_id(DEMO_STAFF_LOGIN).first()
        if staff is None:
            password = secrets.token_urlsafe(12)
            staff = Member.objects.create_superuser(
                username=DEMO_STAFF_LOGIN, email="staff@jangps.example", name="상담실",
                password=password,
            )
            self.stdout.write(
                f"Demo staff account created: login '{DEMO_STAFF_LOGIN}', password {password} "
                "(shown only now)."
            )

        patients = {}
        for username, name, email, mobile in DEMO_PATIENTS:
            patient = Member.objects.with_login_id(username).first()
            if patient is None:
                patient = Member.objects.create_user(
                    username=username, email=email, name=name, mobile_phone=mobile
                )
                patient.set_unusable_password()
                patient.save(update_fields=["password"])
            if not consent_is_granted(subject_ref=patient.subject_ref, consent=BOARD_CONSENT):
                # The demo patients write on the boards: they gave the sensitive consent.
                consent_record(subject_ref=patient.subject_ref, member=patient,
                               consent=BOARD_CONSENT, granted=True,
                               method=ConsentMethod.SIGNUP_FORM)
            patients[username] = patient

        for username, area, title, body, private, answer in DEMO_CONSULTATIONS:
            # Titles are sealed: a post already loaded is found by its title's search digests.
            if Consultation.objects.filter(author=patients[username]).title_matching(
                    title).exists():
                continue
            consultation = services.consultation_create(
                author=patients[username], area=areas[area], title=title, body=body,
                is_private=private,
            )
            if answer:
                services.consultation_answer(consultation=consultation, staff=staff, body=answer)

        for username, area, procedure_name, performed_on in DEMO_PROCEDURES:
            if not ProcedureRecord.objects.filter(member=patients[username]).exists():
                services.procedure_record_create(
                    member=patients[username], area=areas[area], procedure_name=procedure_name,
                    performed_on=performed_on, recorded_by=staff,
                )

        for username, area, title, body, rating in DEMO_REVIEWS:
            if Review.objects.filter(author=patients[username]).title_matching(title).exists():
                continue
            review = services.review_create(
                author=patients[username], area=areas[area], title=title, body=body,
                rating=rating,
            )
            Review.objects.filter(pk=review.pk).update(status=ReviewStatus.PUBLISHED)

        self._load_clinic(areas)
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))

    def _load_clinic(self, areas: dict[str, Any]) -> None:
        fields = ("summary", "procedures", "recovery", "risks")
        for slug, *texts in DEMO_PAGES:
            names = [f"{name}_{language}" for name in fields for language in ("ko", "en")]
            clinic_services.procedure_page_ensure(
                area=areas[slug], texts=dict(zip(names, texts, strict=True))
            )
        for position, (name_ko, name_en, spec_ko, spec_en, qual_ko, qual_en) in enumerate(
            DEMO_DOCTORS
        ):
            Doctor.objects.get_or_create(name_ko=name_ko, defaults={
                "name_en": name_en, "specialty_ko": spec_ko, "specialty_en": spec_en,
                "qualifications_ko": qual_ko, "qualifications_en": qual_en, "position": position,
            })
        for weekday, (opens_at, closes_at) in DEMO_HOURS.items():
            OpeningHours.objects.get_or_create(
                weekday=weekday, defaults={"opens_at": opens_at, "closes_at": closes_at}
            )
        for date, name_ko, name_en in DEMO_HOLIDAYS:
            Holiday.objects.get_or_create(date=date, defaults={"name_ko": name_ko,
                                                               "name_en": name_en})
        if not VisitInformation.objects.exists():
            VisitInformation.objects.create(
                subway_ko="2호선 강남역 10번 출구에서 걸어서 3분입니다.",
                subway_en="3 minutes' walk from exit 10 of Gangnam station (line 2).",
                bus_ko="강남역 정류장에서 내리십시오 (간선 140, 402번).",
                bus_en="Get off at the Gangnam station stop (blue buses 140 and 402).",
                parking_ko="건물 지하 주차장을 2시간 무료로 이용하실 수 있습니다.",
                parking_en="Two hours of free parking in the building's basement.",
            )
        clinic_services.clinic_cache_clear()
