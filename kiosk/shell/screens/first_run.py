"""First run: a store without any administrator asks for one before anything else."""

from __future__ import annotations

from kiosk.access import Role, auth
from kiosk.shell.screens import Screen, ShellContext, screen
from kiosk.shell.screens.forms import Card, button, field, label


@screen
class FirstRunScreen(Screen):
    name = "first_run"
    title = "First run"

    def __init__(self, context: ShellContext) -> None:
        super().__init__(context)
        self.card = Card(self, "Welcome", "This station has no administrator yet. Create one.")
        self.username = field("Username (letters and digits)")
        self.display = field("Full name (shown in the audit log)")
        self.password = field("Password (at least 8 characters)", secret=True)
        self.confirm = field("Password again", secret=True)
        self.pin = field("PIN for unlocking candidate mode (4 to 8 digits)", secret=True)
        self.create_button = button("Create administrator", "primary")
        for widget in (self.username, self.display, self.password, self.confirm, self.pin):
            self.card.body.addWidget(widget)
        self.card.body.addWidget(
            label(
                "The administrator manages users, batteries, exports and this station's "
                "settings. Keep the password safe: nobody can recover it.",
                "note",
            )
        )
        self.card.body.addWidget(self.create_button)
        self.card.finish()
        self.create_button.clicked.connect(self.submit)
        # Enter in any field submits the form, as in a dialog.
        for widget in (self.username, self.display, self.password, self.confirm, self.pin):
            widget.returnPressed.connect(self.submit)

    def on_show(self) -> None:
        self.username.setFocus()

    def submit(self) -> None:
        if not self.create_button.isEnabled():
            return  # already creating: a second Enter must not send the form twice
        if self.password.text() != self.confirm.text():
            self.card.show_message("The two passwords differ.")
            return
        store = self.context.store
        username, password = self.username.text(), self.password.text()
        pin = self.pin.text() or None
        display = self.display.text()

        def create() -> auth.Actor:
            auth.create_user(
                store, auth.SYSTEM, username, password, Role.ADMIN, pin=pin, display_name=display
            )
            return auth.authenticate(store, username, password)

        self.create_button.setEnabled(False)
        self.context.run(create, self._created, self._failed)

    def _created(self, actor: auth.Actor) -> None:
        self.create_button.setEnabled(True)
        self.context.state.actor = actor
        self.context.open_screen("console")

    def _failed(self, exc: BaseException) -> None:
        self.create_button.setEnabled(True)
        if not isinstance(exc, (ValueError, PermissionError)):
            self.context.fail(exc)
            return
        self.card.show_message(str(exc).capitalize() + ".")
