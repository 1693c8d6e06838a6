"""Playing a session's battery: each game's widget in turn, with breaks between them.

:class:`BatteryHost` is a widget. For each game of the battery it creates a game run
(with its seed and full configuration) and anchors the clock, builds the game's view
with an :class:`~kiosk.recorder.RecorderSink` bound to that run, and waits for the
view's ``finished`` signal; the game's own end already flushed durably. Between games
it shows a short break. Database work happens on the shell's background runner, so
the GUI never waits on disk.

Seeds are derived, not drawn: a game's seed is a hash of the session id, the game's
position and its id, so a session's schedule can be rebuilt anywhere from the store.

With a ``bot_factory`` each game is played by its simulated player through real input
events (``kiosk demo`` and the tests).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QStackedWidget, QWidget

from games.api import EventRecord, GameConfig, GameSummary
from games.catalog import TaskGame
from games.engine.qt.driver import BotDriver
from kiosk.battery import Battery
from kiosk.recorder import Recorder, RecorderError
from kiosk.sessions.lifecycle import end_game_run, reopen_game_run, start_game_run
from kiosk.shell.break_screen import BreakScreen
from kiosk.shell.worker import BackgroundRunner
from kiosk.store import Store
from kiosk.store.models import GameRunStatus

__all__ = ["BatteryHost", "game_seed"]

BotFactory = Callable[[str, np.random.Generator], Any]


def game_seed(session_id: str, position: int, game_id: str) -> int:
    digest = hashlib.sha256(f"{session_id}:{position}:{game_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


class BatteryHost(QStackedWidget):
    """Runs a battery for one session; emits ``finished`` with every game's summary."""

    game_started = Signal(int, str)
    game_finished = Signal(int, object)
    finished = Signal(list)
    failed = Signal(object)
    # A game's flush failed (the store cannot be written): the game is paused already.
    store_failed = Signal(object)

    def __init__(
        self,
        store: Store,
        recorder: Recorder,
        runner: BackgroundRunner,
        session_id: str,
        battery: Battery,
        *,
        language: str = "en",
        text_scale: float = 1.0,
        start_position: int = 0,
        bot_factory: BotFactory | None = None,
        bot_speed: float = 0.05,
        break_ms: int = 0,
        resume_run_id: str | None = None,
        resume_events: Sequence[EventRecord] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store, self.recorder, self.runner = store, recorder, runner
        self.session_id = session_id
        self.battery = battery
        self.language = language
        self.text_scale = text_scale
        self.position = start_position
        self.bot_factory = bot_factory
        self.bot_speed = bot_speed
        self.break_ms = break_ms
        self.resume_run_id = resume_run_id
        self.resume_events = tuple(resume_events)
        self.summaries: list[GameSummary] = []
        self.view: Any = None
        self.run_id: str | None = None
        self._on_break = False
        self.stopped = False  # interrupted or voided: no further game starts
        self.breaks = BreakScreen(self)
        self.breaks.proceed.connect(self._after_break)
        self.breaks.input_gated.connect(self._record_gated)
        self.addWidget(self.breaks)

    def start(self) -> None:
        self._start_game()

    # -- one game ------------------------------------------------------------------------

    def _start_game(self) -> None:
        if self.stopped:
            return
        entry = self.battery.games[self.position]
        seed = game_seed(self.session_id, self.position, entry.game_id)
        config = GameConfig(entry.game_id, seed, entry.params, self.language, self.text_scale)

        def create() -> str:
            return start_game_run(
                self.store,
                self.recorder,
                self.session_id,
                position=entry.position,
                game_id=entry.game_id,
                game_version=entry.version,
                seed=seed,
                config={"params": dict(entry.params), "language": self.language},
            )

        resume_run_id, resume_events = self.resume_run_id, self.resume_events
        if resume_run_id is not None:
            # Continue the run a crash cut short: same run, same seed, rebuilt state.
            self.resume_run_id, self.resume_events = None, ()

            def reopen() -> str:
                reopen_game_run(self.store, self.recorder, self.session_id, resume_run_id)
                return resume_run_id

            self.runner.run(
                reopen,
                lambda run_id: self._show_game(run_id, config, resume_events),
                self.failed.emit,
            )
            return
        self.runner.run(create, lambda run_id: self._show_game(run_id, config), self.failed.emit)

    def _show_game(
        self, run_id: str, config: GameConfig, resume_events: Sequence[EventRecord] = ()
    ) -> None:
        if self.stopped:
            # Stopped while the run was being opened: it ends at once, nothing played.
            self.runner.run(
                lambda: end_game_run(self.store, self.recorder, run_id, GameRunStatus.INTERRUPTED),
                lambda _: self.finished.emit(self.summaries),
                self.failed.emit,
            )
            return
        self.run_id = run_id
        game = TaskGame(config.game_id)
        sink = self.recorder.sink(self.session_id, run_id)
        sink.on_failure = self._flush_failed
        view = game.view_class()(config, sink, self, resume_events=resume_events or None)
        self.view = view
        self.addWidget(view)
        self.setCurrentWidget(view)
        view.setFocus()
        view.finished.connect(self._game_done)
        if self.bot_factory is not None:
            rng = np.random.default_rng(config.seed)
            speed = 1.0 if getattr(view, "bot_in_real_time", False) else self.bot_speed
            BotDriver(view, self.bot_factory(config.game_id, rng), speed=speed)
        self.game_started.emit(self.position, config.game_id)

    def _game_done(self, summary: GameSummary) -> None:
        run_id, view = self.run_id, self.view
        assert run_id is not None
        status = GameRunStatus.COMPLETED if summary.completed else GameRunStatus.INTERRUPTED
        self.summaries.append(summary)
        position = self.position

        def finish() -> None:
            end_game_run(self.store, self.recorder, run_id, status)

        def done(_: None) -> None:
            self.game_finished.emit(position, summary)
            self._drop_view(view)
            self.position += 1
            if self.position >= len(self.battery.games) or not summary.completed or self.stopped:
                self.finished.emit(self.summaries)
                return
            self._show_break()

        self.runner.run(finish, done, self._end_failed)

    def _drop_view(self, view: Any) -> None:
        self.removeWidget(view)
        view.deleteLater()
        if self.view is view:
            self.view = None

    def _end_failed(self, exc: BaseException) -> None:
        """The game's end could not be made durable: stop here, nothing is lost."""
        if not isinstance(exc, RecorderError):
            self.failed.emit(exc)
            return
        self.stopped = True
        if self.view is not None:
            self._drop_view(self.view)
        self.store_failed.emit(exc)
        self.finished.emit(self.summaries)

    # -- between games -------------------------------------------------------------------

    def _show_break(self) -> None:
        upcoming = self.battery.games[self.position]
        self.breaks.show_break(
            self.position,
            len(self.battery.games),
            upcoming.display_name,
            self.language,
            text_scale=self.text_scale,
        )
        self.setCurrentWidget(self.breaks)
        self._on_break = True
        if self.bot_factory is not None:
            QTimer.singleShot(self.break_ms, self._after_break)

    def _record_gated(self, gated: Any) -> None:
        """An input the break screen turned away (too soon, held, repeated): on record."""
        payload = {**gated.payload(), "stage": "break"}
        self.recorder.emit(self.session_id, "input_gated", payload, t_ns=gated.t_ns)

    def _after_break(self) -> None:
        # The candidate's key and a bot's timer may both ask to go on: start once.
        if self._on_break:
            self._on_break = False
            self._start_game()

    def _flush_failed(self, exc: BaseException) -> None:
        """A trial could not be made durable: pause before the next trial can start."""
        self.pause()
        self.store_failed.emit(exc)

    # -- proctor controls ----------------------------------------------------------------

    def pause(self) -> None:
        if self.view is not None:
            self.view.pause()

    def resume(self) -> None:
        if self.view is not None:
            self.view.resume()

    def interrupt(self, reason: str) -> None:
        """Stop the battery: the running game ends cleanly, no further game starts."""
        self.stopped = True
        self._on_break = False
        if self.view is not None:
            self.view.interrupt(reason)
        else:
            self.finished.emit(self.summaries)
