"""The staff section of the monthly privacy report, built directly."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
import time_machine

from members.models import LoginRecord, LoginResult
from privacy.access_log import access_log_append
from privacy.console.reports import staff_access
from tests.members.factories import MemberFactory, StaffFactory

pytestmark = pytest.mark.django_db
SEOUL = datetime.timezone(datetime.timedelta(hours=9))
START = datetime.datetime(2026, 10, 1, tzinfo=SEOUL)
END = datetime.datetime(2026, 11, 1, tzinfo=SEOUL)


def at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=SEOUL)


def build() -> list[dict[str, str]]:
    return staff_access.build(start=START, end=END, now=at(11, 2))


def section(rows: list[dict[str, str]], name: str) -> list[dict[str, str]]:
    return [row for row in rows if row["section"] == name]


def test_the_module_has_the_report_interface() -> None:
    assert isinstance(staff_access.TITLE, str) and staff_access.TITLE


def test_an_empty_month_has_no_rows() -> None:
    assert build() == []


def test_accesses_reveals_and_exports_of_the_month(db: Any) -> None:
    subject = uuid.uuid4()
    access_log_append(actor="lee", action="list:members.member", record_count=20,
                      at=at(10, 3))
    access_log_append(actor="lee", action="view:members.member", subject_ref=subject,
                      at=at(10, 4))
    access_log_append(actor="park", action="reveal:members.member", subject_ref=subject,
                      at=at(10, 5, 14))
    access_log_append(actor="park", action="export:members.member", record_count=2,
                      reason="열람 요청 처리", at=at(10, 6))
    access_log_append(actor="lee", action="view:members.member", at=at(9, 30, 23))  # before
    access_log_append(actor="lee", action="view:members.member", at=at(11, 1, 0))  # after
    rows = build()
    assert section(rows, "accesses") == [
        {"section": "accesses", "staff": "lee", "count": "2", "detail": "records read: 21"},
        {"section": "accesses", "staff": "park", "count": "2", "detail": "records read: 3"},
    ]
    assert section(rows, "reveal") == [{
        "section": "reveal", "staff": "park", "count": "1",
        "detail": f"2026-10-05 14:00 members.member subject {subject}",
    }]
    assert section(rows, "export") == [{
        "section": "export", "staff": "park", "count": "2",
        "detail": "2026-10-06 10:00 reason: 열람 요청 처리",
    }]
    assert section(rows, "unusual_volume") == []


def test_unusual_volume_compares_with_the_previous_three_months() -> None:
    for month in (7, 8, 9):
        access_log_append(actor="steady", action="list:members.member", record_count=100,
                          at=at(month, 10))
        access_log_append(actor="spiky", action="list:members.member", record_count=30,
                          at=at(month, 10))
    access_log_append(actor="steady", action="list:members.member", record_count=250,
                      at=at(10, 10))  # below 3 x 100
    access_log_append(actor="spiky", action="list:members.member", record_count=400,
                      at=at(10, 10))  # far above 3 x 30
    access_log_append(actor="newcomer", action="list:members.member", record_count=49,
                      at=at(10, 10))  # too few to be unusual
    access_log_append(actor="burst", action="list:members.member", record_count=60,
                      at=at(10, 10))  # no history at all
    assert section(build(), "unusual_volume") == [
        {"section": "unusual_volume", "staff": "burst", "count": "60",
         "detail": "monthly mean of the previous 3 months: 0.0"},
        {"section": "unusual_volume", "staff": "spiky", "count": "400",
         "detail": "monthly mean of the previous 3 months: 30.0"},
    ]


def test_failed_staff_logins_are_counted_members_are_not() -> None:
    staff = StaffFactory(username="staff_kim")
    member = MemberFactory()
    for day in (3, 9):
        with time_machine.travel(at(10, day), tick=False):
            LoginRecord.objects.create(member=staff, result=LoginResult.FAILURE,
                                       ip_address="198.51.100.4")
            LoginRecord.objects.create(member=member, result=LoginResult.FAILURE)
            LoginRecord.objects.create(member=staff, result=LoginResult.SUCCESS)
    with time_machine.travel(at(11, 3), tick=False):
        LoginRecord.objects.create(member=staff, result=LoginResult.FAILURE)
    assert section(build(), "failed_logins") == [{
        "section": "failed_logins", "staff": "staff_kim", "count": "2",
        "detail": "last at 2026-10-09 10:00",
    }]
