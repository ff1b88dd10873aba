"""The one masking helper: how a person's name, phone number or address is shown where the
full value is not needed (public reviews, staff lists, notices).

Masking hides enough that a stranger cannot identify the person, while the person still
recognises their own entry.
"""

from __future__ import annotations

import re

MASK = "*"

_HANGUL = re.compile(r"^[\uac00-\ud7a3]+$")
_DIGITS = re.compile(r"\D")
# Korean road-name addresses end the street part at "...로/길 <number>(-<number>)"; the rest is
# the building, floor and unit, which point at one household.
_ROAD = re.compile(r"^(.*?(?:로|길)\s*\d+(?:-\d+)?)(?=\s|,|$)")
# Lot-number addresses end at "...동/리/가 <number>(-<number>)".
_LOT = re.compile(r"^(.*?(?:동|리|가)\s*(?:산\s*)?\d+(?:-\d+)?)(?=\s|,|$)")


def _mask_word(word: str) -> str:
    """Keep the first letter (and the last of longer words), star the rest."""
    if len(word) <= 1:
        return word
    if len(word) == 2:
        return word[0] + MASK
    return word[0] + MASK * (len(word) - 2) + word[-1]


def mask_name(name: str) -> str:
    """김민수 -> 김*수, 김수 -> 김*, 남궁민수 -> 남**수; Jane Doe -> J**e D*e."""
    name = (name or "").strip()
    if not name:
        return ""
    if _HANGUL.match(name):
        return _mask_word(name)
    return " ".join(_mask_word(word) for word in name.split())


def mask_phone(phone: str) -> str:
    """010-1234-5678 -> 010-****-5678: the middle group goes, the format stays recognisable."""
    digits = _DIGITS.sub("", phone or "")
    if len(digits) < 7:
        return MASK * len(digits)
    head = "02" if digits.startswith("02") else digits[:3]
    tail = digits[-4:]
    middle = len(digits) - len(head) - len(tail)
    return f"{head}-{MASK * middle}-{tail}"


def mask_address(address: str) -> str:
    """Keep the street (road name and building number, or area and lot number); drop the
    building, floor and unit. Otherwise keep what precedes the first comma, or the first two
    words."""
    address = " ".join((address or "").split())
    if not address:
        return ""
    for pattern in (_ROAD, _LOT):
        match = pattern.match(address)
        if match:
            kept = match.group(1).strip()
            return kept if kept == address else f"{kept} {MASK * 3}"
    if "," in address:  # "12 Main Street, Apt 4": the street comes before the first comma
        return address.split(",")[0].strip() + f" {MASK * 3}"
    words = address.split(" ")
    if len(words) <= 2:
        return address
    return " ".join(words[:2]) + f" {MASK * 3}"


def mask_email(email: str) -> str:
    """minsoo.kim@example.com -> m********m@example.com: the domain stays, the name goes."""
    email = (email or "").strip()
    local, at, domain = email.partition("@")
    if not at:
        return _mask_word(email) if len(email) > 2 else MASK * len(email)
    masked = local[0] + MASK * max(len(local) - 1, 1) if len(local) <= 2 else _mask_word(local)
    return f"{masked}@{domain}"


def mask_birth_date(value: str) -> str:
    """1990-05-17 -> 1990-**-**: the year tells the age band, not the person."""
    value = (value or "").strip()
    return f"{value[:4]}-**-**" if len(value) >= 4 else MASK * len(value)


def mask_text(value: str) -> str:
    """Free text that may identify someone (a contact field that is a phone or an email)."""
    value = (value or "").strip()
    if "@" in value:
        return mask_email(value)
    if sum(character.isdigit() for character in value) >= 7:
        return mask_phone(value)
    return mask_name(value)


def mask_ip(address: str) -> str:
    """203.0.113.9 -> 203.0.*.*; 2001:db8:85a3::1 -> 2001:db8:*: the network, not the host."""
    address = (address or "").strip()
    if ":" in address:
        return ":".join(address.split(":")[:2]) + f":{MASK}"
    parts = address.split(".")
    if len(parts) != 4:
        return MASK * len(address)
    return ".".join([*parts[:2], MASK, MASK])


def mask_user_agent(user_agent: str) -> str:
    """Mozilla/5.0 (Windows NT 10.0; ...) -> Mozilla/5.0 ***: the browser's first word only."""
    user_agent = (user_agent or "").strip()
    if not user_agent:
        return ""
    return f"{user_agent.split(' ')[0][:20]} {MASK * 3}"
