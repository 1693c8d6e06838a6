"""The candidate plays the battery; the proctor's moves reach the games at once.

The screen asks :func:`kiosk.sessions.resume.play_plan` where the session stands:
it starts the session (after consent), continues it after any number of crashes
from the first trial that was not committed, or — when the process died after the
last game — only ends it. The games run in a
:class:`~kiosk.shell.battery_host.BatteryHost`.

Session changes arrive as signals (:class:`~kiosk.shell.screens.SessionSignals`), not by
polling the store: a proctor's pause shows "Paused by your proctor", a resume goes
on, a void or an interrupt stops the games. While the unlock screen is up the game
is held (paused on screen, recorded as a pause) so no trial runs unseen; "back to
the candidate" releases it, a successful unlock interrupts the session
(:meth:`PlayScreen.suspend`), to be continued later.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout

from kiosk.sessions.lifecycle import end_session, start_session
from kiosk.sessions.machine import SessionStatus, Transition
from kiosk.sessions.resume import PlayPlan, play_plan
from kiosk.shell.battery_host import BatteryHost
from kiosk.shell.screens import Screen, ShellContext, screen
from kiosk.shell.style import text_scale
from kiosk.shell.texts import shell_text


@screen
class PlayScreen(Screen):
    name = "play"
    title = "Assessment"

    def __init__(self, context: ShellContext) -> None:
        super().__init__(context)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.host: BatteryHost | None = None
        self.session_id: str | None = None
        self.summaries: list[object] = []
        # Shown over the game while the store cannot be written (a full disk).
        self.problem = QLabel(self)
        self.problem.setObjectName("store-problem")
        self.problem.setWordWrap(True)
        self.problem.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.problem.setStyleSheet(
            "QLabel#store-problem { background: #ffffff; color: #222222; font-size: 22px;"
            " padding: 80px; }"
        )
        self.problem.hide()
        context.signals.changed.connect(self._session_changed)
        context.signals.store_problem.connect(self._store_problem)

    def on_show(self) -> None:
        sid = self.context.state.session_id
        assert sid is not None, "play needs a checked-in session"
        self._drop_host()
        self.session_id = sid
        store = self.context.store
        self.context.run(lambda: play_plan(store, sid), self._start, self.context.fail)

    def _start(self, plan: PlayPlan) -> None:
        store, recorder = self.context.store, self.context.recorder()
        if plan.games_done:
            # Every game was played before the process died: the session only ends.
            self._finish_session(plan.session_id)
        elif plan.needs_start:
            self.context.run(
                lambda: start_session(store, recorder, plan.session_id),
                lambda _: self._host(plan),
                self.context.fail,
            )
        else:
            self._host(plan)

    def _host(self, plan: PlayPlan) -> None:
        self._drop_host()
        state = self.context.state
        self.host = BatteryHost(
            self.context.store,
            self.context.recorder(),
            self.context.runner,
            plan.session_id,
            plan.battery,
            language=state.language,
            text_scale=text_scale(state.large_text),
            start_position=plan.start_position,
            resume_run_id=plan.resume_run_id,
            resume_events=plan.resume_events,
            bot_factory=self.context.bot_factory,
        )
        self.host.store_failed.connect(self.context.fail_recording)
        self.layout_.addWidget(self.host)
        self.host.finished.connect(self._finished)
        self.host.failed.connect(self.context.fail)
        self.host.start()

    def _drop_host(self) -> None:
        if self.host is not None:
            self.layout_.removeWidget(self.host)
            self.host.deleteLater()
            self.host = None

    # -- session changes -----------------------------------------------------------------

    def _session_changed(self, transition: Transition) -> None:
        if self.host is None or transition.session_id != self.session_id:
            return
        target = transition.target
        if target is SessionStatus.PAUSED:
            self.host.pause()
        elif target is SessionStatus.IN_PROGRESS:
            self.host.resume()
        elif target in (SessionStatus.VOIDED, SessionStatus.INTERRUPTED):
            self._stop(f"session {target.value} by {transition.move.value}")
            if target is SessionStatus.VOIDED and self.isVisible():
                state = self.context.state
                state.notice = shell_text(state.language, "stopped_text")
                self.context.open_screen("complete")

    def _stop(self, reason: str) -> None:
        host = self.host
        if host is not None and not host.stopped:
            host.interrupt(reason)

    # -- a store that cannot be written ---------------------------------------------------

    def _store_problem(self, problem: str) -> None:
        """Recording stopped: hold the game and say so calmly; the proctor is told."""
        if problem and self.session_id is not None:
            if self.host is not None:
                self.host.pause()
            self.problem.setText(shell_text(self.context.state.language, "store_problem"))
            self.problem.setGeometry(self.rect())
            self.problem.show()
            self.problem.raise_()
        elif not problem:
            self.problem.hide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.problem.setGeometry(self.rect())

    # -- the unlock screen over a game ---------------------------------------------------

    def hold(self) -> None:
        """The unlock screen is up: pause the game so no trial runs unseen."""
        if self.host is not None:
            self.host.pause()

    def release(self) -> None:
        """Back to the candidate without unlocking: the game goes on."""
        if self.host is not None:
            self.host.resume()

    def suspend(self) -> None:
        """A proctor unlocked mid-session: the games stop; the session is interrupted."""
        self._stop("unlocked by proctor")
        self.session_id = None
        self.problem.hide()

    @property
    def live(self) -> bool:
        """Whether a battery is being played here (not finished, not stopped)."""
        return self.host is not None and not self.host.stopped and self.session_id is not None

    # -- the end -------------------------------------------------------------------------

    def _finished(self, summaries: list[object]) -> None:
        host = self.host
        if host is None or host is not self.sender() or host.property("ended"):
            return  # a host already dropped, or one that already ended
        host.setProperty("ended", True)
        self.summaries = summaries
        sid = self.session_id
        completed = not host.stopped and all(getattr(s, "completed", False) for s in summaries)
        if not completed or sid is None:
            return  # interrupted or voided: the session stays as the proctor set it
        self._finish_session(sid)

    def _finish_session(self, sid: str) -> None:
        store, recorder = self.context.store, self.context.recorder()

        def done(_: None) -> None:
            after = self.context.after_session
            if after is not None:
                after(sid)
            self.session_id = None
            self.context.open_screen("complete")

        self.context.run(lambda: end_session(store, recorder, sid), done, self.context.fail)
