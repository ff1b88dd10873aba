"""A login ID or email that differs only in case or Unicode form names the same account."""

from __future__ import annotations

import io

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from members.models import LoginRecord, LoginResult, Member
from privacy.lookup import email_digest, login_id_digest
from tests.members.factories import DEFAULT_PASSWORD, MemberFactory, verify_email

pytestmark = pytest.mark.django_db

OLD_KEY = django_settings.PRIVACY_LOOKUP_KEY[0]
NEW_KEY = b"a new lookup key for this test 1"[:32]


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


def test_the_login_id_and_email_are_sealed_and_found_by_their_digests() -> None:
    member = MemberFactory(username="demo_lee", email="Demo.Lee@example.com")
    row = Member.objects.filter(pk=member.pk).values("username", "email", "username_digest",
                                                      "email_digest").get()
    assert "demo_lee" not in row["username"] and "example.com" not in row["email"]
    assert row["username_digest"] == login_id_digest("ＤＥＭＯ_LEE")
    assert row["email_digest"] == email_digest("demo.lee@EXAMPLE.com")
    fresh = Member.objects.select_related("data_key").get(pk=member.pk)
    assert (fresh.username, fresh.email) == ("demo_lee", "Demo.Lee@example.com")
    assert Member.objects.with_email("DEMO.LEE@example.com").get() == member


def test_djangos_own_log_in_finds_the_member_by_the_digest(client: Client) -> None:
    member = MemberFactory(username="demo_lee")
    assert Member.objects.get_by_natural_key("Ｄemo_lee") == member
    assert client.login(username="DEMO_LEE", password=DEFAULT_PASSWORD)
    with pytest.raises(Member.DoesNotExist):
        Member.objects.get_by_natural_key("demo_le")


def test_a_changed_login_id_gets_a_new_digest_on_save() -> None:
    member = MemberFactory(username="demo_lee")
    member.username = "demo_kim"
    member.save(update_fields=["username"])
    assert Member.objects.with_login_id("demo_kim").get() == member
    assert not Member.objects.with_login_id("demo_lee").exists()


def test_log_in_and_sign_up_hold_through_a_lookup_key_rotation(
    client: Client, signup_data: dict[str, str]
) -> None:
    """The new key listed first: members still log in and an ID stays taken before the
    digests are refreshed; after the refresh, log-in works with the old key removed."""
    member = verify_email(MemberFactory(username="demo_lee"))
    with override_settings(PRIVACY_LOOKUP_KEY=[NEW_KEY, OLD_KEY]):
        response = client.post("/accounts/login/", {"login": "DEMO_LEE",
                                                     "password": DEFAULT_PASSWORD})
        assert response.status_code == 302
        client.logout()
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        signup_data.update(username="Demo_Lee", email="other@example.com")
        response = client.post("/accounts/signup/", signup_data)
        assert response.status_code == 200
        assert "already" in response.content.decode()
        call_command("privacy", "refresh-lookup-digests", stdout=io.StringIO())
        assert Member.objects.get(pk=member.pk).username_digest == login_id_digest("demo_lee")
    with override_settings(PRIVACY_LOOKUP_KEY=[NEW_KEY]):
        response = client.post("/accounts/login/", {"login": "demo_lee",
                                                     "password": DEFAULT_PASSWORD})
        assert response.status_code == 302
        assert client.session.get("_auth_user_id") == str(member.pk)
        assert Member.objects.with_email(member.email).get() == member


def test_log_in_reads_no_more_for_more_members(client: Client) -> None:
    """The member is found by one indexed digest, not by reading (and decrypting) accounts."""

    def log_in_queries(login_id: str) -> int:
        verify_email(MemberFactory(username=login_id))
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/accounts/login/", {"login": login_id,
                                                         "password": DEFAULT_PASSWORD})
        assert response.status_code == 302
        client.logout()
        return len(queries)

    few = log_in_queries("demo_lee")
    MemberFactory.create_batch(20)
    assert log_in_queries("demo_kim") <= few
