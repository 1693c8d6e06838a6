"""Start-up recovery: what a station process finds when it takes over its store.

Only a running station process can have a session checked in, in progress or paused.
A process that takes the store (holding :class:`~kiosk.store.lock.StationLock`, so
no other one is playing from it) therefore finds any such session left behind by a
process that died, and marks it interrupted through the state machine, audited as
the station's own move. A proctor then continues it (from its first uncommitted
trial, or from consent when no game had started) or voids it.
"""

from __future__ import annotations

from kiosk.sessions.machine import Move, apply, live_sessions
from kiosk.store import Store

__all__ = ["interrupt_orphaned_sessions"]


def interrupt_orphaned_sessions(store: Store) -> list[str]:
    """Mark sessions a dead process left live as interrupted; returns their ids.

    Call it only while holding the store's station lock: without it, a live session
    of another process would be taken for an orphan.
    """
    orphans = live_sessions(store)
    for session_id in orphans:
        apply(store, session_id, Move.INTERRUPT, details={"why": "station process ended"})
    return orphans
