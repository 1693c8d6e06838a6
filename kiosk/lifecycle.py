"""A session's life: status changes, clock anchors and milestone flushes.

Statuses move only along :data:`TRANSITIONS`; anything else is refused with
:class:`TransitionError`. Starting a session and starting each game run record a
clock anchor (a monotonic and a UTC stamp taken back to back) in the session's event
chain. Ending a game run and ending a session flush the recorder durably, so those
milestones survive power loss.

These functions touch the database: the shell calls them through its background
runner, never on the GUI thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from kiosk.recorder import Recorder
from kiosk.store import Store
from kiosk.store.errors import StoreError
from kiosk.store.models import (
    AssessmentSession,
    GameRun,
    GameRunStatus,
    SessionStatus,
    utcnow,
)

__all__ = [
    "TRANSITIONS",
    "TransitionError",
    "end_game_run",
    "end_session",
    "reopen_game_run",
    "set_status",
    "start_game_run",
    "start_session",
]

S = SessionStatus
TRANSITIONS: Mapping[SessionStatus, frozenset[SessionStatus]] = {
    S.SCHEDULED: frozenset({S.CHECKED_IN, S.VOIDED}),
    S.CHECKED_IN: frozenset({S.IN_PROGRESS, S.VOIDED}),
    S.IN_PROGRESS: frozenset({S.PAUSED, S.COMPLETED, S.VOIDED, S.INTERRUPTED}),
    S.PAUSED: frozenset({S.IN_PROGRESS, S.VOIDED, S.INTERRUPTED}),
    S.INTERRUPTED: frozenset({S.IN_PROGRESS, S.VOIDED}),
    S.COMPLETED: frozenset(),
    S.VOIDED: frozenset(),
}


class TransitionError(StoreError):
    """A status change the session's current status does not allow."""


def set_status(store: Store, session_id: str, new: SessionStatus, **fields: Any) -> None:
    """Move a session to ``new`` (and set ``fields``) if its current status allows it."""
    with store.writer() as s, s.begin():
        session = s.get(AssessmentSession, session_id)
        if session is None:
            raise TransitionError(f"no session {session_id} in {store.path}")
        current = SessionStatus(session.status)
        if new not in TRANSITIONS[current]:
            allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (it is final)"
            raise TransitionError(
                f"session {session_id} is {current}; it cannot become {new} "
                f"(allowed next: {allowed})"
            )
        session.status = new.value
        for name, value in fields.items():
            setattr(session, name, value)


def start_session(store: Store, recorder: Recorder, session_id: str) -> None:
    """Checked in → in progress; anchors the session's clock."""
    set_status(store, session_id, S.IN_PROGRESS, started_at=utcnow())
    recorder.anchor(session_id, "session_start")
    recorder.flush(durable=True)


def start_game_run(
    store: Store,
    recorder: Recorder,
    session_id: str,
    *,
    position: int,
    game_id: str,
    game_version: str,
    seed: int,
    config: Mapping[str, Any],
) -> str:
    """Create a running game run and anchor the clock at its start; returns its id."""
    run_id = str(uuid.uuid4())
    with store.writer() as s, s.begin():
        s.add(
            GameRun(
                id=run_id,
                session_id=session_id,
                position=position,
                game_id=game_id,
                game_version=game_version,
                seed=seed,
                config=dict(config),
                status=GameRunStatus.RUNNING.value,
                started_at=utcnow(),
            )
        )
    recorder.anchor(session_id, "game_start", game_run_id=run_id)
    return run_id


def reopen_game_run(store: Store, recorder: Recorder, session_id: str, run_id: str) -> None:
    """Continue a run cut short by a crash; anchors the clock again (a new process)."""
    with store.writer() as s, s.begin():
        run = s.get(GameRun, run_id)
        if run is None or run.session_id != session_id:
            raise TransitionError(f"no game run {run_id} in session {session_id}")
        run.status = GameRunStatus.RUNNING.value
    recorder.anchor(session_id, "game_resume", game_run_id=run_id)


def end_game_run(
    store: Store, recorder: Recorder, run_id: str, status: GameRunStatus = GameRunStatus.COMPLETED
) -> None:
    """Durably flush the game's events, then mark the run ended."""
    recorder.flush(durable=True)
    with store.writer() as s, s.begin():
        run = s.get(GameRun, run_id)
        if run is None:
            raise TransitionError(f"no game run {run_id} in {store.path}")
        run.status = status.value
        run.ended_at = utcnow()


def end_session(
    store: Store, recorder: Recorder, session_id: str, status: SessionStatus = S.COMPLETED
) -> None:
    """Durably flush the session's events, then mark it completed (or voided)."""
    recorder.flush(durable=True)
    set_status(store, session_id, status, ended_at=utcnow())
    store.make_durable()
