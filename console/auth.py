"""Passwords (Argon2), session tokens, CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
#: Checked when the e-mail is unknown, so that a login takes the same time either way.
_DUMMY = _hasher.hash("not a password of anyone " + secrets.token_hex(8))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_check(password: str):  # type: ignore[no-untyped-def]
    """A `verify(hash | None) -> bool` for core.services.staff.log_in."""

    def verify(stored: str | None) -> bool:
        try:
            return _hasher.verify(stored or _DUMMY, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    return verify


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Only this is stored: a stolen database holds no usable session."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return bool(a) and hmac.compare_digest(a.encode(), b.encode())
