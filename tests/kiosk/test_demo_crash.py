"""Kill a real `kiosk demo` with SIGKILL mid-game, continue it, and check nothing is lost."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.store import open_store
from kiosk.store.check import check_store

BATTERY = """
[battery]
name = "crash"
version = "1"

[[games]]
id = "balloons"
params = { n_balloons = 2 }

[[games]]
id = "cards"
params = { n_picks = 14 }

[[games]]
id = "towers"
params = { n_practice = 0, problem_moves = [2] }
"""


def read(path: Path, sql: str, *args: object) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


@pytest.mark.slow
def test_sigkill_mid_game_then_resume_completes_with_every_committed_event(tmp_path: Path):
    battery = tmp_path / "crash.toml"
    battery.write_text(BATTERY)
    store = tmp_path / "k.db"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    base = [
        sys.executable,
        "-m",
        "kiosk",
        "demo",
        "--store",
        str(store),
        "--battery",
        str(battery),
        "--json",
    ]
    child = subprocess.Popen(
        [*base, "--candidates", "1"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    try:
        # Wait until the cards game has committed a few trials, then pull the plug.
        while time.monotonic() < deadline:
            if store.exists():
                try:
                    rows = read(
                        store,
                        "SELECT count(*) FROM events e JOIN game_runs g "
                        "ON e.game_run_id = g.id WHERE g.game_id = 'cards' "
                        "AND e.kind = 'trial_end'",
                    )
                except sqlite3.OperationalError:
                    rows = [(0,)]
                if rows[0][0] >= 4:
                    break
            assert child.poll() is None, "the demo ended before it could be killed"
            time.sleep(0.05)
        else:
            pytest.fail("the demo never reached the cards game")
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()

    committed = read(store, "SELECT session_id, seq, hash FROM events ORDER BY session_id, seq")
    (sid,) = {row[0] for row in committed}
    cards_run = read(store, "SELECT id, status FROM game_runs WHERE game_id = 'cards'")[0]
    assert cards_run[1] == "running"  # died mid-game

    resumed = subprocess.run(
        [*base, "--candidates", "0", "--resume"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    (session,) = json.loads(resumed.stdout)["sessions"]
    assert session["id"] == sid and session["status"] == "completed"
    assert [g["status"] for g in session["games"]] == ["completed"] * 3

    after = read(store, "SELECT session_id, seq, hash FROM events ORDER BY session_id, seq")
    assert after[: len(committed)] == committed, "a committed event changed or went missing"
    with open_store(store, create=False) as opened:
        report = check_store(opened)
        from games.catalog import TaskGame
        from kiosk.store.events import events_for_run

        events = events_for_run(opened, cards_run[0])
    assert report.ok, dict(report.problems)
    gaps = [e for e in events if e.kind == "resume_gap"]
    assert len(gaps) == 1 and gaps[0].payload["last_committed_trial"] >= 3
    table = TaskGame("cards").trial_table(events)
    assert table["trial_index"].tolist() == list(range(14))
