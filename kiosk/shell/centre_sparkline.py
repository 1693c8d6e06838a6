"""A small plot of one station's heartbeat intervals, under the centre console's table.

Each point is one heartbeat: when it reached the console (seconds ago, on the x axis)
and how long after the one before it the station sent it (y). A steady station draws
a flat line at its heartbeat period; a flaky network draws spikes; the dashed line is
the stale threshold (``STALE_HEARTBEATS`` periods). pyqtgraph draws it, so redrawing
every second costs little.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.centre.model import STALE_HEARTBEATS
from kiosk.shell.style import BLUE, MUTED, ORANGE

__all__ = ["HeartbeatSparkline"]

WINDOW_S = 300.0  # the last five minutes


class HeartbeatSparkline(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setFixedHeight(96)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setXRange(-WINDOW_S, 0, padding=0)
        item = self.plot.getPlotItem()
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen(MUTED))
            axis.setTextPen(pg.mkPen(MUTED))
        item.setLabel("bottom", "seconds ago")
        self.curve = self.plot.plot(
            [],
            [],
            pen=pg.mkPen(BLUE, width=2),
            symbol="o",
            symbolSize=4,
            symbolBrush=BLUE,
            symbolPen=None,
        )
        self.threshold = pg.InfiniteLine(
            angle=0, pen=pg.mkPen(ORANGE, width=1, style=Qt.PenStyle.DashLine)
        )
        self.plot.addItem(self.threshold)
        layout.addWidget(self.plot)
        self.points: tuple[tuple[float, float], ...] = ()

    def show_intervals(
        self, intervals: list[tuple[float, float]], now_mono: float, heartbeat_s: float
    ) -> None:
        """Draw ``(arrival, interval)`` pairs relative to ``now_mono``."""
        points = tuple(
            (arrival - now_mono, gap)
            for arrival, gap in intervals
            if now_mono - arrival <= WINDOW_S
        )
        self.points = points
        self.curve.setData([x for x, _ in points], [y for _, y in points])
        stale_after = STALE_HEARTBEATS * heartbeat_s
        self.threshold.setValue(stale_after)
        top = max([stale_after, *(y for _, y in points)]) * 1.15
        self.plot.setYRange(0, top, padding=0)
