"""Small building blocks the shell's screens share: a centred card, fields, messages."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

__all__ = ["Card", "button", "field", "label"]


def label(text: str, name: str = "", *, wrap: bool = True) -> QLabel:
    widget = QLabel(text)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    return widget


def button(text: str, name: str = "secondary") -> QPushButton:
    widget = QPushButton(text)
    widget.setObjectName(name)
    widget.setAutoDefault(True)
    return widget


def field(placeholder: str, *, secret: bool = False, name: str = "") -> QLineEdit:
    widget = QLineEdit()
    widget.setPlaceholderText(placeholder)
    if name:
        widget.setObjectName(name)
    if secret:
        widget.setEchoMode(QLineEdit.EchoMode.Password)
    return widget


class Card(QFrame):
    """A white card centred on the screen; ``body`` is its layout."""

    def __init__(self, host: QWidget, title: str, subtitle: str = "", width: int = 560) -> None:
        super().__init__()
        self.setObjectName("card")
        self.setFixedWidth(width)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(40, 32, 40, 32)
        self.body.setSpacing(10)
        self.title = label(title, "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.title)
        if subtitle:
            sub = label(subtitle, "subtitle")
            sub.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.body.addWidget(sub)
        self.body.addSpacing(12)
        self.message = label("", "error")
        self.message.hide()
        outer = QVBoxLayout(host)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)

    def finish(self) -> None:
        """Put the message line at the end of the card."""
        self.body.addWidget(self.message)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
