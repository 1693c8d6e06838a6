"""Users, passwords and PINs: argon2id hashes, lockout after repeated failures.

Passwords and PINs are hashed with argon2id (argon2-cffi) at OWASP's recommended
minimum or above: 19 MiB of memory, 2 iterations, parallelism 1.

The password (sign-in) and the PIN (unlocking candidate mode) are counted and locked
apart. After :data:`MAX_FAILURES` wrong passwords in a row the password sign-in is
locked for :data:`LOCKOUT`; after :data:`MAX_FAILURES` wrong PINs in a row the PIN is
locked for as long, and sign-in with the password stays open. So a candidate guessing
PINs at the keyboard is rate-limited but cannot lock an administrator out of signing
in. A correct secret resets its own count only: a good password does not lift a PIN
lockout, nor a good PIN a password lockout (otherwise one secret would be a way round
the other's rate limit); each lock lasts until it expires. Sign-ins, unlocks, failures
and lockouts go to the audit log; a locked PIN is audited as ``pin_locked``, a locked
password as ``account_locked``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.store import Store
from kiosk.store.audit import append_audit
from kiosk.store.models import Role, User, utcnow

__all__ = [
    "LOCKOUT",
    "MAX_FAILURES",
    "Actor",
    "AuthError",
    "authenticate",
    "create_user",
    "has_admin",
    "hasher",
    "verify_pin",
]

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=5)
MIN_PASSWORD = 8
# OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1.
hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class AuthError(Exception):
    """Sign-in refused; the message is safe to show (it never says which part was wrong)."""


@dataclass(frozen=True)
class Actor:
    """Who is acting: what the service layer needs to check and audit."""

    user_id: int | None
    username: str
    role: Role

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.username, Role(user.role))


CANDIDATE = Actor(None, "candidate", Role.CANDIDATE)
SYSTEM = Actor(None, "system", Role.ADMIN)


def has_admin(store: Store) -> bool:
    with store.reader() as s:
        count = s.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN.value, User.active.is_(True))
        )
    return bool(count)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")


def check_pin_rules(pin: str) -> None:
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise ValueError("a PIN is 4 to 8 digits")


def create_user(
    store: Store,
    actor: Actor,
    username: str,
    password: str,
    role: Role,
    *,
    pin: str | None = None,
    display_name: str = "",
) -> User:
    """Create a user. Only an admin may, except for the very first admin of a store."""
    from kiosk.access.permissions import Action, require

    first_admin = role is Role.ADMIN and not has_admin(store)
    if not first_admin:
        require(actor.role, Action.MANAGE_USERS)
    username = username.strip()
    if not username or not username.replace("_", "").replace(".", "").isalnum():
        raise ValueError("a username is letters, digits, '.' or '_'")
    check_password_rules(password)
    if pin is not None:
        check_pin_rules(pin)
    if role is Role.PROCTOR and pin is None:
        raise ValueError("a proctor needs a PIN to unlock candidate mode")
    with store.writer() as s, s.begin():
        if s.scalar(select(User).where(User.username == username)) is not None:
            raise ValueError(f"the username {username!r} is taken")
        user = User(
            username=username,
            display_name=display_name or username,
            role=role.value,
            password_hash=hasher.hash(password),
            pin_hash=hasher.hash(pin) if pin is not None else None,
        )
        s.add(user)
        s.flush()
        append_audit(
            s,
            actor.username if not first_admin else "first-run",
            "user_created",
            target=username,
            details={"role": role.value},
        )
    return user


@dataclass(frozen=True)
class _Secret:
    """Which secret is checked, and the user's columns that count and lock it."""

    what: str  # audit prefix: "sign_in" or "pin"
    hash: str
    failures: str
    locked_until: str
    locked_action: str


_PASSWORD = _Secret("sign_in", "password_hash", "failed_attempts", "locked_until", "account_locked")
_PIN = _Secret("pin", "pin_hash", "pin_failed_attempts", "pin_locked_until", "pin_locked")


def _locked(user: User, secret: _Secret, now: datetime) -> bool:
    until: datetime | None = getattr(user, secret.locked_until)
    if until is None:
        return False
    if until.tzinfo is None:  # SQLite hands back naive datetimes
        until = until.replace(tzinfo=UTC)
    return until > now


def _verify(user: User, given: str, secret: _Secret, s: Session) -> bool:
    """Check ``given`` against one of the user's secrets; count, lock and audit."""
    what = secret.what
    now = utcnow()
    if _locked(user, secret, now):
        _burn(given)  # a locked secret costs what a real check costs: timing says nothing
        append_audit(s, user.username, f"{what}_refused_locked", target=user.username)
        return False
    hashed: str | None = getattr(user, secret.hash)
    try:
        ok = hashed is not None and hasher.verify(hashed, given)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if ok:
        setattr(user, secret.failures, 0)
        setattr(user, secret.locked_until, None)
        if hashed is not None and hasher.check_needs_rehash(hashed):
            setattr(user, secret.hash, hasher.hash(given))
        append_audit(s, user.username, f"{what}_ok", target=user.username)
        return True
    failures = (getattr(user, secret.failures) or 0) + 1
    setattr(user, secret.failures, failures)
    append_audit(
        s,
        user.username,
        f"{what}_failed",
        target=user.username,
        details={"failures": failures},
    )
    if failures >= MAX_FAILURES:
        setattr(user, secret.locked_until, now + LOCKOUT)
        setattr(user, secret.failures, 0)
        append_audit(
            s,
            "system",
            secret.locked_action,
            target=user.username,
            details={"minutes": LOCKOUT.total_seconds() / 60},
        )
    return False


def authenticate(store: Store, username: str, password: str) -> Actor:
    """The signed-in actor, or :class:`AuthError` (wrong name/password, or locked).

    Failures are committed (counted and audited) before the error is raised.
    """
    refusal: str | None = None
    with store.writer() as s, s.begin():
        user = s.scalar(select(User).where(User.username == username.strip()))
        if user is None or not user.active:
            _burn(password)  # same effort as a real check: timing reveals no names
            refusal = "wrong username or password"
        elif _locked(user, _PASSWORD, utcnow()):
            _burn(password)
            append_audit(s, user.username, "sign_in_refused_locked", target=user.username)
            refusal = "this account is locked after repeated failures; try again later"
        elif not _verify(user, password, _PASSWORD, s):
            refusal = (
                "wrong password; the account is now locked for a few minutes"
                if _locked(user, _PASSWORD, utcnow())
                else "wrong username or password"
            )
        else:
            actor = Actor.of(user)
    if refusal is not None:
        raise AuthError(refusal)
    return actor


def verify_pin(store: Store, username: str, pin: str) -> Actor:
    """A proctor's (or admin's) PIN, for unlocking candidate mode.

    Wrong PINs count towards the PIN's own lockout, never the password's. A locked PIN
    is refused with the same message as a wrong one (and audited as locked), so the
    unlock screen tells a guesser nothing about which names exist or are locked.
    """
    refusal: str | None = None
    with store.writer() as s, s.begin():
        user = s.scalar(select(User).where(User.username == username.strip()))
        if user is None or not user.active or user.role == Role.CANDIDATE.value:
            _burn(pin)
            refusal = "wrong name or PIN"
        elif not _verify(user, pin, _PIN, s):
            refusal = "wrong name or PIN"
        else:
            actor = Actor.of(user)
    if refusal is not None:
        raise AuthError(refusal)
    return actor


@cache
def _dummy_hash() -> str:
    return hasher.hash("a password nobody has")


def _burn(secret: str) -> None:
    """Verify against a dummy hash: costs what a real check costs, and always fails."""
    with contextlib.suppress(VerifyMismatchError, VerificationError, InvalidHashError):
        hasher.verify(_dummy_hash(), secret)
