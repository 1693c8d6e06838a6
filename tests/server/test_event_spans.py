"""Events kept as spans: a run of consecutive seqs of one session that were new in one
batch, its events read back from the batch's stored body."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from server.db.models import EventSpan
from server.event_store import hash_at, held_hashes, stored_events
from server.ingest import receive_batch
from server.protocol import canonical_json, event_hash
from tests.server.helpers import Centre, StationKey, enrol, state_of

A = "5b0c6c56-7c1e-4a7b-9d55-0a2f3f7a1b0a"
B = "5b0c6c56-7c1e-4a7b-9d55-0a2f3f7a1b0b"


def _spans(client: TestClient) -> list[tuple[str, int, int, int, bytes]]:
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        rows = db.execute(
            select(
                EventSpan.session_id,
                EventSpan.first_seq,
                EventSpan.last_seq,
                EventSpan.batch_seq,
                EventSpan.hashes,
            ).order_by(EventSpan.session_id, EventSpan.first_seq)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _spans_of(client: TestClient) -> list[tuple[str, int, int, int]]:
    return [span[:4] for span in _spans(client)]


def _events(client: TestClient, **which: Any) -> list[dict[str, Any]]:
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        return stored_events(db, **which)


def _digests(events: list[dict[str, Any]]) -> bytes:
    return b"".join(bytes.fromhex(e["hash"]) for e in events)


def _send(client: TestClient, station: StationKey, events: list[dict[str, Any]]) -> Any:
    response = station.send(client, station.batch(events=events))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_batch_of_one_session_is_one_span_holding_its_hashes(
    client: TestClient, station: StationKey
) -> None:
    events = station.events(A, 5)
    assert _send(client, station, events)["flags"] == []
    assert _spans(client) == [(A, 1, 5, 1, _digests(events))]


def test_spans_split_at_gaps_and_at_seqs_already_held(
    client: TestClient, station: StationKey
) -> None:
    events = station.events(A, 8)
    by_seq = {e["seq"]: e for e in events}
    # Batch 1: 1-3 and 6-7 (4 and 5 not yet): two spans, and the gap is flagged.
    first = [by_seq[s] for s in (1, 2, 3, 6, 7)]
    assert [f["code"] for f in _send(client, station, first)["flags"]] == ["chain_break"]
    assert _spans_of(client) == [(A, 1, 3, 1), (A, 6, 7, 1)]
    # Batch 2: all eight. 1-3 and 6-7 are held (the same hashes: nothing to say about
    # them); 4-5 and 8 are new, in two spans either side of the held 6-7. 4 and 5 come
    # after 7 (flagged), 8 links to 7.
    body = _send(client, station, events)
    assert [f["message"] for f in body["flags"]] == [
        f"event {seq} of session {A} breaks the chain: its seq follows 7; it does not link "
        "to the event before it (kept as received)"
        for seq in (4, 5)
    ]
    assert _spans_of(client) == [(A, 1, 3, 1), (A, 4, 5, 2), (A, 6, 7, 1), (A, 8, 8, 2)]
    spans = _spans(client)
    assert [span[4] for span in spans] == [
        _digests(events[0:3]),
        _digests(events[3:5]),
        _digests(events[5:7]),
        _digests(events[7:8]),
    ]
    # Each event once, in the order stored: batch 1's, then batch 2's new ones.
    stored = _events(client)
    assert [(e["seq"], e["batch_seq"]) for e in stored] == [
        (1, 1),
        (2, 1),
        (3, 1),
        (6, 1),
        (7, 1),
        (4, 2),
        (5, 2),
        (8, 2),
    ]
    assert [e["hash"] for e in stored] == [by_seq[e["seq"]]["hash"] for e in stored]


def test_every_lone_seq_is_a_span_of_its_own(client: TestClient, station: StationKey) -> None:
    events = station.events(A, 5)
    _send(client, station, events[0::2])  # 1, 3, 5
    assert _spans_of(client) == [(A, 1, 1, 1), (A, 3, 3, 1), (A, 5, 5, 1)]


def test_sessions_of_one_batch_get_spans_each_in_seq_order(
    client: TestClient, station: StationKey
) -> None:
    a, b = station.events(A, 3), station.events(B, 2)
    # Interleaved, and A's out of order within the batch.
    sent = [a[1], b[0], a[0], b[1], a[2]]
    _send(client, station, sent)
    spans = _spans(client)
    assert [span[:4] for span in spans] == [(A, 1, 3, 1), (B, 1, 2, 1)]
    assert spans[0][4] == _digests(a) and spans[1][4] == _digests(b)
    # Read back as placed in the batch.
    assert [(e["session_id"], e["seq"]) for e in _events(client)] == [
        (e["session_id"], e["seq"]) for e in sent
    ]
    assert [e["seq"] for e in _events(client, session_id=B)] == [1, 2]


def test_the_first_of_an_event_sent_twice_in_one_batch_is_the_one_kept(
    client: TestClient, station: StationKey
) -> None:
    events = station.events(A, 2)
    forged = dict(events[1], payload='{"i":99}', hash="ab" * 32)
    body = _send(client, station, [events[0], events[1], forged])
    assert [f["code"] for f in body["flags"]] == ["chain_break"]
    assert _spans(client) == [(A, 1, 2, 1, _digests(events))]
    assert [e["payload"] for e in _events(client)] == [events[0]["payload"], events[1]["payload"]]


def test_only_new_events_are_counted_as_ingested(client: TestClient, station: StationKey) -> None:
    first, more = station.events(A, 3), station.events(A, 2)
    outcomes = []
    # Batch 2: 2-3 held, 4-5 new, 4 once more (kept once).
    for batch_seq, events in ((1, first), (2, first[1:] + more + more[:1])):
        body = canonical_json(station.batch(events=events, batch_seq=batch_seq))
        with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
            outcomes.append(receive_batch(db, station.id, batch_seq, body, personal_data=False))
            db.commit()
    assert [o.events_ingested for o in outcomes] == [3, 2]
    assert _spans_of(client) == [(A, 1, 3, 1), (A, 4, 5, 2)]


def test_a_resend_across_two_spans_is_compared_by_hash(
    client: TestClient, station: StationKey
) -> None:
    first, second = station.events(A, 3), station.events(A, 3)
    _send(client, station, first)
    _send(client, station, second)
    assert _spans_of(client) == [(A, 1, 3, 1), (A, 4, 6, 2)]
    held = first + second

    # 2-5 again as they were: held, nothing new, nothing flagged.
    assert _send(client, station, held[1:5]) == {"acked_through": 3, "flags": []}
    # 2-5 again with 3 (in the first span) and 5 (in the second) changed.
    altered = [dict(e) for e in held[1:5]]
    altered[1]["hash"], altered[3]["hash"] = "cd" * 32, "ef" * 32
    body = _send(client, station, altered)
    assert [f["message"] for f in body["flags"]] == [
        f"event 3 of session {A} was sent again with a different hash ({'cd' * 32}); the "
        f"server keeps the first ({held[2]['hash']})",
        f"event 5 of session {A} was sent again with a different hash ({'ef' * 32}); the "
        f"server keeps the first ({held[4]['hash']})",
    ]
    assert _spans_of(client) == [(A, 1, 3, 1), (A, 4, 6, 2)]
    assert [e["hash"] for e in _events(client)] == [e["hash"] for e in held]
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        assert held_hashes(db, A, 2, 9) == {e["seq"]: e["hash"] for e in held[1:]}
        assert held_hashes(db, A, 7, 9) == {}
        assert held_hashes(db, B, 1, 9) == {}


def test_a_checkpoint_inside_a_span_is_verified(client: TestClient, station: StationKey) -> None:
    first, second = station.events(A, 6), station.events(A, 6)
    _send(client, station, first)
    _send(client, station, second)
    assert _spans_of(client) == [(A, 1, 6, 1), (A, 7, 12, 2)]
    held = first + second
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        assert [hash_at(db, A, seq) for seq in range(1, 13)] == [e["hash"] for e in held]
        assert hash_at(db, A, 13) is None
        assert hash_at(db, A, 0) is None
        assert hash_at(db, B, 3) is None

    right = [station.seal(["chain", A, f"{seq}:{held[seq - 1]['hash']}"]) for seq in (3, 9)]
    assert station.send(client, station.batch(audit=right)).json()["flags"] == []

    wrong = [
        station.seal(["chain", A, f"4:{held[4]['hash']}"]),  # the hash of event 5
        station.seal(["chain", A, f"10:{'ef' * 32}"]),
        station.seal(["chain", A, f"{2**40}:{'ef' * 32}"]),  # no event has such a seq
    ]
    flags = station.send(client, station.batch(audit=wrong)).json()["flags"]
    assert [(f["code"], f["message"]) for f in flags] == [
        (
            "checkpoint_mismatch",
            f"audit entry 3 seals session {A} at event 4 with hash {held[4]['hash']}, but "
            f"the event the server holds there hashes to {held[3]['hash']}",
        ),
        (
            "checkpoint_mismatch",
            f"audit entry 4 seals session {A} at event 10 with hash {'ef' * 32}, but the "
            f"event the server holds there hashes to {held[9]['hash']}",
        ),
        (
            "checkpoint_mismatch",
            f"audit entry 5 seals session {A} at event {2**40}, which the server has not received",
        ),
    ]


@pytest.mark.slow
def test_stored_events_are_the_validated_values_in_the_order_stored(
    client: TestClient, centre: Centre, station: StationKey
) -> None:
    """A number sent as ``"5"`` where an integer belongs is read as 5, the hash
    recomputed with it (no flag), and read back as 5; each station's events in batch
    order, then as placed in the batch."""
    other = enrol(client, centre, "Station 2")
    # trial_index 5, hashed as the integer; sent as the string "5".
    (odd,) = station.events(A, 1)
    odd["trial_index"] = 5
    odd["hash"] = event_hash(
        odd["prev_hash"], A, 1, odd["t_ns"], None, 5, odd["kind"], odd["payload"]
    )
    station.heads[A] = (1, odd["hash"])
    raw = canonical_json(station.batch(events=[odd])).replace(
        b'"trial_index":5}', b'"trial_index":"5"}'
    )
    assert b'"trial_index":"5"}' in raw
    assert station.post(client, "/sync/v1/batches", raw).json() == {
        "acked_through": 1,
        "flags": [],
    }
    assert _send(client, other, other.events(B, 2))["flags"] == []
    assert _send(client, station, station.events(A, 2))["flags"] == []

    mine = _events(client, station_id=station.id)
    assert [(e["session_id"], e["seq"], e["batch_seq"]) for e in mine] == [
        (A, 1, 1),
        (A, 2, 2),
        (A, 3, 2),
    ]
    assert mine[0]["trial_index"] == 5 and type(mine[0]["trial_index"]) is int
    assert {e["station_id"] for e in mine} == {station.id}
    assert set(mine[0]) == {
        "session_id",
        "seq",
        "t_ns",
        "game_run_id",
        "trial_index",
        "kind",
        "payload",
        "prev_hash",
        "hash",
        "station_id",
        "batch_seq",
    }
    theirs = _events(client, station_id=other.id)
    assert [(e["session_id"], e["seq"], e["station_id"]) for e in theirs] == [
        (B, 1, other.id),
        (B, 2, other.id),
    ]
    everything = _events(client)
    assert sorted(everything, key=lambda e: (e["session_id"], e["seq"])) == sorted(
        mine + theirs, key=lambda e: (e["session_id"], e["seq"])
    )
