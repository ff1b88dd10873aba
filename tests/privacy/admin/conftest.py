"""A member whose every personal item is known, for the admin tests to look for."""

from __future__ import annotations

from typing import Any

import pytest

from tests.members.factories import MemberFactory


@pytest.fixture
def kim(db: Any) -> Any:
    """A member whose every personal item is known, to look for it in pages."""
    return MemberFactory(
        username="kim_minsu", name="김민수", email="minsoo.kim@example.com",
        mobile_phone="010-2345-6789", home_phone="02-555-1234",
        home_address="서울특별시 강남구 테헤란로 123 4층 401호", date_of_birth="1990-05-17",
    )
