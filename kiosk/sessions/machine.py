"""The session state machine: every status change of an assessment session.

A session's status (:class:`~kiosk.store.models.SessionStatus`) changes only through
:func:`apply` with one of the named :class:`Move` s in :data:`RULES`. Each rule says
from which statuses the move may be made, where it leads, which permission a
signed-in person needs for it, and whether the station itself may make it (no person
signed in: a candidate's check-in and play, crash detection at start-up). The check,
the change, its side effects on the session row and game runs, and the audit entry
are one write transaction: they commit together or not at all.

Every status that is not final has a documented way out for a proctor
(:data:`WAYS_OUT`), so no session can be stranded::

    scheduled ──check_in──► checked_in ──start──► in_progress ──complete──► completed
                                │                  │    ▲
                                │                pause  resume
                                │                  ▼    │
                                │                 paused
                                └──── interrupt (crash, unlock) ────► interrupted
                                                  continue ◄──────────────┘
    void: from every status but completed and voided

``continue`` leads back to ``in_progress`` when the session had started its games,
and to ``checked_in`` (so the candidate gives consent again) when it had not.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from kiosk.access.auth import Actor
from kiosk.access.permissions import Action, require
from kiosk.store import Store
from kiosk.store.audit import append_audit
from kiosk.store.errors import StoreError
from kiosk.store.models import (
    AssessmentSession,
    GameRun,
    GameRunStatus,
    Role,
    SessionStatus,
    utcnow,
)
from kiosk.store.seals import touch

__all__ = [
    "CANDIDATE",
    "FINAL",
    "RULES",
    "WAYS_OUT",
    "Move",
    "Rule",
    "SessionStatus",
    "Transition",
    "TransitionError",
    "apply",
    "moves_from",
    "status_of",
]

S = SessionStatus
FINAL = frozenset({S.COMPLETED, S.VOIDED})

CANDIDATE = Actor(None, "candidate", Role.CANDIDATE)
"""The person at the station in candidate mode: checks in and plays."""


class TransitionError(StoreError):
    """A move the session's current status does not allow (or an unknown session)."""


class Move(enum.StrEnum):
    CHECK_IN = "check_in"
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    INTERRUPT = "interrupt"
    CONTINUE = "continue"
    COMPLETE = "complete"
    VOID = "void"


@dataclass(frozen=True)
class Rule:
    sources: frozenset[SessionStatus]
    target: SessionStatus
    action: Action  # what a person's role must allow
    by_station: bool  # whether the station may make it with no one signed in
    audit: str  # the audit entry's action


RULES: Mapping[Move, Rule] = {
    Move.CHECK_IN: Rule(
        frozenset({S.SCHEDULED}), S.CHECKED_IN, Action.CHECK_IN, True, "checked_in"
    ),
    Move.START: Rule(
        frozenset({S.CHECKED_IN}), S.IN_PROGRESS, Action.PLAY, True, "session_started"
    ),
    Move.PAUSE: Rule(
        frozenset({S.IN_PROGRESS}), S.PAUSED, Action.PAUSE_SESSION, False, "session_paused"
    ),
    Move.RESUME: Rule(
        frozenset({S.PAUSED}), S.IN_PROGRESS, Action.RESUME_SESSION, False, "session_resumed"
    ),
    Move.INTERRUPT: Rule(
        frozenset({S.CHECKED_IN, S.IN_PROGRESS, S.PAUSED}),
        S.INTERRUPTED,
        Action.UNLOCK_STATION,
        True,
        "session_interrupted",
    ),
    Move.CONTINUE: Rule(
        frozenset({S.INTERRUPTED}),
        S.IN_PROGRESS,  # or CHECKED_IN when no game had started: see apply()
        Action.RESUME_INTERRUPTED,
        False,
        "session_continued",
    ),
    Move.COMPLETE: Rule(
        frozenset({S.IN_PROGRESS}), S.COMPLETED, Action.PLAY, True, "session_completed"
    ),
    Move.VOID: Rule(
        frozenset({S.SCHEDULED, S.CHECKED_IN, S.IN_PROGRESS, S.PAUSED, S.INTERRUPTED}),
        S.VOIDED,
        Action.VOID_SESSION,
        False,
        "session_voided",
    ),
}

WAYS_OUT: Mapping[SessionStatus, tuple[Move, ...]] = {
    S.SCHEDULED: (Move.VOID,),
    S.CHECKED_IN: (Move.INTERRUPT, Move.VOID),
    S.IN_PROGRESS: (Move.PAUSE, Move.INTERRUPT, Move.VOID),
    S.PAUSED: (Move.RESUME, Move.INTERRUPT, Move.VOID),
    S.INTERRUPTED: (Move.CONTINUE, Move.VOID),
    S.COMPLETED: (),
    S.VOIDED: (),
}
"""What a proctor can do with a session in each status (final statuses: nothing)."""


@dataclass(frozen=True)
class Transition:
    session_id: str
    move: Move
    source: SessionStatus
    target: SessionStatus


def moves_from(status: SessionStatus) -> tuple[Move, ...]:
    """Every move the table allows from ``status``."""
    return tuple(move for move, rule in RULES.items() if status in rule.sources)


def status_of(store: Store, session_id: str) -> SessionStatus:
    with store.reader() as s:
        session = s.get(AssessmentSession, session_id)
        if session is None:
            raise TransitionError(f"no session {session_id} in {store.path}")
        return SessionStatus(session.status)


def apply(
    store: Store,
    session_id: str,
    move: Move,
    actor: Actor | None = None,
    *,
    reason: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> Transition:
    """Make ``move`` on a session: check, change, audit — in one transaction.

    ``actor`` is the signed-in person (their role must allow the rule's action), or
    None for the station itself, which may make only the rules marked ``by_station``.
    Voiding needs a ``reason``. Raises :class:`TransitionError` when the session's
    status does not allow the move, :class:`~kiosk.access.permissions.PermissionDenied`
    when the actor may not make it, and ``ValueError`` for a void with no reason.
    """
    rule = RULES[move]
    if actor is None:
        if not rule.by_station:
            raise TransitionError(f"{move.value} needs a signed-in proctor")
    else:
        require(actor.role, rule.action)
    reason = reason.strip() if reason else None
    if move is Move.VOID and not reason:
        raise ValueError("voiding a session needs a reason")
    with store.writer() as s, s.begin():
        session = s.get(AssessmentSession, session_id)
        if session is None:
            raise TransitionError(f"no session {session_id} in {store.path}")
        source = SessionStatus(session.status)
        if source not in rule.sources:
            ways = ", ".join(m.value for m in WAYS_OUT[source]) or "none: it is final"
            raise TransitionError(
                f"session {session_id} is {source.value.replace('_', ' ')}; "
                f"it cannot {move.value.replace('_', ' ')} (possible: {ways})"
            )
        target = rule.target
        if move is Move.CONTINUE and session.started_at is None:
            target = S.CHECKED_IN  # never started: back to consent, then the games
        now = utcnow()
        session.status = target.value
        if move is Move.START and session.started_at is None:
            session.started_at = now
        if target in FINAL:
            session.ended_at = now
        if move is Move.VOID:
            session.void_reason = reason
        if move in (Move.INTERRUPT, Move.VOID):
            # A game that was running when the session stopped is interrupted with it.
            s.execute(
                update(GameRun)
                .where(
                    GameRun.session_id == session_id,
                    GameRun.status == GameRunStatus.RUNNING.value,
                )
                .values(status=GameRunStatus.INTERRUPTED.value)
            )
        # Every move seals the session, its game runs and its chain head as they now stand.
        touch(s, "game_runs", session_id)
        touch(s, "sessions", session_id)
        audit_details: dict[str, Any] = {"from": source.value, "to": target.value}
        if reason:
            audit_details["reason"] = reason
        audit_details.update(details or {})
        append_audit(
            s,
            actor.username if actor is not None else "station",
            rule.audit,
            target=session_id,
            details=audit_details,
        )
    return Transition(session_id, move, source, target)


def live_sessions(store: Store) -> list[str]:
    """Sessions in a status only a running station process can be in."""
    live = [S.CHECKED_IN.value, S.IN_PROGRESS.value, S.PAUSED.value]
    with store.reader() as s:
        return list(
            s.scalars(
                select(AssessmentSession.id)
                .where(AssessmentSession.status.in_(live))
                .order_by(AssessmentSession.created_at)
            )
        )
