"""Trust benchmark: what seals, signatures and the evidence check cost.

Three figures, each a ratio against a baseline measured in the same run:

- **game end**: ``end_game_run`` (durable flush of the game's events, then the run's
  status) with seals, the signed audit entry and the anchored head, against the same
  call with seals and signing switched off (what the station did before them);
- **report**: ``write_report`` with the evidence check (the session's chain, the audit
  chain, every unit the report reads) against the same call with the check skipped;
- **store check** of a 100-session store: everything (seals, signatures, anchor)
  against the chains alone (events and audit log, what ``store check`` checked before).

Single-core figures: the process is pinned to one CPU where the OS allows it.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import print_table, write_results


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


@contextmanager
def _untrusted(store: Any) -> Iterator[None]:
    """Seals and audit signatures off, as the station was before them."""
    from sqlalchemy import event

    from kiosk.store import seals
    from kiosk.store.audit import set_signer, signer_for
    from kiosk.store.orm import StoreSession

    with store.writer() as s:
        signer = signer_for(s)
    event.remove(StoreSession, "before_commit", seals._seal)
    set_signer(str(store.engine.url), None)
    try:
        yield
    finally:
        event.listen(StoreSession, "before_commit", seals._seal)
        set_signer(str(store.engine.url), signer)


def _game(store: Any, events: int) -> Callable[[], int]:
    """A callable that plays one game of ``events`` events and times its end (ns)."""
    from kiosk.recorder import Recorder
    from kiosk.sessions.lifecycle import end_game_run, start_game_run
    from kiosk.sessions.machine import CANDIDATE, Move, apply
    from tests.helpers import new_session

    def play() -> int:
        (sid,) = new_session(store)
        apply(store, sid, Move.CHECK_IN, CANDIDATE)
        apply(store, sid, Move.START, CANDIDATE)
        rec = Recorder(store)
        run = start_game_run(
            store, rec, sid, position=0, game_id="balloons", game_version="1", seed=1, config={}
        )
        for i in range(events):
            rec.emit(sid, "response", game_run_id=run, trial_index=i, payload={"i": i})
        rec.flush()
        t0 = time.perf_counter_ns()
        end_game_run(store, rec, run)
        elapsed = time.perf_counter_ns() - t0
        rec.close()
        return elapsed

    return play


def _median_ms(samples: list[int]) -> float:
    return statistics.median(samples) / 1e6


def _game_end(folder: Path, rounds: int) -> tuple[float, float]:
    from kiosk.store import open_store

    with open_store(folder / "games.db") as store:
        play = _game(store, 300)
        trusted, plain = [], []
        for _ in range(rounds):  # interleaved: the machine's noise hits both alike
            trusted.append(play())
            with _untrusted(store):
                plain.append(play())
    return _median_ms(trusted), _median_ms(plain)


def _report(folder: Path, rounds: int) -> tuple[float, float]:
    import kiosk.report_service as service
    from kiosk.scoring_service import default_norms, score_stored_session
    from kiosk.store import open_store
    from kiosk.trust.evidence import session_evidence
    from tests.helpers import record_simulated_session

    with open_store(folder / "report.db") as store:
        sid = record_simulated_session(store, "short", seed=3)
        norms = default_norms()
        scores = score_stored_session(store, sid, norms, bootstrap=False)
        evidence = session_evidence(store, sid)
        checked, unchecked = [], []
        real = service.session_evidence
        for i in range(rounds):
            t0 = time.perf_counter_ns()
            service.write_report(store, sid, scores, norms, folder / f"a{i}-{sid}.pdf")
            checked.append(time.perf_counter_ns() - t0)
            service.session_evidence = lambda *_a, **_k: evidence  # type: ignore[assignment]
            try:
                t0 = time.perf_counter_ns()
                service.write_report(store, sid, scores, norms, folder / f"b{i}-{sid}.pdf")
                unchecked.append(time.perf_counter_ns() - t0)
            finally:
                service.session_evidence = real
    return _median_ms(checked), _median_ms(unchecked)


def _hundred_sessions(store: Any, sessions: int, games: int, events: int) -> None:
    from kiosk.recorder import Recorder
    from kiosk.sessions.lifecycle import end_game_run, end_session, start_game_run
    from kiosk.sessions.machine import CANDIDATE, Move, apply
    from kiosk.store.models import Score
    from tests.helpers import new_session

    rec = Recorder(store)
    for sid in new_session(store, sessions):
        apply(store, sid, Move.CHECK_IN, CANDIDATE)
        apply(store, sid, Move.START, CANDIDATE)
        for position in range(games):
            run = start_game_run(
                store,
                rec,
                sid,
                position=position,
                game_id="balloons",
                game_version="1",
                seed=position,
                config={},
            )
            for i in range(events):
                rec.emit(sid, "response", game_run_id=run, trial_index=i, payload={"i": i})
            end_game_run(store, rec, run)
        end_session(store, rec, sid)
        with store.writer() as s, s.begin():
            s.add_all(
                Score(
                    session_id=sid,
                    scope="metric",
                    name=f"m{k}",
                    value=k / 3,
                    scoring_version="1",
                    flags={},
                )
                for k in range(60)
            )
    rec.close()


def _store_check(folder: Path, sessions: int, rounds: int) -> tuple[float, float, int]:
    from itertools import groupby

    from kiosk.store import open_store
    from kiosk.store.audit import verify_audit
    from kiosk.store.chain import verify_chain
    from kiosk.store.check import audit_rows_of, check_store, event_rows

    path = folder / "hundred.db"
    with open_store(path) as store:
        _hundred_sessions(store, sessions, games=12, events=250)
    full, chains = [], []
    with open_store(path, read_only=True) as store:
        for _ in range(rounds):
            t0 = time.perf_counter_ns()
            report = check_store(store)
            full.append(time.perf_counter_ns() - t0)
            assert report.ok, dict(report.problems)
            t0 = time.perf_counter_ns()
            with store.engine.connect() as conn:
                for sid, group in groupby(event_rows(conn), key=lambda r: r[0]):
                    verify_chain([tuple(r[1:]) for r in group], sid)
                verify_audit(r[:8] for r in audit_rows_of(conn))
            chains.append(time.perf_counter_ns() - t0)
        events = report.events_checked
    return _median_ms(full), _median_ms(chains), events


def main(quick: bool = False) -> dict[str, Any]:
    _pin_one_core()
    rounds = 5 if quick else 15
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ.setdefault("KIOSK_KEY_DIR", str(folder / "keys"))
        (folder / "data").mkdir()
        data = folder / "data"
        game_on, game_off = _game_end(data, rounds)
        report_on, report_off = _report(data, 3 if quick else 7)
        check_on, check_off, events = _store_check(data, 10 if quick else 100, 3)
    rows = [
        {"what": "game end", "trusted_ms": game_on, "baseline_ms": game_off},
        {"what": "report", "trusted_ms": report_on, "baseline_ms": report_off},
        {"what": "store check", "trusted_ms": check_on, "baseline_ms": check_off, "events": events},
    ]
    print_table(
        "Trust: seals, signatures and evidence checks (median, one core)",
        [("what", "ratio", "trusted / baseline")]
        + [
            (
                r["what"],
                f"{r['trusted_ms'] / r['baseline_ms']:.2f}x",
                f"{r['trusted_ms']:.1f} ms / {r['baseline_ms']:.1f} ms",
            )
            for r in rows
        ],
    )
    print(f"store check: {10 if quick else 100} sessions, {events} events")
    write_results("trust", rows)
    return {"rows": rows}
