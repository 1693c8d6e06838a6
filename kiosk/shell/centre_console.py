"""The centre console: every station of a centre, live, for the proctor desk.

One row per station: its state, the candidate's pseudonym, the game being played,
progress (game i of n), elapsed time, the age of its last heartbeat, incidents,
quality flags and sync lag (outbox batches pending, batches acknowledged, lag). The
rows come from :class:`kiosk.centre.LiveFeed` (the server's WebSocket) through a
queued signal; a one-second timer re-reads every heartbeat's age, so a station that
falls silent turns **stale** within ``3 × heartbeat_s`` even when the server says
nothing (:func:`kiosk.centre.is_stale`). When the feed itself drops, every row says
"connection lost — reconnecting" until a new snapshot arrives.

Pause, resume, void (a reason, then a confirmation) and note act on the selected
station's open session through ``POST /console/v1/stations/{id}/commands``, sent on
a background thread. A command the server accepted shows as pending in the row
until the station's status reflects it (:func:`kiosk.centre.command_reflected`).
Colour is never the only signal: a stale or disconnected row says so in words.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QCloseEvent, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.centre import (
    Board,
    CentreApi,
    CentreError,
    CommandRequest,
    FeedState,
    LiveFeed,
    Message,
    PendingCommand,
    ReconnectPolicy,
    StationStatus,
    Token,
)
from kiosk.centre.client import SILENCE_S
from kiosk.centre.model import STALE_HEARTBEATS
from kiosk.centre.rows import COLUMNS, CONNECTION_LOST, STALE, duration, station_row, words
from kiosk.shell.centre_sparkline import HeartbeatSparkline
from kiosk.shell.centre_widgets import CONSOLE_STYLE, STALE_BACKGROUND, button, label
from kiosk.shell.style import MUTED, ORANGE
from kiosk.shell.worker import BackgroundRunner

__all__ = ["COLUMNS", "CONNECTION_LOST", "STALE", "CentreConsole", "run_centre_console"]

COL = {name: i for i, name in enumerate(COLUMNS)}


class _FeedBridge(QObject):
    """Carries the feed thread's callbacks to the GUI thread (queued signals)."""

    message = Signal(object)
    state = Signal(object)


class CentreConsole(QMainWindow):
    """The live console for one signed-in proctor (see the module doc)."""

    def __init__(
        self,
        api: CentreApi,
        token: Token,
        *,
        runner: BackgroundRunner | None = None,
        policy: ReconnectPolicy | None = None,
        silence_s: float = SILENCE_S,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__()
        self.api = api
        self.token = token
        self.runner = runner or BackgroundRunner(self)
        self._policy = policy
        self._silence_s = silence_s
        self._monotonic = monotonic
        self._wall = wall
        self.board = Board()
        self.feed_state = FeedState("connecting")
        self.feed: LiveFeed | None = None
        self._bridge = _FeedBridge(self)
        self._bridge.message.connect(self._on_message)
        self._bridge.state.connect(self._on_state)
        self._rows: list[str] = []  # station ids, in table order
        self._lost_since: float | None = None
        self._retry_at: float | None = None  # monotonic time of the feed's next attempt
        self._cells: dict[tuple[int, int], tuple[str, str]] = {}  # (row, col) -> (text, look)
        self._resize: set[int] = set()  # columns whose text changed
        self._sending: set[str] = set()  # stations with a command request under way

        self.setWindowTitle(f"Centre console · {token.centre}")
        self.setStyleSheet(CONSOLE_STYLE)
        self.resize(1400, 680)
        body = QWidget()
        self.setCentralWidget(body)
        outer = QVBoxLayout(body)
        outer.setContentsMargins(24, 18, 24, 18)

        top = QHBoxLayout()
        self.who = label(f"{token.centre} · signed in as {token.username}", "heading")
        self.connection = label("", "health")
        self.connection.setWordWrap(False)
        self.connection.setAlignment(Qt.AlignmentFlag.AlignRight)
        top.addWidget(self.who, 1)
        top.addWidget(self.connection)
        outer.addLayout(top)

        banner_row = QHBoxLayout()
        self.banner = label("", "banner")
        self.sign_in_again = button("Sign in again", "primary")
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.sign_in_again)
        outer.addLayout(banner_row)
        self.banner.hide()
        self.sign_in_again.hide()

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        outer.addWidget(self.table, 1)
        self.beats_heading = label("", "heading")
        self.sparkline = HeartbeatSparkline()
        outer.addWidget(self.beats_heading)
        outer.addWidget(self.sparkline)

        self.hint = label("", "note")
        outer.addWidget(self.hint)
        actions = QHBoxLayout()
        self.pause_button = button("Pause")
        self.resume_button = button("Resume")
        self.void_button = button("Void…")
        self.note_button = button("Note…")
        actions.addWidget(self.pause_button)
        actions.addWidget(self.resume_button)
        actions.addWidget(self.void_button)
        actions.addWidget(self.note_button)
        actions.addStretch(1)
        self.status = label("", "note")
        self.status.setAlignment(Qt.AlignmentFlag.AlignRight)
        actions.addWidget(self.status, 2)
        outer.addLayout(actions)

        self.pause_button.clicked.connect(lambda: self.send("pause"))
        self.resume_button.clicked.connect(lambda: self.send("resume"))
        self.void_button.clicked.connect(self.void)
        self.note_button.clicked.connect(self.note)
        self.sign_in_again.clicked.connect(self._sign_in_again)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.refresh)
        self.refresh()

    # -- the feed ----------------------------------------------------------------------

    def start(self) -> None:
        """Open the live feed (and keep it open) and start the one-second refresh."""
        self._stop_feed()
        self.feed = LiveFeed(
            self.api.base_url,
            self.token,
            self._bridge.message.emit,
            self._bridge.state.emit,
            policy=self._policy,
            silence_s=self._silence_s,
        )
        self.feed.start()
        self.timer.start()

    def _stop_feed(self) -> None:
        if self.feed is not None:
            self.feed.stop(timeout=1.0)
            self.feed = None

    def _on_message(self, message: Message) -> None:
        for command in self.board.apply(message, self._monotonic()):
            self.status.setText(f"{command.kind} applied on {self._name(command.station_id)}")
        self.refresh()

    def _on_state(self, state: FeedState) -> None:
        if self.feed is None:
            return  # queued before the feed was stopped
        if state.state == "lost" and self._lost_since is None:
            self._lost_since = self._monotonic()
        if state.state == "live":
            self._lost_since = None
        self._retry_at = None if state.retry_in_s is None else self._monotonic() + state.retry_in_s
        if state.state == "connecting" and self.feed_state.state == "lost":
            # keep saying "lost" while the next attempt is under way
            state = FeedState("lost", self.feed_state.detail, None, state.attempt)
        self.feed_state = state
        self.refresh()

    @property
    def live(self) -> bool:
        return self.feed_state.state == "live"

    # -- showing -----------------------------------------------------------------------

    def refresh(self) -> None:
        """Fill the table from the board and re-read every heartbeat's age."""
        now_mono, now_wall = self._monotonic(), self._wall()
        self._show_connection()
        stations = self.board.stations()
        selected = self.selected_id()
        self.table.blockSignals(True)
        rows = [s.station_id for s in stations]
        if rows != self._rows:
            self._cells.clear()
            self.table.setRowCount(len(stations))
        self._rows = rows
        for row, status in enumerate(stations):
            age = self.board.age_s(status.station_id, now_mono, now_wall)
            stale = self.board.stale(status.station_id, now_mono, now_wall)
            self._fill_row(row, status, age, stale, now_mono)
            if status.station_id == selected:
                self.table.selectRow(row)
        for col in sorted(self._resize):
            self.table.resizeColumnToContents(col)
        self._resize.clear()
        self.table.blockSignals(False)
        self._selection_changed()

    def _selection_changed(self) -> None:
        self._update_buttons()
        status = self._selected()
        self.beats_heading.setVisible(status is not None)
        self.sparkline.setVisible(status is not None)
        if status is None:
            return
        self.beats_heading.setText(
            f"Seconds between heartbeats · {status.name} · last 5 minutes "
            f"(dashed: stale after {STALE_HEARTBEATS * status.heartbeat_s:.0f} s)"
        )
        self.sparkline.show_intervals(
            self.board.intervals(status.station_id), self._monotonic(), status.heartbeat_s
        )

    def _fill_row(
        self, row: int, status: StationStatus, age: float | None, stale: bool, now_mono: float
    ) -> None:
        cells = station_row(
            status,
            age=age,
            stale=stale,
            connected=self.live,
            pending=self.board.pending_for(status.station_id),
            now_mono=now_mono,
        )
        for name, cell in cells.items():
            self._set_cell(row, COL[name], cell.text, cell.look)

    def _set_cell(self, row: int, col: int, text: str, look: str) -> None:
        """Change a cell only when its text or look changed (a table redraw is not free)."""
        if self._cells.get((row, col)) == (text, look):
            return
        self._cells[(row, col)] = (text, look)
        self._resize.add(col)
        item = self.table.item(row, col)
        if item is None:
            item = QTableWidgetItem()
            self.table.setItem(row, col, item)
        item.setText(text)
        foreground = {"muted": MUTED, "warn-state": ORANGE, "flag": ORANGE}.get(look)
        item.setData(
            Qt.ItemDataRole.ForegroundRole, QBrush(QColor(foreground)) if foreground else None
        )
        item.setData(
            Qt.ItemDataRole.BackgroundRole,
            QBrush(STALE_BACKGROUND) if look.startswith("warn") else None,
        )
        font = QFont(self.table.font())
        font.setBold(look == "warn-state")
        item.setFont(font)

    def _show_connection(self) -> None:
        state = self.feed_state
        if state.state == "live":
            text, look = "● live", "ok"
        elif state.state == "signed_out":
            text, look = "signed out", "problem"
        elif state.state == "lost":
            text, look = CONNECTION_LOST, "problem"
        else:
            text, look = "connecting…", "pending"
        self.connection.setText(text)
        self.connection.setProperty("state", look)
        self.connection.style().unpolish(self.connection)
        self.connection.style().polish(self.connection)
        if state.state == "lost":
            retry = " Trying again."
            if self._retry_at is not None and self._retry_at - self._monotonic() >= 1:
                retry = f" Next try in {self._retry_at - self._monotonic():.0f} s."
            down = ""
            if self._lost_since is not None:
                down = f" (down for {duration(self._monotonic() - self._lost_since)})"
            self.banner.setText(
                f"Connection to the centre server lost{down} — reconnecting: "
                f"{state.detail}.{retry} What is shown below may be out of date."
            )
        elif state.state == "signed_out":
            self.banner.setText(f"Signed out: {state.detail}. Sign in again to go on.")
        elif state.state == "connecting" and not self.board.entries:
            self.banner.setText(f"Connecting to {self.api.base_url}…")
        self.banner.setVisible(state.state in ("lost", "signed_out", "connecting"))
        self.sign_in_again.setVisible(state.state == "signed_out")

    # -- acting ------------------------------------------------------------------------

    def selected_id(self) -> str | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        if not rows or rows[0].row() >= len(self._rows):
            return None
        return self._rows[rows[0].row()]

    def select_station(self, station_id: str) -> None:
        self.table.selectRow(self._rows.index(station_id))

    def _selected(self) -> StationStatus | None:
        station_id = self.selected_id()
        return None if station_id is None else self.board.station(station_id)

    def _name(self, station_id: str) -> str:
        status = self.board.station(station_id)
        return status.name if status is not None else station_id[:8]

    def _update_buttons(self) -> None:
        status = self._selected()
        live = status.live if status is not None else None
        session = live.status if live is not None else None

        def enable(widget: QPushButton, on: bool, why_not: str) -> None:
            widget.setEnabled(on)
            widget.setToolTip("" if on else why_not)

        if status is None:
            why = "Select a station in the table first."
        elif not self.live:
            why = "Not connected to the centre server."
        elif live is None:
            why = f"{status.name} has no session open."
        else:
            why = ""
        ok = not why
        # One change of state at a time: a second click must not send a second pause.
        moving = why
        if status is not None and not why:
            kinds = [c.kind for c in self.board.pending_for(status.station_id) if c.kind != "note"]
            if status.station_id in self._sending:
                kinds.append("command")
            if kinds:
                moving = f"A {kinds[0]} is on its way to {status.name}; wait for it to show."
        enable(
            self.pause_button,
            not moving and session == "in_progress",
            moving
            or f"Only a session in progress can be paused; this one is {words(session or '')}.",
        )
        enable(
            self.resume_button,
            not moving and session == "paused",
            moving or f"Only a paused session can be resumed; this one is {words(session or '')}.",
        )
        enable(
            self.void_button,
            not moving and session not in ("completed", "voided"),
            moving or f"A {words(session or '')} session cannot be voided.",
        )
        enable(self.note_button, ok, why)
        self.hint.setText(
            why
            if status is None or why
            else f"Acting on {status.name} · {live.pseudonym if live else ''}"
        )

    def send(self, kind: str, reason: str | None = None, text: str | None = None) -> None:
        """Send ``kind`` for the selected station's open session."""
        status = self._selected()
        if status is None or status.live is None:
            self.hint.setText("Select a station with a session open first.")
            return
        command = CommandRequest(status.station_id, kind, status.live.session_id, reason, text)
        incidents_before = self.board.incidents(status.station_id)
        issued = self._monotonic()
        api, token = self.api, self.token
        self.status.setText(f"sending {kind} to {status.name}…")
        self._sending.add(status.station_id)
        self._update_buttons()

        def sent(command_id: str) -> None:
            self._sending.discard(command.station_id)
            pending = PendingCommand(
                command_id,
                command.station_id,
                kind,
                command.session_id,
                issued,
                incidents_before,
            )
            waiting = self.board.add_pending(pending)
            self.status.setText(
                f"{kind} sent to {status.name}; waiting for the station"
                if waiting
                else f"{kind} applied on {status.name}"
            )
            self.refresh()

        def failed(exc: BaseException) -> None:
            self._sending.discard(command.station_id)
            self._failed(exc)

        self.runner.run(lambda: api.send_command(token, command), sent, failed)

    def _failed(self, exc: BaseException) -> None:
        self._update_buttons()
        if not isinstance(exc, CentreError):
            raise exc
        self.status.setText(f"Not done: {exc}")
        if exc.signed_out:
            self._stop_feed()
            self.feed_state = FeedState("signed_out", "the server no longer accepts this sign-in")
            self.refresh()

    def ask_void_reason(self, status: StationStatus) -> str | None:
        pseudonym = status.live.pseudonym if status.live else ""
        reason, ok = QInputDialog.getText(
            self,
            "Void the session",
            f"Why void {pseudonym}'s session on {status.name}? (kept in the audit log)",
            QLineEdit.EchoMode.Normal,
        )
        return reason.strip() if ok and reason.strip() else None

    def confirm(self, question: str) -> bool:
        answer = QMessageBox.question(
            self,
            "Void the session",
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def ask_note(self, status: StationStatus) -> str | None:
        text, ok = QInputDialog.getMultiLineText(
            self, "Incident note", f"Note on {status.name}'s session:"
        )
        return text.strip() if ok and text.strip() else None

    def void(self) -> None:
        status = self._selected()
        if status is None or status.live is None:
            return
        reason = self.ask_void_reason(status)
        if reason is None:
            self.status.setText("Not voided: a reason is needed.")
            return
        question = (
            f"Void {status.live.pseudonym}'s session on {status.name}?\n\n"
            f"Reason: {reason}\n\nA voided session cannot be continued or scored."
        )
        if not self.confirm(question):
            self.status.setText("Not voided.")
            return
        self.send("void", reason=reason)

    def note(self) -> None:
        status = self._selected()
        if status is None or status.live is None:
            return
        text = self.ask_note(status)
        if text is not None:
            self.send("note", text=text)

    def _sign_in_again(self) -> None:
        from kiosk.shell.centre_signin import CentreSignIn

        dialog = CentreSignIn(
            self.api,
            self.runner,
            username=self.token.username,
            centre=self.token.centre,
            parent=self,
        )
        if dialog.exec() and dialog.token is not None:
            self.token = dialog.token
            self.feed_state = FeedState("connecting")
            self.start()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.timer.stop()
        self._stop_feed()
        self.runner.shutdown()
        super().closeEvent(event)


def run_centre_console(base_url: str, username: str = "", centre: str = "") -> int:
    """Sign in, then show the console until it is closed; 1 when sign-in is cancelled."""
    from kiosk.shell.centre_signin import CentreSignIn

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("kiosk centre console")
    api = CentreApi(base_url)
    runner = BackgroundRunner()
    try:
        dialog = CentreSignIn(api, runner, username=username, centre=centre)
        if not dialog.exec() or dialog.token is None:
            return 1
        window = CentreConsole(api, dialog.token, runner=runner)
        window.show()
        window.start()
        code = app.exec()
        QApplication.processEvents()
        return code
    finally:
        runner.shutdown()
        api.close()
