"""Signing in on the command line, as on the screens: privileged commands need a user.

``--user NAME`` (or ``KIOSK_USER``) names an admin or proctor; the password is asked
for on the terminal (or read as one line from standard input when that is not a
terminal, for scripts). The same lockout and audit as the sign-in screen apply, and
the command is refused before it touches anything when the role may not do it.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from kiosk.access import Action, Actor, allowed
from kiosk.store import Store

__all__ = ["SignInRefused", "ask", "sign_in", "sign_in_any"]

USER_ENV = "KIOSK_USER"


class SignInRefused(Exception):
    """No sign-in, a wrong one, or a role that may not do this; the message says which."""


def ask(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\n")


def sign_in(store: Store, args: argparse.Namespace, action: Action) -> Actor:
    """Sign in, refusing a role that may not do ``action``."""
    actor = sign_in_any(store, args, action.value.replace("_", " "))
    if not allowed(actor.role, action):
        raise SignInRefused(
            f"{actor.username} is a {actor.role}; a {actor.role} may not "
            f"{action.value.replace('_', ' ')}"
        )
    return actor


def sign_in_any(store: Store, args: argparse.Namespace, what: str = "this command") -> Actor:
    """Sign in as any user; the action itself checks what they may do."""
    from kiosk.access import auth

    username = getattr(args, "user", None) or os.environ.get(USER_ENV)
    if not username:
        raise SignInRefused(
            f"{what} needs a signed-in user: pass --user NAME "
            f"(or set {USER_ENV}) and give the password when asked"
        )
    try:
        return auth.authenticate(store, username, ask(f"password of {username}: "))
    except (auth.AuthError, PermissionError, ValueError) as exc:
        raise SignInRefused(f"sign-in as {username} refused: {exc}") from None
