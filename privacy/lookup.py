"""Keyed digests that let staff find a record by an exact encrypted value without decrypting.

Encrypted columns cannot be searched in SQL, so the normalised value's HMAC is stored beside
it in an indexed column; an exact-match search computes the same HMAC. The key is derived
from ``SECRET_KEY`` (a stolen table alone does not let anyone test candidate numbers).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

_NOT_DIGIT = re.compile(r"\D")
_SALT = b"clinic-site.privacy.lookup.v1"


def _key() -> bytes:
    return hmac.new(_SALT, settings.SECRET_KEY.encode(), hashlib.sha256).digest()


def phone_digest(phone: str) -> str:
    """HMAC-SHA256 of the number's digits (``+82 10 1234 5678`` and ``010-1234-5678`` match);
    empty for an empty or implausibly short value."""
    digits = _NOT_DIGIT.sub("", phone or "")
    if digits.startswith("82") and len(digits) >= 11:
        digits = "0" + digits[2:].lstrip("0")
    if len(digits) < 9:
        return ""
    return hmac.new(_key(), digits.encode(), hashlib.sha256).hexdigest()


def email_digest(email: str) -> str:
    """HMAC-SHA256 of the address in lower case without surrounding spaces; empty for an
    empty value."""
    address = (email or "").strip().lower()
    if not address:
        return ""
    return hmac.new(_key(), address.encode(), hashlib.sha256).hexdigest()
