"""Run in a subprocess by test_on_disk.py against real SQLite files under ``VAR_DIR``.

``python -m tests.privacy.retention.disk_scenario create``: a member with personal data everywhere;
``... erase``: the member withdraws and the purge runs. The site never checkpoints the
write-ahead log itself, and neither does a phase, unless ``--checkpoint`` is given (it empties
the log into the database file, so the file alone holds everything there is).
"""

from __future__ import annotations

import datetime
import sys

import django


def checkpoint() -> None:
    from django.db import connections

    for alias in ("default", "retention"):
        with connections[alias].cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connections[alias].close()


def create() -> None:
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from consultations.models import Answer, Consultation, ConsultationArea, Review
    from members.models import LoginResult, Member
    from members.services import login_record
    from privacy.ledger import consent_record
    from privacy.models import ConsentMethod

    member = Member.objects.create_user(
        username="zz_disk_login", email="zz.disk.mail@example.org", password="x" * 12,
        name="디스크검사회원", mobile_phone="010-5550-1234",
    )
    member.last_login = timezone.now() - datetime.timedelta(days=2)
    member.save(update_fields=["last_login"])
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    area = ConsultationArea.objects.create(slug="zz-area", name_ko="눈", name_en="Eyes")
    consultation = Consultation.objects.create(
        author=member, area=area, title="디스크검사상담제목", body="디스크검사상담본문 붓기",
        data_key=member.data_key,
    )
    Answer.objects.create(consultation=consultation, body="디스크검사답변본문",
                          data_key=member.data_key)
    Review.objects.create(author=member, area=area, title="디스크검사후기제목",
                          body="디스크검사후기본문", rating=5, data_key=member.data_key)
    consent_record(subject_ref=member.subject_ref, member=member, consent="marketing_email",
                   granted=True, method=ConsentMethod.SIGNUP_FORM)
    login_record(member=member, result=LoginResult.SUCCESS, ip_address="198.51.100.99")
    print(member.subject_ref)


def erase() -> None:
    from members.models import Member
    from privacy.retention.destruction import member_erase, purge

    member = Member.objects.with_login_id("zz_disk_login").get()
    member_erase(member=member, reason="withdrawal")
    report = purge()
    assert not report.failed, report


def erase_killed() -> None:
    """The process dies (no clean-up at all) after the copy to retention, before the delete."""
    import os

    from members.models import Member
    from privacy.retention import destruction

    def die(*args: object, **kwargs: object) -> None:
        os._exit(9)

    destruction._destroy = die  # type: ignore[assignment]
    destruction.member_erase(member=Member.objects.with_login_id("zz_disk_login").get(),
                             reason="withdrawal")


if __name__ == "__main__":
    django.setup()
    {"create": create, "erase": erase, "erase-killed": erase_killed}[sys.argv[1]]()
    if "--checkpoint" in sys.argv[2:]:
        checkpoint()
