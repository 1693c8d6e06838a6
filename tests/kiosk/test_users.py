"""Disabling and re-enabling accounts: who may, what a disabled account can do, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk.access import auth, users
from kiosk.access.auth import Actor, AuthError, authenticate, create_user, verify_pin
from kiosk.access.permissions import PermissionDenied
from kiosk.store.check import check_store
from kiosk.store.models import AuditEntry, Role
from kiosk.store.seals import STATION_ACTIONS


@pytest.fixture
def admin(store) -> Actor:
    create_user(store, auth.SYSTEM, "ada", "correct horse", Role.ADMIN, pin="1234")
    return authenticate(store, "ada", "correct horse")


@pytest.fixture
def proctor(store, admin) -> Actor:
    create_user(store, admin, "pat", "proctor pass", Role.PROCTOR, pin="2468")
    return authenticate(store, "pat", "proctor pass")


def _audit(store) -> list[tuple[str, str, str | None]]:
    with store.reader() as s:
        return [
            (e.actor, e.action, e.target)
            for e in s.scalars(
                select(AuditEntry)
                .where(AuditEntry.action.not_in(STATION_ACTIONS))
                .order_by(AuditEntry.seq)
            )
        ]


@pytest.mark.slow
def test_a_disabled_user_can_neither_sign_in_nor_unlock(store, admin, proctor) -> None:
    users.disable_user(store, admin, "pat")
    with pytest.raises(AuthError, match="wrong username or password"):
        authenticate(store, "pat", "proctor pass")
    with pytest.raises(AuthError, match="wrong name or PIN"):
        verify_pin(store, "pat", "2468")
    assert [u.active for u in users.list_users(store, admin) if u.username == "pat"] == [False]

    users.enable_user(store, admin, "pat")
    assert authenticate(store, "pat", "proctor pass").username == "pat"
    assert verify_pin(store, "pat", "2468").username == "pat"
    trail = _audit(store)
    assert ("ada", "user_disabled", "pat") in trail
    assert ("ada", "user_enabled", "pat") in trail
    assert check_store(store).ok


@pytest.mark.slow
def test_only_admins_manage_users(store, admin, proctor) -> None:
    with pytest.raises(PermissionDenied):
        users.disable_user(store, proctor, "ada")
    with pytest.raises(PermissionDenied):
        users.list_users(store, proctor)
    assert authenticate(store, "ada", "correct horse").username == "ada"


@pytest.mark.slow
def test_an_admin_cannot_disable_themselves(store, admin) -> None:
    create_user(store, admin, "bob", "second admin", Role.ADMIN)
    with pytest.raises(ValueError, match="your own account"):
        users.disable_user(store, admin, "ada")
    assert authenticate(store, "ada", "correct horse").username == "ada"


@pytest.mark.slow
def test_the_last_active_admin_stays_enabled(store, admin) -> None:
    create_user(store, admin, "bob", "second admin", Role.ADMIN)
    bob = authenticate(store, "bob", "second admin")
    users.disable_user(store, bob, "ada")  # another admin is left: allowed
    users.enable_user(store, bob, "ada")
    users.disable_user(store, admin, "bob")
    # Acting as the system (e.g. from the command line), ada is the last admin.
    with pytest.raises(ValueError, match="last active administrator"):
        users.disable_user(store, auth.SYSTEM, "ada")
    assert auth.has_admin(store)


def test_unknown_user_is_a_clear_error(store, admin) -> None:
    with pytest.raises(ValueError, match="no user 'nobody'"):
        users.disable_user(store, admin, "nobody")


def test_a_role_change_is_an_audited_action_with_its_guards(store, admin, proctor) -> None:
    with pytest.raises(PermissionDenied):
        users.set_role(store, proctor, "pat", Role.ADMIN)  # no promoting oneself
    users.set_role(store, admin, "pat", Role.ADMIN)
    assert ("ada", "user_role_changed", "pat") in _audit(store)
    assert authenticate(store, "pat", "proctor pass").role is Role.ADMIN
    with pytest.raises(ValueError, match="own account"):
        users.set_role(store, admin, "ada", Role.PROCTOR)
    users.set_role(store, authenticate(store, "pat", "proctor pass"), "ada", Role.PROCTOR)
    with pytest.raises(ValueError, match="last active administrator"):
        users.set_role(store, admin, "pat", Role.PROCTOR)
    assert check_store(store).ok


@pytest.mark.slow
def test_passwords_change_only_as_audited_actions(store, admin, proctor) -> None:
    with pytest.raises(AuthError, match="current password"):
        users.set_password(store, proctor, "pat", "a new long password", current="wrong")
    users.set_password(store, proctor, "pat", "a new long password", current="proctor pass")
    with pytest.raises(PermissionDenied):
        users.set_password(store, proctor, "ada", "taken over!!")
    users.set_password(store, admin, "pat", "reset by the admin")
    users.set_pin(store, admin, "pat", "9753")
    trail = _audit(store)
    assert ("pat", "password_changed", "pat") in trail
    assert ("ada", "password_changed", "pat") in trail and ("ada", "pin_changed", "pat") in trail
    assert authenticate(store, "pat", "reset by the admin").username == "pat"
    assert verify_pin(store, "pat", "9753").username == "pat"
    assert check_store(store).ok


@pytest.mark.slow
def test_enabling_a_user_lifts_the_pin_lock_too(store, admin, proctor) -> None:
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(AuthError):
            verify_pin(store, "pat", "0000")
    users.disable_user(store, admin, "pat")
    users.enable_user(store, admin, "pat")
    assert verify_pin(store, "pat", "2468").username == "pat"
