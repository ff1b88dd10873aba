"""A login ID or email that differs only in case or Unicode form names the same account."""

from __future__ import annotations

import pytest
from django.test import Client

from members.models import LoginRecord, LoginResult, Member
from tests.members.factories import DEFAULT_PASSWORD, MemberFactory, verify_email

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", [
    "demo_lee", "DEMO_LEE", "Demo_Lee", " demo_lee ", "ｄｅｍｏ＿ｌｅｅ", "ＤＥＭＯ_ＬＥＥ",
])
def test_log_in_finds_the_account_whatever_the_form_of_the_id(
    client: Client, typed: str
) -> None:
    member = verify_email(MemberFactory(username="demo_lee"))
    response = client.post("/accounts/login/", {"login": typed, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(member.pk)
    assert LoginRecord.objects.get().result == LoginResult.SUCCESS


def test_a_wrong_password_with_a_folded_id_is_recorded_against_the_account(
    client: Client,
) -> None:
    member = verify_email(MemberFactory(username="demo_lee"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post("/accounts/login/", {"login": "ＤＥＭＯ_lee", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    record = LoginRecord.objects.get()
    assert (record.member, record.result) == (member, LoginResult.FAILURE)


def test_sign_up_keeps_the_normal_form_and_refuses_a_look_alike_id(
    client: Client, signup_data: dict[str, str]
) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    signup_data.update(username="ＨＯＮＧ_gildong", email="Hong@Ｅxample.com")
    response = client.post("/accounts/signup/", signup_data)
    assert response.status_code == 302, response.content.decode()[:3000]
    member = Member.objects.get()
    assert (member.username, member.email) == ("hong_gildong", "hong@example.com")
    client.logout()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    signup_data.update(username="Hong_Gildong", email="other@example.com")
    response = client.post("/accounts/signup/", signup_data)
    assert response.status_code == 200
    assert "already" in response.content.decode(), response.content.decode()
    assert Member.objects.count() == 1
