"""Shared helpers for the SIGKILL tests of real ``kiosk demo`` runs.

A :class:`Child` is a ``kiosk demo`` process started through
:mod:`tests.kiosk.demo_child`, which can stop it at a named point (``AT <point> <n>``
on its stdout) for the test to SIGKILL. Its stdout is read line by line on a thread
of its own (never mixed with ``communicate()``), its stderr goes to a file.

The store is only ever read here through a read-only SQLite URI while a child may be
running; :func:`check_store_cli` runs the real ``kiosk store check`` once it is dead.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

Row = tuple[object, ...]


# -- tiny batteries ------------------------------------------------------------------------

# game id -> (params as an inline TOML table, trial_end events it schedules with them)
GAMES: Mapping[str, tuple[str, int]] = {
    "balloons": ("{ n_balloons = 4, max_pumps = 16 }", 4),
    "cards": ("{ n_picks = 6 }", 6),
    "arrows": (
        "{ n_practice = 0, n_blocks = 1, trials_per_block = 6, cue_ms = 100, "
        "feedback_ms = 100, iti_ms = 200, response_window_ms = 1500 }",
        6,
    ),
    "stop": (
        "{ n_practice = 0, n_blocks = 1, trials_per_block = 6, fixation_ms = 100, "
        "feedback_ms = 100, iti_ms = 200, max_rt_ms = 800, ssd_max_ms = 600 }",
        6,
    ),
}


@dataclass(frozen=True)
class BatteryFile:
    path: Path
    games: tuple[str, ...]
    trials: Mapping[str, int]  # game id -> scheduled trial_end events


def write_battery(
    folder: Path,
    games: Sequence[str],
    *,
    name: str = "crash",
    params: Mapping[str, tuple[str, int]] | None = None,
) -> BatteryFile:
    """A battery file of ``games`` (ids of :data:`GAMES`, or of ``params``)."""
    table = {**GAMES, **(params or {})}
    text = f'[battery]\nname = "{name}"\nversion = "1"\n'
    for game in games:
        text += f'\n[[games]]\nid = "{game}"\nparams = {table[game][0]}\n'
    path = folder / f"{name}.toml"
    path.write_text(text)
    return BatteryFile(path, tuple(games), {g: table[g][1] for g in games})


# -- reading the store -------------------------------------------------------------------


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONUNBUFFERED"] = "1"
    # One BLAS thread: the machine's two cores are shared.
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def read(store: Path, sql: str, *args: object) -> list[Row]:
    """Rows of ``sql`` from the store, read-only (a running child may be writing)."""
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def try_count(store: Path, sql: str, *args: object) -> int:
    """``read(...)[0][0]``, or -1 while the store does not exist or is being created."""
    if not store.exists():
        return -1
    try:
        return int(read(store, sql, *args)[0][0] or 0)
    except sqlite3.Error:
        return -1


def committed(store: Path) -> list[Row]:
    """Every stored event as (session_id, seq, hash)."""
    return read(store, "SELECT session_id, seq, hash FROM events ORDER BY session_id, seq")


def trial_ends_sql(game: str) -> str:
    return (
        "SELECT count(*) FROM events e JOIN game_runs g ON e.game_run_id = g.id "
        f"WHERE g.game_id = '{game}' AND e.kind = 'trial_end'"
    )


def open_calls_sql(game: str) -> str:
    """Task calls of ``game`` committed after its last committed ``trial_end``: a trial
    under way (its start, onsets, responses are stored; its end is not)."""
    return (
        "SELECT count(*) FROM events e JOIN game_runs g ON e.game_run_id = g.id "
        f"WHERE g.game_id = '{game}' AND e.kind = 'task_call' AND e.seq > coalesce(("
        "SELECT max(e2.seq) FROM events e2 JOIN game_runs g2 ON e2.game_run_id = g2.id "
        f"WHERE g2.game_id = '{game}' AND e2.kind = 'trial_end'), -1)"
    )


def session_statuses(store: Path) -> list[str]:
    return [s for (s,) in read(store, "SELECT status FROM sessions ORDER BY created_at")]


# -- child processes -----------------------------------------------------------------------


def demo_args(store: Path, battery: Path, *extra: str) -> list[str]:
    return ["demo", "--store", str(store), "--battery", str(battery), "--json", *extra]


def kiosk_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk", *args]


class Child:
    """A ``kiosk demo`` run through :mod:`tests.kiosk.demo_child`."""

    def __init__(
        self,
        kiosk_args: Sequence[str],
        *,
        log: Path,
        kill_at: str | None = None,
        hold: str | None = None,
        trace: bool = False,
        wait_go: bool = False,
    ) -> None:
        ours: list[str] = ["--wait-go"] if wait_go else []
        if kill_at:
            ours += ["--kill-at", kill_at]
        if hold:
            ours += ["--hold", hold]
        if trace:
            ours.append("--trace")
        self.command = [sys.executable, "-m", "tests.kiosk.demo_child", *ours, "--", *kiosk_args]
        self.log = log
        self._stderr = open(log, "ab")  # noqa: SIM115 - closed in wait()
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            self.command,
            cwd=REPO,
            env=environment(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        self.ended = threading.Event()  # its stdout closed: it ended (or is ending)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:  # one line at a time, straight from the pipe
            self.output.append(line)
            self.lines.put(line.rstrip("\n"))
        self.ended.set()
        self.lines.put(None)  # end of output: the child ended

    def expect(self, wanted: Callable[[str], bool], timeout: float) -> str | None:
        """The first output line ``wanted`` accepts; None if the child ended or the time
        ran out first."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                line = self.lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if line is None:
                self.lines.put(None)  # keep the end visible for later calls
                return None
            if wanted(line):
                return line

    def expect_point(self, point: str, timeout: float) -> bool:
        return self.expect(lambda line: line.split()[:2] == ["AT", point], timeout) is not None

    def go(self, kill_at: str | None = None, timeout: float = 60) -> None:
        """Start a ``wait_go`` child once it is booted (optionally to die at a point)."""
        ready = self.expect(lambda line: line == "READY", timeout)
        assert ready, f"the child never booted:\n{self.stderr_tail()}"
        self.started = time.monotonic()
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"go {kill_at or ''}\n")
        self.proc.stdin.flush()

    def release(self) -> None:
        """Let a child held at its ``--hold`` point go on."""
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.wait(30)

    def wait(self, timeout: float) -> int:
        try:
            rc = self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(30)
        self._reader.join(10)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._stderr.close()
        return rc

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def failed(self) -> bool:
        """Whether a traceback shows on its stderr (a failure the demo would sit on)."""
        return "Traceback (most recent call last)" in self.stderr_tail(1_000_000)

    def stderr_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def json_document(self) -> dict:
        text = "".join(
            line for line in self.output if not line.startswith(("AT ", "HOLD ", "GO ", "BOOT"))
        )
        return json.loads(text)


def kill_at_point(
    store: Path, battery: Path, point: str, *extra: str, log: Path, timeout: float = 120
) -> float:
    """Run a demo until it reaches ``point`` (``name`` or ``name@n``), SIGKILL it there;
    returns the seconds it ran. Fails if it ends or times out first."""
    child = Child(demo_args(store, battery, *extra), log=log, kill_at=point)
    try:
        name = point.partition("@")[0]
        deadline = time.monotonic() + timeout
        reached = False
        while not reached and time.monotonic() < deadline and not child.ended.is_set():
            reached = child.expect_point(name, 1.0)
            if child.failed():
                time.sleep(1.0)  # the rest of the traceback
                raise AssertionError(f"the demo failed before {point!r}:\n{child.stderr_tail()}")
        if not reached:
            child.kill() if child.alive else child.wait(30)
            raise AssertionError(
                f"the demo never reached {point!r} (exit {child.proc.returncode}); "
                f"stderr:\n{child.stderr_tail()}"
            )
        child.kill()
        return time.monotonic() - child.started
    finally:
        if child.alive:
            child.kill()


def kill_when(
    store: Path,
    battery: Path,
    condition: Callable[[], bool],
    what: str,
    *extra: str,
    log: Path,
    timeout: float = 120,
) -> float:
    """Run a demo, polling ``condition`` (read-only store queries) every 20 ms; SIGKILL
    as soon as it holds. Fails if the demo ends or the time runs out first."""
    child = Child(demo_args(store, battery, *extra), log=log)
    try:
        deadline = time.monotonic() + timeout
        while not condition():
            if child.failed():
                time.sleep(1.0)  # the rest of the traceback
                raise AssertionError(f"the demo failed before {what}:\n{child.stderr_tail()}")
            if not child.alive:
                child.wait(30)
                raise AssertionError(
                    f"the demo ended (exit {child.proc.returncode}) before {what}; "
                    f"stderr:\n{child.stderr_tail()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting for {what}; stderr:\n{child.stderr_tail()}")
            time.sleep(0.02)
        child.kill()
        return time.monotonic() - child.started
    finally:
        if child.alive:
            child.kill()


def mid_trial(store: Path, game: str, *, after_ends: int) -> Callable[[], bool]:
    """True once ``game`` has at least ``after_ends`` committed trials and a further
    trial is under way (some of its task calls committed, its end not)."""

    def holds() -> bool:
        return try_count(store, trial_ends_sql(game)) >= after_ends and (
            try_count(store, open_calls_sql(game)) > 0
        )

    return holds


def between_trials(store: Path, game: str, *, after_ends: int) -> Callable[[], bool]:
    """True once ``game`` has at least ``after_ends`` committed trials and nothing of the
    next trial is stored yet (the pause between two trials)."""

    def holds() -> bool:
        return try_count(store, trial_ends_sql(game)) >= after_ends and (
            try_count(store, open_calls_sql(game)) == 0
        )

    return holds


def check_store_cli(store: Path) -> None:
    """``kiosk store check --store S`` exits 0."""
    result = subprocess.run(
        kiosk_command("store", "check", "--store", str(store)),
        cwd=REPO, env=environment(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, f"store check failed:\n{result.stdout}{result.stderr}"


def assert_kept(before: Sequence[Row], now: Sequence[Row], context: str = "") -> None:
    """Every event committed before (session_id, seq, hash) is still there, unchanged."""
    kept = set(now)
    lost = [row for row in before if row not in kept]
    assert not lost, f"{context}{len(lost)} committed events changed or went missing: {lost[:5]}"


def after_kill(store: Path, before: Sequence[Row]) -> list[Row]:
    """The checks after every kill: store check passes, nothing committed is lost."""
    check_store_cli(store)
    now = committed(store)
    assert_kept(before, now)
    return now


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str


def run_demo(store: Path, battery: Path, *extra: str, timeout: float = 180) -> Finished:
    """A plain ``python -m kiosk demo`` run to its end. It fails at once when a traceback
    shows up on its stderr (the demo would otherwise wait for a screen that never
    comes), and after ``timeout`` if it hangs."""
    folder = store.parent
    n = len(list(folder.glob("demo-*.out")))
    out_path, err_path = folder / f"demo-{n}.out", folder / f"demo-{n}.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(
            kiosk_command(*demo_args(store, battery, *extra)),
            cwd=REPO, env=environment(), stdout=out, stderr=err,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        try:
            while proc.poll() is None:
                stderr = err_path.read_text(errors="replace")
                if "Traceback (most recent call last)" in stderr:
                    time.sleep(1.0)  # the rest of the traceback
                    raise AssertionError(
                        f"kiosk demo {' '.join(extra)} failed:\n"
                        f"{err_path.read_text(errors='replace')[-4000:]}"
                    )
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"kiosk demo {' '.join(extra)} did not end within {timeout:.0f} s; "
                        f"stderr:\n{stderr[-3000:]}"
                    )
                time.sleep(0.2)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(30)
    return Finished(
        proc.returncode,
        out_path.read_text(errors="replace"),
        err_path.read_text(errors="replace"),
    )


def resume(store: Path, battery: Path, *, candidates: int = 0, timeout: float = 180) -> list[dict]:
    """``kiosk demo --resume --candidates N``; must exit 0; returns its sessions."""
    result = run_demo(store, battery, "--resume", "--candidates", str(candidates), timeout=timeout)
    assert result.returncode == 0, (
        f"kiosk demo --resume exited {result.returncode}:\n{result.stderr[-3000:]}"
    )
    return list(json.loads(result.stdout)["sessions"])


def assert_whole(store: Path, battery: BatteryFile) -> None:
    """Every session is completed and scored; each has one completed run per game of the
    battery; each run's trial_end events have distinct trial indices, as many as the
    game schedules; the trial table rebuilt from its events is 0..n-1."""
    from games.catalog import TaskGame
    from kiosk.store import open_store
    from kiosk.store.events import events_for_run

    sessions = read(store, "SELECT id, status FROM sessions ORDER BY created_at")
    assert sessions, "no session in the store"
    problems: list[str] = []
    with open_store(store, create=False) as opened:
        for sid, status in sessions:
            if status != "completed":
                problems.append(f"session {sid} is {status}")
            runs = read(
                store,
                "SELECT id, position, game_id, status FROM game_runs WHERE session_id = ? "
                "ORDER BY position",
                sid,
            )
            games = [(position, game_id) for _, position, game_id, _ in runs]
            if games != list(enumerate(battery.games)):
                problems.append(f"session {sid}: game runs {games}, wanted {battery.games}")
            for run_id, _, game_id, run_status in runs:
                if run_status != "completed":
                    problems.append(f"session {sid}: {game_id} run is {run_status}")
                ends = [
                    e.trial_index for e in events_for_run(opened, run_id) if e.kind == "trial_end"
                ]
                if len(ends) != len(set(ends)):
                    problems.append(f"session {sid}: {game_id} has duplicated trials {ends}")
                wanted = battery.trials[game_id]
                if len(ends) != wanted:
                    problems.append(
                        f"session {sid}: {game_id} has {len(ends)} trial ends, wanted {wanted}"
                    )
                table = TaskGame(game_id).trial_table(events_for_run(opened, run_id))
                if table["trial_index"].tolist() != list(range(wanted)):
                    problems.append(
                        f"session {sid}: {game_id} trial table indices "
                        f"{table['trial_index'].tolist()}"
                    )
            (scores,) = read(store, "SELECT count(*) FROM scores WHERE session_id = ?", sid)[0]
            if status == "completed" and not scores:
                problems.append(f"session {sid} is completed but has no scores")
    assert not problems, "\n".join(problems)
