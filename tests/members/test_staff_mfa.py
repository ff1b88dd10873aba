"""Staff reach the admin only through allauth's login and with TOTP set up."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from tests.members.factories import (
    MemberFactory,
    StaffFactory,
    log_in,
    reauthenticate,
    totp_code,
    verify_email,
)

pytestmark = pytest.mark.django_db


def test_the_admin_login_form_is_replaced_by_allauths(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/members/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fmembers%2F"


def test_staff_without_an_authenticator_are_sent_to_set_one_up(client: Client) -> None:
    staff = StaffFactory(totp=False)
    log_in(client, staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_with_totp_pass_the_code_step_and_reach_the_admin(client: Client) -> None:
    staff = verify_email(StaffFactory(totp=False))
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    stored = Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP)
    assert stored.data["secret"] != secret  # sealed with the key-encryption key

    response = client.post("/accounts/login/", {"login": staff.username,
                                                "password": "correct-horse-battery-9"})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_members_who_are_not_staff_do_not_reach_the_admin(client: Client) -> None:
    log_in(client, MemberFactory())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_set_up_totp_through_allauth_and_then_reach_the_admin(client: Client) -> None:
    staff = StaffFactory(totp=False)
    log_in(client, staff)
    assert client.get("/admin/")["Location"] == "/accounts/2fa/totp/activate/"
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    reauthenticate(client)
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    stored = Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP)
    assert secret not in str(stored.data)
    assert client.get("/admin/").status_code == 200


def test_a_staff_members_first_log_in_ends_in_the_admin(client: Client) -> None:
    """Log in, set up the authenticator, see the recovery codes, and go on to /admin/."""
    staff = verify_email(StaffFactory(totp=False))
    response = client.post("/accounts/login/", {"login": staff.username,
                                                "password": "correct-horse-battery-9"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/")["Location"] == "/accounts/2fa/totp/activate/"
    if client.get("/accounts/2fa/totp/activate/").status_code == 302:
        reauthenticate(client)
    secret = client.get("/accounts/2fa/totp/activate/").context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    codes = client.get("/accounts/2fa/recovery-codes/").content.decode()
    assert 'href="/admin/"' in codes and "관리 화면으로 가기" in codes
    assert client.get("/admin/").status_code == 200


def test_members_log_in_to_the_home_page_and_see_no_admin_link(client: Client) -> None:
    member = verify_email(MemberFactory())
    response = client.post("/accounts/login/", {"login": member.username,
                                                "password": "correct-horse-battery-9"})
    assert response["Location"] == "/"
