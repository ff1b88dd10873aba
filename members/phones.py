"""Korean telephone numbers: validation and the one stored form (``010-1234-5678``).

People type numbers with spaces, dots, brackets, without hyphens or with the +82 country code;
every form that takes a number stores it as digits in groups separated by hyphens, so that the
same number always reads and compares the same way (block list, display, masking).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_PREFIX = "010"
SEOUL_PREFIX = "02"
# Regional area codes (Gyeonggi 031 ... Jeju 064) and 070 internet telephony used as home lines.
AREA_CODES = frozenset({
    "031", "032", "033", "041", "042", "043", "044", "051", "052", "053", "054", "055",
    "061", "062", "063", "064", "070",
})
RAW_MAX_LENGTH = 20  # what a form accepts before normalising: "+82 (0)10-1234-5678" fits

_SEPARATORS = re.compile(r"[\s\-.()]")
_DIGITS = re.compile(r"\d+")

INVALID_MOBILE = _("Enter a mobile phone number starting with 010, for example 010-1234-5678.")
INVALID_PHONE = _(
    "Enter a Korean phone number with its area code, for example 02-123-4567 or 010-1234-5678."
)


def _digits(raw: str) -> str | None:
    value = _SEPARATORS.sub("", raw.strip())
    if value.startswith("+82"):
        value = value[3:]
        value = value if value.startswith("0") else "0" + value
    if not _DIGITS.fullmatch(value or "x"):
        return None
    return value


def _mobile(digits: str) -> str | None:
    if digits.startswith(MOBILE_PREFIX) and len(digits) == 11:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    return None


def _landline(digits: str) -> str | None:
    if digits.startswith(SEOUL_PREFIX):
        prefix, rest = digits[:2], digits[2:]
    elif digits[:3] in AREA_CODES:
        prefix, rest = digits[:3], digits[3:]
    else:
        return None
    if len(rest) not in (7, 8) or rest.startswith("0"):
        return None
    middle = len(rest) - 4
    return f"{prefix}-{rest[:middle]}-{rest[middle:]}"


def normalise_mobile(raw: str) -> str:
    """A 010 mobile number in its stored form, or ``ValidationError``."""
    digits = _digits(raw)
    normalised = _mobile(digits) if digits else None
    if normalised is None:
        raise ValidationError(INVALID_MOBILE, code="invalid_mobile")
    return normalised


def normalise_phone(raw: str) -> str:
    """A landline (02, 0xx area codes, 070) or 010 mobile number in its stored form."""
    digits = _digits(raw)
    normalised = (_mobile(digits) or _landline(digits)) if digits else None
    if normalised is None:
        raise ValidationError(INVALID_PHONE, code="invalid_phone")
    return normalised
