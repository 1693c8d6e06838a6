"""Who may do what: the one place permissions are decided.

Every privileged operation in :mod:`kiosk.services` calls :func:`require` with the
acting user's role before it touches anything; widgets never check roles. The table
below is the whole policy; a parametrised test walks every role × action.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from kiosk.store.models import Role

__all__ = ["ROLE_ACTIONS", "Action", "PermissionDenied", "allowed", "require"]


class Action(enum.StrEnum):
    # candidate
    CHECK_IN = "check_in"
    PLAY = "play"
    # proctor
    CREATE_CANDIDATE = "create_candidate"
    SCHEDULE_SESSION = "schedule_session"
    VIEW_SESSIONS = "view_sessions"  # also reads a session's incident notes (kiosk.incidents)
    PAUSE_SESSION = "pause_session"
    RESUME_SESSION = "resume_session"
    VOID_SESSION = "void_session"
    WRITE_INCIDENT = "write_incident"
    RESUME_INTERRUPTED = "resume_interrupted"
    UNLOCK_STATION = "unlock_station"
    VIEW_PERSONAL_DATA = "view_personal_data"
    # admin
    MANAGE_USERS = "manage_users"
    MANAGE_BATTERIES = "manage_batteries"
    STATION_SETTINGS = "station_settings"
    EXPORT_REPORTS = "export_reports"
    EXPORT_DATA = "export_data"
    ERASE_PERSONAL_DATA = "erase_personal_data"
    REBUILD_NORMS = "rebuild_norms"
    SCORE_SESSIONS = "score_sessions"
    # role-fit models: import labels, train, approve, activate, retire, score
    MANAGE_FIT_MODELS = "manage_fit_models"


_CANDIDATE = frozenset({Action.CHECK_IN, Action.PLAY})
_PROCTOR = _CANDIDATE | {
    Action.CREATE_CANDIDATE,
    Action.SCHEDULE_SESSION,
    Action.VIEW_SESSIONS,
    Action.PAUSE_SESSION,
    Action.RESUME_SESSION,
    Action.VOID_SESSION,
    Action.WRITE_INCIDENT,
    Action.RESUME_INTERRUPTED,
    Action.UNLOCK_STATION,
    Action.VIEW_PERSONAL_DATA,
}
# Admins run the station and its data; they can also do a proctor's work.
_ADMIN = _PROCTOR | {
    Action.MANAGE_USERS,
    Action.MANAGE_BATTERIES,
    Action.STATION_SETTINGS,
    Action.EXPORT_REPORTS,
    Action.EXPORT_DATA,
    Action.ERASE_PERSONAL_DATA,
    Action.REBUILD_NORMS,
    Action.SCORE_SESSIONS,
    Action.MANAGE_FIT_MODELS,
}

ROLE_ACTIONS: Mapping[Role, frozenset[Action]] = {
    Role.CANDIDATE: _CANDIDATE,
    Role.PROCTOR: frozenset(_PROCTOR),
    Role.ADMIN: frozenset(_ADMIN),
}


class PermissionDenied(PermissionError):
    """The acting user's role does not allow this action."""


def allowed(role: Role | str, action: Action) -> bool:
    return action in ROLE_ACTIONS[Role(role)]


def require(role: Role | str, action: Action) -> None:
    if not allowed(role, action):
        raise PermissionDenied(f"a {Role(role).value} may not {action.value.replace('_', ' ')}")
