"""Regressions the access matrix found, pinned where they were fixed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from privacy.models import DataKey, RetentionKey
from privacy.routers import RetentionRouter
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_router_judges_relations_of_a_lazy_request_user() -> None:
    member = MemberFactory()
    lazy = SimpleLazyObject(lambda: member)
    router = RetentionRouter()
    assert router.allow_relation(lazy, DataKey(wrapped_key="x")) is True
    assert router.allow_relation(lazy, RetentionKey(wrapped_key="x")) is False


@pytest.mark.parametrize("name", ["account_email", "usersessions_list"])
def test_account_pages_open_for_a_member(name: str) -> None:
    client = Client()
    client.force_login(MemberFactory())
    assert client.get(reverse(name)).status_code == 200
