"""The stimulus canvas: draws frames and stamps when each frame was presented.

Two surfaces, one contract. On a GL surface with vsync the canvas redraws after every
buffer swap, so frames are paced by the display, and a frame's presentation stamp is
taken at ``frameSwapped``. Where GL is unavailable (the offscreen platform of tests,
or ``KIOSK_CANVAS=raster``) a precise timer at the refresh period drives repaints,
and the stamp is taken at the end of the paint that drew the frame. Every stamp
carries its method (``frame_swapped`` or ``paint_end``) so a report can say which.

The owner draws in ``paint(painter, rect)`` and hears about every presented frame in
``frame_presented(t_ns, method)``; it never schedules stimuli with timers.
"""

from __future__ import annotations

import os
import time
from typing import Protocol

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QPainter, QPaintEvent, QSurfaceFormat
from PySide6.QtOpenGLWidgets import QOpenGLWidget
from PySide6.QtWidgets import QWidget

__all__ = ["CanvasOwner", "GLCanvas", "RasterCanvas", "make_canvas", "refresh_period_ns"]

FRAME_SWAPPED = "frame_swapped"
PAINT_END = "paint_end"


class CanvasOwner(Protocol):
    def paint(self, painter: QPainter, rect: QRectF) -> None: ...

    def frame_presented(self, t_ns: int, method: str) -> None: ...


def refresh_period_ns(widget: QWidget | None = None) -> int:
    screen = (widget.screen() if widget is not None else None) or QGuiApplication.primaryScreen()
    rate = screen.refreshRate() if screen is not None else 60.0
    return round(1e9 / (rate if rate and rate > 1 else 60.0))


class RasterCanvas(QWidget):
    """Timer-driven repaints; onset stamped at the end of the paint."""

    method = PAINT_END

    def __init__(self, owner: CanvasOwner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._owner = owner
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        # A Python slot: connecting timeout straight to the overloaded C++ update()
        # slot corrupts None's refcount in this PySide6 build.
        self._timer.timeout.connect(self._next_frame)

    def start(self) -> None:
        self._timer.start(max(1, refresh_period_ns(self) // 1_000_000))

    def stop(self) -> None:
        self._timer.stop()

    def _next_frame(self) -> None:
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        try:
            self._owner.paint(painter, QRectF(self.rect()))
        finally:
            painter.end()
        self._owner.frame_presented(time.perf_counter_ns(), PAINT_END)


class GLCanvas(QOpenGLWidget):
    """Vsync-paced repaints; onset stamped when the frame's buffer was swapped."""

    method = FRAME_SWAPPED

    def __init__(self, owner: CanvasOwner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        fmt = QSurfaceFormat.defaultFormat()
        fmt.setSwapInterval(1)  # vsync
        self.setFormat(fmt)
        self._owner = owner
        self._running = False
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.frameSwapped.connect(self._swapped)

    def start(self) -> None:
        self._running = True
        self.update()

    def stop(self) -> None:
        self._running = False

    def paintGL(self) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        try:
            self._owner.paint(painter, QRectF(self.rect()))
        finally:
            painter.end()

    def _swapped(self) -> None:
        self._owner.frame_presented(time.perf_counter_ns(), FRAME_SWAPPED)
        if self._running:
            self.update()


def make_canvas(owner: CanvasOwner, parent: QWidget | None = None) -> RasterCanvas | GLCanvas:
    """GL where the platform has it, raster offscreen or when ``KIOSK_CANVAS=raster``."""
    wanted = os.environ.get("KIOSK_CANVAS", "auto")
    platform = QGuiApplication.platformName()
    if wanted == "gl" or (wanted == "auto" and platform not in ("offscreen", "minimal", "vnc")):
        return GLCanvas(owner, parent)
    return RasterCanvas(owner, parent)
