"""Consent: the versioned text in the candidate's language; the version is stored.

The text states how many games the scheduled battery has and how long it takes:
the screen reads the session's battery on the background runner and fills the text
in when it arrives (a few milliseconds after the screen opens).
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QTextBrowser

from kiosk import services
from kiosk.battery import BatteryLength, scheduled_length
from kiosk.shell.screens import Screen, ShellContext, screen
from kiosk.shell.screens.forms import Card, button
from kiosk.shell.texts import consent, consent_text


@screen
class ConsentScreen(Screen):
    name = "consent"
    title = "Consent"

    def __init__(self, context: ShellContext) -> None:
        super().__init__(context)
        self.card = Card(self, "", width=760)
        self.text = QTextBrowser()
        self.text.setMinimumHeight(320)
        self.agree = button("", "primary")
        self.decline = button("")
        row = QHBoxLayout()
        row.addWidget(self.decline)
        row.addStretch(1)
        row.addWidget(self.agree)
        self.card.body.addWidget(self.text)
        self.card.body.addLayout(row)
        self.card.finish()
        self.agree.clicked.connect(self.accept)
        self.decline.clicked.connect(self.refuse)
        self.texts: dict[str, str] = {}
        self.version = ""

    def on_show(self) -> None:
        self.texts = consent(self.context.state.language)
        self.version = self.texts["version"]
        self.card.title.setText(self.texts["title"])
        self.text.clear()
        self.agree.setText(self.texts["agree"])
        self.decline.setText(self.texts["decline"])
        self.card.show_message("")
        self.agree.setEnabled(True)
        self.agree.setFocus()
        store, sid = self.context.store, self.context.state.session_id
        assert sid is not None
        self.context.run(lambda: scheduled_length(store, sid), self._show_text, self._failed)

    def _show_text(self, length: BatteryLength) -> None:
        self.text.setPlainText(
            consent_text(self.texts, games=length.games, expected_minutes=length.expected_minutes)
        )

    def accept(self) -> None:
        store, sid, version = self.context.store, self.context.state.session_id, self.version
        assert sid is not None
        self.context.run(
            lambda: services.record_consent(store, sid, version),
            lambda _: self.context.open_screen("demographics"),
            self._failed,
        )

    def refuse(self) -> None:
        self.card.show_message(self.texts["declined"])
        self.agree.setEnabled(False)

    def _failed(self, exc: BaseException) -> None:
        self.context.fail(exc)
