"""Managing the station's users: list them, disable and re-enable accounts.

Accounts are never deleted: the audit log names users, so a person who leaves is
disabled instead. A disabled user cannot sign in or unlock candidate mode with a
PIN (:func:`kiosk.access.auth.authenticate` and :func:`kiosk.access.auth.verify_pin` refuse
inactive accounts). Every change needs :attr:`~kiosk.access.permissions.Action.MANAGE_USERS`
and is audited in the same transaction. Two guards keep the station manageable: an
admin cannot disable their own account, and the last active admin cannot be
disabled.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.access.auth import Actor
from kiosk.access.permissions import Action, require
from kiosk.store import Store
from kiosk.store.audit import append_audit
from kiosk.store.models import Role, User

__all__ = ["UserView", "disable_user", "enable_user", "list_users"]


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


def disable_user(store: Store, actor: Actor, username: str) -> None:
    """Disable an account: it can no longer sign in or unlock with its PIN."""
    require(actor.role, Action.MANAGE_USERS)
    with store.writer() as s, s.begin():
        user = _user(s, username)
        if not user.active:
            return
        if actor.user_id is not None and user.id == actor.user_id:
            raise ValueError("you cannot disable your own account")
        if user.role == Role.ADMIN.value:
            admins = s.scalar(
                select(func.count())
                .select_from(User)
                .where(User.role == Role.ADMIN.value, User.active.is_(True))
            )
            if (admins or 0) <= 1:
                raise ValueError(
                    f"{username} is the last active administrator and cannot be disabled"
                )
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
        append_audit(s, actor.username, "user_enabled", target=username)
