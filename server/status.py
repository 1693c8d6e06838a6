"""A station's status as the console shows it (see PROTOCOL.md, *Centre console*)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.accounts import as_utc
from server.db.models import Station, utcnow

__all__ = [
    "StationStatus",
    "StatusRead",
    "StatusReads",
    "centre_statuses",
    "is_stale",
    "station_status",
]

# A station is stale when its last heartbeat is older than this many heartbeats.
STALE_AFTER_HEARTBEATS = 3


class StationStatus(BaseModel):
    station_id: str
    name: str
    last_heartbeat: str | None
    stale: bool = Field(description="no heartbeat for more than 3 heartbeat intervals")
    live: dict[str, Any] | None = Field(description="the open session as the station reports it")
    acked_through: int
    outbox_pending: int
    sync_lag_s: float
    revoked: bool
    heartbeat_s: float = Field(description="seconds between the station's heartbeats")


def is_stale(last_heartbeat: dt.datetime | None, heartbeat_s: float, now: dt.datetime) -> bool:
    if last_heartbeat is None:
        return True
    return (now - as_utc(last_heartbeat)).total_seconds() > STALE_AFTER_HEARTBEATS * heartbeat_s


def station_status(
    station: Station, heartbeat_s: float, now: dt.datetime | None = None
) -> dict[str, Any]:
    """``sync_lag_s``: while the station reports batches waiting in its outbox, the
    seconds since the server last applied one (or since enrolment); 0 when none wait."""
    now = now or utcnow()
    since = as_utc(station.last_batch_at or station.enrolled_at)
    lag = (now - since).total_seconds() if station.outbox_pending > 0 else 0.0
    return {
        "station_id": station.id,
        "name": station.name,
        "last_heartbeat": None
        if station.last_heartbeat is None
        else as_utc(station.last_heartbeat).isoformat(),
        "stale": is_stale(station.last_heartbeat, heartbeat_s, now),
        "live": station.live,
        "acked_through": station.applied_through,
        "outbox_pending": station.outbox_pending,
        "sync_lag_s": round(max(lag, 0.0), 3),
        "revoked": station.revoked_at is not None,
        "heartbeat_s": heartbeat_s,
    }


def centre_statuses(db: Session, centre_id: str, heartbeat_s: float) -> list[dict[str, Any]]:
    now = utcnow()
    stations = db.scalars(
        select(Station).where(Station.centre_id == centre_id).order_by(Station.name, Station.id)
    )
    return [station_status(s, heartbeat_s, now) for s in stations]


# What a read of one station gives: its centre and its status, or None when it is gone.
StatusRead = tuple[str, dict[str, Any]] | None


class StatusReads:
    """One database read of a station's status for every console that heard of the
    same change: fifty consoles told that a station changed wait for one read, not
    fifty. A console joins a read only if it began after the change it heard of was
    announced (``Fanout.announced``), so it never gets a status older than that change.
    Lives on the app's event loop."""

    def __init__(self) -> None:
        # station id -> (announcements when the read began, the read)
        self._reads: dict[str, tuple[int, asyncio.Future[StatusRead]]] = {}

    async def read(
        self, station_id: str, heard: int, announced: int, start: Callable[[], Any]
    ) -> StatusRead:
        """The status of ``station_id`` as of at least ``heard`` announcements;
        ``start()`` begins a read (an awaitable), ``announced`` is the count now."""
        current = self._reads.get(station_id)
        if current is None or current[0] < heard:
            current = (announced, asyncio.ensure_future(start()))
            self._reads[station_id] = current
        # One console that leaves does not cancel the read the others wait for.
        return await asyncio.shield(current[1])
