"""The one encryption helper of the project.

Personal fields are sealed with AES-256-GCM under a data key of their subject; data keys are
wrapped by the key-encryption key(s) in ``settings.PRIVACY_KEK`` (MultiFernet: the first key
wraps, every listed key unwraps, so keys can be rotated without downtime). Destroying a
subject's data key makes every copy of its ciphertext unreadable.
"""

from __future__ import annotations

import base64
import os
import threading
import time
from collections import OrderedDict
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12
UNWRAP_FAILED = "data key cannot be unwrapped with the configured PRIVACY_KEK"
KEY_BITS = 256


class DecryptionError(Exception):
    """Ciphertext could not be opened: wrong key, tampered data or a destroyed key."""


@lru_cache(maxsize=4)
def _key_wrapper(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def key_wrapper() -> MultiFernet:
    return _key_wrapper(tuple(settings.PRIVACY_KEK))


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BITS)


def wrap_key(material: bytes) -> str:
    return key_wrapper().encrypt(material).decode()


def unwrap_key(token: str) -> bytes:
    try:
        return key_wrapper().decrypt(token.encode())
    except InvalidToken:
        raise DecryptionError(UNWRAP_FAILED) from None


# Data keys kept unwrapped (unwrap_data_key): oldest first, each until its expiry.
DATA_KEY_KEPT_SECONDS = 60
DATA_KEYS_KEPT = 2048
_clock = time.monotonic
_kept: OrderedDict[tuple[tuple[str, ...], str], tuple[bytes, float]] = OrderedDict()
_kept_lock = threading.Lock()


def unwrap_data_key(token: str) -> bytes:
    """A subject's data key from its wrapped ``token`` (``DataKey.wrapped_key``), kept in
    this process for at most ``DATA_KEY_KEPT_SECONDS`` after it was unwrapped.

    A page of reviews or posts opens twenty bodies under twenty members' keys, and unwrapping
    a key (Fernet: HMAC and AES-CBC) costs three times opening a body. Kept keys are looked up
    by the exact token read beside the ciphertext and the KEKs in force: a key whose row is
    destroyed cannot be looked up (its token is gone with it), a key rewrapped by rotation is
    found under its new token only, and a KEK taken out of service opens nothing. What the
    lookup cannot undo is memory: a destroyed key stays in the memory of the workers that used
    it until it expires here (a minute; dropped at the next use of a data key), which is why
    it expires, and is not kept longer for being used often."""
    keks = tuple(settings.PRIVACY_KEK)
    now = _clock()
    with _kept_lock:
        _drop_expired(now)
        kept = _kept.get((keks, token))
        if kept is not None:
            return kept[0]
    material = _unwrap(keks, token)
    with _kept_lock:
        _kept.pop((keks, token), None)
        _kept[(keks, token)] = (material, now + DATA_KEY_KEPT_SECONDS)
        while len(_kept) > DATA_KEYS_KEPT:
            _kept.popitem(last=False)
    return material


def _drop_expired(now: float) -> None:
    while _kept and next(iter(_kept.values()))[1] <= now:
        _kept.popitem(last=False)


def forget_data_keys() -> None:
    """Drop the data keys this process keeps unwrapped (benchmarks, tests)."""
    with _kept_lock:
        _kept.clear()


def _unwrap(keks: tuple[str, ...], token: str) -> bytes:
    try:
        return _key_wrapper(keks).decrypt(token.encode())
    except InvalidToken:
        raise DecryptionError(UNWRAP_FAILED) from None


def rewrap_key(token: str) -> str:
    """Re-wrap a data key under the newest KEK (used by ``privacy rotate-keys``)."""
    try:
        return key_wrapper().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError(UNWRAP_FAILED) from None


def wrapped_by_newest(token: str) -> bool:
    try:
        Fernet(settings.PRIVACY_KEK[0].encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def seal(material: bytes, plaintext: str, *, context: str) -> str:
    """Encrypt ``plaintext``; ``context`` (which field it belongs to) is bound as associated data,
    so a ciphertext copied into another field does not open."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(material).encrypt(nonce, plaintext.encode(), context.encode())
    return base64.b64encode(nonce + sealed).decode("ascii")


def open_sealed(material: bytes, token: str, *, context: str) -> str:
    try:
        raw = base64.b64decode(token.encode("ascii"), validate=True)
        nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        return AESGCM(material).decrypt(nonce, sealed, context.encode()).decode()
    except (ValueError, InvalidTag) as exc:
        raise DecryptionError("ciphertext cannot be opened") from exc

