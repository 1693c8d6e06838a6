"""Proctor and admin sign-in."""

from __future__ import annotations

from kiosk.access import auth
from kiosk.shell.screens import Screen, ShellContext, screen
from kiosk.shell.screens.forms import Card, button, field


@screen
class SignInScreen(Screen):
    name = "signin"
    title = "Sign in"

    def __init__(self, context: ShellContext) -> None:
        super().__init__(context)
        self.card = Card(self, "Proctor sign-in", "For proctors and administrators")
        self.username = field("Username")
        self.password = field("Password", secret=True)
        self.submit_button = button("Sign in", "primary")
        self.back = button("Back")
        for widget in (self.username, self.password, self.submit_button, self.back):
            self.card.body.addWidget(widget)
        self.card.finish()
        self.submit_button.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.back.clicked.connect(lambda: self.context.open_screen("home"))

    def on_show(self) -> None:
        self.password.clear()
        self.card.show_message("")
        self.username.setFocus()

    def submit(self) -> None:
        store = self.context.store
        username, password = self.username.text(), self.password.text()
        self.submit_button.setEnabled(False)
        self.context.run(
            lambda: auth.authenticate(store, username, password), self._signed_in, self._refused
        )

    def _signed_in(self, actor: auth.Actor) -> None:
        self.submit_button.setEnabled(True)
        self.context.state.actor = actor
        self.context.open_screen("console")

    def _refused(self, exc: BaseException) -> None:
        self.submit_button.setEnabled(True)
        if not isinstance(exc, auth.AuthError):
            self.context.fail(exc)
            return
        self.password.clear()
        self.card.show_message(str(exc).capitalize() + ".")
