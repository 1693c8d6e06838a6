"""The end of a sitting: thank the candidate, then back to the idle check-in screen."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer

from kiosk.shell.screens import Screen, ShellContext, screen
from kiosk.shell.screens.forms import Card, button, label
from kiosk.shell.texts import shell_text

RETURN_AFTER_MS = 20_000


@screen
class CompleteScreen(Screen):
    name = "complete"
    title = "Finished"

    def __init__(self, context: ShellContext) -> None:
        super().__init__(context)
        self.card = Card(self, "")
        self.text = label("", "subtitle")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ok = button("OK", "primary")
        self.card.body.addWidget(self.text)
        self.card.body.addWidget(self.ok)
        self.card.finish()
        self.ok.clicked.connect(self.back_to_idle)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.back_to_idle)

    def on_show(self) -> None:
        lang = self.context.state.language
        self.card.title.setText(shell_text(lang, "done_title"))
        self.text.setText(self.context.state.notice or shell_text(lang, "done_text"))
        self.ok.setFocus()
        self.timer.start(RETURN_AFTER_MS)

    def back_to_idle(self) -> None:
        """Ready for the next candidate (in candidate mode), or back to the proctor."""
        self.timer.stop()
        state = self.context.state
        state.session_id = None
        state.notice = ""
        if state.candidate_mode:
            self.context.open_screen("checkin")
        else:
            self.context.open_screen("console" if state.actor is not None else "home")
