"""The configured guest periods are the ones the registry states (``days_setting`` is read)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from privacy import registry
from privacy.checks import check_configured_periods


def test_the_rule_reads_its_setting(settings: Any) -> None:
    settings.GUEST_CONSULTATION_DAYS_AFTER_ANSWER = 60
    assert registry.GUEST_CONSULTATION.live_period == timedelta(days=60)
    assert check_configured_periods() == []


def test_a_period_that_is_not_a_number_of_days_fails_the_check(settings: Any) -> None:
    settings.GUEST_CONSULTATION_DAYS_AFTER_ANSWER = 0
    assert [error.id for error in check_configured_periods()] == ["privacy.E020"]
