"""The candidate plays the battery; the proctor's pause, resume and void reach them.

The screen asks :func:`kiosk.resume.play_plan` where the session stands, starts it
(or continues it after a crash from the first trial that was not committed), and
hosts the games in a :class:`~kiosk.battery_host.BatteryHost`. Every second it reads
the session's status from the store, so a proctor's pause (from the console on
this station or any process sharing the store) shows "Paused by your proctor", a
resume continues, and a void stops the session.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout

from kiosk.battery_host import BatteryHost
from kiosk.lifecycle import end_session, set_status, start_session
from kiosk.resume import PlayPlan, play_plan
from kiosk.screens import Screen, ShellContext, screen
from kiosk.store.models import AssessmentSession, SessionStatus
from kiosk.texts import shell_text


@screen
class PlayScreen(Screen):
    name = "play"
    title = "Assessment"

    def __init__(self, context: ShellContext) -> None:
        super().__init__(context)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.host: BatteryHost | None = None
        self.poll = QTimer(self)
        self.poll.timeout.connect(self._poll_status)
        self.summaries: list[object] = []

    def on_show(self) -> None:
        sid = self.context.state.session_id
        assert sid is not None, "play needs a checked-in session"
        store = self.context.store
        self.context.run(lambda: play_plan(store, sid), self._start, self._failed)

    def _start(self, plan: PlayPlan) -> None:
        store, recorder = self.context.store, self.context.recorder()
        if plan.needs_start:
            self.context.run(
                lambda: start_session(store, recorder, plan.session_id),
                lambda _: self._host(plan),
                self._failed,
            )
        else:
            self._host(plan)

    def _host(self, plan: PlayPlan) -> None:
        if self.host is not None:
            self.layout_.removeWidget(self.host)
            self.host.deleteLater()
        self.host = BatteryHost(
            self.context.store,
            self.context.recorder(),
            self.context.runner,
            plan.session_id,
            plan.battery,
            language=self.context.state.language,
            start_position=plan.start_position,
            resume_run_id=plan.resume_run_id,
            resume_events=plan.resume_events,
            bot_factory=self.context.bot_factory,
        )
        self.layout_.addWidget(self.host)
        self.host.finished.connect(self._finished)
        self.host.failed.connect(self._failed)
        self.host.start()
        self.poll.start(1000)

    def _poll_status(self) -> None:
        sid, store = self.context.state.session_id, self.context.store
        if sid is None:
            return

        def read() -> str:
            with store.reader() as s:
                session = s.get(AssessmentSession, sid)
                return session.status if session else SessionStatus.VOIDED.value

        self.context.run(read, self._apply_status, self._failed)

    def _apply_status(self, status: str) -> None:
        if self.host is None:
            return
        if status == SessionStatus.PAUSED.value:
            self.host.pause()
        elif status == SessionStatus.IN_PROGRESS.value:
            self.host.resume()
        elif status == SessionStatus.VOIDED.value:
            self.poll.stop()
            self.host.interrupt("voided by proctor")
            self.context.state.notice = shell_text(self.context.state.language, "stopped_text")
            self.context.open_screen("complete")

    def _finished(self, summaries: list[object]) -> None:
        self.poll.stop()
        self.summaries = summaries
        sid, store, recorder = self.context.state.session_id, self.context.store, None
        recorder = self.context.recorder()
        assert sid is not None
        completed = all(getattr(s, "completed", False) for s in summaries)
        if not completed:
            # Voided (handled above) or interrupted: the session stays as the proctor set it.
            return

        def finish() -> None:
            end_session(store, recorder, sid, SessionStatus.COMPLETED)
            after = self.context.after_session
            if after is not None:
                after(sid)

        self.context.run(finish, lambda _: self.context.open_screen("complete"), self._failed)

    def suspend(self) -> None:
        """A proctor unlocked the station mid-session: stop, mark it interrupted."""
        self.poll.stop()
        sid, store = self.context.state.session_id, self.context.store
        if self.host is not None:
            self.host.interrupt("unlocked by proctor")
        if sid is None:
            return

        def mark() -> None:
            set_status(store, sid, SessionStatus.INTERRUPTED)

        self.context.run(mark, lambda _: None, self._failed)
        self.context.state.session_id = None

    def _failed(self, exc: BaseException) -> None:
        raise exc
