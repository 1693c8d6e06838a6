"""SIGKILL a real ``kiosk demo`` at precise points of a session; ``--resume`` finishes it.

Each test plays a tiny battery (a few seconds per game), kills the process with
SIGKILL at a named point — reached through the hooks of
:mod:`tests.kiosk.demo_child`, or found by polling the store read-only — and after
every kill checks that ``kiosk store check`` exits 0 and that every event committed
before the kill is still stored unchanged. After the last kill ``kiosk demo
--resume`` must complete the session: completed, scored, every game run completed
with a whole trial table (no trial lost or played twice).

The points: inside a game (twice and three times in the same game, mid-trial and
between trials; once while a continued game reopens), at a game's end, on the break
screen, after the last game but before the session is completed, on the check-in and
consent screens, during the work after a session (scoring); and a second station
process on a store in use.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kiosk.crash_helpers import (
    REPO,
    Child,
    after_kill,
    assert_kept,
    assert_whole,
    between_trials,
    check_store_cli,
    committed,
    demo_args,
    environment,
    kill_at_point,
    kill_when,
    kiosk_command,
    mid_trial,
    read,
    resume,
    session_statuses,
    trial_ends_sql,
    try_count,
    write_battery,
)

pytestmark = [pytest.mark.slow, pytest.mark.long(20)]  # each plays kiosk processes out


def _first_run(n: int) -> tuple[str, ...]:
    """The first run starts a candidate; later runs continue the interrupted session."""
    return ("--candidates", "1") if n == 0 else ("--candidates", "0", "--resume")


# -- inside one game ------------------------------------------------------------------------


def resume_to_the_end(store: Path, battery, before: list[tuple]) -> None:
    """One last ``--resume`` completes the session, whole, with every kept event."""
    sessions = resume(store, battery.path, timeout=120)
    assert [s["status"] for s in sessions] == ["completed"]
    assert_kept(before, committed(store))
    assert_whole(store, battery)


def assert_inside(store: Path, game: str, n: int) -> None:
    (status,) = read(store, "SELECT status FROM game_runs WHERE game_id = ?", game)[0]
    assert status in ("running", "interrupted"), f"kill {n + 1} did not land inside {game}"


# Two and three kills in one game; choice games and timed games (one pair each keeps
# the suite's time in bounds; every game shares the one replay in games.engine.resume).
@pytest.mark.parametrize(("game", "kills"), [("balloons", 3), ("cards", 2), ("stop", 2)])
def test_kills_mid_trial_inside_one_game_then_resume_completes(
    tmp_path: Path, game: str, kills: int
) -> None:
    """Kill mid-trial, continue, let a further trial commit, kill mid-trial again ...:
    each continuation must replay only what was committed (bug 1: the second
    continuation re-ran the first attempt's stale task calls and failed with
    ``start_trial: a balloon is in play or the game has finished``)."""
    battery = write_battery(tmp_path, [game])
    store = tmp_path / "k.db"
    before: list[tuple] = []
    for n in range(kills):
        ends_so_far = max(0, try_count(store, trial_ends_sql(game)))
        kill_when(
            store,
            battery.path,
            mid_trial(store, game, after_ends=max(1, ends_so_far + 1)),
            f"{game}: a trial under way after {ends_so_far + 1} committed",
            *_first_run(n),
            log=tmp_path / f"run{n}.log",
            timeout=90,
        )
        before = after_kill(store, before)
        assert_inside(store, game, n)
    resume_to_the_end(store, battery, before)
    gaps = read(
        store,
        "SELECT count(*) FROM events e JOIN game_runs g ON e.game_run_id = g.id "
        "WHERE g.game_id = ? AND e.kind = 'resume_gap'",
        game,
    )[0][0]
    assert gaps == kills


@pytest.mark.parametrize("game", ["stop"])
def test_kills_between_trials_then_resume_completes(tmp_path: Path, game: str) -> None:
    """Twice in one game, killed in the pause after a committed trial (nothing of the
    next trial stored): the continuation starts exactly at the next trial."""
    battery = write_battery(tmp_path, [game])
    store = tmp_path / "k.db"
    before: list[tuple] = []
    for n, after_ends in enumerate((1, 3)):
        kill_when(
            store,
            battery.path,
            between_trials(store, game, after_ends=after_ends),
            f"{game}: the pause after trial {after_ends}",
            *_first_run(n),
            log=tmp_path / f"run{n}.log",
            timeout=90,
        )
        before = after_kill(store, before)
        assert_inside(store, game, n)
    resume_to_the_end(store, battery, before)


def test_kill_while_a_continued_game_replays_then_resume_completes(tmp_path: Path) -> None:
    """Killed mid-trial, then killed again while the continuation reopens the run
    (before its replay and its first trial): a third run still completes it."""
    battery = write_battery(tmp_path, ["cards"])
    store = tmp_path / "k.db"
    kill_when(
        store, battery.path, mid_trial(store, "cards", after_ends=2), "cards: trial 3 under way",
        "--candidates", "1", log=tmp_path / "run0.log", timeout=90,
    )  # fmt: skip
    before = after_kill(store, [])
    kill_at_point(
        store, battery.path, "game_resume", "--candidates", "0", "--resume",
        log=tmp_path / "run1.log", timeout=90,
    )  # fmt: skip
    before = after_kill(store, before)
    resume_to_the_end(store, battery, before)


# -- between games ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "point",
    [
        "break@1",  # the break screen between the two games
        "game_end@2",  # the last game durably ended
    ],
)
def test_kill_at_a_game_boundary_then_resume_completes(tmp_path: Path, point: str) -> None:
    battery = write_battery(tmp_path, ["balloons", "stop"])
    store = tmp_path / "k.db"
    kill_at_point(
        store, battery.path, point, "--candidates", "1", log=tmp_path / "run0.log", timeout=90
    )
    before = after_kill(store, [])
    assert session_statuses(store) == ["in_progress"]
    resume_to_the_end(store, battery, before)


# -- the session's end --------------------------------------------------------------------------


def test_kill_after_the_last_game_before_the_session_is_completed(tmp_path: Path) -> None:
    """Bug 2: every game is played and durably ended, the session is still in progress;
    ``--resume`` must only end it (it failed with IndexError, or hung)."""
    battery = write_battery(tmp_path, ["balloons", "cards"])
    store = tmp_path / "k.db"
    kill_at_point(store, battery.path, "games_done", "--candidates", "1", log=tmp_path / "run0.log")
    before = after_kill(store, [])
    assert session_statuses(store) == ["in_progress"]
    assert [s for (s,) in read(store, "SELECT status FROM game_runs")] == ["completed"] * 2
    sessions = resume(store, battery.path, timeout=90)
    assert [s["status"] for s in sessions] == ["completed"]
    assert_kept(before, committed(store))
    assert_whole(store, battery)


# -- before the games -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "point",
    [
        "consent",  # the candidate accepts consent; it is not stored yet
    ],
)
def test_kill_before_the_games_is_continued_from_consent(tmp_path: Path, point: str) -> None:
    """Bug 3: a kill on the check-in or consent screens leaves the session checked in;
    ``--resume`` must interrupt it (a dead process's live session) and continue it from
    consent to the end."""
    battery = write_battery(tmp_path, ["balloons"])
    store = tmp_path / "k.db"
    kill_at_point(store, battery.path, point, "--candidates", "1", log=tmp_path / "run0.log")
    before = after_kill(store, [])
    assert session_statuses(store) == ["checked_in"]
    sessions = resume(store, battery.path, timeout=90)
    assert [s["status"] for s in sessions] == ["completed"]
    assert_kept(before, committed(store))
    assert_whole(store, battery)
    actions = [a for (a,) in read(store, "SELECT action FROM audit_log ORDER BY seq")]
    assert "session_interrupted" in actions and "session_continued" in actions
    assert actions.count("consent_given") >= 1


# -- after the session ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "point",
    [
        "scoring",  # the after-session work is scoring the session
    ],
)
def test_after_session_work_cut_by_a_kill_is_done_by_the_next_demo(
    tmp_path: Path, point: str
) -> None:
    """Bug 4: killed after the session is completed but before it is scored; the next
    ``kiosk demo --resume`` must do the work (the session was left without scores)."""
    battery = write_battery(tmp_path, ["balloons"])
    store = tmp_path / "k.db"
    kill_at_point(store, battery.path, point, "--candidates", "1", log=tmp_path / "run0.log")
    before = after_kill(store, [])
    assert session_statuses(store) == ["completed"]
    assert read(store, "SELECT count(*) FROM scores")[0][0] == 0
    resume(store, battery.path, timeout=90)
    assert_kept(before, committed(store))
    assert_whole(store, battery)  # completed sessions must have scores


def test_after_session_work_cut_by_a_kill_is_done_by_the_next_kiosk_run(tmp_path: Path) -> None:
    """Bug 4, the station's way: the next ``kiosk run`` scores the completed session."""
    import subprocess
    import time

    battery = write_battery(tmp_path, ["balloons"])
    store = tmp_path / "k.db"
    kill_at_point(store, battery.path, "scoring", "--candidates", "1", log=tmp_path / "run0.log")
    before = after_kill(store, [])
    assert read(store, "SELECT count(*) FROM scores")[0][0] == 0
    with open(tmp_path / "run.log", "wb") as log:
        station = subprocess.Popen(
            kiosk_command("run", "--store", str(store)),
            cwd=REPO, env=environment(), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and station.poll() is None:
                if read(store, "SELECT count(*) FROM scores")[0][0] > 0:
                    break
                time.sleep(0.2)
            scored = read(store, "SELECT count(*) FROM scores")[0][0]
        finally:
            station.kill()
            station.wait(30)
    assert scored > 0, (tmp_path / "run.log").read_text(errors="replace")[-3000:]
    check_store_cli(store)
    assert_kept(before, committed(store))
    assert_whole(store, battery)


# -- two processes, one store -----------------------------------------------------------------


@pytest.mark.parametrize(
    "second",
    [
        ("run",),  # a second demo is refused the same way: tests/kiosk/test_station_lock.py
    ],
    ids=["run"],
)
def test_a_second_station_process_is_refused_and_the_first_completes(
    tmp_path: Path, second: tuple[str, ...]
) -> None:
    """Bug 5: a second process on a store in use must be refused (exit 2, a clear
    message), create and change nothing; the first goes on to complete its session."""
    import subprocess

    battery = write_battery(tmp_path, ["balloons", "stop"])
    store = tmp_path / "k.db"
    first = Child(
        demo_args(store, battery.path, "--candidates", "1"),
        log=tmp_path / "first.log",
        hold="game_start@2",  # between the games, the first game's run completed
    )
    try:
        assert first.expect(lambda line: line.startswith("HOLD "), 90), first.stderr_tail()
        sessions_before = read(store, "SELECT id, status FROM sessions")
        audit_before = read(store, "SELECT count(*) FROM audit_log")
        if second[0] == "demo":
            args = demo_args(store, battery.path, *second[1:])
        else:
            args = [*second, "--store", str(store)]
        try:
            result = subprocess.run(
                kiosk_command(*args),
                cwd=REPO, env=environment(), capture_output=True, text=True, timeout=60,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            pytest.fail(f"the second process ({' '.join(second)}) was not refused: it ran on")
        assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
        message = result.stderr.strip().splitlines()
        assert len(message) == 1 and "in use" in message[0], result.stderr
        assert read(store, "SELECT id, status FROM sessions") == sessions_before
        assert read(store, "SELECT count(*) FROM audit_log") == audit_before
        first.release()
        rc = first.wait(120)
        assert rc == 0, first.stderr_tail()
        (session,) = first.json_document()["sessions"]
        assert session["status"] == "completed"
    finally:
        if first.alive:
            first.kill()
    check_store_cli(store)
    assert_whole(store, battery)
