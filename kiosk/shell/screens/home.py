"""The station's home: which station this is, its store and health, and the way in."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QPushButton, QVBoxLayout

from kiosk import __version__
from kiosk.access import auth
from kiosk.shell.screens import Screen, ShellContext, screen
from kiosk.station import StoreHealth, store_health


def _label(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    return label


@screen
class HomeScreen(Screen):
    name = "home"
    title = "Station"

    def __init__(self, context: ShellContext) -> None:
        super().__init__(context)
        card = QFrame()
        card.setObjectName("card")
        card.setFixedWidth(560)
        self.station_label = _label("", "title")
        self.station_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        subtitle = _label("Assessment station", "subtitle")
        subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)

        # A read-only line: long paths scroll instead of being cut, and copy cleanly.
        self.store_label = QLineEdit()
        self.store_label.setObjectName("detail")
        self.store_label.setReadOnly(True)
        self.health_label = _label("Checking the store…", "health")
        self.health_label.setWordWrap(True)
        self.health_label.setProperty("state", "pending")

        self.signin_button = QPushButton("Proctor sign-in")
        self.signin_button.setObjectName("primary")
        self.signin_button.clicked.connect(self.sign_in)
        self.signin_note = _label("", "note")
        self.signin_note.setAlignment(Qt.AlignmentFlag.AlignCenter)

        inner = QVBoxLayout(card)
        inner.setContentsMargins(40, 36, 40, 36)
        inner.setSpacing(10)
        inner.addWidget(self.station_label)
        inner.addWidget(subtitle)
        inner.addSpacing(24)
        inner.addWidget(_label("Store", "heading"))
        inner.addWidget(self.store_label)
        inner.addWidget(self.health_label)
        inner.addSpacing(24)
        inner.addWidget(self.signin_button)
        inner.addWidget(self.signin_note)

        version = _label(f"kiosk {__version__}", "note")
        version.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)
        outer.addWidget(version)

    def on_show(self) -> None:
        store = self.context.store
        self.store_label.setText(str(store.path))
        self.store_label.setCursorPosition(0)
        self.context.runner.run(lambda: store_health(store), self._show_health, self._show_failure)

    def sign_in(self) -> None:
        """Sign in; a store without an administrator first asks for one."""
        store = self.context.store
        self.context.run(
            lambda: auth.has_admin(store),
            lambda has: self.context.open_screen("signin" if has else "first_run"),
            self._show_failure,
        )

    def _show_health(self, health: StoreHealth) -> None:
        info = health.info
        interrupted = info.sessions_by_status.get("interrupted", 0)
        self.signin_note.setText(
            f"{interrupted} interrupted session{'s' if interrupted != 1 else ''}: "
            "a proctor can continue it from the console."
            if interrupted
            else ""
        )
        self.station_label.setText(info.station)
        sessions = info.counts.get("sessions", 0)
        events = info.counts.get("events", 0)
        if health.ok:
            text = (
                f"Healthy · schema {info.schema} · {sessions:,} session"
                f"{'s' if sessions != 1 else ''} · {events:,} events"
            )
            state = "ok"
        elif not info.schema_current:
            text = f"Schema {info.schema} is not current; restart kiosk to migrate it."
            state = "problem"
        else:
            text = (
                f"SQLite reports damage ({health.quick_check[0]}). Run `kiosk store check` "
                "and restore from a backup."
            )
            state = "problem"
        self._set_health(text, state)

    def _show_failure(self, exc: BaseException) -> None:
        self._set_health(f"Could not read the store: {exc}", "problem")

    def _set_health(self, text: str, state: str) -> None:
        self.health_label.setText(text)
        self.health_label.setProperty("state", state)
        self.health_label.style().unpolish(self.health_label)
        self.health_label.style().polish(self.health_label)
