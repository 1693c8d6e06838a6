"""The outbox: batches built once, kept byte for byte until the server acknowledges them.

A batch (``server/PROTOCOL.md``) is built in one write transaction, so what it reads
is one consistent snapshot and two builders (the window's sync thread and
``kiosk sync push``) never make the same ``batch_seq`` twice:

- ``events``: rows after the previous batch's ``events_through`` cursor, in
  ``events.id`` order, at most :data:`~server.protocol.MAX_EVENTS_PER_BATCH`;
- ``audit``: entries after the previous ``audit_through`` cursor, in ``seq`` order,
  at most :data:`MAX_AUDIT_PER_BATCH`.
  When the events were cut at the maximum, the audit entries stop before the first
  seal whose chain checkpoint names an event not sent yet, so the server can always
  check a checkpoint against an event it holds;
- ``records``: the current rows of every unit a ``sealed`` (or ``baseline``) entry in
  this batch names, for the tables the protocol lists. ``candidate_personal`` only
  when the enrolment said ``personal_data``; its salt never leaves. A report carries
  its file's name and bytes (base64), not its local path.

The canonical body is kept as text in ``outbox.payload["body"]`` (``kind="batch"``,
``ref_id=str(batch_seq)``) beside the cursors, so a resend is byte-identical. When the
server acknowledges through N, batches ``<= N`` are marked sent and their bodies
dropped; only the newest batch row stays (its cursors are where the next batch
starts). One more row, ``kind="sync_state"``, keeps what the sync learnt: the server's
``acked_through``, the last error and whether syncing stopped (revoked, or history
diverged). It is never sent, so it is created already marked sent.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, select, text
from sqlalchemy.orm import Session

from kiosk.store import Store
from kiosk.store.models import (
    AssessmentSession,
    AuditEntry,
    Candidate,
    CandidatePersonal,
    Event,
    GameRun,
    IncidentNote,
    OutboxItem,
    Report,
    Score,
    TimingTest,
)
from kiosk.store.seals import CHAIN, SEALED
from server import protocol

__all__ = [
    "KIND_BATCH",
    "KIND_STATE",
    "OUTBOX_KINDS",
    "BuiltBatch",
    "OutboxStatus",
    "PendingBatch",
    "build_batch",
    "mark_acked",
    "outbox_status",
    "pending_batches",
    "remember_halt",
    "save_state",
]

# Audit entries per batch, like events: a store synced for the first time sends its
# whole history in several batches rather than one huge one.
MAX_AUDIT_PER_BATCH = 5000
KIND_BATCH = "batch"
KIND_STATE = "sync_state"
OUTBOX_KINDS = (KIND_BATCH, KIND_STATE)
_STATE_REF = "station"

# Audit actions that seal units; the protocol names ``sealed``, a store's first unlock
# seals everything as ``baseline`` (kiosk.trust.keys).
SEALING_ACTIONS = frozenset({"sealed", "baseline"})

# The record tables the protocol carries, in the order a batch lists them.
RECORD_TABLES: dict[str, Any] = {
    name: model.__table__
    for name, model in (
        ("candidates", Candidate),
        ("sessions", AssessmentSession),
        ("game_runs", GameRun),
        ("scores", Score),
        ("incident_notes", IncidentNote),
        ("timing_tests", TimingTest),
        ("reports", Report),
        ("candidate_personal", CandidatePersonal),
    )
}
PERSONAL = "candidate_personal"
_LEFT_OUT = {"candidate_personal": ("salt",), "reports": ("path",)}


@dataclass(frozen=True)
class BuiltBatch:
    batch_seq: int
    events: int
    audit: int
    records: int
    size: int


@dataclass(frozen=True)
class PendingBatch:
    batch_seq: int
    body: bytes


@dataclass(frozen=True)
class OutboxStatus:
    acked_through: int  # the server's contiguous high-water mark, as last heard
    built_through: int  # the newest batch built
    pending: int  # batches built and not yet acknowledged
    last_error: str | None
    halted: str | None  # "revoked" or "conflict" when syncing stopped
    halt_message: str | None


def _utc(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    return value.astimezone(UTC).isoformat()


def plain(value: Any) -> Any:
    """A stored value as canonical JSON can carry it: datetimes as ISO-8601 UTC, and the
    non-finite floats JSON has no word for (a stored NaN in a flag dict) as null."""
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _newest_batch(s: Session) -> OutboxItem | None:
    return s.scalars(
        select(OutboxItem)
        .where(OutboxItem.kind == KIND_BATCH)
        .order_by(OutboxItem.id.desc())
        .limit(1)
    ).first()


# Every stored column but the local row id, in the table's order.
EVENT_FIELDS = tuple(c.name for c in Event.__table__.columns if c.name != "id")
AUDIT_FIELDS = tuple(c.name for c in AuditEntry.__table__.columns if c.name != "id")


def _row(obj: Event | AuditEntry, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _seals_of(entry: AuditEntry) -> list[list[Any]]:
    if entry.action not in SEALING_ACTIONS:
        return []
    try:
        seals = json.loads(entry.details).get("seals") or []
    except (ValueError, AttributeError):
        return []
    return [u for u in seals if isinstance(u, list) and len(u) == 3]


def _checkpoints_sent(s: Session, entry: AuditEntry, events_through: int) -> bool:
    """Whether every chain checkpoint the entry seals names an event already sent."""
    for table, session_id, head in _seals_of(entry):
        if table != CHAIN or not isinstance(head, str):
            continue
        seq = int(head.split(":", 1)[0])
        if seq == 0:
            continue
        event_id = s.scalar(
            select(Event.id).where(Event.session_id == session_id, Event.seq == seq)
        )
        if event_id is None or event_id > events_through:
            return False
    return True


def _report_file(row: dict[str, Any], path: str) -> None:
    file = Path(path)
    row["file_name"] = file.name
    try:
        row["pdf_b64"] = base64.b64encode(file.read_bytes()).decode()
    except OSError:
        row["pdf_b64"] = None  # moved or deleted since: the sha256 still names it


def _records(
    s: Session, units: Iterable[tuple[str, str]], personal_data: bool
) -> tuple[dict[str, list[dict[str, Any]]], int]:
    records: dict[str, list[dict[str, Any]]] = {name: [] for name in RECORD_TABLES}
    count = 0
    for name, key in sorted(set(units)):
        table = RECORD_TABLES.get(name)
        if table is None or (name == PERSONAL and not personal_data):
            continue
        key_column = table.c[SEALED[name].key]
        value: Any = int(key) if isinstance(key_column.type, Integer) else key
        rows = s.execute(
            select(table).where(key_column == value).order_by(text("rowid"))
        ).mappings()
        for stored in rows:
            row = {k: plain(v) for k, v in stored.items() if k not in _LEFT_OUT.get(name, ())}
            if name == "reports":
                _report_file(row, stored["path"])
            records[name].append(row)
            count += 1
    return records, count


def build_batch(
    store: Store, station_id: str, *, personal_data: bool, max_events: int | None = None
) -> BuiltBatch | None:
    """Build the next batch from what was committed since the last one (None: nothing new)."""
    limit = max_events or protocol.MAX_EVENTS_PER_BATCH
    with store.writer() as s, s.begin():
        last = _newest_batch(s)
        seq = 1 if last is None else int(last.ref_id) + 1
        events_after = 0 if last is None else int(last.payload["events_through"])
        audit_after = 0 if last is None else int(last.payload["audit_through"])
        events = s.scalars(
            select(Event).where(Event.id > events_after).order_by(Event.id).limit(limit)
        ).all()
        events_through = events[-1].id if events else events_after
        cut = len(events) == limit
        audit: list[AuditEntry] = []
        for entry in s.scalars(
            select(AuditEntry)
            .where(AuditEntry.seq > audit_after)
            .order_by(AuditEntry.seq)
            .limit(MAX_AUDIT_PER_BATCH)
        ):
            if cut and not _checkpoints_sent(s, entry, events_through):
                break  # its checkpoint goes with the batch that carries the event
            audit.append(entry)
        if not events and not audit:
            return None
        units = [(str(t), str(k)) for e in audit for t, k, _digest in _seals_of(e)]
        records, record_count = _records(s, units, personal_data)
        body = protocol.canonical_json(
            {
                "protocol": protocol.PROTOCOL_VERSION,
                "station_id": station_id,
                "batch_seq": seq,
                "created_at": datetime.now(UTC).isoformat(),
                "events": [_row(e, EVENT_FIELDS) for e in events],
                "audit": [_row(a, AUDIT_FIELDS) for a in audit],
                "records": records,
            }
        )
        audit_through = audit[-1].seq if audit else audit_after
        s.add(
            OutboxItem(
                kind=KIND_BATCH,
                ref_id=str(seq),
                payload={
                    "body": body.decode(),
                    "events_through": events_through,
                    "audit_through": audit_through,
                    "events": len(events),
                    "audit": len(audit),
                    "records": record_count,
                },
            )
        )
    return BuiltBatch(seq, len(events), len(audit), record_count, len(body))


def pending_batches(store: Store) -> list[PendingBatch]:
    """Every batch not yet acknowledged, in ``batch_seq`` order, with its exact bytes."""
    with store.reader() as s:
        rows = s.scalars(
            select(OutboxItem).where(OutboxItem.kind == KIND_BATCH, OutboxItem.sent_at.is_(None))
        ).all()
        batches = [PendingBatch(int(r.ref_id), r.payload["body"].encode()) for r in rows]
    return sorted(batches, key=lambda b: b.batch_seq)


def _state_row_or_none(s: Session) -> OutboxItem | None:
    return s.scalars(
        select(OutboxItem).where(OutboxItem.kind == KIND_STATE, OutboxItem.ref_id == _STATE_REF)
    ).first()


def _state_row(s: Session) -> OutboxItem:
    row = _state_row_or_none(s)
    if row is None:
        now = datetime.now(UTC)
        row = OutboxItem(kind=KIND_STATE, ref_id=_STATE_REF, payload={}, sent_at=now)
        s.add(row)
    return row


def save_state(store: Store, **changes: Any) -> None:
    """Remember ``acked_through``, ``last_error``, ``halted``, ``halt_message``."""
    with store.writer() as s, s.begin():
        row = _state_row(s)
        row.payload = {**(row.payload or {}), **changes}
        if "last_error" in changes:
            row.last_error = changes["last_error"]


def remember_halt(store: Store, reason: str, message: str) -> None:
    """Syncing stopped (``revoked``, ``conflict``): kept until the station enrols again."""
    save_state(store, halted=reason, halt_message=message, last_error=message)


def mark_acked(store: Store, acked_through: int) -> int:
    """Mark batches ``<= acked_through`` sent and drop their bodies; returns how many.

    Only the newest batch row is kept once sent (the next batch starts from its
    cursors). The server's mark is remembered only upwards: a late duplicate answer
    carrying an older mark changes nothing.
    """
    with store.writer() as s, s.begin():
        state = _state_row(s)
        known = int((state.payload or {}).get("acked_through", 0))
        if acked_through > known:
            state.payload = {**(state.payload or {}), "acked_through": acked_through}
        newest = _newest_batch(s)
        acked = 0
        now = datetime.now(UTC)
        for row in s.scalars(select(OutboxItem).where(OutboxItem.kind == KIND_BATCH)).all():
            if int(row.ref_id) > acked_through:
                continue
            if row.sent_at is None:
                row.sent_at = now
                acked += 1
            if newest is not None and row.id == newest.id:
                row.payload = {k: v for k, v in row.payload.items() if k != "body"}
            else:
                s.delete(row)
    return acked


def outbox_status(store: Store) -> OutboxStatus:
    with store.reader() as s:
        state = _state_row_or_none(s)
        rows = s.execute(
            select(OutboxItem.ref_id, OutboxItem.sent_at).where(OutboxItem.kind == KIND_BATCH)
        ).all()
    kept = dict(state.payload or {}) if state is not None else {}
    return OutboxStatus(
        acked_through=int(kept.get("acked_through", 0)),
        built_through=max((int(ref) for ref, _ in rows), default=0),
        pending=sum(sent is None for _, sent in rows),
        last_error=kept.get("last_error"),
        halted=kept.get("halted"),
        halt_message=kept.get("halt_message"),
    )
