"""``kiosk demo``: simulated candidates through the real screens and games.

For each candidate a demo proctor creates a pseudonymous candidate and schedules a
session; the candidate side then goes through the real check-in, consent and
optional-questions screens, and each game is played by its bot through real input
events. After each session the kiosk's after-session work runs (scoring, and a signed
report once a signing identity exists). Without a display it runs offscreen.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

__all__ = ["DemoSession", "run_demo"]


@dataclass
class DemoSession:
    id: str
    pseudonym: str
    status: str = "scheduled"
    seconds: float = 0.0
    games: list[dict[str, Any]] = field(default_factory=list)
    traits: list[dict[str, Any]] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)


def _bot_factory(seed: int) -> Callable[[str, np.random.Generator], Any]:
    from games.catalog import TaskGame

    def make(game_id: str, rng: np.random.Generator) -> Any:
        # The game seed's stream, mixed with the demo seed: reproducible players.
        mixed = np.random.default_rng([seed, int(rng.integers(2**32))])
        bot = TaskGame(game_id).bot
        return bot.Bot(bot.BotParams.sample(mixed), mixed)

    return make


def _wait(app: Any, condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"demo: gave up waiting for {what} after {timeout_s:.0f} s")
        app.processEvents()
        time.sleep(0.002)


if TYPE_CHECKING:
    from kiosk.store import Store


class RealStoreRefused(ValueError):
    """The store holds real users or candidates; the demo does not play into it."""


def claim_for_demo(store: Store, *, allow_real_store: bool) -> None:
    """Mark a new store as a demo store, or refuse a real one (see :func:`run_demo`)."""
    from kiosk.trust.keys import holds_real_data, is_demo_store, mark_demo_store

    if is_demo_store(store):
        return
    if not holds_real_data(store):
        mark_demo_store(store)
    elif not allow_real_store:
        raise RealStoreRefused(
            f"{store.path} holds real users or candidates; the demo would sign simulated "
            "candidates' reports with this station's key. Use a new store (--store PATH), "
            "or pass --allow-real-store with an admin's --user (its reports say DEMO)"
        )


def run_demo(
    store_path: Path,
    *,
    candidates: int,
    seed: int,
    battery_name: str,
    out_dir: Path | None,
    as_json: bool,
    progress: Callable[[str], None] | None = None,
    resume: bool = False,
    allow_real_store: bool = False,
) -> list[DemoSession]:
    """Play ``candidates`` simulated sessions; with ``resume`` first continue every
    interrupted session of the store. Scores each completed session and, with
    ``out_dir``, writes its signed report there. Holds the store's station lock:
    raises :class:`~kiosk.store.lock.StoreInUse` if another station process has it.

    Simulated candidates never mix silently with real ones: a store with users or
    candidates of its own is refused (:class:`RealStoreRefused`) unless
    ``allow_real_store``; a store the demo starts becomes a demo store, and every report
    of a demo session says DEMO in its signed content."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from sqlalchemy import func, select

    from kiosk import services
    from kiosk.access.auth import Actor
    from kiosk.battery import load_battery
    from kiosk.shell.app import create_application, start_sync
    from kiosk.shell.window import MainWindow
    from kiosk.store import open_store
    from kiosk.store.lock import StationLock
    from kiosk.store.models import (
        AssessmentSession,
        Candidate,
        Event,
        GameRun,
        Role,
        SessionStatus,
    )

    battery = load_battery(battery_name)
    app = create_application()
    proctor = Actor(None, "demo", Role.PROCTOR)
    results: list[DemoSession] = []
    with StationLock(store_path, "demo"), open_store(store_path) as store:
        claim_for_demo(store, allow_real_store=allow_real_store)
        window = MainWindow(store, bot_factory=_bot_factory(seed), report_dir=out_dir)
        # An enrolled demo station syncs with its centre as a real one does, so that a
        # centre's console can watch simulated stations (and pause or void them).
        sync = start_sync(store, window)
        outcomes = window.outcomes.outcomes
        window.resize(1024, 720)
        window.show()

        def play_to_the_end(sid: str, pseudonym: str, started: float) -> None:
            result = DemoSession(sid, pseudonym)
            results.append(result)
            window.open("play")
            timeout = 600 + 120 * len(battery.games)
            _wait(app, lambda: window.current_screen().name == "complete", timeout, "the games")
            window.current_screen().back_to_idle()  # type: ignore[attr-defined]
            _wait(
                app,
                lambda: window.runner.pending == 0 and not window.outcomes.busy,
                600,
                "after-session work",
            )
            result.seconds = round(time.monotonic() - started, 1)
            with store.reader() as s:
                result.status = s.get(AssessmentSession, sid).status  # type: ignore[union-attr]
                for run in s.scalars(
                    select(GameRun).where(GameRun.session_id == sid).order_by(GameRun.position)
                ):
                    count = s.scalar(
                        select(func.count()).select_from(Event).where(Event.game_run_id == run.id)
                    )
                    result.games.append(
                        {"game": run.game_id, "status": run.status, "events": int(count or 0)}
                    )
            _add_scores(result, outcomes.get(sid))

        window.context.state.candidate_mode = True
        _wait(app, lambda: window.recovered is not None, 60, "start-up recovery")
        if resume:
            # Interrupted sessions, continued as a proctor would: from their first
            # uncommitted trial, or from consent when no game had started.
            with store.reader() as s:
                interrupted = list(
                    s.scalars(
                        select(AssessmentSession.id)
                        .where(AssessmentSession.status == SessionStatus.INTERRUPTED.value)
                        .order_by(AssessmentSession.created_at)
                    )
                )
            for sid in interrupted:
                moved = services.continue_session(store, proctor, sid)
                with store.reader() as s:
                    session = s.get(AssessmentSession, sid)
                    pseudonym = s.get(Candidate, session.candidate_id).pseudonym  # type: ignore
                if progress:
                    progress(f"continuing {pseudonym} (session {sid})")
                window.context.state.session_id = sid
                started = time.monotonic()
                if moved.target is SessionStatus.CHECKED_IN:
                    window.open("consent").accept()  # type: ignore[attr-defined]
                    _wait(
                        app, lambda: window.current_screen().name == "demographics", 30, "questions"
                    )
                play_to_the_end(sid, pseudonym, started)
        for n in range(candidates):
            candidate = services.create_candidate(store, proctor)
            sid = services.schedule_session(store, proctor, candidate.id, battery)
            with store.reader() as s:
                code = s.get(AssessmentSession, sid).checkin_code  # type: ignore[union-attr]
            started = time.monotonic()
            if progress:
                progress(f"candidate {n + 1}/{candidates}: {candidate.pseudonym} (session {sid})")
            checkin = window.open("checkin")
            checkin.code.setText(code or "")  # type: ignore[attr-defined]
            checkin.submit()  # type: ignore[attr-defined]
            _wait(app, lambda: window.current_screen().name == "consent", 30, "consent")
            window.current_screen().accept()  # type: ignore[attr-defined]
            _wait(app, lambda: window.current_screen().name == "demographics", 30, "questions")
            play_to_the_end(sid, candidate.pseudonym, started)
        window.context.state.candidate_mode = False
        # Work a kill or a failure left undone, retried at start-up, ends before we do.
        _wait(app, lambda: not window.outcomes.busy, 600, "after-session work")
        if sync is not None:
            sync.stop()
        window.close()
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "demo.json").write_text(json.dumps([asdict(r) for r in results], indent=2))
    if as_json:
        print(json.dumps({"sessions": [asdict(r) for r in results]}, indent=2))
    else:
        _print_summary(results, sys.stdout)
    return results


def _add_scores(result: DemoSession, outcome: Any) -> None:
    """Primary metrics, traits and report paths from the after-session work."""
    scores = getattr(outcome, "scores", outcome)
    if scores is None or not hasattr(scores, "games"):
        return
    for game in result.games:
        scored = scores.games.get(game["game"])
        if scored is not None:
            metric = scored.metrics[scored.primary]
            game[scored.primary] = _round(metric.value)
    for name, trait in scores.traits.traits.items():
        result.traits.append(
            {
                "name": name,
                "low_end": trait.low_end,
                "high_end": trait.high_end,
                "z": _round(trait.z),
                "percentile": _round(trait.percentile),
                "ci": [_round(trait.ci_low), _round(trait.ci_high)],
            }
        )
    result.reports.extend(str(p) for p in getattr(outcome, "reports", ()))


def _round(value: float) -> float | None:
    return round(value, 3) if value == value and abs(value) != float("inf") else None


def _print_summary(results: list[DemoSession], out: Any) -> None:
    for r in results:
        events = sum(g["events"] for g in r.games)
        done = sum(g["status"] == "completed" for g in r.games)
        print(
            f"{r.pseudonym}  session {r.id}\n  {r.status}, {done}/{len(r.games)} games, "
            f"{events} events, {r.seconds:.0f} s",
            file=out,
        )
        for g in r.games:
            metrics = ", ".join(
                f"{k} {_fmt(v)}" for k, v in g.items() if k not in ("game", "status", "events")
            )
            print(f"    {g['game']:<15} {g['events']:>5} events   {metrics}", file=out)
        for t in r.traits:
            pct = t.get("percentile")
            where = "not estimated" if pct is None else f"percentile {pct:.0f}"
            print(f"    {t['name']:<15} {where:<17} ({t['low_end']} <-> {t['high_end']})", file=out)
        for path in r.reports:
            print(f"    report: {path}", file=out)


def _fmt(value: Any) -> str:
    return "–" if value is None else f"{value:.3g}" if isinstance(value, float) else str(value)
