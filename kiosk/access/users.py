"""Managing the station's users: list them, disable and re-enable accounts, change a
role, set a new password or PIN.

Accounts are never deleted: the audit log names users, so a person who leaves is
disabled instead. A disabled user cannot sign in or unlock candidate mode with a
PIN (:func:`kiosk.access.auth.authenticate` and :func:`kiosk.access.auth.verify_pin` refuse
inactive accounts). Every change needs :attr:`~kiosk.access.permissions.Action.MANAGE_USERS`
and is audited in the same transaction (the row itself is sealed, so a role or a
password hash changed outside kiosk is caught by ``store check``). Two guards keep
the station manageable: an admin cannot disable or demote their own account, and
the last active admin cannot be disabled or demoted. Changing one's own password
needs the current one; an admin may set anyone's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.access.auth import Actor, AuthError, check_password_rules, check_pin_rules, hasher
from kiosk.access.permissions import Action, require
from kiosk.store import Store
from kiosk.store.audit import append_audit
from kiosk.store.models import Role, User

__all__ = [
    "UserView",
    "disable_user",
    "enable_user",
    "list_users",
    "set_password",
    "set_pin",
    "set_role",
]


@dataclass(frozen=True)
class UserView:
    """One account as the administration screen shows it."""

    username: str
    display_name: str
    role: str
    active: bool


def list_users(store: Store, actor: Actor) -> list[UserView]:
    require(actor.role, Action.MANAGE_USERS)
    with store.reader() as s:
        return [
            UserView(u.username, u.display_name, u.role, u.active)
            for u in s.scalars(select(User).order_by(User.username))
        ]


def _user(s: Session, username: str) -> User:
    user = s.scalar(select(User).where(User.username == username))
    if user is None:
        raise ValueError(f"there is no user {username!r}")
    return user


def _keep_an_admin(s: Session, actor: Actor, user: User, what: str) -> None:
    """Refuse to take away the actor's own account or the last active admin."""
    if actor.user_id is not None and user.id == actor.user_id:
        raise ValueError(f"you cannot {what} your own account")
    if user.role == Role.ADMIN.value and user.active:
        admins = s.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN.value, User.active.is_(True))
        )
        if (admins or 0) <= 1:
            raise ValueError(
                f"{user.username} is the last active administrator and cannot be {what}d"
            )


def disable_user(store: Store, actor: Actor, username: str) -> None:
    """Disable an account: it can no longer sign in or unlock with its PIN."""
    require(actor.role, Action.MANAGE_USERS)
    with store.writer() as s, s.begin():
        user = _user(s, username)
        if not user.active:
            return
        _keep_an_admin(s, actor, user, "disable")
        user.active = False
        append_audit(s, actor.username, "user_disabled", target=username)


def enable_user(store: Store, actor: Actor, username: str) -> None:
    """Enable a disabled account again, with its old password and PIN."""
    require(actor.role, Action.MANAGE_USERS)
    with store.writer() as s, s.begin():
        user = _user(s, username)
        if user.active:
            return
        user.active = True
        user.failed_attempts = 0
        user.locked_until = None
        user.pin_failed_attempts = 0
        user.pin_locked_until = None
        append_audit(s, actor.username, "user_enabled", target=username)


def set_role(store: Store, actor: Actor, username: str, role: Role) -> None:
    """Make a user an admin or a proctor (a proctor needs a PIN first); audited."""
    require(actor.role, Action.MANAGE_USERS)
    if role not in (Role.ADMIN, Role.PROCTOR):
        raise ValueError("a user is an admin or a proctor")
    with store.writer() as s, s.begin():
        user = _user(s, username)
        if user.role == role.value:
            return
        if role is Role.PROCTOR:
            _keep_an_admin(s, actor, user, "demote")
            if user.pin_hash is None:
                raise ValueError(f"{username} needs a PIN before becoming a proctor (set-pin)")
        before = user.role
        user.role = role.value
        append_audit(
            s,
            actor.username,
            "user_role_changed",
            target=username,
            details={"from": before, "to": role.value},
        )


def set_password(
    store: Store, actor: Actor, username: str, new: str, *, current: str | None = None
) -> None:
    """A new password: one's own with the current one, anyone's as an admin; audited."""
    own = actor.user_id is not None and actor.username == username
    if not own:
        require(actor.role, Action.MANAGE_USERS)
    check_password_rules(new)
    with store.writer() as s, s.begin():
        user = _user(s, username)
        if own and not _matches(user.password_hash, current):
            raise AuthError("the current password is wrong; nothing was changed")
        user.password_hash = hasher.hash(new)
        user.failed_attempts = 0
        user.locked_until = None
        append_audit(s, actor.username, "password_changed", target=username, details={"own": own})


def set_pin(store: Store, actor: Actor, username: str, pin: str) -> None:
    """A new unlock PIN for a user (an admin's action); audited, never the PIN itself."""
    require(actor.role, Action.MANAGE_USERS)
    check_pin_rules(pin)
    with store.writer() as s, s.begin():
        user = _user(s, username)
        user.pin_hash = hasher.hash(pin)
        user.pin_failed_attempts = 0
        user.pin_locked_until = None
        append_audit(s, actor.username, "pin_changed", target=username)


def _matches(hashed: str, given: str | None) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return given is not None and hasher.verify(hashed, given)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
