"""Purge of 10,000 then 100,000 due records of mixed rules: throughput and peak memory.

Rules mixed in equal parts: unconfirmed sign-ups (members with an unconfirmed email address),
consent proofs past 3 years (a grant and its withdrawal), retained records past their
destroy-after date (with their keys, in the retention database), staff access-log entries past
2 years, login records past 3 months, analytics visits past 13 months, guest consultations
(blanked, keys destroyed), closed complaints (moved to the retention database), campaign
deliveries, consent-ledger IP addresses past 3 months, disclosures, lifted blocks and expired
sessions. Prints records per second and peak Python memory (tracemalloc) of each size and
how both change; exits non-zero if throughput at 100k drops below half of that at 10k, or peak
memory grows more than 3 times (batches must keep memory flat at any volume).

SQLite by default, in a temporary directory. With ``DATABASE_URL`` and
``RETENTION_DATABASE_URL`` set it runs on those databases instead: point them at scratch
databases, as the purge destroys everything due there.
"""

from __future__ import annotations

import base64
import datetime
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# BENCH_PURGE_SIZES="1000,10000" tries smaller sizes (e.g. to check the script itself).
SIZES = tuple(int(n) for n in os.environ.get("BENCH_PURGE_SIZES", "10000,100000").split(","))
MAX_SLOWDOWN = 2.0
MAX_MEMORY_GROWTH = 3.0


def configure() -> None:
    sys.path.insert(0, str(ROOT))
    if not os.environ.get("DATABASE_URL"):
        os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="bench-purge-")
        os.environ.pop("RETENTION_DATABASE_URL", None)
    os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory
    os.environ.setdefault("SECRET_KEY", "bench-only-" + uuid.uuid4().hex)
    os.environ.setdefault("PRIVACY_KEK", base64.urlsafe_b64encode(os.urandom(32)).decode())
    for key_name in ("PRIVACY_ACCESS_LOG_KEY", "PRIVACY_LOOKUP_KEY"):
        os.environ.setdefault(key_name, base64.urlsafe_b64encode(os.urandom(32)).decode())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("migrate", database="retention", verbosity=0, interactive=False)


def _shares(total: int, kinds: int) -> list[int]:
    """``total`` split into ``kinds`` even shares (pairs of consent records need even ones)."""
    share = (total // kinds) // 2 * 2
    return [share] * (kinds - 1) + [total - share * (kinds - 1)]


def seed(total: int, *, now: datetime.datetime, chunk: int = 5000) -> None:
    """``total`` due records, in equal shares per rule, written in bulk."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.models import Session

    from consultations.models import ConsultationArea, GuestConsultation
    from members.models import LoginRecord, MemberBlock
    from privacy import crypto
    from privacy.lookup import email_digest, login_id_digest
    from privacy.models import (
        AccessLogEntry,
        Campaign,
        CampaignDelivery,
        Complaint,
        ComplaintStatus,
        ConsentMethod,
        ConsentRecord,
        DataKey,
        Disclosure,
        DisclosureBasis,
        RetainedRecord,
        RetentionKey,
        Visit,
    )

    Member = get_user_model()
    run = uuid.uuid4().hex[:6]
    wrapped = crypto.wrap_key(crypto.new_data_key())
    long_ago = now - datetime.timedelta(days=4 * 365)
    area, _ = ConsultationArea.objects.get_or_create(
        slug="bench", defaults={"name_ko": "벤치", "name_en": "bench"}
    )
    campaign = Campaign.objects.create(title=f"bench {run}", body="bench")
    unusable = make_password(None)

    def chunks(count: int) -> list[int]:
        return [min(chunk, count - start) for start in range(0, count, chunk)]

    def unconfirmed_signups(count: int) -> None:
        joined = now - datetime.timedelta(days=30)
        done = 0
        for size in chunks(count):
            keys = DataKey.objects.bulk_create([DataKey(wrapped_key=wrapped) for _ in range(size)])
            members = Member.objects.bulk_create([
                Member(username=f"b{run}{done + n}", name="벤치회원",
                       username_digest=login_id_digest(f"b{run}{done + n}"),
                       email=f"b{run}{done + n}@x.kr", email_digest=email_digest(
                           f"b{run}{done + n}@x.kr"),
                       password=unusable, date_joined=joined,
                       data_key=keys[n])
                for n in range(size)
            ])
            EmailAddress.objects.bulk_create([
                EmailAddress(user=member, email=member.email, verified=False, primary=True)
                for member in members
            ])
            done += size

    def consent_proofs(count: int) -> None:
        for size in chunks(count):
            records = []
            for _ in range(size // 2):
                subject = uuid.uuid4()
                for granted, delta in ((True, 0), (False, 1)):
                    records.append(ConsentRecord(
                        subject_ref=subject, consent="marketing_sms", granted=granted,
                        method=ConsentMethod.CONSENT_PAGE,
                        recorded_at=long_ago + datetime.timedelta(minutes=delta),
                    ))
            ConsentRecord.objects.bulk_create(records)

    def consent_ips(count: int) -> None:
        # Still granted (so not past consent_proof), but the IP is older than 3 months.
        for size in chunks(count):
            ConsentRecord.objects.bulk_create([
                ConsentRecord(
                    subject_ref=uuid.uuid4(), consent="marketing_email", granted=True,
                    method=ConsentMethod.SIGNUP_FORM, ip_address="198.51.100.7",
                    recorded_at=now - datetime.timedelta(days=200),
                ) for _ in range(size)
            ])

    def retained_records(count: int) -> None:
        old = (now - datetime.timedelta(days=800)).date()
        for size in chunks(count):
            rkeys = RetentionKey.objects.bulk_create(
                [RetentionKey(wrapped_key=wrapped) for _ in range(size)]
            )
            RetainedRecord.objects.bulk_create([
                RetainedRecord(
                    subject_ref=uuid.uuid4(), item_key="access_log", rule_key="login_records",
                    legal_basis="bench", started_by="last_login", started_at=now,
                    destroy_after=old, payload="sealed", key=key,
                ) for key in rkeys
            ])

    def simple(model: type, **fields: object) -> object:
        def make(count: int) -> None:
            for size in chunks(count):
                model.objects.bulk_create([model(**fields) for _ in range(size)])
        return make

    def with_subject(model: type, **fields: object) -> object:
        def make(count: int) -> None:
            for size in chunks(count):
                model.objects.bulk_create(
                    [model(subject_ref=uuid.uuid4(), **fields) for _ in range(size)]
                )
        return make

    def visits(count: int) -> None:
        for size in chunks(count):
            Visit.objects.bulk_create([
                Visit(visitor_id=uuid.uuid4(), path="/", visited_at=long_ago)
                for _ in range(size)
            ])

    def guest_consultations(count: int) -> None:
        done = 0
        for size in chunks(count):
            keys = DataKey.objects.bulk_create([DataKey(wrapped_key=wrapped) for _ in range(size)])
            GuestConsultation.objects.bulk_create([
                GuestConsultation(
                    reference=f"B{run}-{done + n}", password=unusable, name="손님",
                    mobile_phone="010-0000-0000", area=area, title="문의", body="벤치 질문",
                    created_at=long_ago, data_key=keys[n],
                ) for n in range(size)
            ])
            done += size

    def complaints(count: int) -> None:
        for size in chunks(count):
            keys = DataKey.objects.bulk_create([DataKey(wrapped_key=wrapped) for _ in range(size)])
            Complaint.objects.bulk_create([
                Complaint(name="민원인", contact="010-0000-0000", body="벤치 민원",
                          status=ComplaintStatus.CLOSED, data_key=key)
                for key in keys
            ])

    def deliveries(count: int) -> None:
        for size in chunks(count):
            CampaignDelivery.objects.bulk_create([
                CampaignDelivery(campaign=campaign, subject_ref=uuid.uuid4(), claimed_at=long_ago)
                for _ in range(size)
            ])

    def expired_sessions(count: int) -> None:
        for size in chunks(count):
            Session.objects.bulk_create([
                Session(session_key=uuid.uuid4().hex, session_data="", expire_date=long_ago)
                for _ in range(size)
            ])

    seeders = [
        unconfirmed_signups, consent_proofs, retained_records,
        simple(AccessLogEntry, actor="bench", action="bench",
               at=now - datetime.timedelta(days=800)),
        simple(LoginRecord, result="failure", ip_address="198.51.100.9", recorded_at=long_ago),
        visits, guest_consultations, complaints, deliveries, consent_ips,
        with_subject(Disclosure, recipient="bench", items=["name"], disclosed_at=long_ago,
                     legal_basis=DisclosureBasis.LAW),
        simple(MemberBlock, reason="bench", email_hash="h", lifted_at=long_ago),
        expired_sessions,
    ]
    for seeder, count in zip(seeders, _shares(total, len(seeders)), strict=True):
        seeder(count)


def measure(total: int) -> tuple[float, float]:
    from django.utils import timezone

    from privacy.retention.destruction import purge

    now = timezone.now()
    seed(total, now=now)
    tracemalloc.start()
    started = time.perf_counter()
    report = purge(now=now)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if report.failed or report.destroyed != total:
        raise SystemExit(f"purge of {total} failed: destroyed {report.destroyed}, "
                         f"failed {[rule.key for rule in report.failed]}")
    rate = total / elapsed
    print(f"{total:>7} records: {rate:8.0f} records/s, peak memory {peak / 1e6:6.1f} MB "
          f"({', '.join(f'{r.key} {r.destroyed}' for r in report.rules if r.destroyed)})")
    return rate, peak


def main() -> int:
    configure()
    from django.db import connections

    print(f"privacy purge on {connections['default'].vendor}")
    (rate_small, peak_small), (rate_large, peak_large) = (measure(n) for n in SIZES)
    speed = rate_large / rate_small
    growth = peak_large / peak_small
    print(f"{SIZES[0]} -> {SIZES[1]}: throughput x{speed:.2f}, peak memory x{growth:.2f}")
    ok = speed >= 1 / MAX_SLOWDOWN and growth <= MAX_MEMORY_GROWTH
    print("OK" if ok else "FAIL: throughput fell below half or memory grew more than 3x")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        status = main()
    finally:
        scratch = os.environ.get("VAR_DIR", "")
        if Path(scratch).name.startswith("bench-purge-"):
            shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(status)
