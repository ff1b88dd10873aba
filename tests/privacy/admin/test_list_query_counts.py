"""Every admin list that shows personal data costs the same number of queries for 1 or 11 rows
(masking decrypts with the data key joined in; the access log entry is one append)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members import roles
from members.models import LoginRecord, LoginResult, MemberBlock
from privacy.access_log import access_log_append
from privacy.ledger import consent_record
from privacy.models import Complaint, ConsentMethod
from tests.consultations.factories import (
    ConsultationFactory,
    GuestConsultationFactory,
    ProcedureRecordFactory,
    ReviewFactory,
)
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _complaint() -> None:
    Complaint.objects.create(name="홍길동", contact="010-1234-5678", body="민원 내용")


def _consent() -> None:
    member = MemberFactory()
    consent_record(subject_ref=member.subject_ref, member=member, consent="marketing_email",
                   granted=True, method=ConsentMethod.CONSENT_PAGE)


LISTS: dict[str, Callable[[], Any]] = {
    "/admin/members/member/": MemberFactory,
    "/admin/members/memberblock/": lambda: MemberBlock.objects.create(
        member=MemberFactory(), reason="spam"),
    "/admin/members/loginrecord/": lambda: LoginRecord.objects.create(
        member=MemberFactory(), result=LoginResult.FAILURE, ip_address="192.0.2.1"),
    "/admin/consultations/consultation/": ConsultationFactory,
    "/admin/consultations/review/": ReviewFactory,
    "/admin/consultations/guestconsultation/": GuestConsultationFactory,
    "/admin/consultations/procedurerecord/": ProcedureRecordFactory,
    "/admin/privacy/complaint/": _complaint,
    "/admin/privacy/consentrecord/": _consent,
    "/admin/privacy/accesslogentry/": lambda: access_log_append(
        actor="lee", action="view:members.member", subject_ref=uuid.uuid4()),
}


def queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", list(LISTS))
def test_the_list_costs_the_same_for_1_and_11_rows(
    staff_client: Any, url: str, django_assert_max_num_queries: Any
) -> None:
    client, _staff = staff_client(roles.ADMINISTRATOR)
    LISTS[url]()
    client.get(url)  # warm the near cache
    one = queries(client, url)
    for _ in range(10):
        LISTS[url]()
    with django_assert_max_num_queries(one):
        assert client.get(url).status_code == 200
