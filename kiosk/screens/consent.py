"""Consent: the versioned text in the candidate's language; the version is stored."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QTextBrowser

from kiosk import services
from kiosk.screens import Screen, ShellContext, screen
from kiosk.screens.forms import Card, button
from kiosk.texts import consent


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
        self.version = ""

    def on_show(self) -> None:
        texts = consent(self.context.state.language)
        self.version = texts["version"]
        self.card.title.setText(texts["title"])
        self.text.setPlainText(texts["text"])
        self.agree.setText(texts["agree"])
        self.decline.setText(texts["decline"])
        self.card.show_message("")
        self.agree.setEnabled(True)
        self.agree.setFocus()

    def accept(self) -> None:
        store, sid, version = self.context.store, self.context.state.session_id, self.version
        assert sid is not None
        self.context.run(
            lambda: services.record_consent(store, sid, version),
            lambda _: self.context.open_screen("demographics"),
            self._failed,
        )

    def refuse(self) -> None:
        self.card.show_message(consent(self.context.state.language)["declined"])
        self.agree.setEnabled(False)

    def _failed(self, exc: BaseException) -> None:
        raise exc
