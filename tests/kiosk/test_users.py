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


def test_only_admins_manage_users(store, admin, proctor) -> None:
    with pytest.raises(PermissionDenied):
        users.disable_user(store, proctor, "ada")
    with pytest.raises(PermissionDenied):
        users.list_users(store, proctor)
    assert authenticate(store, "ada", "correct horse").username == "ada"


def test_an_admin_cannot_disable_themselves(store, admin) -> None:
    create_user(store, admin, "bob", "second admin", Role.ADMIN)
    with pytest.raises(ValueError, match="your own account"):
        users.disable_user(store, admin, "ada")
    assert authenticate(store, "ada", "correct horse").username == "ada"


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
