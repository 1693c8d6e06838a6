"""Crash safety with real processes: SIGKILL a recorder at random moments.

After every kill the store must pass the integrity check, hold every acknowledged
trial whole, keep every chain intact, and take new events when reopened.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.recorder import Recorder
from kiosk.store import open_store
from kiosk.store.check import check_store
from tests.helpers import new_session

CHILD = Path(__file__).with_name("crash_child.py")
ROUNDS = 24


def trials_in_store(path: Path, sid: str) -> dict[int, list[tuple[str, dict]]]:
    import sqlite3

    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT trial_index, kind, payload FROM events WHERE session_id = ? ORDER BY seq", (sid,)
    ).fetchall()
    conn.close()
    trials: dict[int, list[tuple[str, dict]]] = {}
    for trial, kind, payload in rows:
        trials.setdefault(trial, []).append((kind, json.loads(payload)))
    return trials


def is_whole(events: list[tuple[str, dict]]) -> bool:
    if not events or events[0][0] != "trial_start" or events[-1][0] != "trial_end":
        return False
    planned = events[0][1]["planned"]
    responses = [p["i"] for k, p in events if k == "response"]
    return responses == list(range(planned)) and len(events) == planned + 2


@pytest.mark.slow
@pytest.mark.long(20)
def test_sigkill_at_random_moments_loses_no_acknowledged_trial(store_path: Path) -> None:
    rng = random.Random(20261128)
    with open_store(store_path) as store:
        (sid,) = new_session(store)
    acknowledged: set[int] = set()
    next_trial = 0
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    kills_mid_trial = 0
    for round_no in range(ROUNDS):
        child = subprocess.Popen(
            [sys.executable, str(CHILD), str(store_path), sid, str(next_trial), str(round_no)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "READY"
        # Kill only once the child has acknowledged a trial, so that a loaded machine
        # (slow child start) still gives every round something to lose.
        first = child.stdout.readline()
        assert first.startswith("ACK"), first
        time.sleep(rng.uniform(0.0, 0.25))
        child.send_signal(signal.SIGKILL)
        # Read the rest through the same file object: readline() may already hold later
        # ACK lines in its buffer, which communicate() (reading the raw pipe) would drop.
        out = first + child.stdout.read()
        child.wait(timeout=30)
        acks = [int(line.split()[1]) for line in out.splitlines() if line.startswith("ACK")]
        acknowledged.update(acks)

        with open_store(store_path, create=False) as store:
            report = check_store(store)
        assert report.ok, f"round {round_no}: {dict(report.problems)}"
        trials = trials_in_store(store_path, sid)
        missing = sorted(t for t in acknowledged if t not in trials or not is_whole(trials[t]))
        assert not missing, f"round {round_no}: acknowledged trials lost or torn: {missing}"
        # What this round left beyond its last acknowledgement is only its tail.
        tail = [t for t in trials if t >= next_trial and t not in acknowledged]
        assert all(t > max(acks, default=next_trial - 1) for t in tail)
        kills_mid_trial += any(not is_whole(trials[t]) for t in tail)
        next_trial = max(trials, default=-1) + 1

    assert len(acknowledged) >= ROUNDS, "the child barely recorded; the test proved little"
    assert kills_mid_trial > 0, "no kill landed mid-trial; the test proved little"

    # Recording continues on the same chain after all those kills.
    with open_store(store_path, create=False) as store:
        recorder = Recorder(store)
        recorder.emit(sid, "after_crashes", trial_index=next_trial)
        recorder.close()
        report = check_store(store)
    assert report.ok, dict(report.problems)
