"""The centre console's look and the few widget helpers its windows share.

The console uses the station shell's stylesheet (:mod:`kiosk.shell.style`) with a few
rules of its own. The helpers do what :mod:`kiosk.shell.screens.forms` does for the
station's screens; importing that package would load the station's store and session
machinery, which the console neither has nor needs.
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from kiosk.shell.style import MUTED, ORANGE, STYLESHEET

__all__ = ["CONSOLE_STYLE", "STALE_BACKGROUND", "button", "field", "label"]

STALE_BACKGROUND = QColor("#fbe9d7")
CONSOLE_STYLE = (
    STYLESHEET
    + f"""
QLabel#banner {{ background: #fbe9d7; color: {ORANGE}; font-weight: 600;
                 border: 1px solid {ORANGE}; border-radius: 8px; padding: 8px 12px; }}
QTableWidget {{ background: white; gridline-color: #e3e7ec; font-size: 13px; }}
QHeaderView::section {{ background: #eef1f4; color: {MUTED}; font-size: 12px;
                        font-weight: 600; padding: 6px; border: none;
                        border-bottom: 1px solid #d9dee4; }}
"""
)


def label(text: str, name: str = "") -> QLabel:
    widget = QLabel(text)
    widget.setObjectName(name)
    widget.setWordWrap(True)
    return widget


def button(text: str, name: str = "secondary") -> QPushButton:
    widget = QPushButton(text)
    widget.setObjectName(name)
    widget.setAutoDefault(True)
    return widget


def field(placeholder: str, *, secret: bool = False) -> QLineEdit:
    widget = QLineEdit()
    widget.setPlaceholderText(placeholder)
    widget.setMinimumHeight(40)  # the shell's padding needs the room
    if secret:
        widget.setEchoMode(QLineEdit.EchoMode.Password)
    return widget
