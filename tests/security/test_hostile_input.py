"""Hostile input on every form and query parameter of the site (property-based, hypothesis).

Whatever is sent: never a server error, a clear refusal (form error, 4xx), nothing stored on
refusal, and no markup echoed unescaped. Rate-limit counters are cleared for every example so
each one reaches the form itself.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from members.emails import email_stand_in
from tests.members.factories import DEFAULT_PASSWORD, MemberFactory
from tests.security.conftest import signup_fields, verified_email
from tests.security.hostile import HOSTILE, REDIRECTS, assert_safe, hostile_text

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

Member = get_user_model()


def fresh_client() -> Client:
    cache.clear()  # rate-limit counters of earlier examples
    return Client()


@HOSTILE
@given(language=hostile_text(), next_url=st.one_of(hostile_text(), st.sampled_from(REDIRECTS)))
def test_language_switch_never_fails_and_never_redirects_off_site(
    language: str, next_url: str
) -> None:
    client = fresh_client()
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert_safe(response, language, next_url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc) == ("", ""), response["Location"]
    assert not response["Location"].startswith(("//", "/\\", "\\"))
    if language not in ("ko", "en"):
        assert "django_language" not in response.cookies


@pytest.mark.parametrize("target", REDIRECTS)
def test_language_switch_ignores_each_off_site_next(target: str) -> None:
    response = fresh_client().post(reverse("set_language"), {"language": "en", "next": target})
    assert response["Location"] == "/"


@HOSTILE
@given(method=st.from_regex(r"[A-Z]{1,12}", fullmatch=True), query=hostile_text())
def test_healthz_answers_only_get_and_head(method: str, query: str) -> None:
    response = fresh_client().generic(method, reverse("healthz"), QUERY_STRING=f"q={query}")
    assert_safe(response, query)
    if method in ("GET", "HEAD"):
        assert response.status_code == 200
    else:
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"


@HOSTILE
@given(login=hostile_text(), password=hostile_text())
def test_login_refuses_hostile_credentials_with_a_form_error(login: str, password: str) -> None:
    MemberFactory(username="realmember")
    client = fresh_client()
    response = client.post(reverse("account_login"), {"login": login, "password": password})
    assert_safe(response, login, password)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_a_refused_password_is_never_echoed() -> None:
    response = fresh_client().post(
        reverse("account_login"), {"login": "nobody", "password": "Echo-Marker-Pass-9271"}
    )
    assert response.status_code == 200
    assert "Echo-Marker-Pass-9271" not in response.content.decode()


# Sign-up with every field of the form: tests/security/test_hostile_forms.py.


@HOSTILE
@given(email=hostile_text())
def test_password_reset_with_hostile_email_fails_safely(email: str) -> None:
    members = Member.objects.count()
    outbox = len(mail.outbox)
    response = fresh_client().post(reverse("account_reset_password"), {"email": email})
    assert_safe(response, email)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors
        assert len(mail.outbox) == outbox
    assert Member.objects.count() == members


@HOSTILE
@given(page=hostile_text())
def test_list_pages_take_any_page_parameter(page: str) -> None:
    client = fresh_client()
    for name in ("consultations:list", "reviews:list"):
        response = client.get(reverse(name), {"page": page})
        assert_safe(response, page)
        assert response.status_code == 200


@HOSTILE
@given(pk=st.one_of(st.integers(min_value=0, max_value=10**30), st.just(2**63), st.just(2**31)))
def test_consultation_detail_with_any_number_is_a_not_found(pk: int) -> None:
    """Logged out, any number (an email's link included) leads to log-in, never an error."""
    response = fresh_client().get(f"/consultations/{pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@HOSTILE
@given(path=hostile_text())
def test_unknown_paths_are_a_plain_not_found(path: str) -> None:
    response = fresh_client().get("/" + path.replace("?", "").replace("#", ""))
    assert_safe(response, path)


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "a\x00b", "x" * 5000])
def test_member_username_with_hostile_text_is_refused_at_signup(hostile: str) -> None:
    """A named example of each kind, so a regression reads plainly in the failure."""
    response = fresh_client().post(reverse("account_signup"),
                                   signup_fields(hostile, "new@example.com"))
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert not Member.objects.with_email("new@example.com").exists()
    assert "<script>alert(1)</script>" not in response.content.decode()


def member_client() -> tuple[Client, object]:
    member = MemberFactory(username="hostilemember")
    verified_email(member)
    client = fresh_client()
    client.force_login(member)
    return client, member


@HOSTILE
@given(old=hostile_text(), new=hostile_text())
def test_password_change_refuses_hostile_input_and_keeps_the_password(old: str, new: str) -> None:
    client, member = member_client()
    response = client.post(reverse("account_change_password"),
                           {"oldpassword": old, "password1": new, "password2": new})
    assert_safe(response, old, new)
    assert response.status_code == 200
    assert response.context["form"].errors
    member.refresh_from_db()
    assert member.check_password(DEFAULT_PASSWORD)


@HOSTILE
@given(email=hostile_text())
def test_adding_a_hostile_email_address_stores_nothing(email: str) -> None:
    client, member = member_client()
    addresses = EmailAddress.objects.count()
    response = client.post(reverse("account_email"), {"email": email, "action_add": ""})
    assert_safe(response, email)
    if response.status_code == 200:
        assert response.context["form"].errors
        assert EmailAddress.objects.count() == addresses
    else:
        assert response.status_code == 302
        stand_in = email_stand_in(email.strip())
        assert EmailAddress.objects.filter(user=member, email=stand_in).exists()


@HOSTILE
@given(password=hostile_text())
def test_reauthentication_refuses_hostile_passwords(password: str) -> None:
    client, _member = member_client()
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert_safe(response, password)
    assert response.status_code == 200
    assert response.context["form"].errors
