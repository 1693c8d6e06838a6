"""``kiosk store info``: what a store holds, in a few lines."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from kiosk.store.database import Store, schema_head
from kiosk.store.models import (
    AssessmentSession,
    AuditEntry,
    Candidate,
    Event,
    GameRun,
    OutboxItem,
    Report,
    Score,
    User,
)

__all__ = ["StoreInfo", "store_info"]


@dataclass(frozen=True)
class StoreInfo:
    path: str
    size_bytes: int
    schema: str | None
    schema_current: bool
    station: str
    counts: dict[str, int]
    sessions_by_status: dict[str, int]


def store_info(store: Store) -> StoreInfo:
    counted = {
        "candidates": Candidate,
        "users": User,
        "sessions": AssessmentSession,
        "game runs": GameRun,
        "events": Event,
        "scores": Score,
        "reports": Report,
        "audit entries": AuditEntry,
    }
    with store.reader() as s:
        counts = {
            name: int(s.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in counted.items()
        }
        counts["outbox pending"] = int(
            s.scalar(
                select(func.count()).select_from(OutboxItem).where(OutboxItem.sent_at.is_(None))
            )
            or 0
        )
        by_status = {
            str(status): int(n)
            for status, n in s.execute(
                select(AssessmentSession.status, func.count()).group_by(AssessmentSession.status)
            )
        }
    size = sum(
        p.stat().st_size
        for p in (store.path, store.path.with_name(store.path.name + "-wal"))
        if p.exists()
    )
    schema = store.schema_version()
    return StoreInfo(
        path=str(store.path),
        size_bytes=size,
        schema=schema,
        schema_current=schema == schema_head(),
        station=store.station().name,
        counts=counts,
        sessions_by_status=by_status,
    )
