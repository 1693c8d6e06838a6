"""Balloons on screen: a balloon that grows with each pump, a bank, two buttons.

Space or the Pump button pumps; Enter or the Collect button collects. After a
balloon ends, its outcome shows until the next balloon appears.

Each click on a button is one pump (or collect), however fast the clicks come: the
second of two quick clicks, which Qt delivers as a double click, counts as well. A
held key is not a series of pumps: auto-repeats of Space (or Enter) are ignored and
recorded as ``ignored_input`` with reason ``auto_repeat``.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from games.api import EventSink, GameConfig
from games.balloons.task import BalloonsTask
from games.engine import palette
from games.engine.qt.timing import StampedInput
from games.engine.qt.view import BotAction, BotMove, GameView

PUMP_KEYS = {int(Qt.Key.Key_Space)}
COLLECT_KEYS = {int(Qt.Key.Key_Return), int(Qt.Key.Key_Enter)}


def _money(cents: int) -> str:
    return f"${cents / 100:.2f}"


class BalloonsView(GameView[BalloonsTask]):
    game_id = "balloons"
    iti_ms = 700

    def make_task(self, config: GameConfig, sink: EventSink) -> BalloonsTask:
        return BalloonsTask(config.params, config.seed, sink)

    # -- geometry shared by painting and clicking --------------------------------------

    def _buttons(self, rect: QRectF) -> tuple[QRectF, QRectF]:
        u = self.unit(rect)
        w, h = 10 * u, 3.2 * u
        y = rect.bottom() - 6 * u
        cx = rect.center().x()
        return QRectF(cx - w - u, y, w, h), QRectF(cx + u, y, w, h)

    def input_for(self, action: BotMove) -> BotAction:
        pump, collect = self._buttons(QRectF(self.canvas.rect()))
        box = pump if action == "pump" else collect
        return ("click", box.center())

    # -- input -------------------------------------------------------------------------

    def trial_input(self, event: StampedInput) -> bool:
        task = self.task
        if event.device == "key":
            if event.key in PUMP_KEYS:
                return task.pump(event.t_ns)
            if event.key in COLLECT_KEYS:
                return task.collect(event.t_ns)
            return False
        if event.x is None or event.y is None:
            return False
        pump, collect = self._buttons(QRectF(self.canvas.rect()))
        point = QPointF(event.x, event.y)
        if pump.contains(point):
            return task.pump(event.t_ns)
        if collect.contains(point):
            return task.collect(event.t_ns)
        return False

    # -- drawing -----------------------------------------------------------------------

    def paint_trial(self, painter: QPainter, area: QRectF) -> None:
        task = self.task
        u = self.unit(area)
        t = self.texts
        painter.setPen(QColor(palette.INK))
        painter.setFont(self.make_font(area, 1.2, bold=True))
        header = QRectF(area.left(), area.top() + 1.5 * u, area.width(), 2.5 * u)
        painter.drawText(
            header,
            Qt.AlignmentFlag.AlignCenter,
            t.get("balloons", "total", amount=_money(task.total_cents)),
        )
        centre = QPointF(area.center().x(), area.top() + area.height() * 0.45)
        if task.trial_running:
            max_pumps = int(task.params["max_pumps"])
            radius = u * (2.5 + 9.0 * min(task.pumps, max_pumps) / max_pumps)
            painter.setPen(QPen(QColor(palette.INK), max(1.0, u * 0.12)))
            painter.drawLine(centre + QPointF(0, radius), centre + QPointF(0, radius + 5 * u))
            painter.setBrush(QColor(palette.SKY))
            painter.drawEllipse(centre, radius * 0.9, radius)
            painter.setFont(self.make_font(area, 1.1))
            bank = QRectF(area.left(), area.bottom() - 10 * u, area.width(), 2.5 * u)
            painter.drawText(
                bank,
                Qt.AlignmentFlag.AlignCenter,
                t.get("balloons", "bank", amount=_money(task.bank_cents)),
            )
            self._paint_buttons(painter, area)
        elif task.last_outcome is not None:
            outcome = task.last_outcome
            popped = outcome.exploded
            text = (
                t.get("balloons", "popped")
                if popped
                else t.get("balloons", "collected", amount=_money(outcome.earned_cents))
            )
            painter.setPen(QColor(palette.VERMILLION if popped else palette.ACCENT))
            painter.setFont(self.make_font(area, 2.0, bold=True))
            painter.drawText(
                QRectF(area.left(), centre.y() - 2 * u, area.width(), 4 * u),
                Qt.AlignmentFlag.AlignCenter,
                text,
            )

    def _paint_buttons(self, painter: QPainter, area: QRectF) -> None:
        u = self.unit(area)
        pump, collect = self._buttons(area)
        painter.setFont(self.make_font(area, 1.1, bold=True))
        for box, label, colour in (
            (pump, self.texts.get("balloons", "pump"), palette.ACCENT),
            (collect, self.texts.get("balloons", "collect"), palette.ORANGE),
        ):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(colour))
            painter.drawRoundedRect(box, 0.6 * u, 0.6 * u)
            painter.setPen(QColor(palette.WHITE if colour == palette.ACCENT else palette.INK))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
