"""Staff in their roles, logged in to the admin (TOTP set up, as the admin requires)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from members import roles
from tests.members.factories import MemberFactory, StaffFactory


@pytest.fixture
def staff_client(db: Any) -> Callable[..., tuple[Client, Any]]:
    """``staff_client("receptionist")`` -> (logged-in client, staff account)."""

    def make(role: str | None = None, **kwargs: Any) -> tuple[Client, Any]:
        staff = StaffFactory(**kwargs)
        if role is not None:
            staff.groups.add(Group.objects.get(name=role))
        client = Client(REMOTE_ADDR="203.0.113.7")
        client.force_login(staff)
        return client, staff

    return make


@pytest.fixture
def receptionist(staff_client: Callable[..., tuple[Client, Any]]) -> tuple[Client, Any]:
    return staff_client(roles.RECEPTIONIST)


@pytest.fixture
def doctor(staff_client: Callable[..., tuple[Client, Any]]) -> tuple[Client, Any]:
    return staff_client(roles.DOCTOR)


@pytest.fixture
def privacy_manager(staff_client: Callable[..., tuple[Client, Any]]) -> tuple[Client, Any]:
    return staff_client(roles.PRIVACY_MANAGER)


@pytest.fixture
def kim(db: Any) -> Any:
    """A member whose every personal item is known, to look for it in pages."""
    return MemberFactory(
        username="kim_minsu", name="김민수", email="minsoo.kim@example.com",
        mobile_phone="010-2345-6789", home_phone="02-555-1234",
        home_address="서울특별시 강남구 테헤란로 123 4층 401호", date_of_birth="1990-05-17",
    )
