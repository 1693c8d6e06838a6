"""A quick health reading of a store for the station's home screen."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.store.database import Store
from kiosk.store.info import StoreInfo, store_info

__all__ = ["StoreHealth", "store_health"]


@dataclass(frozen=True)
class StoreHealth:
    info: StoreInfo
    quick_check: list[str]

    @property
    def ok(self) -> bool:
        return self.quick_check == ["ok"] and self.info.schema_current


def store_health(store: Store) -> StoreHealth:
    """SQLite's ``quick_check`` (structure, not hashes) plus the store's counts."""
    with store.engine.execution_options(kiosk_read=True).connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        result = [str(r[0]) for r in raw.execute("PRAGMA quick_check").fetchall()]
    return StoreHealth(info=store_info(store), quick_check=result)
