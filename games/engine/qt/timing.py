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

Every click counts. When two clicks come close together Qt delivers the second one
to the widget as a ``MouseButtonDblClick`` instead of a press; the stamper hands it
on as a mouse press like any other (stamped with the window's press), so fast
clicking is measured as it happened.

Keys: an auto-repeat of a held key is handed on too, marked ``auto_repeat``; each
game decides whether it is a response (see :mod:`games.engine.qt.view`). The stamper
also follows which keys are down (press and release, application-wide), so every key
input carries ``held_since_ns``, the stamp of the press that began the current hold
of that key: a continue screen uses it to refuse a key held since before it appeared
(:mod:`games.engine.gate`).

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
_KEY_UP = QEvent.Type.KeyRelease
_MOUSE = QEvent.Type.MouseButtonPress
_DOUBLE = QEvent.Type.MouseButtonDblClick
_TOUCH = QEvent.Type.TouchBegin
_INPUT_TYPES = frozenset({_KEY, _MOUSE, _DOUBLE, _TOUCH})
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
    auto_repeat: bool = False  # keys: Qt's auto-repeat of a key held down
    # Keys: stamp of the press that began this key's current hold (t_ns for a fresh
    # press; earlier for a repeat, or for a press whose key was never seen released).
    held_since_ns: int | None = None


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
        self.held_keys: dict[int, int] = {}  # key -> stamp of the press that began its hold
        self.last: StampedInput | None = None
        self.stamped = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        t_ns = time.perf_counter_ns()
        kind = event.type()
        if kind == _KEY_UP:
            self._key_released(event)
            return False
        if kind not in _INPUT_TYPES:
            return False
        # A double click is the second press of a pair: stamp and route it as a press.
        double = kind == _DOUBLE
        kind = _MOUSE if double else kind
        if isinstance(watched, QWindow):
            # The window sees a double click's press and then the double click itself;
            # the press came first, so its stamp is the one to carry.
            carried = self._carried.get(kind)
            if not (double and carried is not None and t_ns - carried < _CARRY_LIMIT_NS):
                self._carried[kind] = t_ns
            if kind == _KEY:
                self._key_pressed(event, t_ns)
            return False
        if not isinstance(watched, QWidget):
            return False
        carried = self._carried.pop(kind, None)
        if carried is not None and t_ns - carried < _CARRY_LIMIT_NS:
            t_ns = carried
        if kind == _KEY:
            self._key_pressed(event, t_ns)
        target, widget = _target_of(watched)
        if target is None or widget is None:
            return False
        stamped = _copy(event, t_ns, widget, watched, self.held_keys)
        if stamped is None:
            return False
        self.last = stamped
        self.stamped += 1
        target.handle_input(stamped)
        # A target owns every input inside it: consumed here, the event never
        # propagates to a parent, so no input reaches a target twice.
        return True

    def _key_pressed(self, event: QEvent, t_ns: int) -> None:
        # The first press of a hold sets its start; repeats (and presses whose release
        # was never seen) keep it. Seen at the window and again at the widget: once.
        if isinstance(event, QKeyEvent) and not event.isAutoRepeat():
            self.held_keys.setdefault(int(event.key()), t_ns)

    def _key_released(self, event: QEvent) -> None:
        # Some platforms send a release before each auto-repeat press; it ends no hold.
        if isinstance(event, QKeyEvent) and not event.isAutoRepeat():
            self.held_keys.pop(int(event.key()), None)


def _target_of(widget: QWidget) -> tuple[InputTarget | None, QWidget | None]:
    node: QWidget | None = widget
    while node is not None:
        handler = getattr(node, "handle_input", None)
        if callable(handler):
            return node, node  # type: ignore[return-value]
        node = node.parentWidget()
    return None, None


def _copy(
    event: QEvent, t_ns: int, target: QWidget, watched: QWidget, held_keys: dict[int, int]
) -> StampedInput | None:
    if isinstance(event, QKeyEvent):
        key = int(event.key())
        return StampedInput(
            t_ns,
            "key",
            key=key,
            text=event.text(),
            auto_repeat=event.isAutoRepeat(),
            held_since_ns=held_keys.get(key, None if event.isAutoRepeat() else t_ns),
        )
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
