"""Load demo content for a local run: areas, answered consultations, reviews, a staff account
and the current privacy policy. Safe to run again: it adds only what is missing."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

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

        staff = Member.objects.filter(username=DEMO_STAFF_LOGIN).first()
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
            patient = Member.objects.filter(username=username).first()
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
            if Consultation.objects.filter(title=title).exists():
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
            if Review.objects.filter(title=title).exists():
                continue
            review = services.review_create(
                author=patients[username], area=areas[area], title=title, body=body,
                rating=rating,
            )
            Review.objects.filter(pk=review.pk).update(status=ReviewStatus.PUBLISHED)

        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
