"""What every screen shares: the store, the background runner, the shell's state and
signals, and the moves a screen may ask for.

Screens hold no SQL and no permission checks: they get what they need from here and
from the services, and hear of session changes through :class:`SessionSignals`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from kiosk.access.auth import Actor
from kiosk.recorder import Recorder
from kiosk.sessions.machine import Move, Transition, apply
from kiosk.shell.worker import BackgroundRunner
from kiosk.store import Store

__all__ = ["SessionSignals", "ShellContext", "ShellState"]


class SessionSignals(QObject):
    """Session changes made by this shell, for the screens that show or play them."""

    changed = Signal(object)  # kiosk.sessions.machine.Transition
    # The store stopped taking writes (the message), or works again ("").
    store_problem = Signal(str)
    # After-session work: session id, state (working, scored, reported, failed), detail.
    outcome = Signal(str, str, str)


def _raise(exc: BaseException) -> None:
    raise exc


@dataclass
class ShellState:
    """What the shell knows right now: who is signed in, which session is on screen."""

    actor: Actor | None = None
    session_id: str | None = None
    language: str = "en"
    large_text: bool = False
    high_contrast: bool = False
    candidate_mode: bool = False
    resume_position: int = 0
    notice: str = ""
    previous_screen: str = ""  # the screen shown before the current one
    store_problem: str = ""  # why recording stopped, while it is stopped


@dataclass
class ShellContext:
    store: Store
    runner: BackgroundRunner
    open_screen: Callable[[str], object]
    state: ShellState = field(default_factory=ShellState)
    recorder_factory: Callable[[], Recorder] | None = None
    set_candidate_mode: Callable[[bool], None] = lambda on: None
    bot_factory: Any = None
    reveal_screen: Callable[[str], object] = lambda name: None
    screen: Callable[[str], Any] = lambda name: None
    signals: SessionSignals = field(default_factory=SessionSignals)
    # Queues a completed session's after-session work (scores, report).
    after_session: Callable[[str], object] | None = None
    # Where failures nobody else handles go: logged and shown, never a blank screen.
    fail: Callable[[BaseException], object] = _raise
    # After a store write failure: write what was kept; calls back with success.
    retry_recording: Callable[[Callable[[bool], object]], None] = lambda done: None
    # A game's flush failed: the shell learns of the store problem at once.
    fail_recording: Callable[[BaseException], object] = _raise

    def recorder(self) -> Recorder:
        assert self.recorder_factory is not None
        return self.recorder_factory()

    def run(
        self,
        task: Callable[[], Any],
        success: Callable[[Any], object],
        failure: Callable[[BaseException], object],
    ) -> None:
        self.runner.run(task, success, failure)

    def move(
        self,
        session_id: str,
        move: Move,
        actor: Actor | None,
        *,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
        success: Callable[[Transition], object] = lambda transition: None,
        failure: Callable[[BaseException], object] | None = None,
    ) -> None:
        """Make a session move on the runner; on success every screen hears of it."""

        def done(transition: Transition) -> None:
            self.signals.changed.emit(transition)
            success(transition)

        store = self.store
        self.runner.run(
            lambda: apply(store, session_id, move, actor, reason=reason, details=details),
            done,
            failure or self.fail,
        )
