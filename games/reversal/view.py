"""Reversal on screen: two options side by side, the points at the top.

The options are a blue circle (A) and an orange square (B); shape and colour both tell
them apart. Which one is on the left changes from trial to trial (the task's seeded
schedule). The Left and Right arrow keys, or a click (tap) on an option, choose it.
After a choice the other option dims and the outcome shows under the chosen one —
"+10" in blue or "0" in grey, said in words too — then the next trial starts.
Practice trials are marked as such and leave the points untouched (see
:mod:`games.reversal.task`).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from games.api import EventSink, GameConfig
from games.engine import palette
from games.engine.qt.timing import StampedInput
from games.engine.qt.view import BotAction, BotMove, GameView, kind_and_value
from games.reversal.task import OPTIONS, ReversalTask

SIDE_KEYS = {int(Qt.Key.Key_Left): 0, int(Qt.Key.Key_Right): 1}
_COLOURS = {"A": palette.ACCENT, "B": palette.ORANGE}


class ReversalView(GameView[ReversalTask]):
    game_id = "reversal"
    iti_ms = 1200  # the outcome stays this long before the next trial

    def make_task(self, config: GameConfig, sink: EventSink) -> ReversalTask:
        return ReversalTask(config.params, config.seed, sink)

    def current_is_practice(self) -> bool:
        task = self.task
        if not task.trial_running and task.last_outcome is not None:
            return task.last_outcome.practice  # the feedback on screen is this trial's
        return super().current_is_practice()

    # -- geometry shared by painting and clicking --------------------------------------

    def _boxes(self, rect: QRectF) -> list[QRectF]:
        """The left and right option boxes."""
        u = self.unit(rect)
        size, gap = 11.0 * u, 6.0 * u
        left = rect.center().x() - size - gap / 2
        top = rect.top() + rect.height() * 0.46 - size / 2
        return [QRectF(left + i * (size + gap), top, size, size) for i in range(2)]

    def _sides(self) -> tuple[str, str] | None:
        """The options on the left and right of the trial on screen."""
        trial = self.task.current_trial
        if self.task.trial_running and trial is not None:
            left = trial.left
        else:
            outcome = self.task.last_outcome
            if outcome is None:
                return None
            left = self.task.schedule[outcome.trial_index].left
        return (left, OPTIONS[1 - OPTIONS.index(left)])

    def input_for(self, action: BotMove) -> BotAction:
        kind, option = kind_and_value(action)
        sides = self._sides()
        if kind != "choose" or sides is None:
            raise ValueError(f"reversal: no input for action {action!r}")
        box = self._boxes(QRectF(self.canvas.rect()))[sides.index(option)]
        return ("click", box.center())

    # -- input -------------------------------------------------------------------------

    def trial_input(self, event: StampedInput) -> bool:
        task = self.task
        sides = self._sides()
        if sides is None:
            return False
        if event.device == "key":
            side = SIDE_KEYS.get(event.key or 0)
            return task.choose(sides[side], event.t_ns) if side is not None else False
        if event.x is None or event.y is None:
            return False
        point = QPointF(event.x, event.y)
        for option, box in zip(sides, self._boxes(QRectF(self.canvas.rect())), strict=True):
            if box.contains(point):
                return task.choose(option, event.t_ns)
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
            header, Qt.AlignmentFlag.AlignCenter, t.get("reversal", "total", points=task.total)
        )
        sides = self._sides()
        if sides is None:
            return  # before the first trial: the options' first appearance is the onset
        boxes = self._boxes(area)
        below = QRectF(area.left(), boxes[0].bottom() + 2.5 * u, area.width(), 2.5 * u)
        outcome = None if task.trial_running else task.last_outcome
        for option, box in zip(sides, boxes, strict=True):
            dim = outcome is not None and outcome.option != option
            self._paint_option(painter, area, box, option, dim=dim)
        if outcome is None:
            painter.setPen(QColor(palette.MUTED))
            painter.setFont(self.make_font(area, 1.1))
            painter.drawText(below, Qt.AlignmentFlag.AlignCenter, t.get("reversal", "choose"))
            return
        points = int(task.params["points"]) if outcome.reward else 0
        key = "win" if outcome.reward else "no_win"
        painter.setPen(QColor(palette.ACCENT if outcome.reward else palette.MUTED))
        painter.setFont(self.make_font(area, 1.4, bold=True))
        painter.drawText(below, Qt.AlignmentFlag.AlignCenter, t.get("reversal", key, points=points))

    def _paint_option(
        self, painter: QPainter, area: QRectF, box: QRectF, option: str, *, dim: bool
    ) -> None:
        u = self.unit(area)
        colour = QColor(_COLOURS[option])
        if dim:
            colour.setAlpha(70)
        painter.setPen(QPen(QColor(palette.INK if not dim else palette.MUTED), max(1.0, 0.15 * u)))
        painter.setBrush(colour)
        shape = box.adjusted(1.2 * u, 1.2 * u, -1.2 * u, -1.2 * u)
        if option == "A":
            painter.drawEllipse(shape)
        else:
            painter.drawRect(shape)
        painter.setBrush(Qt.BrushStyle.NoBrush)
