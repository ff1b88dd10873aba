"""Age verification (policy section 2): who needs a legal representative's consent."""

from __future__ import annotations

from datetime import date

# PIPA art. 22-2: the personal data of a child under 14 needs a legal representative's consent.
REPRESENTATIVE_REQUIRED_UNDER = 14


def age_on(born: date, day: date) -> int:
    """Full years of age on ``day`` (the legal "만 나이")."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def needs_representative(born: date, day: date) -> bool:
    return age_on(born, day) < REPRESENTATIVE_REQUIRED_UNDER
