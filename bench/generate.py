"""Bulk data for the benchmarks: members, consultations (with staff answers) and reviews.

Rows go in with ``bulk_create`` in chunks, one transaction per table. Every member gets a data
key of their own (created in bulk, wrapped by the KEK like ``DataKey.objects.create_for_subject``
does), and personal fields are sealed in Python with ``privacy.crypto.seal`` under the author's
key, so the rows are exactly what the site would have written, at a fraction of the cost of
``save()`` per row. One member, ``bench_owner``, has ``OWNER_POSTS`` consultations (the "my data"
page), a confirmed email address and the consent to sensitive information (so that the new
consultation form opens to them); everything else is spread at random (fixed seed) over three
years.

Use only on a scratch database (``bench/bench_pages.py`` makes one); run from ``bench_pages``,
or alone for a look at the timings:
``VAR_DIR=/tmp/bench-var python bench/generate.py --members 2000``.
"""

from __future__ import annotations

import argparse
import datetime
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass

OWNER_USERNAME = "bench_owner"
OWNER_POSTS = 500
SEED = 14
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = ("민수", "서연", "지훈", "하은", "도윤", "수빈", "예준", "지우", "현우", "유진")
TOPICS = ("쌍꺼풀", "코 성형", "안면윤곽", "지방흡입", "리프팅", "레이저 토닝", "가슴 성형")
QUESTIONS = (
    "수술 후 붓기는 얼마나 가나요?", "재수술이 가능한지 궁금합니다.", "회복 기간이 궁금합니다.",
    "상담 예약은 어떻게 하나요?", "비용 안내를 받고 싶습니다.",
)


@dataclass
class Timings:
    members: float = 0.0
    consultations: float = 0.0
    reviews: float = 0.0

    @property
    def total(self) -> float:
        return self.members + self.consultations + self.reviews


def _chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, size):
        yield start, min(size, total - start)


def sealed(material: bytes, plaintext: str, *, context: str) -> str:
    """Ciphertext as the field would write it; marked as such, so ``pre_save`` keeps it."""
    from privacy import crypto
    from privacy.fields import Ciphertext

    return Ciphertext(crypto.seal(material, plaintext, context=context))


def _body(rng: random.Random, topic: str) -> str:
    return f"{topic} 관련 문의입니다. {rng.choice(QUESTIONS)} " * rng.randint(1, 4)


def generate(
    *, members: int, consultations: int, reviews: int, chunk: int = 2000, seed: int = SEED
) -> Timings:
    """Insert the rows; returns seconds spent per table (key wrapping and sealing included)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from consultations.models import (
        Answer,
        Consultation,
        ConsultationArea,
        ConsultationKind,
        Review,
        ReviewStatus,
    )
    from consultations.selectors import BOARD_CONSENT
    from privacy import crypto
    from privacy.ledger import consent_record
    from privacy.models import ConsentMethod, DataKey

    Member = get_user_model()
    rng = random.Random(seed)
    timings = Timings()
    now = timezone.now()
    three_years = 3 * 365 * 86_400
    areas = list(ConsultationArea.objects.filter(is_active=True))
    staff = Member.objects.filter(is_staff=True).order_by("pk").first()
    unusable = make_password(None)
    member_ctx = "members.member.mobile_phone"
    body_ctx = {
        Consultation: "consultations.consultation.body",
        Answer: "consultations.answer.body",
        Review: "consultations.review.body",
    }

    # --- members, one data key each -----------------------------------------------------------
    started = time.perf_counter()
    keys: list[tuple[int, int, bytes]] = []  # (member pk, data key pk, key material)
    material_of: dict[int, bytes] = {}  # data key pk -> key material
    with transaction.atomic():
        for start, size in _chunks(members, chunk):
            materials = [crypto.new_data_key() for _ in range(size)]
            data_keys = DataKey.objects.bulk_create(
                [DataKey(wrapped_key=crypto.wrap_key(material)) for material in materials]
            )
            batch = []
            for n in range(size):
                number = start + n
                username = OWNER_USERNAME if number == 0 else f"bench{number:06d}"
                phone = f"010-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
                batch.append(Member(
                    username=username,
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    email=f"{username}@bench.example",
                    password=unusable,
                    date_joined=now - datetime.timedelta(seconds=rng.randint(0, three_years)),
                    mobile_phone=sealed(materials[n], phone, context=member_ctx),
                    data_key=data_keys[n],
                ))
            created = Member.objects.bulk_create(batch)
            keys += [(m.pk, k.pk, material)
                     for m, k, material in zip(created, data_keys, materials, strict=True)]
            material_of.update(
                (k.pk, material) for k, material in zip(data_keys, materials, strict=True)
            )
        owner = Member.objects.get(username=OWNER_USERNAME)
        EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
        consent_record(subject_ref=owner.subject_ref, consent=BOARD_CONSENT, granted=True,
                       method=ConsentMethod.SIGNUP_FORM, member=owner)
    timings.members = time.perf_counter() - started

    def author() -> tuple[int, int, bytes]:
        return keys[rng.randrange(len(keys))]

    # --- consultations (the owner's first), a quarter answered by staff -------------------------
    started = time.perf_counter()
    moments = sorted(rng.randint(0, three_years) for _ in range(consultations))
    with transaction.atomic():
        for start, size in _chunks(consultations, chunk):
            batch = []
            for n in range(size):
                number = start + n
                member_pk, key_pk, material = keys[0] if number < OWNER_POSTS else author()
                topic = rng.choice(TOPICS)
                aftercare = rng.random() < 0.05
                batch.append(Consultation(
                    author_id=member_pk, data_key_id=key_pk,
                    area=rng.choice(areas),
                    title=f"{topic} 상담 문의 {number}",
                    body=sealed(material, _body(rng, topic), context=body_ctx[Consultation]),
                    is_private=aftercare or rng.random() < 0.2,
                    kind=ConsultationKind.AFTERCARE if aftercare else ConsultationKind.BOARD,
                    created_at=now - datetime.timedelta(seconds=three_years - moments[number]),
                ))
            created = Consultation.objects.bulk_create(batch)
            answers = [
                Answer(
                    consultation_id=consultation.pk, author=staff,
                    data_key_id=consultation.data_key_id,
                    body=sealed(
                        material_of[consultation.data_key_id],
                        "내원하셔서 자세히 상담받으시기 바랍니다.", context=body_ctx[Answer],
                    ),
                    created_at=consultation.created_at + datetime.timedelta(hours=5),
                )
                for consultation in created if rng.random() < 0.25
            ]
            Answer.objects.bulk_create(answers)
    timings.consultations = time.perf_counter() - started

    # --- reviews, nine in ten published --------------------------------------------------------
    started = time.perf_counter()
    moments = sorted(rng.randint(0, three_years) for _ in range(reviews))
    with transaction.atomic():
        for start, size in _chunks(reviews, chunk):
            batch = []
            for n in range(size):
                member_pk, key_pk, material = author()
                topic = rng.choice(TOPICS)
                batch.append(Review(
                    author_id=member_pk, data_key_id=key_pk, area=rng.choice(areas),
                    title=f"{topic} 후기 {start + n}",
                    body=sealed(material, f"{topic} 결과에 만족합니다. " * 3,
                                     context=body_ctx[Review]),
                    rating=rng.randint(3, 5),
                    status=ReviewStatus.PUBLISHED if rng.random() < 0.9 else ReviewStatus.PENDING,
                    created_at=now - datetime.timedelta(seconds=three_years - moments[start + n]),
                ))
            Review.objects.bulk_create(batch)
    timings.reviews = time.perf_counter() - started
    return timings


def main() -> None:
    from bench import environment

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--consultations", type=int, default=None)
    parser.add_argument("--reviews", type=int, default=None)
    args = parser.parse_args()
    environment.prepare()
    timings = generate(
        members=args.members,
        consultations=args.consultations or args.members * 2,
        reviews=args.reviews or args.members // 5,
    )
    print(f"members {timings.members:.1f} s, consultations {timings.consultations:.1f} s, "
          f"reviews {timings.reviews:.1f} s, total {timings.total:.1f} s")


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
