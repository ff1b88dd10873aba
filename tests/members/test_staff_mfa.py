"""Staff reach the admin only through allauth's login and with TOTP set up."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.test import Client
from django.utils import timezone

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


def enrolment_link(client: Client) -> str:
    """Ask for the enrolment link and read it from the mail, as the staff member would."""
    mail.outbox.clear()
    response = client.post("/accounts/staff/enrolment/")
    assert response.status_code == 200
    [message] = mail.outbox
    return re.search(r"https?://\S+/accounts/staff/enrolment/\S+/", message.body).group(0)


def test_staff_set_up_totp_through_the_mailed_link_and_then_reach_the_admin(
    client: Client
) -> None:
    staff = StaffFactory(totp=False)
    log_in(client, staff)
    assert client.get("/admin/")["Location"] == "/accounts/2fa/totp/activate/"
    link = enrolment_link(client)
    assert mail.outbox[0].to == [staff.email]
    assert client.get(link).status_code == 200  # asks to continue; mail scanners stop here
    assert client.post(link)["Location"] == "/accounts/2fa/totp/activate/"
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


def test_staff_without_the_link_cannot_enrol_with_the_password_alone(client: Client) -> None:
    staff = StaffFactory(totp=False)
    log_in(client, staff)
    reauthenticate(client)
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 403
    text = page.content.decode()
    assert "본인 확인" in text and "이메일" in text
    assert 'action="/accounts/staff/enrolment/"' in text
    response = client.post("/accounts/2fa/totp/activate/", {"code": "123456"})
    assert response.status_code == 403
    assert not Authenticator.objects.filter(user=staff).exists()


def test_the_link_works_once(client: Client) -> None:
    staff = StaffFactory(totp=False)
    log_in(client, staff)
    link = enrolment_link(client)
    assert client.post(link).status_code == 302
    again = client.post(link)
    assert again.status_code == 400
    assert "이미 사용된 링크" in again.content.decode()
    assert client.get(link).status_code == 400


def test_the_link_is_for_its_own_account_only(client: Client) -> None:
    first = StaffFactory(totp=False)
    log_in(client, first)
    link = enrolment_link(client)
    other = Client()
    log_in(other, StaffFactory(totp=False))
    response = other.post(link)
    assert response.status_code == 400
    assert "/accounts/2fa/totp/activate/" not in response.get("Location", "")
    assert other.get("/accounts/2fa/totp/activate/").status_code == 403
    assert client.post(link).status_code == 302  # the owner's link is still unspent


def test_an_expired_or_forged_link_is_refused(client: Client, settings) -> None:
    settings.STAFF_SESSION_IDLE_TIMEOUT = 3600  # still signed in when the link has expired
    staff = StaffFactory(totp=False)
    log_in(client, staff)
    link = enrolment_link(client)
    forged = link.rstrip("/")[:-3] + "abc/"
    assert client.post(forged).status_code == 400
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        response = client.post(link)
    assert response.status_code == 400
    assert "만료" in response.content.decode()


def test_links_asked_for_are_rate_limited(client: Client) -> None:
    log_in(client, StaffFactory(totp=False))
    statuses = [client.post("/accounts/staff/enrolment/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert len(mail.outbox) == 3


def test_members_and_enrolled_staff_are_not_sent_links(client: Client) -> None:
    log_in(client, MemberFactory())
    assert client.post("/accounts/staff/enrolment/")["Location"] == "/"
    assert mail.outbox == []


def test_a_staff_members_first_log_in_ends_in_the_admin(client: Client) -> None:
    """Log in, follow the mailed link, set up the authenticator, see the recovery codes, and
    go on to /admin/."""
    staff = verify_email(StaffFactory(totp=False))
    response = client.post("/accounts/login/", {"login": staff.username,
                                                "password": "correct-horse-battery-9"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/")["Location"] == "/accounts/2fa/totp/activate/"
    client.post(enrolment_link(client))
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
