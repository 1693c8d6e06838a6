"""The proctor console: schedule sessions, watch them, pause, resume, void, note.

The session table is read from the store (on the background runner) when the
console is shown, when a session changes or its after-session work moves on (the
shell's signals), and every five seconds for elapsed times. It shows each completed
session's results (scoring, scored, report signed, or failed with the reason) and,
when recording has stopped (a full disk), the problem and a Retry. Every button
calls :mod:`kiosk.services`, which checks the signed-in user's permissions and
writes the audit entry. The Engagement column shows each live session's signs of
invalid responding (too fast, the same key ...; the tooltip has the figures), read
by :mod:`kiosk.engagement_service` as each game ends. The incident notes of the
selected session are listed under the table. A button that cannot act on the
selection is disabled, and its tooltip and the hint above the buttons say why.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from kiosk import engagement_service, incidents, services
from kiosk.access.permissions import Action, allowed
from kiosk.battery import builtin_names, load_battery
from kiosk.sessions.machine import Move, SessionStatus, Transition, TransitionError
from kiosk.shell.screens import Screen, ShellContext, screen
from kiosk.shell.screens.forms import button, field, label
from scoring.engagement import EngagementFlag

COLUMNS = (
    "Candidate",
    "Status",
    "Check-in code",
    "Battery",
    "Progress",
    "Now playing",
    "Elapsed",
    "Notes",
    "Results",
    "Engagement",
)
# Signs of invalid responding (kiosk.engagement_service), shown per live session.
ENGAGEMENT_WORDS = {
    "too_fast_responding": "too fast",
    "same_response": "same key",
    "chance_accuracy": "at chance",
    "key_held": "key held",
    "idle_gap": "idle",
    "atypical_session": "atypical",
}
LIVE_STATUSES = ("in_progress", "paused", "interrupted")
# What a completed session's after-session work shows in the Results column.
OUTCOME_WORDS = {
    "pending": "waiting",
    "working": "scoring…",
    "scored": "scored",
    "reported": "report signed",
    "failed": "failed: see tooltip",
}


SELECT_FIRST = "Select a session in the table first."
HOW_TO_ACT = "Select a session in the table to pause, resume, void, note or continue it."


def _elapsed(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def _engagement_item(flags: tuple[EngagementFlag, ...]) -> QTableWidgetItem:
    """The Engagement cell: short words, with each flag's full message as the tooltip."""
    words = dict.fromkeys(ENGAGEMENT_WORDS.get(f.code, f.code) for f in flags)
    item = QTableWidgetItem(", ".join(words))
    item.setToolTip("\n".join(f.message for f in flags))
    return item


@screen
class ConsoleScreen(Screen):
    name = "console"
    title = "Proctor console"

    def __init__(self, context: ShellContext) -> None:
        super().__init__(context)
        self.sessions: list[services.SessionView] = []
        self.engagement: dict[str, tuple[EngagementFlag, ...]] = {}  # session id -> flags
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 18)

        top = QHBoxLayout()
        self.who = label("", "heading")
        self.admin_button = button("Administration")
        self.signout = button("Sign out")
        top.addWidget(self.who, 1)
        top.addWidget(self.admin_button)
        top.addWidget(self.signout)
        outer.addLayout(top)

        schedule = QFrame()
        schedule.setObjectName("card")
        row = QHBoxLayout(schedule)
        row.setContentsMargins(16, 12, 16, 12)
        self.external_ref = field("External reference (optional, kept with personal data)")
        self.battery = QComboBox()
        self.battery.addItems(builtin_names())
        self.battery.setCurrentText("standard")
        self.schedule_button = button("New candidate + schedule", "primary")
        row.addWidget(self.external_ref, 2)
        row.addWidget(self.battery)
        row.addWidget(self.schedule_button)
        outer.addWidget(schedule)
        self.code_label = label("", "code")
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.hide()
        outer.addWidget(self.code_label)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        outer.addWidget(self.table, 1)

        self.notes_heading = label("Incident notes", "heading")
        self.notes = QPlainTextEdit()
        self.notes.setReadOnly(True)
        self.notes.setMaximumHeight(110)
        self.notes.setPlaceholderText("Select a session to read its incident notes.")
        outer.addWidget(self.notes_heading)
        outer.addWidget(self.notes)
        self._notes_key: tuple[str, int] | None = None  # (session id, note count) shown

        self.hint = label("", "note")
        outer.addWidget(self.hint)
        actions = QHBoxLayout()
        self.pause_button = button("Pause")
        self.resume_button = button("Resume")
        self.text = field("Reason (to void) or incident note")
        self.void_button = button("Void with reason")
        self.note_button = button("Add note")
        for widget in (self.pause_button, self.resume_button):
            actions.addWidget(widget)
        actions.addWidget(self.text, 2)
        actions.addWidget(self.void_button)
        actions.addWidget(self.note_button)
        outer.addLayout(actions)

        problem = QHBoxLayout()
        self.problem = label("", "error")
        self.problem.setWordWrap(True)
        self.retry_button = button("Retry recording", "primary")
        problem.addWidget(self.problem, 1)
        problem.addWidget(self.retry_button)
        outer.addLayout(problem)
        self.retry_button.clicked.connect(self.retry_recording)
        context.signals.store_problem.connect(self._show_problem)
        # After-session work on this station, as it happens: session id -> (state, detail).
        self.outcomes: dict[str, tuple[str, str]] = {}
        context.signals.outcome.connect(self._outcome_changed)
        context.signals.changed.connect(lambda _: self.refresh() if self.isVisible() else None)
        self._show_problem(context.state.store_problem)

        bottom = QHBoxLayout()
        self.status = label("", "note")
        self.candidate_mode = button("Hand the station to a candidate", "primary")
        self.resume_here = button("Continue the selected session here")
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.resume_here)
        bottom.addWidget(self.candidate_mode)
        outer.addLayout(bottom)

        self.schedule_button.clicked.connect(self.schedule)
        self.pause_button.clicked.connect(lambda: self._move(Move.PAUSE))
        self.resume_button.clicked.connect(lambda: self._move(Move.RESUME))
        self.void_button.clicked.connect(self.void)
        self.note_button.clicked.connect(self.note)
        self.signout.clicked.connect(self.sign_out)
        self.admin_button.clicked.connect(lambda: self.context.open_screen("admin"))
        self.candidate_mode.clicked.connect(self.hand_over)
        self.resume_here.clicked.connect(self.continue_here)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)

    # -- showing -------------------------------------------------------------------------

    def on_show(self) -> None:
        actor = self.context.state.actor
        if actor is None:
            self.context.open_screen("signin")
            return
        self.who.setText(f"Signed in as {actor.username} ({actor.role.value})")
        self.admin_button.setVisible(allowed(actor.role, Action.MANAGE_USERS))
        self.code_label.hide()
        self.refresh()
        self.timer.start(5000)  # elapsed times; session changes arrive by signal

    def hideEvent(self, event: object) -> None:
        self.timer.stop()

    def refresh(self) -> None:
        actor = self.context.state.actor
        if actor is None:
            return
        store = self.context.store
        self.context.run(lambda: services.list_sessions(store, actor), self._show, self._error)

    def _show(self, sessions: list[services.SessionView]) -> None:
        selected = self.selected()
        self.sessions = sessions
        # Refilling the table must not look like the proctor changing the selection.
        self.table.blockSignals(True)
        self.table.setRowCount(len(sessions))
        for row, s in enumerate(sessions):
            live_state, detail = self.outcomes.get(s.id, ("", ""))
            cells = (
                s.pseudonym,
                s.status.replace("_", " "),
                (s.checkin_code or "") if s.status == "scheduled" else "",
                s.battery,
                f"{s.games_done} / {s.games_total}",
                s.current_game_name or s.current_game or "",
                _elapsed(s.elapsed_s),
                str(s.incidents),
                OUTCOME_WORDS.get(live_state or s.outcome, ""),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == len(cells) - 1 and detail:
                    item.setToolTip(detail)
                self.table.setItem(row, col, item)
            self.table.setItem(row, len(cells), _engagement_item(self.engagement.get(s.id, ())))
            if selected is not None and s.id == selected.id:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self._update_buttons()  # the selected session's status may have changed
        interrupted = sum(s.status == "interrupted" for s in sessions)
        self.status.setText(
            f"{len(sessions)} sessions"
            + (
                f" · {interrupted} interrupted: select one and continue it here"
                if interrupted
                else ""
            )
        )
        self._update_buttons()
        self._load_engagement([s.id for s in sessions if s.status in LIVE_STATUSES])

    def _load_engagement(self, live: list[str]) -> None:
        """Read the live sessions' engagement flags off the GUI thread, then show them."""
        actor, store = self.context.state.actor, self.context.store
        if not live or actor is None:
            return
        self.context.run(
            lambda: engagement_service.flags_for_sessions(store, actor, live),
            self._show_engagement,
            self._error,
        )

    def _show_engagement(self, flags: dict[str, tuple[EngagementFlag, ...]]) -> None:
        self.engagement.update(flags)
        column = COLUMNS.index("Engagement")
        for row, s in enumerate(self.sessions):
            if s.id in flags:
                self.table.setItem(row, column, _engagement_item(flags[s.id]))

    def selected(self) -> services.SessionView | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.sessions):
            return None
        return self.sessions[rows[0].row()]

    def _update_buttons(self) -> None:
        s = self.selected()
        status = SessionStatus(s.status) if s else None
        shown = s.status.replace("_", " ") if s else ""

        def enable(button: QPushButton, on: bool, why_not: str) -> None:
            button.setEnabled(on)
            button.setToolTip("" if on else SELECT_FIRST if s is None else why_not)

        enable(
            self.pause_button,
            status is SessionStatus.IN_PROGRESS,
            f"Only a session in progress can be paused; this one is {shown}.",
        )
        enable(
            self.resume_button,
            status is SessionStatus.PAUSED,
            f"Only a paused session can be resumed; this one is {shown}.",
        )
        enable(
            self.void_button,
            status not in (None, SessionStatus.COMPLETED, SessionStatus.VOIDED),
            f"A {shown} session cannot be voided.",
        )
        enable(self.note_button, s is not None, "")
        enable(
            self.resume_here,
            self._can_continue(status),
            f"Only an interrupted session can be continued here; this one is {shown}.",
        )
        self.hint.setText("" if s else HOW_TO_ACT)
        self._load_notes(s)

    @staticmethod
    def _can_continue(status: SessionStatus | None) -> bool:
        """Whether "Continue the selected session here" applies to a session in ``status``."""
        return status is SessionStatus.INTERRUPTED

    def _load_notes(self, s: services.SessionView | None) -> None:
        """Show the selected session's notes; read them again only when they may have changed."""
        actor, store = self.context.state.actor, self.context.store
        if s is None or actor is None:
            self._notes_key = None
            self.notes_heading.setText("Incident notes")
            self.notes.clear()
            return
        key = (s.id, s.incidents)
        if key == self._notes_key:
            return
        self._notes_key = key
        self.notes_heading.setText(f"Incident notes · {s.pseudonym}")
        session_id = s.id

        def show(notes: list[incidents.IncidentView]) -> None:
            if self._notes_key != key:
                return  # the selection moved on while the notes were read
            self.notes.setPlainText(
                "\n".join(
                    f"{n.at.astimezone():%Y-%m-%d %H:%M} · {n.author}: {n.text}" for n in notes
                )
                or "No notes on this session."
            )

        self.context.run(
            lambda: incidents.list_incidents(store, actor, session_id), show, self._error
        )

    def _nothing_selected(self) -> bool:
        """True, and the proctor is told so, when no session is selected."""
        if self.selected() is not None:
            return False
        self.hint.setText(SELECT_FIRST)
        return True

    # -- acting --------------------------------------------------------------------------

    def _error(self, exc: BaseException) -> None:
        if not isinstance(exc, (ValueError, PermissionError, TransitionError)):
            self.context.fail(exc)
            return
        self.status.setText(f"Not done: {exc}")

    def schedule(self) -> None:
        actor, store = self.context.state.actor, self.context.store
        assert actor is not None
        ref = self.external_ref.text().strip() or None
        battery_name = self.battery.currentText()

        def create() -> str:
            candidate = services.create_candidate(store, actor, external_ref=ref)
            sid = services.schedule_session(store, actor, candidate.id, load_battery(battery_name))
            code = next(v.checkin_code for v in services.list_sessions(store, actor) if v.id == sid)
            return f"{candidate.pseudonym}: check-in code {code}"

        def done(text: str) -> None:
            self.external_ref.clear()
            self.code_label.setText(text)
            self.code_label.show()
            self.refresh()

        self.context.run(create, done, self._error)

    def _move(self, move: Move, reason: str | None = None) -> None:
        s, actor = self.selected(), self.context.state.actor
        if self._nothing_selected() or s is None or actor is None:
            return
        self.context.move(
            s.id, move, actor, reason=reason, success=lambda _: self.refresh(), failure=self._error
        )

    def void(self) -> None:
        if self._nothing_selected():
            return
        self._move(Move.VOID, self.text.text())
        self.text.clear()

    def note(self) -> None:
        s, actor, store = self.selected(), self.context.state.actor, self.context.store
        if self._nothing_selected() or s is None or actor is None:
            return
        text = self.text.text()

        def noted(_: object) -> None:
            self.text.clear()
            self.refresh()

        self.context.run(
            lambda: services.add_incident(store, actor, s.id, text), noted, self._error
        )

    def hand_over(self) -> None:
        """The station goes into candidate mode, showing the check-in screen."""
        self.context.state.session_id = None
        self.context.set_candidate_mode(True)
        self.context.open_screen("checkin")

    def continue_here(self) -> None:
        """Continue an interrupted session on this station: its games, or consent first."""
        s, actor = self.selected(), self.context.state.actor
        if self._nothing_selected() or s is None or actor is None:
            return

        def play(transition: Transition) -> None:
            state = self.context.state
            state.session_id = s.id
            state.resume_position = s.games_done
            self.context.set_candidate_mode(True)
            started = transition.target is SessionStatus.IN_PROGRESS
            self.context.open_screen("play" if started else "consent")

        self.context.move(s.id, Move.CONTINUE, actor, success=play, failure=self._error)

    # -- a store that cannot be written ---------------------------------------------------

    def _outcome_changed(self, session_id: str, state: str, detail: str) -> None:
        self.outcomes[session_id] = (state, detail)
        if self.isVisible():
            self.refresh()

    def _show_problem(self, problem: str) -> None:
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.retry_button.setVisible(bool(problem))

    def retry_recording(self) -> None:
        """Write what was kept since the failure; the held session is then interrupted,
        to be continued here (nothing recorded is lost)."""
        self.retry_button.setEnabled(False)

        def done(ok: bool) -> None:
            self.retry_button.setEnabled(True)
            if not ok:
                self.status.setText("Still cannot write the store: free more space, then retry.")
                return
            self.status.setText("Recording works again; every kept event is written.")
            play = self.context.screen("play")
            actor, store = self.context.state.actor, self.context.store
            sid = play.session_id if play is not None else None
            if sid is not None and actor is not None:

                def stopped(transition: object) -> None:
                    if transition is not None:
                        self.context.signals.changed.emit(transition)
                    play.suspend()
                    self.refresh()

                self.context.run(
                    lambda: services.stop_live_session(store, actor, sid, "store write failure"),
                    stopped,
                    self._error,
                )

        self.context.retry_recording(done)

    def sign_out(self) -> None:
        self.context.state.actor = None
        self.context.open_screen("home")
