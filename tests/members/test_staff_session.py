"""Staff sessions end after 30 idle minutes; members keep theirs; staff logins are limited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from members.models import LoginRecord, LoginResult
from tests.members.factories import DEFAULT_PASSWORD, MemberFactory, StaffFactory, verify_email

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 11, 2, 1, 0, tzinfo=datetime.UTC)


def test_a_staff_session_ends_after_30_idle_minutes(receptionist: Any) -> None:
    client, _staff = receptionist
    with time_machine.travel(START, tick=False):
        assert client.get("/admin/").status_code == 200
    with time_machine.travel(START + datetime.timedelta(minutes=29), tick=False):
        assert client.get("/admin/").status_code == 200  # activity restarts the clock
    with time_machine.travel(START + datetime.timedelta(minutes=58), tick=False):
        assert client.get("/admin/").status_code == 200
    with time_machine.travel(START + datetime.timedelta(minutes=89), tick=False):
        response = client.get("/admin/members/member/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fmembers%2Fmember%2F"
    assert "_auth_user_id" not in client.session


def test_a_member_session_is_not_cut_after_30_minutes(client: Client) -> None:
    member = MemberFactory()
    client.force_login(member)
    with time_machine.travel(START, tick=False):
        assert client.get("/accounts/profile/").status_code == 200
    with time_machine.travel(START + datetime.timedelta(hours=2), tick=False):
        assert client.get("/accounts/profile/").status_code == 200
    assert client.session["_auth_user_id"] == str(member.pk)


def test_failed_staff_logins_are_rate_limited_and_recorded(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    staff = verify_email(StaffFactory())
    for _ in range(5):
        response = client.post("/accounts/login/",
                               {"login": staff.username, "password": "wrong-pass-1"})
        assert "Too many failed login attempts" not in response.content.decode()
    response = client.post("/accounts/login/",
                           {"login": staff.username, "password": DEFAULT_PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginRecord.objects.filter(member=staff, result=LoginResult.FAILURE).count() >= 5
