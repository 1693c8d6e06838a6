"""Recorder benchmark: durable ingest against a one-ORM-object-per-event baseline.

Three measurements in one run, on fresh stores in one temporary folder:

- baseline: the usual web-app way, ``session.add(Event(...)); session.commit()`` per
  event, same pragmas (WAL, synchronous=NORMAL), hashing done the same way;
- stream: the recorder taking events as fast as one thread can emit them, ending
  with a durable flush; throughput counts from the first emit to the durable flush;
- trials: the recorder as a game uses it: trials of 20 events, ``flush()`` at each
  trial end (the trial is committed before the next starts), a durable flush every
  50 trials (a game's end).

``emit()`` latency is timed call by call on the emitting thread during the stream,
while the writer commits alongside it.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.common import percentiles_us, print_table, write_results
from kiosk.recorder import Recorder
from kiosk.store import Store, open_store
from kiosk.store.chain import GENESIS_HASH, canonical_payload, event_hash
from kiosk.store.models import AssessmentSession, Candidate, Event

STREAM_EVENTS = 200_000
BASELINE_EVENTS = 3_000
TRIALS = 2_000
EVENTS_PER_TRIAL = 20


def _new_session(store: Store) -> str:
    with store.writer() as s, s.begin():
        candidate = Candidate(pseudonym=uuid.uuid4().hex[:12])
        s.add(candidate)
        s.flush()
        sid = str(uuid.uuid4())
        s.add(AssessmentSession(id=sid, candidate_id=candidate.id))
    return sid


def _payload(i: int) -> dict[str, Any]:
    return {"key": "left", "rt_ms": 412.5 + (i % 97), "correct": i % 3 != 0}


def baseline(store: Store, n: int) -> float:
    sid = _new_session(store)
    prev = GENESIS_HASH
    start = time.perf_counter()
    with store.writer() as s:
        for seq in range(1, n + 1):
            t_ns = time.perf_counter_ns()
            text = canonical_payload(_payload(seq))
            digest = event_hash(prev, sid, seq, t_ns, None, seq // 20, "response", text)
            s.add(
                Event(
                    session_id=sid,
                    seq=seq,
                    t_ns=t_ns,
                    trial_index=seq // 20,
                    kind="response",
                    payload=text,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            s.commit()
            prev = digest
    store.make_durable()
    elapsed = time.perf_counter() - start
    with store.reader() as s:
        assert len(s.scalars(select(Event.id).where(Event.session_id == sid)).all()) == n
    return n / elapsed


def stream(store: Store, n: int) -> tuple[float, list[int]]:
    sid = _new_session(store)
    rec = Recorder(store)
    latencies = [0] * n
    clock = time.perf_counter_ns
    payloads = [_payload(i) for i in range(n)]
    start = time.perf_counter()
    for i in range(n):
        t0 = clock()
        rec.emit(sid, "response", payloads[i], trial_index=i // 20)
        latencies[i] = clock() - t0
    rec.flush(durable=True)
    elapsed = time.perf_counter() - start
    rec.close()
    assert rec.committed == n
    return n / elapsed, latencies


def paced(store: Store, rate_hz: int, seconds: float) -> list[int]:
    """emit() latency at a game's pace (far above any real game's event rate)."""
    sid = _new_session(store)
    rec = Recorder(store)
    clock = time.perf_counter_ns
    period = 1_000_000_000 // rate_hz
    n = int(rate_hz * seconds)
    latencies = [0] * n
    next_at = clock()
    for i in range(n):
        while clock() < next_at:
            pass
        next_at += period
        t0 = clock()
        rec.emit(sid, "response", {"key": "left", "i": i}, trial_index=i // 20)
        latencies[i] = clock() - t0
        if i % 20 == 19:
            rec.request_flush()
    rec.close()
    return latencies


def trials(store: Store, n_trials: int, per_trial: int) -> tuple[float, list[int]]:
    sid = _new_session(store)
    rec = Recorder(store)
    flush_ns = []
    start = time.perf_counter()
    for t in range(n_trials):
        for i in range(per_trial):
            rec.emit(sid, "response", _payload(i), trial_index=t)
        t0 = time.perf_counter_ns()
        rec.flush(durable=(t % 50 == 49))
        flush_ns.append(time.perf_counter_ns() - t0)
    elapsed = time.perf_counter() - start
    rec.close()
    return n_trials * per_trial / elapsed, flush_ns


def main(quick: bool = False) -> dict[str, Any]:
    scale = 10 if quick else 1
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        folder = Path(tmp)
        with open_store(folder / "baseline.db") as store:
            base_rate = baseline(store, BASELINE_EVENTS // scale)
        with open_store(folder / "stream.db") as store:
            stream_rate, emit_ns = stream(store, STREAM_EVENTS // scale)
        with open_store(folder / "paced.db") as store:
            paced_ns = paced(store, 2_000, 3.0 / scale)
        with open_store(folder / "trials.db") as store:
            trial_rate, flush_ns = trials(store, TRIALS // scale, EVENTS_PER_TRIAL)
    emit = percentiles_us(emit_ns)
    flush = percentiles_us(flush_ns)
    emit_paced = percentiles_us(paced_ns)
    result = {
        "baseline_events_per_s": base_rate,
        "stream_events_per_s": stream_rate,
        "stream_vs_baseline": stream_rate / base_rate,
        "trials_events_per_s": trial_rate,
        "trials_vs_baseline": trial_rate / base_rate,
        "emit": emit,
        "emit_paced_2khz": emit_paced,
        "trial_flush": flush,
    }
    print_table(
        "Recorder: durable ingest (ratios against the baseline measured in this run)",
        [
            ("measure", "value", "aim / note"),
            ("baseline: ORM object + commit per event", f"{base_rate:,.0f} ev/s", "reference"),
            (
                "recorder, stream, durable at end",
                f"{stream_rate:,.0f} ev/s",
                f"{stream_rate / base_rate:.0f}x baseline (aim >= 50,000 ev/s, >= 20x)",
            ),
            (
                "recorder, flush per 20-event trial",
                f"{trial_rate:,.0f} ev/s",
                f"{trial_rate / base_rate:.0f}x baseline",
            ),
            (
                "emit() p50 / p99 on the caller",
                f"{emit['p50_us']:.2f} / {emit['p99_us']:.2f} us",
                "aim p99 <= 20 us",
            ),
            ("emit() p95 / max", f"{emit['p95_us']:.2f} / {emit['max_us']:.0f} us", ""),
            (
                "emit() at 2 kHz with trial flushes: p99 / max",
                f"{emit_paced['p99_us']:.2f} / {emit_paced['max_us']:.0f} us",
                "a game's pace",
            ),
            (
                "trial flush p50 / p99",
                f"{flush['p50_us']:.0f} / {flush['p99_us']:.0f} us",
                "GUI waits this long at a trial end",
            ),
        ],
    )
    path = write_results("recorder", [result])
    print(f"written: {path}")
    return result


if __name__ == "__main__":
    main()
