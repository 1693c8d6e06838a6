"""The shell's screens: one module per screen, opened by name through a registry.

A screen is a ``QWidget`` subclass decorated with :func:`screen`; the main window
builds each on first use with the shared :class:`ShellContext` and shows it in its
stack. Screens never check permissions or touch the database on the GUI thread:
they ask the context's runner.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from kiosk.auth import Actor
from kiosk.recorder import Recorder
from kiosk.sessions.machine import Move, Transition, apply
from kiosk.store import Store
from kiosk.worker import BackgroundRunner

__all__ = ["SCREENS", "Screen", "SessionSignals", "ShellContext", "ShellState", "screen"]


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


class Screen(QWidget):
    """Base of every screen. ``name`` is the registry key, ``title`` the window title."""

    name: ClassVar[str]
    title: ClassVar[str]

    def __init__(self, context: ShellContext) -> None:
        super().__init__()
        self.context = context
        self.setObjectName(f"screen-{self.name}")

    def on_show(self) -> None:
        """Called each time the screen is brought to the front."""


SCREENS: dict[str, type[Screen]] = {}

S = TypeVar("S", bound=type[Screen])


def screen(cls: S) -> S:
    if cls.name in SCREENS:
        raise ValueError(f"a screen named {cls.name!r} is already registered")
    SCREENS[cls.name] = cls
    return cls


# Where each screen lives: a screen's module is imported the first time it is opened,
# so the station home comes up without loading the games, scoring or exports.
SCREEN_MODULES = {
    name: f"kiosk.screens.{name}"
    for name in (
        "admin",
        "checkin",
        "complete",
        "console",
        "consent",
        "demographics",
        "first_run",
        "home",
        "play",
        "signin",
        "unlock",
    )
}


def screen_class(name: str) -> type[Screen]:
    """The registered screen ``name``, importing its module on first use."""
    if name not in SCREENS and name in SCREEN_MODULES:
        importlib.import_module(SCREEN_MODULES[name])
    try:
        return SCREENS[name]
    except KeyError:
        raise KeyError(f"no screen named {name!r}; known: {sorted(SCREEN_MODULES)}") from None


def load_all() -> None:
    """Import every screen module so that each registers itself."""
    for module in SCREEN_MODULES.values():
        importlib.import_module(module)
