"""Kill a real `kiosk demo` several times inside one game, and on the consent screen;
`kiosk demo --resume` must finish every session, losing no committed event."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from games.catalog import TaskGame
from kiosk.store import open_store
from kiosk.store.check import check_store
from kiosk.store.events import events_for_run
from tests.kiosk.test_demo_crash import BATTERY, read

CARDS_ENDS = (
    "SELECT count(*) FROM events e JOIN game_runs g ON e.game_run_id = g.id "
    "WHERE g.game_id = 'cards' AND e.kind = 'trial_end'"
)


def demo(store: Path, battery: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "kiosk", "demo", "--store", str(store),
        "--battery", str(battery), "--json", *extra,
    ]  # fmt: skip


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def kill_when(command: list[str], sql: str, at_least: int, timeout_s: float = 120) -> None:
    """Run ``command`` until ``sql`` counts ``at_least`` rows in the store, then SIGKILL."""
    store = Path(command[command.index("--store") + 1])
    child = subprocess.Popen(
        command, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                count = read(store, sql)[0][0] if store.exists() else 0
            except Exception:  # the store is being created or migrated
                count = 0
            if count >= at_least:
                break
            assert child.poll() is None, "the demo ended before it could be killed"
            time.sleep(0.03)
        else:
            pytest.fail(f"never reached {at_least} rows of: {sql}")
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()


def committed(store: Path) -> list[tuple]:
    return read(store, "SELECT session_id, seq, hash FROM events ORDER BY session_id, seq")


def check_after_kill(store: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "store", "check", "--store", str(store)],
        env=environment(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("kills", [2, 3])
def test_several_kills_inside_one_game_then_resume_completes(tmp_path: Path, kills: int) -> None:
    battery = tmp_path / "crash.toml"
    battery.write_text(BATTERY)
    store = tmp_path / "k.db"
    before: list[tuple] = []
    for n in range(kills):
        # First run starts the candidate; later runs continue it; each dies mid-cards.
        extra = ("--candidates", "1") if n == 0 else ("--candidates", "0", "--resume")
        kill_when(demo(store, battery, *extra), CARDS_ENDS, at_least=3 + 3 * n)
        check_after_kill(store)
        now = committed(store)
        assert now[: len(before)] == before, "a committed event changed or went missing"
        before = now
        (status,) = read(store, "SELECT status FROM game_runs WHERE game_id = 'cards'")[0]
        assert status in ("running", "interrupted")

    resumed = subprocess.run(
        demo(store, battery, "--candidates", "0", "--resume"),
        env=environment(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    (session,) = json.loads(resumed.stdout)["sessions"]
    assert session["status"] == "completed"
    assert [g["status"] for g in session["games"]] == ["completed"] * 3
    assert committed(store)[: len(before)] == before
    (cards_run,) = read(store, "SELECT id FROM game_runs WHERE game_id = 'cards'")
    with open_store(store, create=False) as opened:
        assert check_store(opened).ok
        events = events_for_run(opened, cards_run[0])
        scores = read(store, "SELECT count(*) FROM scores WHERE session_id = ?", session["id"])
    assert len([e for e in events if e.kind == "resume_gap"]) == kills
    table = TaskGame("cards").trial_table(events)
    assert table["trial_index"].tolist() == list(range(14))
    assert scores[0][0] > 0  # after-session work ran on the continued session


@pytest.mark.slow
def test_a_kill_on_the_consent_screen_is_continued_from_consent(tmp_path: Path) -> None:
    battery = tmp_path / "crash.toml"
    battery.write_text(BATTERY)
    store = tmp_path / "k.db"
    kill_when(
        demo(store, battery, "--candidates", "1"),
        "SELECT count(*) FROM sessions WHERE status = 'checked_in'",
        at_least=1,
    )
    check_after_kill(store)
    resumed = subprocess.run(
        demo(store, battery, "--candidates", "0", "--resume"),
        env=environment(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    sessions = json.loads(resumed.stdout)["sessions"]
    assert [s["status"] for s in sessions] == ["completed"]
    actions = [a for (a,) in read(store, "SELECT action FROM audit_log ORDER BY seq")]
    assert "session_interrupted" in actions and "session_continued" in actions
