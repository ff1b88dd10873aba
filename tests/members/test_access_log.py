"""Access log: every log-in success and failure, with time and IP, kept 3 months."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from members.models import LoginRecord, LoginResult
from members.selectors import login_records_due_for_destruction
from tests.members.factories import DEFAULT_PASSWORD, MemberFactory, log_in, verify_email

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"


def test_a_successful_login_is_recorded_with_time_and_ip(client: Client) -> None:
    member = MemberFactory()
    log_in(client, member)
    record = LoginRecord.objects.get()
    assert record.member == member
    assert record.result == LoginResult.SUCCESS
    assert record.ip_address == "127.0.0.1"
    assert timezone.now() - record.recorded_at < timedelta(minutes=1)


def test_a_failed_login_of_a_member_is_recorded_without_the_password(client: Client) -> None:
    member = verify_email(MemberFactory())
    response = client.post(LOGIN_URL, {"login": member.username, "password": "wrong-guess-42"},
                           REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 200
    record = LoginRecord.objects.get()
    assert (record.member, record.result, record.ip_address) == (
        member, LoginResult.FAILURE, "198.51.100.4"
    )
    values = " ".join(str(v) for v in LoginRecord.objects.values().get().values())
    assert "wrong-guess-42" not in values


def test_a_failed_login_with_an_unknown_id_stores_no_identifier(client: Client) -> None:
    client.post(LOGIN_URL, {"login": "nobody_here", "password": "whatever-123"})
    record = LoginRecord.objects.get()
    assert record.member is None
    assert record.result == LoginResult.FAILURE
    values = " ".join(str(v) for v in LoginRecord.objects.values().get().values())
    assert "nobody_here" not in values and "whatever-123" not in values


def test_repeated_failures_are_rate_limited(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    member = verify_email(MemberFactory())
    for _ in range(5):
        response = client.post(LOGIN_URL, {"login": member.username, "password": "bad-pass-1"})
        assert "Too many failed login attempts" not in response.content.decode()
    response = client.post(LOGIN_URL, {"login": member.username, "password": DEFAULT_PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session  # even the right password is refused now


def test_my_page_shows_the_last_90_days_of_log_ins(client: Client) -> None:
    member = MemberFactory()
    with time_machine.travel(timezone.now() - timedelta(days=100)):
        LoginRecord.objects.create(member=member, result=LoginResult.SUCCESS,
                                   ip_address="192.0.2.100")
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        LoginRecord.objects.create(member=member, result=LoginResult.FAILURE,
                                   ip_address="192.0.2.10")
    LoginRecord.objects.create(member=MemberFactory(), result=LoginResult.SUCCESS,
                               ip_address="192.0.2.77")
    log_in(client, member)
    html = client.get("/accounts/profile/").content.decode()
    assert "192.0.2.10" in html
    assert "127.0.0.1" in html
    assert "192.0.2.100" not in html  # older than 90 days
    assert "192.0.2.77" not in html  # another member's


def test_my_page_query_count_is_bounded(client: Client, django_assert_max_num_queries) -> None:
    member = MemberFactory()
    for _ in range(20):
        LoginRecord.objects.create(member=member, result=LoginResult.SUCCESS,
                                   ip_address="192.0.2.1")
    log_in(client, member)
    with django_assert_max_num_queries(13):  # with the newest of the member's questions
        assert client.get("/accounts/profile/").status_code == 200


def test_login_records_older_than_3_months_are_due_for_destruction() -> None:
    member = MemberFactory()
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=91)):
        old = LoginRecord.objects.create(member=member, result=LoginResult.SUCCESS)
    recent = LoginRecord.objects.create(member=member, result=LoginResult.SUCCESS)
    due = login_records_due_for_destruction(now=now)
    assert list(due) == [old]
    assert due.purge_expired() == 1
    assert list(LoginRecord.objects.all()) == [recent]


def test_the_access_log_cannot_be_edited() -> None:
    record = LoginRecord.objects.create(result=LoginResult.FAILURE)
    record.result = LoginResult.SUCCESS
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        LoginRecord.objects.all().delete()


def test_the_access_log_outlives_the_account_without_naming_it() -> None:
    member = MemberFactory()
    LoginRecord.objects.create(member=member, result=LoginResult.SUCCESS, ip_address="192.0.2.5")
    member.delete()
    record = LoginRecord.objects.get()
    assert record.member is None and record.ip_address == "192.0.2.5"
