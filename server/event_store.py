"""The events the server holds: kept in the bodies of the batches that brought them,
found through spans.

A batch's body is stored byte for byte (``batches.body``), so an event is not written
again on its own. What the server writes for a batch's events is one
:class:`~server.db.models.EventSpan` for each run of consecutive seqs of one session
that were new in that batch: the session, the first and last seq, the batch, and the
events' hashes (raw 32-byte SHA-256 digests concatenated in seq order), which is all
that ingest compares later events with. An event the server already holds is not
stored again, so a session's spans never overlap, and each of its events is in exactly
one span or none.

Everything here runs in the caller's session and transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import LargeBinary, Table, and_, case, func, or_, select, tuple_, type_coerce
from sqlalchemy.orm import Session

from server.batch_schema import MAX_SEQ, parse_batch
from server.db.models import Batch, EventSpan

__all__ = [
    "DIGEST_SIZE",
    "hash_at",
    "held_hashes",
    "held_in",
    "span_rows",
    "store_spans",
    "stored_events",
]

DIGEST_SIZE = 32  # bytes of one event's SHA-256 in EventSpan.hashes

_SPANS = cast(Table, EventSpan.__table__)
# Ranges (or batches) read in one statement: bounded, as a statement's parameters are.
_CHUNK = 200


def span_rows(
    station_id: str, batch_seq: int, new_events: Iterable[tuple[str, int, str]]
) -> list[dict[str, Any]]:
    """The span rows of the events a batch brought that the server did not hold:
    ``new_events`` are ``(session_id, seq, hex hash)``, each key once, in any order. A
    session's events are cut into runs where a seq does not follow the one before."""
    by_session: dict[str, list[tuple[int, str]]] = {}
    for session_id, seq, digest in new_events:
        by_session.setdefault(session_id, []).append((seq, digest))
    rows: list[dict[str, Any]] = []
    for session_id, events in by_session.items():
        events.sort()
        start = 0
        for end in range(1, len(events) + 1):
            if end < len(events) and events[end][0] == events[end - 1][0] + 1:
                continue
            run = events[start:end]
            rows.append(
                {
                    "session_id": session_id,
                    "first_seq": run[0][0],
                    "last_seq": run[-1][0],
                    "station_id": station_id,
                    "batch_seq": batch_seq,
                    "hashes": b"".join(bytes.fromhex(digest) for _seq, digest in run),
                }
            )
            start = end
    return rows


def store_spans(
    db: Session, station_id: str, batch_seq: int, new_events: Iterable[tuple[str, int, str]]
) -> int:
    """Write the spans of a batch's new events (:func:`span_rows`) in one statement;
    the number of spans written."""
    rows = span_rows(station_id, batch_seq, new_events)
    if rows:
        db.execute(_SPANS.insert(), rows)
    return len(rows)


def _overlapping(session_id: str, low: int, high: int) -> Any:
    """The spans of ``session_id`` that may hold a seq in ``low..high``: those starting
    in it, and the last one starting below it (spans do not overlap, so no earlier one
    reaches into it). Both are ranges of the primary key."""
    before = (
        select(func.max(EventSpan.first_seq))
        .where(EventSpan.session_id == session_id, EventSpan.first_seq < low)
        .scalar_subquery()
    )
    return and_(
        EventSpan.session_id == session_id,
        or_(EventSpan.first_seq.between(low, high), EventSpan.first_seq == before),
    )


def held_in(db: Session, ranges: Sequence[tuple[str, int, int]]) -> dict[tuple[str, int], str]:
    """The hex hashes of the events held at seqs ``low..high`` of each
    ``(session_id, low, high)`` (one range a session), by ``(session_id, seq)``."""
    held: dict[tuple[str, int], str] = {}
    wanted = {session_id: (low, high) for session_id, low, high in ranges}
    for start in range(0, len(ranges), _CHUNK):
        statement = select(
            EventSpan.session_id, EventSpan.first_seq, EventSpan.last_seq, EventSpan.hashes
        ).where(or_(*(_overlapping(*r) for r in ranges[start : start + _CHUNK])))
        for session_id, first, last, hashes in db.execute(statement):
            low, high = wanted[session_id]
            for seq in range(max(first, low), min(last, high) + 1):
                at = (seq - first) * DIGEST_SIZE
                held[session_id, seq] = hashes[at : at + DIGEST_SIZE].hex()
    return held


def held_hashes(db: Session, session_id: str, low: int, high: int) -> dict[int, str]:
    """The hex hashes of the events held at seqs ``low..high`` of one session, by seq."""
    return {seq: digest for (_sid, seq), digest in held_in(db, [(session_id, low, high)]).items()}


def hash_at(db: Session, session_id: str, seq: int) -> str | None:
    """The hex hash of the event held at ``seq`` of ``session_id``; None when the
    server holds none there. Reads one digest of the one span that may hold it."""
    if not 1 <= seq <= MAX_SEQ:
        return None  # no event has such a seq (a batch's schema bounds them)
    digest = func.substr(
        EventSpan.hashes, (seq - EventSpan.first_seq) * DIGEST_SIZE + 1, DIGEST_SIZE
    )
    statement = (
        select(
            EventSpan.last_seq,
            # Cut out only where the span reaches seq: an offset beyond it may not fit.
            type_coerce(case((EventSpan.last_seq >= seq, digest), else_=None), LargeBinary),
        )
        .where(EventSpan.session_id == session_id, EventSpan.first_seq <= seq)
        .order_by(EventSpan.first_seq.desc())
        .limit(1)
    )
    row = db.execute(statement).first()
    if row is None or row[0] < seq:
        return None
    return bytes(row[1]).hex()


def stored_events(
    db: Session, *, station_id: str | None = None, session_id: str | None = None
) -> list[dict[str, Any]]:
    """The events the server holds (a station's, a session's, or all), each as
    :func:`~server.batch_schema.parse_batch` read it from its batch's body (values as
    validated) with ``station_id`` and ``batch_seq`` besides, in the order they were
    stored: a station's in batch order and then as placed in the batch (stations by
    id). Each batch body is parsed once.

    Raises :class:`LookupError` if a span names an event its batch's body does not
    hold with that hash (the two are written together: that is a damaged database)."""
    statement = select(
        EventSpan.station_id,
        EventSpan.batch_seq,
        EventSpan.session_id,
        EventSpan.first_seq,
        EventSpan.hashes,
    ).order_by(EventSpan.station_id, EventSpan.batch_seq)
    if station_id is not None:
        statement = statement.where(EventSpan.station_id == station_id)
    if session_id is not None:
        statement = statement.where(EventSpan.session_id == session_id)
    # For each batch, in order: the digest of each event it brought, by (session, seq).
    batches: dict[tuple[str, int], dict[tuple[str, int], bytes]] = {}
    for station, batch_seq, session, first, hashes in db.execute(statement):
        brought = batches.setdefault((station, batch_seq), {})
        for k in range(len(hashes) // DIGEST_SIZE):
            brought[session, first + k] = hashes[k * DIGEST_SIZE : (k + 1) * DIGEST_SIZE]
    events: list[dict[str, Any]] = []
    keys = list(batches)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        bodies = {
            (row.station_id, row.batch_seq): row.body
            for row in db.execute(
                select(Batch.station_id, Batch.batch_seq, Batch.body).where(
                    tuple_(Batch.station_id, Batch.batch_seq).in_(chunk)
                )
            )
        }
        for key in chunk:
            events.extend(_brought(key, bodies.get(key), batches[key]))
    return events


def _brought(
    key: tuple[str, int], body: bytes | None, brought: dict[tuple[str, int], bytes]
) -> list[dict[str, Any]]:
    """The events of one batch's body that its spans name, in body order: the first of
    each (session, seq), as ingest kept the first."""
    station_id, batch_seq = key
    found: list[dict[str, Any]] = []
    wanted = dict(brought)
    for event in parse_batch(body)["events"] if body is not None else []:
        digest = wanted.pop((event["session_id"], event["seq"]), None)
        if digest is None:
            continue
        if digest.hex() != event["hash"]:
            raise LookupError(
                f"batch {batch_seq} of station {station_id} holds event {event['seq']} of "
                f"session {event['session_id']} with another hash than its span"
            )
        found.append({**event, "station_id": station_id, "batch_seq": batch_seq})
    if wanted:
        session, seq = min(wanted)
        raise LookupError(
            f"batch {batch_seq} of station {station_id} does not hold event {seq} of session "
            f"{session} that its span names ({len(wanted)} missing)"
        )
    return found
