"""Reading stored events back as the games' :class:`games.api.EventRecord` values."""

from __future__ import annotations

import json

from sqlalchemy import select

from games.api import EventRecord
from kiosk.store.database import Store
from kiosk.store.models import Event

__all__ = ["events_for_run", "events_for_session"]


def _records(rows: list[tuple[int, int, str, int | None, str]]) -> list[EventRecord]:
    return [
        EventRecord(seq=seq, t_ns=t_ns, kind=kind, trial_index=trial, payload=json.loads(payload))
        for seq, t_ns, kind, trial, payload in rows
    ]


def events_for_run(store: Store, game_run_id: str) -> list[EventRecord]:
    """One game run's events in recorded order."""
    e = Event.__table__.c
    with store.reader() as s:
        rows = s.execute(
            select(e.seq, e.t_ns, e.kind, e.trial_index, e.payload)
            .where(e.game_run_id == game_run_id)
            .order_by(e.seq)
        ).all()
    return _records([tuple(r) for r in rows])


def events_for_session(store: Store, session_id: str) -> list[EventRecord]:
    """All of a session's events (game runs and session-level ones) in order."""
    e = Event.__table__.c
    with store.reader() as s:
        rows = s.execute(
            select(e.seq, e.t_ns, e.kind, e.trial_index, e.payload)
            .where(e.session_id == session_id)
            .order_by(e.seq)
        ).all()
    return _records([tuple(r) for r in rows])
