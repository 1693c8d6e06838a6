"""Stamping inputs where Python first sees them, and counting frames.

:class:`InputStamper` is an application-wide event filter. Every key press, mouse
press and touch begin is stamped with ``time.perf_counter_ns()`` as the first thing
the filter does, before Qt delivers the event to any widget. Qt shows a spontaneous
event first to its window and then to the widget; the stamp taken at the window is
carried over to the widget delivery that immediately follows. The fields a game
needs are copied into a :class:`StampedInput` (never keep a ``QEvent``: Qt reuses and
frees them) and handed to the :class:`InputTarget` under the event, so a game's
handler receives the stamp with the input instead of taking the time itself. A
target owns the inputs inside it: they are not delivered to Qt's own handlers.

:class:`FrameStats` keeps one game run's presented-frame intervals; an interval
above 1.5 × the refresh period counts as a dropped frame.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent, QTouchEvent, QWindow
from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["FrameStats", "InputStamper", "InputTarget", "StampedInput", "install_stamper"]

_KEY = QEvent.Type.KeyPress
_MOUSE = QEvent.Type.MouseButtonPress
_TOUCH = QEvent.Type.TouchBegin
_INPUT_TYPES = frozenset({_KEY, _MOUSE, _TOUCH})
# A window-level stamp is only carried to a widget delivery this soon after it; a
# stamp whose widget delivery never came (a popup ate it) must not leak to the next.
_CARRY_LIMIT_NS = 20_000_000


@dataclass(frozen=True, slots=True)
class StampedInput:
    """One input, copied out of its ``QEvent`` with the stamp taken on arrival."""

    t_ns: int
    device: str  # "key", "mouse" or "touch"
    key: int | None = None  # Qt.Key value for keys
    text: str = ""
    x: float | None = None  # position in the target's coordinates (mouse, touch)
    y: float | None = None
    button: str | None = None  # "left", "right", "middle" for the mouse


class InputTarget(Protocol):
    """A widget that takes stamped inputs; returns True when it used the input."""

    def handle_input(self, event: StampedInput) -> bool: ...


_BUTTONS = {
    Qt.MouseButton.LeftButton: "left",
    Qt.MouseButton.RightButton: "right",
    Qt.MouseButton.MiddleButton: "middle",
}


class InputStamper(QObject):
    """Stamps every key, mouse and touch press and routes it to its target."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._carried: dict[QEvent.Type, int] = {}
        self.last: StampedInput | None = None
        self.stamped = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        t_ns = time.perf_counter_ns()
        kind = event.type()
        if kind not in _INPUT_TYPES:
            return False
        if kind == _KEY and isinstance(event, QKeyEvent) and event.isAutoRepeat():
            return False
        if isinstance(watched, QWindow):
            self._carried[kind] = t_ns
            return False
        if not isinstance(watched, QWidget):
            return False
        carried = self._carried.pop(kind, None)
        if carried is not None and t_ns - carried < _CARRY_LIMIT_NS:
            t_ns = carried
        target, widget = _target_of(watched)
        if target is None or widget is None:
            return False
        stamped = _copy(event, t_ns, widget, watched)
        if stamped is None:
            return False
        self.last = stamped
        self.stamped += 1
        target.handle_input(stamped)
        # A target owns every input inside it: consumed here, the event never
        # propagates to a parent, so no input reaches a target twice.
        return True


def _target_of(widget: QWidget) -> tuple[InputTarget | None, QWidget | None]:
    node: QWidget | None = widget
    while node is not None:
        handler = getattr(node, "handle_input", None)
        if callable(handler):
            return node, node  # type: ignore[return-value]
        node = node.parentWidget()
    return None, None


def _copy(event: QEvent, t_ns: int, target: QWidget, watched: QWidget) -> StampedInput | None:
    if isinstance(event, QKeyEvent):
        return StampedInput(t_ns, "key", key=int(event.key()), text=event.text())
    if isinstance(event, QMouseEvent):
        pos = watched.mapTo(target, event.position().toPoint()) if watched is not target else None
        point = QPointF(pos) if pos is not None else event.position()
        return StampedInput(
            t_ns, "mouse", x=point.x(), y=point.y(), button=_BUTTONS.get(event.button(), "other")
        )
    if isinstance(event, QTouchEvent) and event.points():
        local = event.points()[0].position()
        pos = watched.mapTo(target, local.toPoint()) if watched is not target else None
        point = QPointF(pos) if pos is not None else local
        return StampedInput(t_ns, "touch", x=point.x(), y=point.y())
    return None


_installed: dict[int, InputStamper] = {}


def install_stamper(app: QApplication | None = None) -> InputStamper:
    """Install (once per application) and return the application's input stamper."""
    app = app or QApplication.instance()  # type: ignore[assignment]
    assert isinstance(app, QApplication), "create the QApplication first"
    stamper = _installed.get(id(app))
    if stamper is None:
        stamper = InputStamper(app)
        app.installEventFilter(stamper)
        _installed[id(app)] = stamper
    return stamper


@dataclass
class FrameStats:
    """Presented-frame intervals of one game run."""

    refresh_ns: int
    presented_ns: list[int] = field(default_factory=list)

    def add(self, t_ns: int) -> None:
        self.presented_ns.append(t_ns)

    def summary(self) -> dict[str, float | int]:
        intervals = np.diff(np.asarray(self.presented_ns, dtype=np.float64))
        dropped = int(np.sum(intervals > 1.5 * self.refresh_ns)) if intervals.size else 0
        if not intervals.size:
            return {"frames": len(self.presented_ns), "refresh_ns": self.refresh_ns, "dropped": 0}
        return {
            "frames": len(self.presented_ns),
            "refresh_ns": self.refresh_ns,
            "interval_median_ns": int(np.median(intervals)),
            "interval_sd_ns": float(np.std(intervals)),
            "interval_p99_ns": int(np.percentile(intervals, 99)),
            "interval_max_ns": int(intervals.max()),
            "dropped": dropped,
            "dropped_share": dropped / intervals.size,
        }
