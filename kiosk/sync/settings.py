"""The station's enrolment as kept in its settings: cheap to read at start-up.

:func:`sync_settings` tells whether this station is enrolled with a centre server
without loading the HTTP client or the sync machinery, so a station that never syncs
pays nothing for it when it starts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from kiosk.store import Store

__all__ = [
    "CANNOT_START",
    "DEFAULT_HEARTBEAT_S",
    "SETTINGS_KEY",
    "SyncSettings",
    "readable_sync_settings",
    "sync_settings",
]

log = logging.getLogger(__name__)

#: Logged when sync cannot start; the station goes on without its server.
CANNOT_START = "sync with the centre server could not start; the station works offline"

DEFAULT_HEARTBEAT_S = 2.0
SETTINGS_KEY = "sync"


@dataclass(frozen=True)
class SyncSettings:
    url: str
    station_id: str
    centre_id: str
    centre_name: str
    personal_data: bool
    heartbeat_s: float = DEFAULT_HEARTBEAT_S

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "station_id": self.station_id,
            "centre_id": self.centre_id,
            "centre_name": self.centre_name,
            "personal_data": self.personal_data,
            "heartbeat_s": self.heartbeat_s,
        }


def sync_settings(store: Store) -> SyncSettings | None:
    """The enrolment this station holds, or None when it is not enrolled."""
    kept = (store.station().settings or {}).get(SETTINGS_KEY)
    if not isinstance(kept, dict) or not kept.get("station_id"):
        return None
    return SyncSettings(
        url=str(kept["url"]),
        station_id=str(kept["station_id"]),
        centre_id=str(kept.get("centre_id", "")),
        centre_name=str(kept.get("centre_name", "")),
        personal_data=bool(kept.get("personal_data", False)),
        heartbeat_s=float(kept.get("heartbeat_s", DEFAULT_HEARTBEAT_S)),
    )


def readable_sync_settings(store: Store) -> SyncSettings | None:
    """:func:`sync_settings`, or None (logged) when the kept enrolment cannot be read:
    a station with damaged sync settings still starts, offline."""
    try:
        return sync_settings(store)
    except (KeyError, TypeError, ValueError):
        log.exception(CANNOT_START)
        return None
