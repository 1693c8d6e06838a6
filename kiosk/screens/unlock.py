"""Leaving candidate mode: only a proctor's (or admin's) name and PIN unlock the station."""

from __future__ import annotations

from kiosk import auth
from kiosk.screens import Screen, ShellContext, screen
from kiosk.screens.forms import Card, button, field


@screen
class UnlockScreen(Screen):
    name = "unlock"
    title = "Unlock"

    def __init__(self, context: ShellContext) -> None:
        super().__init__(context)
        self.card = Card(self, "Proctor unlock", "Enter your username and PIN")
        self.username = field("Username")
        self.pin = field("PIN", secret=True)
        self.unlock = button("Unlock", "primary")
        self.cancel = button("Back to the candidate")
        for widget in (self.username, self.pin, self.unlock, self.cancel):
            self.card.body.addWidget(widget)
        self.card.finish()
        self.unlock.clicked.connect(self.submit)
        self.pin.returnPressed.connect(self.submit)
        self.cancel.clicked.connect(self.back)
        self.came_from = "checkin"

    def on_show(self) -> None:
        window = self.window()
        current = getattr(window, "stack", None)
        previous = current.currentWidget() if current is not None else None
        name = getattr(previous, "name", "checkin")
        if name != "unlock":
            self.came_from = name
        self.pin.clear()
        self.card.show_message("")
        self.username.setFocus()

    def submit(self) -> None:
        store, username, pin = self.context.store, self.username.text(), self.pin.text()
        self.context.run(
            lambda: auth.verify_pin(store, username, pin), self._unlocked, self._refused
        )

    def _unlocked(self, actor: auth.Actor) -> None:
        self.context.state.actor = actor
        if self.came_from == "play":
            # Leaving a game mid-way: it stops cleanly and the session becomes
            # interrupted, to be continued later from its first uncommitted trial.
            self.context.screen("play").suspend()
        self.context.set_candidate_mode(False)
        self.context.open_screen("console")

    def _refused(self, exc: BaseException) -> None:
        if not isinstance(exc, auth.AuthError):
            raise exc
        self.pin.clear()
        self.card.show_message(str(exc).capitalize() + ".")

    def back(self) -> None:
        self.context.reveal_screen(self.came_from)
