"""The break between two games of a battery: what comes next, and Space to go on.

:class:`BreakScreen` emits ``proceed`` when the candidate goes on - Space, Enter, a
click or a tap - but only through a :class:`~games.engine.gate.ContinueGate`, as the
games' own continue screens do: the screen must have been on for
:data:`~games.engine.gate.MIN_SHOWN_MS` since the paint that first showed it, and a key
must be a fresh press (no auto-repeat, not held down since before the break appeared).
So Space presses left over from the game before cannot skip the break.

The screen takes its inputs from the application's input stamper (it is an input
target, see :mod:`games.engine.qt.timing`), so they carry the stamper's stamps and key
state. It has no event sink of its own: every input it turns away is emitted as
``input_gated`` with a :class:`~games.engine.gate.GatedInput`; whoever hosts the screen
records it, e.g. ``sink.emit("input_gated", gated.payload(), t_ns=gated.t_ns)``.

``show_break(..., text_scale=1.3)`` enlarges the text for a candidate who chose larger
text (1.0: the standard size).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from games.engine import palette
from games.engine.gate import ContinueGate
from games.engine.qt.timing import StampedInput, install_stamper
from games.engine.texts import texts_for

__all__ = ["CONTINUE_KEYS", "BreakScreen"]

CONTINUE_KEYS = frozenset({int(Qt.Key.Key_Space), int(Qt.Key.Key_Return), int(Qt.Key.Key_Enter)})


class BreakScreen(QWidget):
    """A calm pause between games; ``proceed`` when the candidate goes on."""

    proceed = Signal()
    input_gated = Signal(object)  # GatedInput: an input the gate turned away

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.lines: tuple[str, str, str] = ("", "", "")
        self.text_scale = 1.0
        self.gate = ContinueGate()
        self._open = False  # a break is on and has not been left yet
        install_stamper()

    def show_break(
        self, done: int, total: int, next_title: str, language: str, *, text_scale: float = 1.0
    ) -> None:
        texts = texts_for(language)
        self.lines = (
            texts.get("common", "break_title"),
            texts.get("common", "break_body", done=done, total=total, next=next_title),
            texts.get("common", "press_space_continue"),
        )
        self.text_scale = text_scale
        self._open = True
        self.gate.arm()
        self.update()
        self.setFocus()

    def ready(self) -> bool:
        """Whether a fresh press now would go on (the break has been on long enough)."""
        return self._open and self.gate.ready(time.perf_counter_ns())

    def handle_input(self, event: StampedInput) -> bool:
        """A stamped input from the application's input stamper."""
        if event.device == "key" and event.key not in CONTINUE_KEYS:
            return False
        if not self._open:
            return True
        gated = self.gate.check(event)
        if gated is not None:
            self.input_gated.emit(gated)
            return True
        self._open = False
        self.proceed.emit()
        return True

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            rect = QRectF(self.rect())
            painter.fillRect(rect, QColor(palette.BACKGROUND))
            unit = min(rect.width(), rect.height()) / 40
            # Text, its size in units, colour, and the band it wraps in (top, height).
            for text, size, colour, top, height in (
                (self.lines[0], 2.2, palette.INK, 0.30, 0.12),
                (self.lines[1], 1.2, palette.INK, 0.42, 0.34),
                (self.lines[2], 1.1, palette.ACCENT, 0.78, 0.2),
            ):
                font = QFont()
                font.setPixelSize(max(10, round(unit * size * self.text_scale)))
                painter.setFont(font)
                painter.setPen(QColor(colour))
                box = QRectF(
                    rect.left() + 2 * unit,
                    rect.height() * top,
                    rect.width() - 4 * unit,
                    rect.height() * height,
                )
                painter.drawText(
                    box, int(Qt.AlignmentFlag.AlignHCenter) | int(Qt.TextFlag.TextWordWrap), text
                )
        finally:
            painter.end()
        if self._open:
            # The break's clock starts with the first paint that showed it.
            self.gate.painted()
            self.gate.presented(time.perf_counter_ns())
