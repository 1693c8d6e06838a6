"""The main window: a stack of screens opened by name, and candidate-mode lockdown.

In candidate mode the window is fullscreen, frameless and on top; it refuses to close,
swallows Escape, Alt+F4, Ctrl+W/Q and the other shortcuts Qt can intercept, and takes
focus back whenever it loses it. Only the unlock chord (Ctrl+Alt+Shift+U) leaves it,
and only through a proctor's PIN (the ``unlock`` screen). Qt can stop accidents, not
a determined user: pair it with the operating system's kiosk mode (see the README).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QStackedWidget

from kiosk.outcome.queue import OutcomeQueue
from kiosk.recorder import Recorder
from kiosk.sessions.recovery import interrupt_orphaned_sessions
from kiosk.shell.screens import Screen, ShellContext, screen_class
from kiosk.shell.style import STYLESHEET, display_stylesheet
from kiosk.shell.worker import BackgroundRunner
from kiosk.store import Store

__all__ = ["MainWindow"]

log = logging.getLogger(__name__)

UNLOCK_CHORD = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.ShiftModifier,
    Qt.Key.Key_U,
)
_BLOCKED_KEYS = {
    Qt.Key.Key_Escape,
    Qt.Key.Key_F4,
    Qt.Key.Key_Tab,
    Qt.Key.Key_Meta,
    Qt.Key.Key_Super_L,
    Qt.Key.Key_Super_R,
    Qt.Key.Key_Menu,
}
_BLOCKED_WITH_CTRL = {Qt.Key.Key_W, Qt.Key.Key_Q, Qt.Key.Key_Tab}


def _cause(exc: BaseException) -> str:
    """The root cause's first line, e.g. ``database or disk is full`` (not the SQL)."""
    seen: BaseException = exc
    while seen.__cause__ is not None:
        seen = seen.__cause__
    seen = getattr(seen, "orig", None) or seen
    return str(seen).splitlines()[0] if str(seen) else type(seen).__name__


class _Lockdown(QObject):
    """Application-wide key filter active in candidate mode."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.blocked = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.window.candidate_mode or event.type() not in (
            QEvent.Type.KeyPress,
            QEvent.Type.ShortcutOverride,
        ):
            return False
        assert isinstance(event, QKeyEvent)
        key, mods = Qt.Key(event.key()), event.modifiers()
        if event.type() == QEvent.Type.KeyPress and (mods, key) == UNLOCK_CHORD:
            self.window.open("unlock")
            return True
        ctrl_or_alt = mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        if (
            (key in _BLOCKED_KEYS and (key != Qt.Key.Key_Tab or ctrl_or_alt))
            or (mods & Qt.KeyboardModifier.ControlModifier and key in _BLOCKED_WITH_CTRL)
            or (mods & Qt.KeyboardModifier.AltModifier and key == Qt.Key.Key_F4)
        ):
            self.blocked += 1
            return True
        return False


class MainWindow(QMainWindow):
    """The station's window. ``report_dir`` is where after-session work signs reports
    (None: scores only); the caller holds the store's station lock (see
    :mod:`kiosk.store.lock`), so sessions left live are a dead process's."""

    _recorder_failed = Signal(object)  # from the recorder's writer thread

    def __init__(
        self, store: Store, *, bot_factory: object = None, report_dir: Path | None = None
    ) -> None:
        super().__init__()
        self.setStyleSheet(STYLESHEET)
        self.runner = BackgroundRunner(self)
        self._recorder: Recorder | None = None
        self.outcomes = OutcomeQueue(store, report_dir, parent=self)
        self.context = ShellContext(
            store=store,
            runner=self.runner,
            open_screen=self.open,
            recorder_factory=self.recorder,
            set_candidate_mode=self.set_candidate_mode,
            bot_factory=bot_factory,
            reveal_screen=self.reveal,
            screen=self.screen_named,
            after_session=self.outcomes.submit,
            fail=self.report_failure,
            retry_recording=self.retry_recording,
            fail_recording=self._store_failed,
        )
        self.outcomes.changed.connect(self.context.signals.outcome)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self._screens: dict[str, Screen] = {}
        self.resize(1024, 720)
        self.setMinimumSize(800, 600)
        self.lockdown = _Lockdown(self)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.installEventFilter(self.lockdown)
        app.applicationStateChanged.connect(self._app_state_changed)
        # Sessions a dead process left live are interrupted, to be continued or voided;
        # after-session work a kill or a failure left undone is done now.
        self.store_problem = ""
        self._recorder_failed.connect(self._store_failed)
        self.recovered: list[str] | None = None
        self.runner.run(
            lambda: interrupt_orphaned_sessions(store), self._recovered, self.report_failure
        )
        self.outcomes.submit_pending()

    def _recovered(self, session_ids: list[str]) -> None:
        self.recovered = session_ids
        if session_ids:
            log.warning("interrupted sessions left by a process that ended: %s", session_ids)

    @property
    def candidate_mode(self) -> bool:
        return self.context.state.candidate_mode

    def recorder(self) -> Recorder:
        if self._recorder is None:
            # A write failure (a full disk) keeps every event in memory and tells the
            # shell, which pauses the game; retry_recording() writes them once fixed.
            self._recorder = Recorder(
                self.context.store, keep_on_error=True, on_error=self._recorder_failed.emit
            )
        return self._recorder

    def _store_failed(self, exc: BaseException) -> None:
        if self.store_problem:
            return  # already known (the writer and a game's flush both report it)
        log.error("the store stopped taking writes", exc_info=exc)
        self.store_problem = (
            f"Recording stopped: the store cannot be written ({_cause(exc)}). Nothing "
            "recorded is lost. Free disk space (or fix the disk), then press Retry recording."
        )
        self.context.state.store_problem = self.store_problem
        self.context.signals.store_problem.emit(self.store_problem)

    def retry_recording(self, done: Callable[[bool], object]) -> None:
        """Write what was kept since the failure; ``done(True)`` once recording works."""
        recorder = self.recorder()

        def ok(_: None) -> None:
            log.info("recording works again; every kept event is written")
            self.store_problem = ""
            self.context.state.store_problem = ""
            self.context.signals.store_problem.emit("")
            done(True)

        def still_failing(exc: BaseException) -> None:
            log.error("retry failed: %s", exc)
            done(False)

        self.runner.run(recorder.retry, ok, still_failing)

    def open(self, name: str) -> Screen:
        """Bring the named screen to the front, building it on first use."""
        shown = self.stack.currentWidget()
        self.context.state.previous_screen = shown.name if isinstance(shown, Screen) else ""
        if name not in self._screens:
            self._screens[name] = screen_class(name)(self.context)
            self.stack.addWidget(self._screens[name])
        current = self._screens[name]
        self.stack.setCurrentWidget(current)
        self.setWindowTitle(f"Kiosk — {current.title}")
        current.on_show()
        return current

    def screen_named(self, name: str) -> Screen:
        """The named screen, built if needed, without showing it."""
        if name not in self._screens:
            self._screens[name] = screen_class(name)(self.context)
            self.stack.addWidget(self._screens[name])
        return self._screens[name]

    def reveal(self, name: str) -> Screen:
        """Show a screen again as it was, without restarting it (unlike :meth:`open`)."""
        shown = self.stack.currentWidget()
        self.context.state.previous_screen = shown.name if isinstance(shown, Screen) else ""
        current = self.screen_named(name)
        self.stack.setCurrentWidget(current)
        return current

    def current_screen(self) -> Screen:
        widget = self.stack.currentWidget()
        assert isinstance(widget, Screen)
        return widget

    # -- candidate mode ------------------------------------------------------------------

    def set_candidate_mode(self, on: bool) -> None:
        self.context.state.candidate_mode = on
        flags = self.windowFlags()
        if on:
            self.setWindowFlags(
                flags | Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
            )
            self.showFullScreen()
        else:
            self.setWindowFlags(
                flags & ~Qt.WindowType.FramelessWindowHint & ~Qt.WindowType.WindowStaysOnTopHint
            )
            self.showNormal()
        self.apply_display()

    def apply_display(self) -> None:
        state = self.context.state
        self.setStyleSheet(STYLESHEET + display_stylesheet(state.large_text, state.high_contrast))

    def _app_state_changed(self, state: Qt.ApplicationState) -> None:
        if self.candidate_mode and state != Qt.ApplicationState.ApplicationActive:
            QTimer.singleShot(0, self._take_focus_back)

    def _take_focus_back(self) -> None:
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.candidate_mode:
            event.ignore()  # only a proctor's unlock leaves candidate mode
            return
        if self._recorder is not None:
            self._recorder.close()
        self.runner.shutdown()
        self.outcomes.shutdown()
        super().closeEvent(event)

    def report_failure(self, exc: BaseException) -> None:
        """What nobody else handled: logged, shown, and passed to ``sys.excepthook``.

        The person at the station sees a calm message instead of a blank screen (a
        candidate is asked to call the proctor; a proctor sees what failed), and the
        hook still hears of it (stderr by default; tests fail on it).
        """
        log.error("unhandled failure", exc_info=exc)
        if self.candidate_mode:
            text = "Something went wrong. Please call your proctor; nothing you did is lost."
        else:
            text = f"Something went wrong: {type(exc).__name__}: {exc}"
        box = QMessageBox(QMessageBox.Icon.Warning, "Kiosk", text, parent=self)
        box.setObjectName("failure-message")
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()
        self.last_failure = exc
        sys.excepthook(type(exc), exc, exc.__traceback__)
