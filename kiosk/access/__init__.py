"""Who may do what: users, passwords and PINs (:mod:`~kiosk.access.auth`), the
permission table (:mod:`~kiosk.access.permissions`) and user administration
(:mod:`~kiosk.access.users`)."""

from kiosk.access.auth import Actor, AuthError
from kiosk.access.permissions import Action, PermissionDenied, allowed, require
from kiosk.store.models import Role

__all__ = ["Action", "Actor", "AuthError", "PermissionDenied", "Role", "allowed", "require"]
