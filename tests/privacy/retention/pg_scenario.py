"""Run in a subprocess by test_pg_cluster.py against a throwaway PostgreSQL cluster.

``python -m tests.privacy.retention.pg_scenario create``: a member with personal data
everywhere (a private question answered by staff, a review, a log-in) and a guest question;
``... erase``: the member withdraws, the guest question expires and ``privacy purge`` runs.
The values entered are the module's constants, which the test looks for in the raw files.
"""

from __future__ import annotations

import datetime
import sys

import django

NAME, LOGIN_ID, EMAIL = "피지검사회원", "zz_pg_login", "zz.pg.mail@example.org"
CONSENT_IP = "203.0.113.45"
SEALED = {
    "name": NAME,
    "phone": "010-5551-2468",
    "title": "피지검사비공개상담제목",
    "question": "피지검사상담본문 붓기",
    "answer": "피지검사답변본문",
    "review title": "피지검사후기제목",
    "review": "피지검사후기본문",
    "login IP": "198.51.100.123",
    "procedure": "피지검사시술명",
    "procedure date": "2025-03-17",
    "guest name": "피지검사손님",
    "guest phone": "010-5552-1357",
    "guest title": "피지검사손님제목",
    "guest question": "피지검사손님본문",
    "consent IP": CONSENT_IP,
    "login ID": LOGIN_ID,
    "email": EMAIL,
}
LATER = datetime.timedelta(days=200)


def create() -> None:
    from allauth.account.models import EmailAddress

    from consultations import services
    from consultations.models import ConsultationArea, ReviewStatus
    from members.models import LoginResult, Member
    from members.services import login_record

    member = Member.objects.create_user(
        username=LOGIN_ID, email=EMAIL, password="x" * 12, name=NAME,
        mobile_phone=SEALED["phone"],
    )
    EmailAddress.objects.create(user=member, email=EMAIL, verified=True, primary=True)
    staff = Member.objects.create_user(username="zz_pg_staff", email="staff@example.org",
                                       password="y" * 12, name="staff", is_staff=True)
    area = ConsultationArea.objects.create(slug="zz-pg", name_ko="코", name_en="Nose")
    consultation = services.consultation_create(
        author=member, area=area, title=SEALED["title"], body=SEALED["question"],
        is_private=True)
    services.consultation_answer(consultation=consultation, staff=staff, body=SEALED["answer"])
    review = services.review_create(author=member, area=area, title=SEALED["review title"],
                                    body=SEALED["review"], rating=5)
    review.status = ReviewStatus.PUBLISHED
    review.save(update_fields=["status"])
    login_record(member=member, result=LoginResult.SUCCESS, ip_address=SEALED["login IP"])
    # A procedure record needs the member's consent to sensitive information.
    services.board_consent_grant(member=member)
    services.procedure_record_create(
        member=member, area=area, procedure_name=SEALED["procedure"],
        performed_on=datetime.date.fromisoformat(SEALED["procedure date"]), recorded_by=staff)
    services.guest_consultation_create(
        name=SEALED["guest name"], mobile_phone=SEALED["guest phone"], area=area,
        title=SEALED["guest title"], body=SEALED["guest question"], password="z" * 12,
        ip_address=CONSENT_IP)


def erase() -> None:
    import time_machine
    from django.utils import timezone

    from members.models import Member
    from privacy.retention.destruction import member_erase, purge

    member_erase(member=Member.objects.with_login_id(LOGIN_ID).get(), reason="withdrawal")
    with time_machine.travel(timezone.now() + LATER, tick=False):
        report = purge()
    assert not report.failed, report


if __name__ == "__main__":
    django.setup()
    {"create": create, "erase": erase}[sys.argv[1]]()
