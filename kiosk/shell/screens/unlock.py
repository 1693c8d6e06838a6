"""Leaving candidate mode: only a proctor's (or admin's) name and PIN unlock the station.

The screen remembers which screen it was opened over. While it is up, a game on that
screen is held (paused), so no trial runs unseen. "Back to the candidate" shows that
screen again as it was and lets the game go on. A successful unlock interrupts the
session on screen if it is live — checked in (consent, questions), playing or paused
— so the proctor can continue it later, here or on another station, or void it; a
session that has ended stays as it is. Then the console opens.
"""

from __future__ import annotations

from kiosk import services
from kiosk.access import auth
from kiosk.sessions.machine import Transition
from kiosk.shell.screens import Screen, ShellContext, screen
from kiosk.shell.screens.forms import Card, button, field

# Screens that show a session the candidate is in the middle of.
_SESSION_SCREENS = frozenset({"consent", "demographics", "play"})


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
        self.username.returnPressed.connect(self.pin.setFocus)
        self.cancel.clicked.connect(self.back)
        self.came_from = "checkin"

    def on_show(self) -> None:
        previous = self.context.state.previous_screen
        if previous and previous != self.name:
            self.came_from = previous
            if previous == "play":
                self.context.screen("play").hold()
        self.pin.clear()
        self.card.show_message("")
        self.unlock.setEnabled(True)
        self.username.setFocus()

    def submit(self) -> None:
        store, username, pin = self.context.store, self.username.text(), self.pin.text()
        self.unlock.setEnabled(False)
        self.context.run(
            lambda: auth.verify_pin(store, username, pin), self._unlocked, self._refused
        )

    def _unlocked(self, actor: auth.Actor) -> None:
        state = self.context.state
        state.actor = actor
        sid = state.session_id
        if sid is None or self.came_from not in _SESSION_SCREENS:
            self._to_console(None)
            return
        store = self.context.store
        self.context.run(
            lambda: services.stop_live_session(store, actor, sid, f"unlocked on {self.came_from}"),
            self._to_console,
            self._not_stopped,
        )

    def _not_stopped(self, exc: BaseException) -> None:
        if not self.context.state.store_problem:
            self.context.fail(exc)
            return
        # The store cannot be written: the game stays held until the proctor's retry
        # (on the console) has written what was kept; then the session is interrupted.
        self._to_console(None)

    def _to_console(self, transition: Transition | None) -> None:
        if transition is not None:
            self.context.signals.changed.emit(transition)
        if self.came_from == "play" and not self.context.state.store_problem:
            self.context.screen("play").suspend()
        self.context.state.session_id = None
        self.context.set_candidate_mode(False)
        self.context.open_screen("console")

    def _refused(self, exc: BaseException) -> None:
        self.unlock.setEnabled(True)
        if not isinstance(exc, auth.AuthError):
            self.context.fail(exc)
            return
        self.pin.clear()
        self.card.show_message(str(exc).capitalize() + ".")

    def back(self) -> None:
        self.username.clear()
        self.pin.clear()
        self.context.reveal_screen(self.came_from)
        if self.came_from == "play":
            self.context.screen("play").release()
