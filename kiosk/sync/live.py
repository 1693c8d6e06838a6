"""What the heartbeat says about the station right now (``live`` in ``server/PROTOCOL.md``).

The session shown is the newest one a running station can be in (checked in, in
progress, paused), read in a few small queries so that a heartbeat every couple of
seconds costs the store next to nothing while a candidate plays. The elapsed time
leaves out the time the session stood paused or interrupted, as the console does.
Quality flags are the flags the scores stored for the session (scores exist once a
session is scored, so during play the list is usually empty).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from kiosk.engagement_service import live_flags
from kiosk.services import stopped_seconds
from kiosk.sessions.machine import live_sessions
from kiosk.store import Store
from kiosk.store.models import (
    AssessmentSession,
    Battery,
    Candidate,
    GameRun,
    GameRunStatus,
    IncidentNote,
    Score,
)

__all__ = ["live_status"]


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def live_status(store: Store) -> dict[str, Any] | None:
    """The open session's status for the centre, or None when no session is open."""
    open_ids = live_sessions(store)
    if not open_ids:
        return None
    session_id = open_ids[-1]  # the newest: the one this station is playing
    now = datetime.now(UTC)
    with store.reader() as s:
        session = s.get(AssessmentSession, session_id)
        if session is None:
            return None
        candidate = s.get(Candidate, session.candidate_id)
        battery = s.get(Battery, session.battery_id) if session.battery_id else None
        runs = s.execute(
            select(GameRun.position, GameRun.game_id, GameRun.status)
            .where(GameRun.session_id == session_id)
            .order_by(GameRun.position)
        ).all()
        incidents = s.scalar(
            select(func.count())
            .select_from(IncidentNote)
            .where(IncidentNote.session_id == session_id)
        )
        started = _aware(session.started_at)
        elapsed = None
        if started is not None:
            elapsed = (now - started).total_seconds() - stopped_seconds(s, session_id, now)
        stored_flags = s.scalars(select(Score.flags).where(Score.session_id == session_id))
        flags = sorted({str(f) for kept in stored_flags if kept for f in (kept.get("flags") or [])})
    running = next((r for r in runs if r.status == GameRunStatus.RUNNING.value), None)
    done = sum(r.status == GameRunStatus.COMPLETED.value for r in runs)
    return {
        "session_id": session_id,
        "status": session.status,
        "pseudonym": candidate.pseudonym if candidate is not None else None,
        "game": running.game_id if running is not None else None,
        "game_index": running.position + 1 if running is not None else done,
        "games_total": len(battery.definition.get("games", [])) if battery is not None else 0,
        "elapsed_s": round(elapsed, 3) if elapsed is not None else None,
        "incidents": int(incidents or 0),
        # Flags of the games scored so far, and the engagement rules over every game
        # that has ended (too fast, one key, at chance ...), while the session runs.
        "quality_flags": sorted({*flags, *live_flags(store, session_id)}),
    }
