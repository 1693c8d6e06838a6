"""The event recorder: contiguous sequences, chained hashes, flush semantics, errors."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from kiosk.recorder import Recorder, RecorderError
from kiosk.store.chain import GENESIS_HASH, verify_chain
from kiosk.store.models import AssessmentSession, Event, GameRun
from tests.helpers import new_session


def stored_events(store, session_id: str) -> list[Event]:
    with store.reader() as s:
        return list(
            s.scalars(select(Event).where(Event.session_id == session_id).order_by(Event.seq))
        )


def test_flush_commits_everything_emitted_before_it(store) -> None:
    (sid,) = new_session(store)
    rec = Recorder(store, idle_wait_s=10)  # the writer only wakes for the flush
    for i in range(500):
        rec.emit(sid, "response", {"i": i}, trial_index=i // 10)
    rec.flush()
    events = stored_events(store, sid)
    assert [e.seq for e in events] == list(range(1, 501))
    assert [e.trial_index for e in events][:12] == [0] * 10 + [1, 1]
    rec.close()


def test_events_are_chained_and_head_is_kept(store) -> None:
    (sid,) = new_session(store)
    with_gap = Recorder(store)
    for i in range(50):
        with_gap.emit(sid, "tick", {"i": i, "label": "é"})
        if i % 7 == 0:
            with_gap.flush()
    with_gap.close()
    events = stored_events(store, sid)
    assert events[0].prev_hash == GENESIS_HASH
    rows = [
        (e.seq, e.t_ns, e.game_run_id, e.trial_index, e.kind, e.payload, e.prev_hash, e.hash)
        for e in events
    ]
    with store.reader() as s:
        session = s.get(AssessmentSession, sid)
    assert verify_chain(rows, sid, session.chain_head_seq, session.chain_head_hash) == []
    assert session.chain_head_seq == 50 and session.chain_head_hash == events[-1].hash
    assert events[1].payload == '{"i":1,"label":"é"}'


def test_sequences_continue_after_reopening(store) -> None:
    (sid,) = new_session(store)
    first = Recorder(store)
    for _ in range(3):
        first.emit(sid, "a")
    first.close()
    second = Recorder(store)
    for _ in range(2):
        second.emit(sid, "b")
    second.close()
    events = stored_events(store, sid)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[3].prev_hash == events[2].hash


def test_sessions_interleave_with_separate_sequences(store) -> None:
    a, b = new_session(store, 2)
    rec = Recorder(store)
    for i in range(20):
        rec.emit(a if i % 3 else b, "x", {"i": i})
    rec.close()
    assert [e.seq for e in stored_events(store, a)] == list(range(1, 14))
    assert [e.seq for e in stored_events(store, b)] == list(range(1, 8))


def test_given_stamp_is_kept_and_missing_stamp_is_taken_at_emit(store) -> None:
    (sid,) = new_session(store)
    rec = Recorder(store)
    before = time.perf_counter_ns()
    rec.emit(sid, "stamped_here")
    after = time.perf_counter_ns()
    rec.emit(sid, "input", t_ns=12345)
    rec.close()
    here, given = stored_events(store, sid)
    assert before <= here.t_ns <= after
    assert given.t_ns == 12345


def test_payload_is_copied_at_emit(store) -> None:
    (sid,) = new_session(store)
    rec = Recorder(store, idle_wait_s=10)
    payload = {"key": "left"}
    rec.emit(sid, "response", payload)
    payload["key"] = "right"
    rec.close()
    assert stored_events(store, sid)[0].payload == '{"key":"left"}'


def test_emit_does_no_io_or_hashing_on_the_calling_thread(store, monkeypatch) -> None:
    (sid,) = new_session(store)
    rec = Recorder(store, idle_wait_s=10)
    caller = threading.get_ident()
    touched: list[str] = []
    import kiosk.recorder as recorder_module

    real_hash = recorder_module.event_hash

    def spy_hash(*args):
        touched.append("hash" if threading.get_ident() == caller else "writer")
        return real_hash(*args)

    monkeypatch.setattr(recorder_module, "event_hash", spy_hash)
    from sqlalchemy import event

    def spy_sql(*_a):
        if threading.get_ident() == caller:
            touched.append("sql")

    event.listen(store.engine, "before_cursor_execute", spy_sql)
    for i in range(100):
        rec.emit(sid, "x", {"i": i})
    assert "sql" not in touched and "hash" not in touched
    rec.close()
    assert touched.count("writer") == 100


def test_anchor_records_monotonic_and_utc_stamps(store) -> None:
    (sid,) = new_session(store)
    rec = Recorder(store)
    t0 = time.time_ns()
    rec.anchor(sid, "session_start")
    rec.close()
    (anchor,) = stored_events(store, sid)
    import json

    payload = json.loads(anchor.payload)
    assert anchor.kind == "clock_anchor" and payload["reason"] == "session_start"
    assert abs(payload["utc_ns"] - t0) < 5e9 and anchor.t_ns > 0


def test_sink_binds_session_and_game_run(store) -> None:
    (sid,) = new_session(store)
    with store.writer() as s, s.begin():
        s.add(
            GameRun(
                id="run-1",
                session_id=sid,
                position=0,
                game_id="balloons",
                game_version="1.0.0",
                seed=7,
                config={},
            )
        )
    rec = Recorder(store)
    sink = rec.sink(sid, "run-1")
    sink.emit("trial_start", {"balloon": 1}, trial_index=0)
    sink.flush(durable=True)
    (event_row,) = stored_events(store, sid)
    assert event_row.game_run_id == "run-1" and event_row.trial_index == 0
    rec.close()


@pytest.mark.slow
def test_writer_errors_reach_the_caller_and_nothing_is_dropped(store) -> None:
    (sid,) = new_session(store)
    rec = Recorder(store)
    rec.emit(sid, "ok")
    rec.flush()
    seen: list[BaseException] = []
    rec._on_error = seen.append
    rec.emit("no-such-session", "lost")
    with pytest.raises(RecorderError, match="no-such-session"):
        rec.flush()
    with pytest.raises(RecorderError):
        rec.emit(sid, "after failure")
    with pytest.raises(RecorderError):
        rec.close()
    assert len(seen) == 1
    assert [u[4] for u in rec.unwritten] == ["lost"]
    assert [e.kind for e in stored_events(store, sid)] == ["ok"]


def test_payload_that_is_not_json_is_an_error_naming_the_event(store) -> None:
    (sid,) = new_session(store)
    rec = Recorder(store)
    rec.emit(sid, "response", {"rt": float("nan")})
    with pytest.raises(RecorderError, match=r"'response'.*not plain JSON"):
        rec.flush()


def test_durable_flush_syncs_the_log(store, monkeypatch) -> None:
    (sid,) = new_session(store)
    synced: list[int] = []
    import os

    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    rec = Recorder(store)
    rec.emit(sid, "trial_end")
    rec.flush()
    assert synced == []
    rec.emit(sid, "game_end")
    rec.flush(durable=True)
    assert len(synced) == 1
    rec.close()


@pytest.mark.slow
def test_writes_use_begin_immediate(store) -> None:
    (sid,) = new_session(store)
    statements: list[str] = []
    from sqlalchemy import event

    event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    rec = Recorder(store)
    rec.emit(sid, "x")
    rec.close()
    assert "BEGIN IMMEDIATE" in statements
    with store.reader() as s:
        assert s.execute(text("SELECT count(*) FROM events")).scalar() == 1


@given(
    session_id=st.text(max_size=40),
    seq=st.integers(0, 2**40),
    t_ns=st.integers(0, 2**63 - 1),
    game_run_id=st.none() | st.text(max_size=36),
    trial_index=st.none() | st.integers(-(2**31), 2**31),
    kind=st.text(max_size=40),
    payload=st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8), max_size=4),
)
@pytest.mark.slow
def test_event_hash_body_is_the_canonical_json_array(
    session_id, seq, t_ns, game_run_id, trial_index, kind, payload
) -> None:
    """The fast path in event_hash must hash exactly the documented JSON array."""
    import hashlib

    from kiosk.store.chain import _BODY_ENCODER, canonical_payload, event_hash

    text = canonical_payload(payload)
    fields = [session_id, seq, t_ns, game_run_id, trial_index, kind, text]
    expected = hashlib.sha256(
        bytes.fromhex(GENESIS_HASH) + _BODY_ENCODER.encode(fields).encode("utf-8")
    ).hexdigest()
    assert event_hash(GENESIS_HASH, *fields) == expected


@given(
    payload=st.dictionaries(
        st.text(max_size=6),
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text()
        | st.lists(st.integers(), max_size=3)
        | st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
        max_size=5,
    )
)
@pytest.mark.slow
def test_fast_payload_encoding_equals_the_documented_canonical_json(payload) -> None:
    import json

    from kiosk.store.chain import canonical_payload

    expected = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    assert canonical_payload(payload) == expected


def test_fast_payload_encoding_refuses_what_json_refuses() -> None:
    from kiosk.store.chain import canonical_payload

    with pytest.raises(ValueError):
        canonical_payload({"rt": float("inf")})
    with pytest.raises(TypeError):
        canonical_payload({"when": object()})
