"""Wrong unlock PINs and wrong passwords are counted and locked apart.

A candidate at the keyboard can guess PINs on the unlock screen; that must lock the
PIN (so guessing stays rate-limited) but never the administrator's password sign-in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from kiosk.access import auth
from kiosk.access.auth import AuthError, authenticate, create_user, verify_pin
from kiosk.store.models import AuditEntry, Role, User, utcnow
from kiosk.store.seals import STATION_ACTIONS


@pytest.fixture
def ada(store) -> str:
    create_user(store, auth.SYSTEM, "ada", "correct horse", Role.ADMIN, pin="1234")
    return "ada"


@pytest.fixture
def clock(monkeypatch) -> list[datetime]:
    """The time auth sees: ``clock[0]``, moved forward by the test."""
    now = [utcnow()]
    monkeypatch.setattr(auth, "utcnow", lambda: now[0])
    return now


def _user(store, name: str) -> User:
    with store.reader() as s:
        user = s.scalar(select(User).where(User.username == name))
    assert user is not None
    return user


def _actions(store) -> list[str]:
    with store.reader() as s:
        return [
            a
            for (a,) in s.execute(
                select(AuditEntry.action)
                .where(AuditEntry.action.not_in(STATION_ACTIONS))
                .order_by(AuditEntry.seq)
            )
        ]


def _wrong_pins(store, name: str, n: int) -> None:
    for _ in range(n):
        with pytest.raises(AuthError, match="wrong name or PIN"):
            verify_pin(store, name, "9999")


def _wrong_passwords(store, name: str, n: int) -> None:
    for _ in range(n):
        with pytest.raises(AuthError):
            authenticate(store, name, "nope nope")


@pytest.mark.slow
def test_wrong_pins_lock_the_pin_but_not_the_password(store, ada, clock) -> None:
    _wrong_pins(store, ada, auth.MAX_FAILURES)
    # The PIN is locked: even the right one is refused.
    with pytest.raises(AuthError):
        verify_pin(store, ada, "1234")
    user = _user(store, ada)
    assert user.pin_locked_until is not None
    assert user.locked_until is None and user.failed_attempts == 0
    # The password sign-in is untouched.
    assert authenticate(store, ada, "correct horse").role is Role.ADMIN
    # And a good password does not lift the PIN lock.
    with pytest.raises(AuthError):
        verify_pin(store, ada, "1234")
    actions = _actions(store)
    assert actions.count("pin_failed") == auth.MAX_FAILURES
    assert "pin_locked" in actions and "pin_refused_locked" in actions
    assert "account_locked" not in actions and "sign_in_refused_locked" not in actions


@pytest.mark.slow
def test_wrong_passwords_lock_the_password_but_not_the_pin(store, ada, clock) -> None:
    _wrong_passwords(store, ada, auth.MAX_FAILURES)
    with pytest.raises(AuthError, match="locked"):
        authenticate(store, ada, "correct horse")
    user = _user(store, ada)
    assert user.locked_until is not None
    assert user.pin_locked_until is None and user.pin_failed_attempts == 0
    assert verify_pin(store, ada, "1234").username == ada
    # A good PIN does not lift the password lock.
    with pytest.raises(AuthError, match="locked"):
        authenticate(store, ada, "correct horse")
    actions = _actions(store)
    assert "account_locked" in actions and "pin_locked" not in actions


@pytest.mark.slow
def test_counts_do_not_add_up_across_the_two(store, ada, clock) -> None:
    _wrong_pins(store, ada, auth.MAX_FAILURES - 1)
    _wrong_passwords(store, ada, auth.MAX_FAILURES - 1)
    assert verify_pin(store, ada, "1234").username == ada
    assert authenticate(store, ada, "correct horse").username == ada
    user = _user(store, ada)
    assert user.pin_locked_until is None and user.locked_until is None
    assert user.pin_failed_attempts == 0 and user.failed_attempts == 0


@pytest.mark.slow
def test_a_correct_secret_resets_only_its_own_count(store, ada, clock) -> None:
    _wrong_pins(store, ada, auth.MAX_FAILURES - 1)
    assert authenticate(store, ada, "correct horse").username == ada  # not the PIN's count
    _wrong_pins(store, ada, 1)
    assert _user(store, ada).pin_locked_until is not None


@pytest.mark.slow
def test_both_locks_expire_after_the_lockout(store, ada, clock) -> None:
    _wrong_pins(store, ada, auth.MAX_FAILURES)
    _wrong_passwords(store, ada, auth.MAX_FAILURES)
    clock[0] += auth.LOCKOUT - timedelta(seconds=1)
    with pytest.raises(AuthError):
        verify_pin(store, ada, "1234")
    with pytest.raises(AuthError, match="locked"):
        authenticate(store, ada, "correct horse")
    clock[0] += timedelta(seconds=2)
    assert verify_pin(store, ada, "1234").username == ada
    assert authenticate(store, ada, "correct horse").username == ada
    # After expiry the count starts again from zero.
    _wrong_pins(store, ada, auth.MAX_FAILURES - 1)
    assert _user(store, ada).pin_failed_attempts == auth.MAX_FAILURES - 1
    assert verify_pin(store, ada, "1234").username == ada


@pytest.mark.slow
def test_a_locked_pin_costs_a_hash_check_like_any_other_refusal(
    store, ada, clock, monkeypatch
) -> None:
    _wrong_pins(store, ada, auth.MAX_FAILURES)
    burned: list[str] = []
    monkeypatch.setattr(auth, "_burn", burned.append)
    for name in (ada, "nobody"):
        with pytest.raises(AuthError, match="wrong name or PIN"):
            verify_pin(store, name, "1234")
    assert burned == ["1234", "1234"]
