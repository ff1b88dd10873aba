"""Fixtures for the members tests: a valid sign-up submission to vary."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from privacy.models import PolicyVersion
from tests.consultations.factories import ConsultationAreaFactory

STRONG_PASSWORD = "Seoul-clinic-2026!"


@pytest.fixture
def policy_version(db: Any) -> PolicyVersion:
    return PolicyVersion.objects.create(version="1.0", effective_on=date(2024, 7, 1))


@pytest.fixture
def area(db: Any) -> Any:
    return ConsultationAreaFactory(slug="eyes", name_ko="눈", name_en="Eyes")


@pytest.fixture
def signup_data() -> dict[str, str]:
    return {
        "name": "홍길동",
        "username": "hong_gildong",
        "email": "hong@example.com",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        "mobile_phone": "010 1234 5678",
        "date_of_birth": "1990-05-17",
        "home_phone": "",
        "home_address": "",
        "desired_area": "",
    }
