"""Secrets: argon2id password hashes, random sign-in tokens and enrolment codes.

Passwords use argon2id at OWASP's parameters (as the station does). Tokens and
enrolment codes are random with at least 80 bits, so a plain SHA-256 is enough to
keep them: only their digests are stored.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "hash_password",
    "new_enrolment_code",
    "new_token",
    "normalise_code",
    "secret_digest",
    "verify_password",
]

# OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Crockford's base32: no I, L, O or U, so a code read aloud is typed back right.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_CHARS = 20  # 100 bits
# A hash to check against when the user does not exist, so that timing says nothing.
_DUMMY = _HASHER.hash("kiosk-server-no-such-user")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_enrolment_code() -> str:
    """A one-time code like ``K7QF-2M9X-...``: 20 characters, 100 random bits."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_CHARS))
    return "-".join(chars[i : i + 4] for i in range(0, _CODE_CHARS, 4))


def normalise_code(code: str) -> str:
    """The code as generated, whatever the case, grouping or look-alike letters typed."""
    text = "".join(code.split()).replace("-", "").upper()
    text = text.translate(str.maketrans("OIL", "011"))
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))
