"""The station itself, for the shell: its name (audited renames) and its store's health.

Screens call these on the background runner; the checks, the SQL and the audit entry
live here, not in widgets.
"""

from __future__ import annotations

from sqlalchemy import select

from kiosk.access.auth import Actor
from kiosk.access.permissions import Action, require
from kiosk.store import Store
from kiosk.store.audit import append_audit
from kiosk.store.health import StoreHealth, store_health
from kiosk.store.models import Station

__all__ = ["StoreHealth", "rename_station", "station_name", "store_health"]


def station_name(store: Store) -> str:
    return store.station().name


def rename_station(store: Store, actor: Actor, name: str) -> None:
    """Give the station a new name (shown on the home screen and in reports)."""
    require(actor.role, Action.STATION_SETTINGS)
    name = name.strip()
    if not name:
        raise ValueError("a station needs a name")
    with store.writer() as s, s.begin():
        station = s.scalars(select(Station).order_by(Station.id)).first()
        if station is None:
            raise ValueError(f"{store.path} has no station row; run `kiosk store check`")
        old, station.name = station.name, name
        append_audit(s, actor.username, "station_renamed", target=name, details={"from": old})
