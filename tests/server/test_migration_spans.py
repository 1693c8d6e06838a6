"""Migration 0004: the rows of ``events`` become spans and back, with data, on SQLite
and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine

from server.db import make_engine, make_sessionmaker
from server.db.migrate import _config
from server.db.models import Batch, Centre, Station
from server.event_store import stored_events
from server.protocol import canonical_json, event_hash
from tests.server.helpers import StationKey, new_key

pytestmark = pytest.mark.slow

A = "5b0c6c56-7c1e-4a7b-9d55-0a2f3f7a1b0a"
B = "5b0c6c56-7c1e-4a7b-9d55-0a2f3f7a1b0b"
C = "5b0c6c56-7c1e-4a7b-9d55-0a2f3f7a1b0c"
COLUMNS = (
    "session_id",
    "seq",
    "station_id",
    "batch_seq",
    "t_ns",
    "game_run_id",
    "trial_index",
    "kind",
    "payload",
    "prev_hash",
    "hash",
)
EVENTS = sa.table("events", *(sa.column(name) for name in ("id", *COLUMNS)))


def _migrate(engine: Engine, revision: str, down: bool = False) -> None:
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        if down:
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url)
    try:
        yield made
    finally:
        made.dispose()


def _station(sid: str) -> StationKey:
    key, pem = new_key()
    return StationKey(sid, key, pem)


def _batches() -> list[tuple[str, int, bytes]]:
    """Batches as stations sent them, in the order they were applied: (station id,
    batch_seq, body). Between them: interleaved sessions, a resend, an event twice in
    one batch, a gap, a value sent as a string, and a session two stations sent to."""
    one, two = _station("station-one"), _station("station-two")
    a, b = one.events(A, 7), one.events(B, 3)
    # Event 2 of B with trial_index 4, hashed as the integer and sent as "4".
    b[1]["trial_index"] = 4
    b[1]["hash"] = event_hash(
        b[1]["prev_hash"], B, 2, b[1]["t_ns"], None, 4, b[1]["kind"], b[1]["payload"]
    )
    sent = [
        (one, [a[0], b[0], a[1], b[1], a[2]]),
        (one, [a[2], a[3], a[4], a[4], a[6]]),  # 3 again, 5 twice, 6 not (yet)
        (one, [b[2], a[5]]),  # 6 arrives late
        (two, two.events(C, 2)),
        (two, [dict(a[6], seq=8, hash="ab" * 32)]),  # A's 8, from another station
    ]
    batches = []
    for station, events in sent:
        body = canonical_json(station.batch(events=events))
        batches.append((station.id, station.next_batch - 1, body))
    batches[0] = (
        batches[0][0],
        batches[0][1],
        batches[0][2].replace(b'"trial_index":4}', b'"trial_index":"4"}'),
    )
    assert b'"trial_index":"4"}' in batches[0][2]
    return batches


def _old_rows(batches: list[tuple[str, int, bytes]]) -> list[dict[str, Any]]:
    """The rows a row-per-event server wrote for them: each event it did not hold yet,
    the first of one sent twice, with values as read (the string "4" as 4)."""
    from server.batch_schema import parse_batch

    rows: list[dict[str, Any]] = []
    held: set[tuple[str, int]] = set()
    for station_id, batch_seq, body in batches:
        for event in parse_batch(body)["events"]:
            key = (event["session_id"], event["seq"])
            if key not in held:
                held.add(key)
                rows.append(
                    {
                        **{name: event[name] for name in COLUMNS if name in event},
                        "station_id": station_id,
                        "batch_seq": batch_seq,
                    }
                )
    return rows


def _fill_0003(engine: Engine, batches: list[tuple[str, int, bytes]]) -> list[dict[str, Any]]:
    rows = _old_rows(batches)
    with engine.begin() as conn:
        conn.execute(sa.insert(Centre).values(id="centre", name="North", personal_data=False))
        for station_id in dict.fromkeys(s for s, _seq, _body in batches):
            conn.execute(
                sa.insert(Station).values(
                    id=station_id,
                    centre_id="centre",
                    name=station_id,
                    certificate_pem="-",
                    fingerprint="-",
                )
            )
        for station_id, batch_seq, body in batches:
            conn.execute(
                sa.insert(Batch).values(
                    station_id=station_id, batch_seq=batch_seq, body_sha256="-", body=body
                )
            )
        conn.execute(sa.insert(EVENTS), rows)
    return rows


def _spans(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.text(
                    "SELECT session_id, first_seq, last_seq, station_id, batch_seq, hashes "
                    "FROM event_spans ORDER BY session_id, first_seq"
                )
            )
        ]


def _events_table(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [
            dict(r._mapping)
            for r in conn.execute(sa.text(f"SELECT {', '.join(COLUMNS)} FROM events ORDER BY id"))
        ]


def test_events_become_spans_and_back(engine: Engine) -> None:
    _migrate(engine, "0003")
    batches = _batches()
    rows = _fill_0003(engine, batches)
    digest = {(r["session_id"], r["seq"]): bytes.fromhex(r["hash"]) for r in rows}

    def hashes(session_id: str, first: int, last: int) -> bytes:
        return b"".join(digest[session_id, seq] for seq in range(first, last + 1))

    _migrate(engine, "head")
    tables = set(sa.inspect(engine).get_table_names())
    assert "events" not in tables and "event_spans" in tables
    spans = [
        (A, 1, 3, "station-one", 1),
        (A, 4, 5, "station-one", 2),
        (A, 6, 6, "station-one", 3),
        (A, 7, 7, "station-one", 2),
        (A, 8, 8, "station-two", 2),  # follows A's 7, but from another station
        (B, 1, 2, "station-one", 1),
        (B, 3, 3, "station-one", 3),
        (C, 1, 2, "station-two", 1),
    ]
    assert _spans(engine) == [(*span, hashes(*span[:3])) for span in spans]
    # Read back from the bodies: the same events, in the order stored.
    with make_sessionmaker(engine)() as db:
        stored = stored_events(db)
    assert stored == rows
    assert [e["trial_index"] for e in stored if (e["session_id"], e["seq"]) == (B, 2)] == [4]

    _migrate(engine, "0003", down=True)
    tables = set(sa.inspect(engine).get_table_names())
    assert "events" in tables and "event_spans" not in tables
    assert _events_table(engine) == rows

    _migrate(engine, "head")
    assert _spans(engine) == [(*span, hashes(*span[:3])) for span in spans]


def test_an_empty_events_table_migrates_both_ways(engine: Engine) -> None:
    _migrate(engine, "0003")
    _migrate(engine, "head")
    assert _spans(engine) == []
    _migrate(engine, "0003", down=True)
    assert _events_table(engine) == []
