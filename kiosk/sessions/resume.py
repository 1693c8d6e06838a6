"""Where a session stands, so play can start — or continue after a crash.

:func:`play_plan` reads a session from the store and says which battery it plays,
from which game, and, when the process died during a game, which run to continue
and the events it had committed (the game rebuilds itself from them; see
:mod:`games.engine.resume`). A session copied or synced to another station carries
everything this needs: its battery definition, its game runs with their seeds and
configuration, and its events.

A plan may find every game already played (the process died between the last game's
end and the session's end): :attr:`PlayPlan.games_done` is then true and the session
only needs ending.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from games.api import EventRecord
from kiosk.battery import Battery, battery_from_definition
from kiosk.store import Store
from kiosk.store.events import events_for_run
from kiosk.store.models import AssessmentSession, GameRun, SessionStatus
from kiosk.store.models import Battery as BatteryRow

__all__ = ["PlayPlan", "play_plan"]


@dataclass(frozen=True)
class PlayPlan:
    session_id: str
    battery: Battery
    start_position: int
    needs_start: bool  # checked in, not started yet
    resume_run_id: str | None = None
    resume_events: tuple[EventRecord, ...] = ()

    @property
    def games_done(self) -> bool:
        """Every game of the battery is played: the session only needs ending."""
        return self.start_position >= len(self.battery.games)


def play_plan(store: Store, session_id: str) -> PlayPlan:
    with store.reader() as s:
        session = s.get(AssessmentSession, session_id)
        if session is None:
            raise ValueError(f"no session {session_id} in {store.path}")
        row = s.get(BatteryRow, session.battery_id) if session.battery_id else None
        if row is None:
            raise ValueError(f"session {session_id} has no battery")
        runs = s.scalars(
            select(GameRun).where(GameRun.session_id == session_id).order_by(GameRun.position)
        ).all()
        statuses = [(r.id, r.position, r.status) for r in runs]
        status = SessionStatus(session.status)
    battery = battery_from_definition(row.definition, f"session {session_id}")
    completed = {pos for _, pos, st in statuses if st == "completed"}
    start = next(
        (g.position for g in battery.games if g.position not in completed), len(battery.games)
    )
    unfinished = next(
        (rid for rid, pos, st in statuses if pos == start and st in ("running", "interrupted")),
        None,
    )
    events = tuple(events_for_run(store, unfinished)) if unfinished else ()
    return PlayPlan(
        session_id=session_id,
        battery=battery,
        start_position=start,
        needs_start=status is SessionStatus.CHECKED_IN,
        resume_run_id=unfinished,
        resume_events=events,
    )
