"""Request bodies are bounded (DATA_UPLOAD_MAX_MEMORY_SIZE): an oversized POST is refused with
400 before any form sees it, and nothing is stored."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.security.conftest import signup_fields

pytestmark = pytest.mark.django_db

Member = get_user_model()


def signup_data(**extra: str) -> dict[str, str]:
    return signup_fields("bigbody", "big@example.com", **extra)


def test_the_limit_is_set_and_small() -> None:
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 1000


@pytest.mark.parametrize("enforce_csrf", [False, True])
def test_an_oversized_post_body_is_refused_and_nothing_is_stored(enforce_csrf: bool) -> None:
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.get(reverse("account_signup"))  # as a browser would: cookie and token first
    token = client.cookies["csrftoken"].value
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(
        reverse("account_signup"), signup_data(padding=padding, csrfmiddlewaretoken=token)
    )
    assert response.status_code == 400
    assert not Member.objects.with_login_id("bigbody").exists()


def test_the_same_signup_under_the_limit_is_accepted() -> None:
    """The control: it is the size that was refused, not the sign-up."""
    response = Client().post(reverse("account_signup"), signup_data(padding="x" * 1000))
    assert response.status_code == 302
    assert Member.objects.with_login_id("bigbody").exists()


def test_an_oversized_raw_body_is_refused() -> None:
    body = b"a=" + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = Client().generic(
        "POST", reverse("set_language"), body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


def test_too_many_fields_are_refused() -> None:
    fields = {f"f{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = Client().post(reverse("account_signup"), signup_data(**fields))
    assert response.status_code == 400
    assert not Member.objects.with_login_id("bigbody").exists()
