"""Bulk data for the benchmarks: members, consultations (with staff answers) and reviews;
with ``generate_staff_records`` also what staff and the privacy manager work on: the consent
ledger, login records, visits, sessions, guest consultations and the staff access log.

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
        ConsultationTitleToken,
        Review,
        ReviewStatus,
        ReviewTitleToken,
    )
    from consultations.selectors import BOARD_CONSENT
    from privacy import crypto
    from privacy.ledger import consent_record
    from privacy.lookup import (
        area_digest,
        email_digest,
        login_id_digest,
        phone_digest,
        search_index,
    )
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
    name_ctx = "members.member.name"
    area_ctx = {
        Consultation: "consultations.consultation.area_ref",
        Review: "consultations.review.area_ref",
    }
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
                email = f"{username}@bench.example"
                batch.append(Member(
                    username=username, username_digest=login_id_digest(username),
                    name=sealed(materials[n], rng.choice(SURNAMES) + rng.choice(GIVEN),
                                context=name_ctx),
                    email=email, email_digest=email_digest(email),
                    password=unusable,
                    date_joined=now - datetime.timedelta(seconds=rng.randint(0, three_years)),
                    mobile_phone=sealed(materials[n], phone, context=member_ctx),
                    mobile_phone_digest=phone_digest(phone),
                    data_key=data_keys[n],
                ))
            created = Member.objects.bulk_create(batch)
            keys += [(m.pk, k.pk, material)
                     for m, k, material in zip(created, data_keys, materials, strict=True)]
            material_of.update(
                (k.pk, material) for k, material in zip(data_keys, materials, strict=True)
            )
        owner = Member.objects.with_login_id(OWNER_USERNAME).get()
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
                area = rng.choice(areas)
                batch.append(Consultation(
                    author_id=member_pk, data_key_id=key_pk,
                    area_ref=sealed(material, str(area.pk), context=area_ctx[Consultation]),
                    area_digest=area_digest(area.pk),
                    title=f"{topic} 상담 문의 {number}",
                    body=sealed(material, _body(rng, topic), context=body_ctx[Consultation]),
                    is_private=aftercare or rng.random() < 0.2,
                    kind=ConsultationKind.AFTERCARE if aftercare else ConsultationKind.BOARD,
                    created_at=now - datetime.timedelta(seconds=three_years - moments[number]),
                ))
            created = Consultation.objects.bulk_create(batch)
            # ``save`` writes a title's search tokens; ``bulk_create`` does not.
            ConsultationTitleToken.tokens_create(
                {post.pk: search_index(str(post.title)) for post in created})
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
                area = rng.choice(areas)
                batch.append(Review(
                    author_id=member_pk, data_key_id=key_pk,
                    area_ref=sealed(material, str(area.pk), context=area_ctx[Review]),
                    area_digest=area_digest(area.pk),
                    title=f"{topic} 후기 {start + n}",
                    body=sealed(material, f"{topic} 결과에 만족합니다. " * 3,
                                     context=body_ctx[Review]),
                    rating=rng.randint(3, 5),
                    status=ReviewStatus.PUBLISHED if rng.random() < 0.9 else ReviewStatus.PENDING,
                    created_at=now - datetime.timedelta(seconds=three_years - moments[start + n]),
                ))
            ReviewTitleToken.tokens_create(
                {post.pk: search_index(str(post.title))
                 for post in Review.objects.bulk_create(batch)})
    timings.reviews = time.perf_counter() - started
    return timings


# The owner's own rows outside the boards: the same number at every size.
OWNER_LOG_ENTRIES = 50
STAFF_ACTORS = tuple(f"staff{n:02d}" for n in range(1, 21))
LOG_ACTIONS = (
    "list:members.member", "view:members.member", "list:consultations.consultation",
    "view:consultations.consultation", "view:consultations.review", "reveal:members.member",
    "list:privacy.consentrecord",
)


@dataclass
class StaffTimings:
    ledger: float = 0.0  # consent ledger, login records, visits, sessions
    guests: float = 0.0
    access_log: float = 0.0


def generate_staff_records(
    *, access_log: int, guests: int, chunk: int = 5000, seed: int = SEED
) -> StaffTimings:
    """Per member: two marketing consents (a grant, every fourth withdrawn later), two login
    records and a visit; ``guests`` guest consultations; an unexpired session per ten members;
    ``access_log`` staff access-log entries, a valid hash chain built in Python
    (``privacy.access_log.entry_digest``) with ``OWNER_LOG_ENTRIES`` about the owner and the
    rest about random members (a fifth about no one, as lists are). Run after ``generate``."""
    import uuid

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone

    from consultations.models import ConsultationArea, GuestConsultation
    from members.models import LoginRecord, LoginResult
    from privacy import crypto
    from privacy.access_log import GENESIS_HASH, entry_digest
    from privacy.lookup import login_id_digest, phone_digest
    from privacy.models import AccessLogEntry, ConsentMethod, ConsentRecord, DataKey, Visit

    Member = get_user_model()
    rng = random.Random(seed + 1)
    timings = StaffTimings()
    now = timezone.now()
    two_years = 2 * 365 * 86_400
    people = list(Member.objects.filter(is_staff=False).order_by("pk")
                  .values_list("pk", "subject_ref", "username_digest"))
    owner_digest = login_id_digest(OWNER_USERNAME)
    owner_ref = next(ref for _pk, ref, digest in people if digest == owner_digest)

    def ago(seconds: int) -> datetime.datetime:
        return now - datetime.timedelta(seconds=seconds)

    started = time.perf_counter()
    with transaction.atomic():
        for start, size in _chunks(len(people), chunk):
            consents, logins, visits = [], [], []
            for pk, ref, _name in people[start:start + size]:
                for consent in ("marketing_email", "marketing_sms"):
                    moment = rng.randint(86_400, two_years)
                    consents.append(ConsentRecord(
                        subject_ref=ref, member_id=pk, consent=consent, granted=True,
                        method=ConsentMethod.SIGNUP_FORM, recorded_at=ago(moment),
                        ip_address="198.51.100.7" if moment < 90 * 86_400 else None,
                    ))
                    if rng.random() < 0.25:
                        consents.append(ConsentRecord(
                            subject_ref=ref, member_id=pk, consent=consent, granted=False,
                            method=ConsentMethod.CONSENT_PAGE, recorded_at=ago(moment // 2),
                        ))
                for _ in range(2):
                    logins.append(LoginRecord(
                        member_id=pk, result=LoginResult.SUCCESS, ip_address="203.0.113.9",
                        recorded_at=ago(rng.randint(0, 180 * 86_400)),
                    ))
                visits.append(Visit(visitor_id=uuid.uuid4(), path="/",
                                    visited_at=ago(rng.randint(0, two_years))))
            ConsentRecord.objects.bulk_create(consents)
            LoginRecord.objects.bulk_create(logins)
            Visit.objects.bulk_create(visits)
        Session.objects.bulk_create([
            Session(session_key=uuid.uuid4().hex, session_data="",
                    expire_date=now + datetime.timedelta(days=1))
            for _ in range(len(people) // 10)
        ], batch_size=chunk)
    timings.ledger = time.perf_counter() - started

    started = time.perf_counter()
    areas = list(ConsultationArea.objects.filter(is_active=True))
    unusable = make_password(None)
    wrapped = crypto.wrap_key(crypto.new_data_key())
    guest_phone = phone_digest("010-0000-0000")
    with transaction.atomic():
        for start, size in _chunks(guests, chunk):
            keys = DataKey.objects.bulk_create([DataKey(wrapped_key=wrapped) for _ in range(size)])
            GuestConsultation.objects.bulk_create([
                GuestConsultation(
                    reference=f"G{start + n:07d}", password=unusable, name="손님",
                    mobile_phone="010-0000-0000", mobile_phone_digest=guest_phone,
                    area=rng.choice(areas),
                    title=f"{rng.choice(TOPICS)} 비회원 문의 {start + n}", body="벤치 질문",
                    created_at=ago(rng.randint(0, 365 * 86_400)), data_key=keys[n],
                ) for n in range(size)
            ])
    timings.guests = time.perf_counter() - started

    started = time.perf_counter()
    owner_at = set(rng.sample(range(access_log), min(OWNER_LOG_ENTRIES, access_log)))
    moments = sorted(rng.randint(0, two_years) for _ in range(access_log))
    previous_hash = GENESIS_HASH
    with transaction.atomic():
        for start, size in _chunks(access_log, chunk):
            batch = []
            for n in range(start, start + size):
                if n in owner_at:
                    subject = owner_ref
                elif rng.random() < 0.2:
                    subject = None
                else:
                    subject = people[rng.randrange(len(people))][1]
                entry = AccessLogEntry(
                    sequence=n + 1, actor=rng.choice(STAFF_ACTORS),
                    at=ago(two_years - moments[n]), action=rng.choice(LOG_ACTIONS),
                    subject_ref=subject, ip_address="192.0.2.10",
                    fields="name,mobile_phone", record_count=1 if subject else 100,
                    previous_hash=previous_hash,
                )
                entry.entry_hash = previous_hash = entry_digest(entry, previous_hash)
                batch.append(entry)
            AccessLogEntry.objects.bulk_create(batch)
    timings.access_log = time.perf_counter() - started
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
