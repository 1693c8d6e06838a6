"""Signing in to the centre server: username, password and centre for a console token.

:class:`CentreSignIn` asks for them, sends ``POST /api/v1/auth/token`` on a
background thread (the dialog stays responsive; the request times out after a few
seconds) and, on success, keeps the :class:`~kiosk.centre.Token` in ``token`` and
closes with ``accept()``. A refused sign-in or an unreachable server is shown in
the dialog, which stays open for another try.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.centre import CentreApi, CentreError, Token
from kiosk.shell.centre_widgets import button, field, label
from kiosk.shell.style import STYLESHEET
from kiosk.shell.worker import BackgroundRunner

__all__ = ["CentreSignIn"]


class CentreSignIn(QDialog):
    def __init__(
        self,
        api: CentreApi,
        runner: BackgroundRunner,
        *,
        username: str = "",
        centre: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.runner = runner
        self.token: Token | None = None
        self.setWindowTitle("Sign in to the centre server")
        self.setStyleSheet(STYLESHEET)
        self.setMinimumWidth(460)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 24, 28, 24)
        outer.addWidget(label("Centre console", "title"))
        outer.addWidget(label(f"Server: {api.base_url}", "subtitle"))
        form = QFormLayout()
        form.setVerticalSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.centre = field("the centre's name")
        self.centre.setText(centre)
        self.username = field("username")
        self.username.setText(username)
        self.password = field("password", secret=True)
        form.addRow("Centre", self.centre)
        form.addRow("Username", self.username)
        form.addRow("Password", self.password)
        outer.addLayout(form)
        self.message = label("", "error")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        outer.addWidget(self.message)
        buttons = QHBoxLayout()
        self.cancel = button("Cancel")
        self.submit = button("Sign in", "primary")
        self.submit.setDefault(True)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.submit)
        outer.addLayout(buttons)
        self.cancel.clicked.connect(self.reject)
        self.submit.clicked.connect(self.sign_in)
        self.password.returnPressed.connect(self.sign_in)
        for widget in (self.centre, self.username, self.password):
            if not widget.text():
                widget.setFocus()
                break

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def sign_in(self) -> None:
        if not self.submit.isEnabled():
            return  # a request is already on its way
        username, password = self.username.text().strip(), self.password.text()
        centre = self.centre.text().strip()
        if not (username and password and centre):
            self.show_message("Fill in the centre, your username and your password.")
            return
        self.submit.setEnabled(False)
        self.show_message("")
        self.submit.setText("Signing in…")
        api = self.api
        self.runner.run(lambda: api.sign_in(username, password, centre), self._done, self._failed)

    def _done(self, token: Token) -> None:
        self.token = token
        self.password.clear()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.submit.setEnabled(True)
        self.submit.setText("Sign in")
        if not isinstance(exc, CentreError):
            raise exc
        self.password.clear()
        self.password.setFocus()
        text = str(exc)
        self.show_message(text[:1].upper() + text[1:])
