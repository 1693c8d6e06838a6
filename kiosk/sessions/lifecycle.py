"""A session's milestones: starting and ending it and its game runs, with clock anchors.

Status changes go through the state machine (:mod:`kiosk.sessions.machine`); these
functions add what each milestone needs besides: starting a session and starting
each game run record a clock anchor (a monotonic and a UTC stamp taken back to back)
in the session's event chain; ending a game run and ending a session flush the
recorder durably, so those milestones survive power loss.

These functions touch the database: the shell calls them through its background
runner, never on the GUI thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from kiosk.recorder import Recorder
from kiosk.sessions.machine import CANDIDATE, Move, TransitionError, apply
from kiosk.store import Store
from kiosk.store.models import GameRun, GameRunStatus, utcnow

__all__ = [
    "end_game_run",
    "end_session",
    "reopen_game_run",
    "start_game_run",
    "start_session",
]


def start_session(store: Store, recorder: Recorder, session_id: str) -> None:
    """Checked in → in progress (the candidate begins); anchors the session's clock."""
    apply(store, session_id, Move.START, CANDIDATE)
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


def end_session(store: Store, recorder: Recorder, session_id: str) -> None:
    """Durably flush the session's events, then mark it completed."""
    recorder.flush(durable=True)
    apply(store, session_id, Move.COMPLETE, CANDIDATE)
    store.make_durable()
