"""Keyed digests that stand in for personal values where equality is needed.

Encrypted columns cannot be searched in SQL, and a block must outlive the account it refuses,
so the normalised value's HMAC is stored instead, in an indexed column: staff find a member by
an exact mobile number, and a block refuses a re-registration with the same email or number,
without the value itself being kept or decrypted. The key is ``settings.PRIVACY_LOOKUP_KEY``,
its own and not ``SECRET_KEY``, so a stolen table alone does not let anyone test candidate
values, and rotating Django's secret leaves the lookups alone.

Rotation (docs/privacy-manager.md, "Lookup digests"): the operator lists the new key first
(``PRIVACY_LOOKUP_KEY=<new>,<old>``) and restarts; ``privacy refresh-lookup-digests``
recomputes every digest whose value is still held under the new key. A block whose account is
gone holds only its digests, so it matches under any listed key until the old key is removed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

_NOT_DIGIT = re.compile(r"\D")


def identity_normal(value: str) -> str:
    """The form in which a login ID or email is compared: Unicode NFKC (full-width letters,
    compatibility characters) then case folding, so ``ＤＥＭＯ`` and ``demo`` are one ID."""
    return unicodedata.normalize("NFKC", value or "").casefold().strip()


def _phone_digits(phone: str) -> str:
    digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", phone or ""))
    if digits.startswith("82") and len(digits) >= 11:
        digits = "0" + digits[2:].lstrip("0")
    return digits


def _digest(key: bytes, purpose: str, normal: str) -> str:
    return hmac.new(key, f"{purpose}\0{normal}".encode(), hashlib.sha256).hexdigest()


def phone_digest(phone: str, *, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the number's digits (``+82 10 1234 5678`` and ``010-1234-5678`` match)
    under the newest lookup key (or ``key``); empty for an empty or implausibly short value."""
    digits = _phone_digits(phone)
    if len(digits) < 9:
        return ""
    return _digest(key or settings.PRIVACY_LOOKUP_KEY[0], "phone", digits)


def email_digest(email: str, *, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the normalised email under the newest lookup key (or ``key``)."""
    normal = identity_normal(email)
    return _digest(key or settings.PRIVACY_LOOKUP_KEY[0], "email", normal) if normal else ""


def area_digest(area_id: int | str | None, *, key: bytes | None = None) -> str:
    """HMAC-SHA256 of a consultation area's id under the newest lookup key (or ``key``): a
    person's row tied to an area keeps the area sealed and this digest for filtering by it;
    empty for no area."""
    if area_id is None or area_id == "":
        return ""
    return _digest(key or settings.PRIVACY_LOOKUP_KEY[0], "area", str(int(area_id)))
def login_id_digest(login_id: str, *, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the login ID's normal form (``identity_normal``) under the newest lookup
    key (or ``key``): the column log-in, uniqueness and staff searches compare, so the ID itself
    stays sealed. Its own purpose string, so it never equals an email's or a text's digest."""
    normal = identity_normal(login_id)
    return _digest(key or settings.PRIVACY_LOOKUP_KEY[0], "login_id", normal) if normal else ""


def login_id_digests(login_id: str) -> list[str]:
    """The login ID's digest under every listed lookup key, newest first: log-in and uniqueness
    keep working between listing a new key and ``privacy refresh-lookup-digests``."""
    return [digest for key in settings.PRIVACY_LOOKUP_KEY
            if (digest := login_id_digest(login_id, key=key))]


def phone_digests(phone: str) -> list[str]:
    """The number's digest under every listed lookup key, newest first (matching blocks)."""
    return [digest for key in settings.PRIVACY_LOOKUP_KEY if (digest := phone_digest(phone,
                                                                                    key=key))]


def email_digests(email: str) -> list[str]:
    """The email's digest under every listed lookup key, newest first (matching blocks)."""
    return [digest for key in settings.PRIVACY_LOOKUP_KEY if (digest := email_digest(email,
                                                                                    key=key))]


# A title search matches posts by keyed digests of the characters and pairs of characters of
# their titles, so the titles themselves stay sealed. 12 hex digits (48 bits) per digest: a
# false match of every pair of a query is far below one in the life of the site. The digests
# keep no order, so a title that holds every pair of the query apart or in another order is
# found as well ("23412" for "1234"): rare for words, common among long numbers.
SEARCH_DIGEST_LENGTH = 12


def _search_digest(gram: str, key: bytes | None = None) -> str:
    return _digest(key or settings.PRIVACY_LOOKUP_KEY[0], "text", gram)[:SEARCH_DIGEST_LENGTH]


def search_index(text: str, *, key: bytes | None = None) -> set[str]:
    """The digests under which ``text`` is found (see ``search_terms``): one per distinct
    character (spaces aside) and pair of characters of its normal form."""
    normal = identity_normal(text)
    grams = {char for char in normal if not char.isspace()}
    grams.update(normal[i:i + 2] for i in range(len(normal) - 1))
    return {_search_digest(gram, key) for gram in grams}


def search_terms(query: str) -> list[str]:
    """The digests a text must all have in its ``search_index`` to contain ``query`` (in any
    case or Unicode form): the query's distinct pairs of characters, or its one character."""
    normal = identity_normal(query)
    if len(normal) == 1:
        return [_search_digest(normal)]
    return list(dict.fromkeys(_search_digest(normal[i:i + 2]) for i in range(len(normal) - 1)))
