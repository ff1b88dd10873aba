"""Abuse: allauth's rate limits on login, sign-up and password reset hold, in the shared cache
(Redis when REDIS_URL is set, the database cache otherwise; never per-process memory)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from members.models import Member
from tests.members.factories import DEFAULT_PASSWORD, MemberFactory
from tests.security.conftest import signup_fields, verified_email

pytestmark = pytest.mark.django_db

TOO_MANY_LOGINS = "로그인에 여러 번 실패하였습니다"  # Korean is the default language


def test_the_cache_is_shared_by_every_worker() -> None:
    assert settings.CACHES["default"]["BACKEND"] in {
        "django.core.cache.backends.redis.RedisCache",
        "django.core.cache.backends.db.DatabaseCache",
    }


def test_failed_logins_lock_the_account_even_for_the_right_password() -> None:
    member = MemberFactory()
    verified_email(member)
    for _ in range(5):
        response = Client().post(reverse("account_login"),
                                 {"login": member.username, "password": "wrong-password-1"})
        assert response.status_code == 200
    # Another client, as if on another app server: the counter is in the shared cache.
    client = Client()
    response = client.post(reverse("account_login"),
                           {"login": member.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert TOO_MANY_LOGINS in response.content.decode()


def test_another_account_is_not_locked_by_them() -> None:
    victim, bystander = MemberFactory(), MemberFactory()
    verified_email(bystander)
    for _ in range(5):
        Client().post(reverse("account_login"),
                      {"login": victim.username, "password": "wrong-password-1"})
    client = Client()
    response = client.post(reverse("account_login"),
                           {"login": bystander.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bystander.pk)


def test_signups_from_one_address_are_limited() -> None:
    statuses = []
    for n in range(21):
        response = Client().post(reverse("account_signup"),
                                 signup_fields(f"burst{n:03d}", f"burst{n}@example.com"))
        statuses.append(response.status_code)
    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429
    assert not Member.objects.with_login_id("burst020").exists()


def test_password_reset_requests_for_one_address_are_limited() -> None:
    member = MemberFactory()
    verified_email(member)
    statuses = [
        Client().post(reverse("account_reset_password"), {"email": member.email}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    assert len(mail.outbox) == 5
