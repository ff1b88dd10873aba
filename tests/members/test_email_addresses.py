"""allauth's email addresses hold keyed stand-ins; each address is sealed beside its row under
the member's data key, and every page, message and mail shows or reaches the address itself."""

from __future__ import annotations

import io
import re
from importlib import import_module

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from members.emails import SealedEmailAddress, email_stand_in
from members.models import Member
from tests.members.factories import DEFAULT_PASSWORD, MemberFactory, log_in, reauthenticate

pytestmark = pytest.mark.django_db

SECOND = "second.address@example.com"
NEW_KEY = b"k" * 32


def _raw_addresses() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM account_emailaddress")
        return [row[0] for row in cursor.fetchall()]


def _visible(html: str) -> str:
    """The page without its tags' attributes: what a person reads."""
    return re.sub(r"<[^>]*>", " ", html)


def test_sign_up_stores_a_stand_in_and_mails_the_typed_address(
    client: Client, signup_data: dict[str, str]
) -> None:
    signup_data["email"] = "Hong.GilDong@Example.com"
    response = client.post("/accounts/signup/", signup_data, follow=True)
    assert response.status_code == 200
    member = Member.objects.with_login_id(signup_data["username"]).get()
    address = EmailAddress.objects.get(user=member)
    assert address.email == email_stand_in("hong.gildong@example.com")
    assert _raw_addresses() == [address.email]
    assert SealedEmailAddress.objects.get(address=address).email == "hong.gildong@example.com"
    assert member.email == "hong.gildong@example.com"
    assert [message.to for message in mail.outbox] == [["hong.gildong@example.com"]]
    assert "sealed.invalid" not in response.content.decode()


def test_an_address_at_the_stand_ins_domain_is_refused(
    client: Client, signup_data: dict[str, str]
) -> None:
    signup_data["email"] = email_stand_in("someone@example.com")
    response = client.post("/accounts/signup/", signup_data)
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not Member.objects.exists() and not EmailAddress.objects.exists()


def test_a_second_address_is_added_confirmed_made_primary_and_the_old_one_removed(
    client: Client,
) -> None:
    member = MemberFactory(email="first.address@example.com")
    log_in(client, member)
    reauthenticate(client)
    response = client.post("/accounts/email/", {"action_add": "", "email": SECOND},
                           follow=True)
    assert SECOND in response.content.decode()
    second = EmailAddress.objects.get(user=member, email=email_stand_in(SECOND))
    assert SealedEmailAddress.objects.get(address=second).email == SECOND
    assert SECOND not in " ".join(_raw_addresses())
    assert mail.outbox[-1].to == [SECOND]

    page = client.get("/accounts/email/").content.decode()
    assert SECOND in page and "first.address@example.com" in page
    assert "sealed.invalid" not in _visible(page)
    assert "기본 주소로 지정" in page and "Make Primary" not in page  # Korean first

    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", mail.outbox[-1].body).group(1)
    confirm = client.get(f"/accounts/confirm-email/{key}/")
    assert SECOND in confirm.content.decode()
    assert "sealed.invalid" not in _visible(confirm.content.decode())
    client.post(f"/accounts/confirm-email/{key}/")
    assert EmailAddress.objects.get(pk=second.pk).verified

    reauthenticate(client)
    client.post("/accounts/email/", {"action_primary": "", "email": second.email})
    member.refresh_from_db()
    assert member.email == SECOND
    assert Member.objects.with_email(SECOND).get() == member

    reauthenticate(client)
    first = EmailAddress.objects.get(user=member,
                                     email=email_stand_in("first.address@example.com"))
    response = client.post("/accounts/email/", {"action_remove": "", "email": first.email},
                           follow=True)
    assert "first.address@example.com" in response.content.decode()
    assert not EmailAddress.objects.filter(pk=first.pk).exists()
    assert not SealedEmailAddress.objects.filter(address_id=first.pk).exists()


def test_a_password_reset_by_a_further_address_reaches_that_address(client: Client) -> None:
    member = MemberFactory()
    EmailAddress.objects.create(user=member, email=SECOND, verified=True, primary=False)
    response = client.post("/accounts/password/reset/", {"email": SECOND.upper()})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[SECOND]]


def test_a_row_saved_with_a_clear_address_keeps_only_its_stand_in() -> None:
    member = MemberFactory()
    address = EmailAddress.objects.create(user=member, email=SECOND)
    assert _raw_addresses() == [email_stand_in(SECOND)]
    sealed = SealedEmailAddress.objects.get(address=address)
    assert sealed.email == SECOND and sealed.data_key_id == member.data_key_id


def test_the_migration_seals_addresses_stored_in_clear() -> None:
    member = MemberFactory()
    address = EmailAddress.objects.create(user=member, email="placeholder@example.com")
    EmailAddress.objects.filter(pk=address.pk).update(email=SECOND)
    SealedEmailAddress.objects.all().delete()
    import_module("members.migrations.0012_email_addresses_sealed").addresses_seal(apps, None)
    assert _raw_addresses() == [email_stand_in(SECOND)]
    assert SealedEmailAddress.objects.get(address=address).email == SECOND


def test_refreshing_the_lookup_digests_recomputes_the_stand_ins(client: Client) -> None:
    member = MemberFactory()
    EmailAddress.objects.create(user=member, email=SECOND, verified=True)
    with override_settings(PRIVACY_LOOKUP_KEY=[NEW_KEY, *settings.PRIVACY_LOOKUP_KEY]):
        call_command("privacy", "refresh-lookup-digests", stdout=io.StringIO())
        assert _raw_addresses() == [email_stand_in(SECOND)]
    with override_settings(PRIVACY_LOOKUP_KEY=[NEW_KEY]):
        client.post("/accounts/password/reset/", {"email": SECOND})
        assert [message.to for message in mail.outbox] == [[SECOND]]


def test_an_account_made_outside_allauth_is_sent_a_confirmation_at_log_in(client: Client) -> None:
    """As allauth's own synchronisation did: the account's address gets an unconfirmed row
    (a stand-in, sealed beside it) and the confirmation mail reaches the address."""
    member = MemberFactory(email="made.by.admin@example.com")
    assert not EmailAddress.objects.filter(user=member).exists()
    response = client.post("/accounts/login/", {"login": member.username,
                                                "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") is None
    address = EmailAddress.objects.get(user=member)
    assert (address.email, address.verified) == (email_stand_in(member.email), False)
    assert [message.to for message in mail.outbox] == [["made.by.admin@example.com"]]
