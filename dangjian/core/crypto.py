"""Encryption and keyed hashing of personal data (resident ID numbers).

Keys come from ``DANGJIAN_DATA_KEYS`` (settings.DATA_KEYS): the first key encrypts,
every key decrypts (so a new key can be put in front and old rows re-encrypted with
``manage.py rotate_data_keys``). The lookup digest (exact search and uniqueness) uses
``DANGJIAN_LOOKUP_KEY`` if set, else a key derived from the *last* data key — the original
one, which stays at the end of the list during rotation — so digests never change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _derive(material: str, info: bytes) -> bytes:
    raw = material.encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(raw)


@cache
def _fernet() -> MultiFernet:
    keys = [k for k in settings.DATA_KEYS if k]
    if not keys:
        raise ImproperlyConfigured("DANGJIAN_DATA_KEYS is empty: personal data cannot be stored.")
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(k, b"dangjian-encrypt"))) for k in keys])


@cache
def _lookup_key() -> bytes:
    explicit = getattr(settings, "LOOKUP_KEY", "")
    if explicit:
        return _derive(explicit, b"dangjian-lookup")
    keys = [k for k in settings.DATA_KEYS if k]
    if not keys:
        raise ImproperlyConfigured("DANGJIAN_DATA_KEYS is empty: personal data cannot be stored.")
    return _derive(keys[-1], b"dangjian-lookup")


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """The plaintext, or an empty string if ``token`` cannot be decrypted with any key."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def rotate(token: str) -> str:
    """``token`` re-encrypted with the first (newest) key."""
    return _fernet().rotate(token.encode()).decode()


def digest(plaintext: str) -> str:
    """Keyed SHA-256 of the normalized value, hex (64 characters)."""
    return hmac.new(_lookup_key(), plaintext.encode(), hashlib.sha256).hexdigest()


def reset_keys() -> None:
    """Forget cached keys (tests that change settings)."""
    _fernet.cache_clear()
    _lookup_key.cache_clear()
