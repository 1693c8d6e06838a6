"""Crash soak: 100+ SIGKILLs of real ``kiosk demo`` runs at random moments.

Two workers, each with its own store, run ``kiosk demo --resume --candidates 1``
(through :mod:`tests.kiosk.demo_child`, with ``--trace``) over and over and SIGKILL
each run at a random moment. Each worker boots its next run (imports, hooks) while
the current one plays, so start-up costs little; a few runs start cold. A run dies
after a random delay (imports, store open, lock, recovery, continue, the first
screens), at a named point (check-in, consent, session start, a game's start, a
continued game's reopening, a game's end, the break, after the last game, the
session's end, scoring) reached exactly or followed by a random delay, or a random
delay into a game's trials. Each run first continues what the previous kill left
(an interrupted session, a completed session without scores), then starts a new
candidate, so the sessions move on through all their phases between kills.

After every kill: ``kiosk store check`` exits 0 and every event stored before the kill
is still stored unchanged. At the end a last ``--resume`` run must leave every session
completed, scored and whole (each game's trials once each, as many as scheduled).

The RNG seed is printed in every failure; set ``KIOSK_SOAK_SEED`` to replay one
(``KIOSK_SOAK_KILLS`` changes the number of kills, 105 by default).
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.kiosk.crash_helpers import (
    BatteryFile,
    Child,
    assert_kept,
    assert_whole,
    check_store_cli,
    committed,
    demo_args,
    read,
    resume,
    write_battery,
)

SEED = int(os.environ.get("KIOSK_SOAK_SEED", "20260412"))
KILLS = int(os.environ.get("KIOSK_SOAK_KILLS", "105"))
WORKERS = 2
KILL_PHASE_LIMIT_S = 600  # the kills stop here even if fewer were made (then the test fails)

SOAK_GAMES = {
    "balloons": ("{ n_balloons = 2, max_pumps = 8 }", 2),
    "arrows": (
        "{ n_practice = 0, n_blocks = 1, trials_per_block = 3, cue_ms = 100, "
        "feedback_ms = 100, iti_ms = 150, response_window_ms = 1500 }",
        3,
    ),
    "stop": (
        "{ n_practice = 0, n_blocks = 1, trials_per_block = 3, fixation_ms = 100, "
        "feedback_ms = 100, iti_ms = 150, max_rt_ms = 800, ssd_max_ms = 600 }",
        3,
    ),
}

# Named points (see demo_child.HOOKS) aimed at, by what the next run will do first:
# start a new candidate, redo after-session work a kill cut, or continue a session.
POINTS = {
    "fresh": {
        "checked_in": 3,
        "consent": 3,
        "session_start": 3,
        "game_start": 3,
        "game_end": 2,
        "break": 2,
    },
    "pending": {"scoring": 3, "scored": 2, "checked_in": 1, "consent": 1},
    "resuming": {
        "consent": 1,  # a session cut before its games is continued from consent
        "game_resume": 2,
        "game_end": 3,
        "break": 3,
        "game_start": 2,
        "games_done": 2,
        "session_end": 2,
        "scoring": 1,
    },
}


@dataclass
class Kill:
    mode: str
    target: str
    delay_s: float
    deadline_s: float
    ran_s: float = 0.0
    last_point: str = "start-up"
    reached: bool = False  # the target point (else: killed at the deadline)
    landed: str = ""


@dataclass
class Worker:
    number: int
    folder: Path
    battery: BatteryFile
    rng: random.Random
    kills: list[Kill] = field(default_factory=list)
    ended_on_their_own: int = 0
    failure: str = ""
    spare: Child | None = None  # the next run, booted while this one plays

    def boot(self, n: int) -> Child:
        return Child(
            demo_args(self.store, self.battery.path, "--resume", "--candidates", "1"),
            log=self.folder / f"run{n:03d}.log",
            trace=True,
            wait_go=True,
        )

    @property
    def store(self) -> Path:
        return self.folder / "k.db"

    def drop_spare(self) -> None:
        if self.spare is not None:
            self.spare.kill()
            self.spare = None

    def state(self) -> str:
        """What the next run does first: ``resuming`` a session, redoing ``pending``
        after-session work, or starting a ``fresh`` candidate."""
        if not self.store.exists():
            return "fresh"
        (unfinished,) = read(
            self.store,
            "SELECT count(*) FROM sessions WHERE status NOT IN ('completed', 'voided')",
        )[0]
        if unfinished:
            return "resuming"
        (unscored,) = read(
            self.store,
            "SELECT count(*) FROM sessions WHERE status = 'completed' "
            "AND id NOT IN (SELECT session_id FROM scores)",
        )[0]
        return "pending" if unscored else "fresh"

    def plan(self) -> Kill:
        """Where this run dies: a random delay, a named point, or inside the trials."""
        rng = self.rng
        draw = rng.random()
        if draw < 0.08:
            # A cold start, killed during its imports or just after.
            return Kill("cold", "", 0.0, rng.uniform(0.0, 3.0))
        if draw < 0.25:
            # Start-up: store open and migrations, lock, recovery, continue.
            return Kill("blind", "", 0.0, rng.uniform(0.0, 1.2))
        if draw < 0.4:
            # Inside a game: some way into its trials (or the instructions).
            return Kill("trials", "game_start|game_resume", rng.uniform(0.2, 2.0), 8.0)
        names, weights = zip(*POINTS[self.state()].items(), strict=True)
        point = rng.choices(names, weights)[0]
        exact = rng.random() < 0.5
        delay = 0.0 if exact else rng.choice((rng.uniform(0, 0.05), rng.uniform(0.05, 0.8)))
        # A point this run does not reach in time: it dies at a random moment instead.
        return Kill("exact" if exact else "after", point, delay, rng.uniform(3.0, 9.0))

    def run_once(self) -> Kill | None:
        """One run of the demo, killed as planned; None if it ended by itself first."""
        kill = self.plan()
        n = len(self.kills) + self.ended_on_their_own
        if kill.mode == "cold":  # a plain start, imports and all
            child = Child(
                demo_args(self.store, self.battery.path, "--resume", "--candidates", "1"),
                log=self.folder / f"run{n:03d}-cold.log",
                trace=True,
            )
        else:
            child, self.spare = self.spare or self.boot(n), None
            child.go(kill.target if kill.mode == "exact" else None)
        deadline = child.started + kill.deadline_s
        if self.spare is None:
            self.spare = self.boot(n + 1)  # boots while this one plays
        targets = set(kill.target.split("|")) if kill.target else set()
        try:
            while True:
                line = child.expect(lambda _: True, max(0.0, deadline - time.monotonic()))
                if line is None:
                    break  # the deadline, or the child ended
                words = line.split()
                if words[:1] == ["AT"] and len(words) >= 2:
                    kill.last_point = words[1]
                    if words[1] in targets:
                        kill.reached = True
                        if kill.delay_s:
                            time.sleep(kill.delay_s)
                        break
            if child.ended.is_set() or not child.alive:
                rc = child.wait(60)
                if rc != 0:
                    raise AssertionError(
                        f"a demo run failed on its own (exit {rc}):\n{child.stderr_tail()}"
                    )
                self.ended_on_their_own += 1
                return None
            child.kill()
            kill.ran_s = time.monotonic() - child.started
            return kill
        finally:
            if child.alive:
                child.kill()

    def landed(self) -> str:
        """Where the store says the killed run was."""
        (live,) = read(
            self.store,
            "SELECT count(*) FROM sessions WHERE status IN ('checked_in', 'in_progress', 'paused')",
        )[0]
        (running,) = read(self.store, "SELECT count(*) FROM game_runs WHERE status = 'running'")[0]
        (unscored,) = read(
            self.store,
            "SELECT count(*) FROM sessions WHERE status = 'completed' "
            "AND id NOT IN (SELECT session_id FROM scores)",
        )[0]
        if running:
            return "inside a game"
        if live:
            return "live session, no game running"
        if unscored:
            return "completed, not scored"
        return "nothing live"


def check_in_process(store: Path) -> None:
    """``kiosk store check``, run in this process (the CLI subprocess every tenth kill)."""
    from kiosk.store import open_store
    from kiosk.store.check import check_store

    with open_store(store, create=False) as opened:
        report = check_store(opened)
    assert report.ok, dict(report.problems)


@pytest.mark.slow
@pytest.mark.soak
def test_crash_soak(tmp_path: Path) -> None:
    started = time.monotonic()
    workers: list[Worker] = []
    for number in range(WORKERS):
        folder = tmp_path / f"w{number}"
        folder.mkdir()
        battery = write_battery(folder, list(SOAK_GAMES), name="soak", params=SOAK_GAMES)
        workers.append(Worker(number, folder, battery, random.Random(f"{SEED}:{number}")))
    total = Counter[str]()
    lock = threading.Lock()

    def work(worker: Worker) -> None:
        before: list[tuple] = []
        try:
            while time.monotonic() - started < KILL_PHASE_LIMIT_S:
                with lock:
                    if total["kills"] >= KILLS:
                        return
                kill = worker.run_once()
                if kill is None:
                    continue
                with lock:
                    total["kills"] += 1
                worker.kills.append(kill)
                where = f"kill {len(worker.kills)} ({kill})"
                if not worker.store.exists():
                    kill.landed = "no store yet"
                    continue
                if len(worker.kills) % 10 == 0:
                    check_store_cli(worker.store)
                else:
                    check_in_process(worker.store)
                now = committed(worker.store)
                assert_kept(before, now, f"{where}: ")
                before = now
                kill.landed = worker.landed()
            worker.drop_spare()
            # The end: continue and finish everything the last kill left.
            resume(worker.store, worker.battery.path, candidates=0, timeout=240)
            check_store_cli(worker.store)
            assert_kept(before, committed(worker.store))
            assert_whole(worker.store, worker.battery)
        except BaseException as exc:  # reported by the test thread, with the seed
            worker.drop_spare()
            recent = "\n  ".join(str(k) for k in worker.kills[-5:])
            worker.failure = (
                f"worker {worker.number} (seed {SEED}, after {len(worker.kills)} kills): "
                f"{type(exc).__name__}: {exc}\nlast kills:\n  {recent}"
            )

    threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(KILL_PHASE_LIMIT_S + 600)
    elapsed = time.monotonic() - started
    kills = [k for w in workers for k in w.kills]
    sessions = sum(len(read(w.store, "SELECT id FROM sessions")) for w in workers)
    summary = (
        f"seed {SEED}: {len(kills)} kills in {elapsed:.0f} s, {sessions} sessions; "
        f"aimed at and reached: {dict(Counter(k.target for k in kills if k.reached))}; "
        f"last point before the kill: {dict(Counter(k.last_point for k in kills))}; "
        f"store said: {dict(Counter(k.landed for k in kills))}; "
        f"runs that ended on their own: {sum(w.ended_on_their_own for w in workers)}"
    )
    print(summary)
    failures = [w.failure for w in workers if w.failure]
    assert not failures, "\n\n".join(failures) + "\n\n" + summary
    assert not any(t.is_alive() for t in threads), f"a worker hung; {summary}"
    assert len(kills) >= 100, f"only {len(kills)} kills fitted in the time; {summary}"
    reached = {k.target for k in kills if k.reached and k.mode in ("exact", "after")}
    assert len(reached) >= 6, f"the kills reached too few named points; {summary}"
