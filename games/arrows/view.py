"""Arrows on screen: a cue word, then a row of five coloured arrows.

The cue (DIRECTION or COLOUR) appears first and stays; the arrows appear on the first
frame presented ``cue_ms`` or more after the frame that showed the cue. The candidate answers
with the left or right key (F / J by default). Feedback, when the task gives it,
shows for ``feedback_ms``; then the screen rests for ``iti_ms``. A reminder of the
two keys - each with its direction and its colour - sits at the bottom throughout.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from games.api import EventSink, GameConfig
from games.arrows.task import ArrowsTask, Phase
from games.engine import palette
from games.engine.qt.timed import (
    TimedView,
    arrow_path,
    draw_keycap,
    draw_line,
    key_label,
    qt_key,
)
from games.engine.qt.view import BotAction, BotMove

COLOURS = {"blue": palette.ACCENT, "orange": palette.ORANGE}
FEEDBACK_COLOURS = {
    "correct": palette.ACCENT,
    "error": palette.VERMILLION,
    "too_slow": palette.VERMILLION,
}


class ArrowsView(TimedView[ArrowsTask]):
    game_id = "arrows"

    def make_task(self, config: GameConfig, sink: EventSink) -> ArrowsTask:
        self._arrows_on = False
        return ArrowsTask(config.params, config.seed, sink)

    def _colour_right(self) -> str:
        task = self.task
        return "orange" if task.colour_left == "blue" else "blue"

    def instruction_values(self) -> dict[str, object]:
        task = self.task
        return {
            "left_key": key_label(str(task.params["key_left"])),
            "right_key": key_label(str(task.params["key_right"])),
            "left_colour": self.texts.get("arrows", task.colour_left),
            "right_colour": self.texts.get("arrows", self._colour_right()),
        }

    def input_for(self, action: BotMove) -> BotAction:
        return ("key", qt_key(str(action)))

    # -- frames ------------------------------------------------------------------------

    def start_screens(self, t_ns: int) -> None:
        task = self.task
        self._arrows_on = False
        self.on_next_frame(task.cue_shown)
        if int(task.params["cue_ms"]) <= 0:  # no cue-stimulus interval: one frame shows both
            self._arrows_on = True
            self.show_stimulus(task.stimulus_shown)

    def trial_frame(self, t_ns: int) -> None:
        task = self.task
        cue = task.cue_onset_ns
        if task.phase is Phase.CUE_SHOWN and not self._arrows_on and cue is not None:
            self.change_at(
                "arrows", cue + int(task.params["cue_ms"]) * 1_000_000, self._show_arrows
            )
        self.check_deadline(t_ns)

    def _show_arrows(self) -> None:
        self._arrows_on = True
        self.show_stimulus(self.task.stimulus_shown)

    # -- drawing -----------------------------------------------------------------------

    def paint_trial(self, painter: QPainter, area: QRectF) -> None:
        task = self.task
        u = self.unit(area)
        centre = QPointF(area.center().x(), area.top() + area.height() * 0.45)
        trial = task.current_trial
        if task.trial_running and trial is not None:
            cue = self.texts.get("arrows", f"cue_{trial.task}")
            draw_line(
                painter, area, centre.y() - 7 * u, 3 * u, cue, self.make_font(area, 2.0, bold=True)
            )
            if self._arrows_on:
                self._paint_arrows(
                    painter,
                    centre,
                    u,
                    trial.direction,
                    trial.colour,
                    trial.flanker_direction,
                    trial.flanker_colour,
                )
        elif self.showing_feedback() and task.last_feedback is not None:
            message = str(task.last_feedback["message"])
            draw_line(
                painter,
                area,
                centre.y() - 2 * u,
                4 * u,
                self.texts.get("arrows", message),
                self.make_font(area, 2.0, bold=True),
                FEEDBACK_COLOURS.get(message, palette.INK),
            )
        self._paint_key_reminder(painter, area)

    def _paint_arrows(
        self,
        painter: QPainter,
        centre: QPointF,
        u: float,
        direction: str,
        colour: str,
        flanker_direction: str,
        flanker_colour: str,
    ) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        for k in range(-2, 3):
            is_centre = k == 0
            painter.setBrush(QColor(COLOURS[colour if is_centre else flanker_colour]))
            painter.drawPath(
                arrow_path(
                    centre + QPointF(k * 4.8 * u, 0),
                    4.0 * u,
                    2.5 * u,
                    direction if is_centre else flanker_direction,
                )
            )

    def _paint_key_reminder(self, painter: QPainter, area: QRectF) -> None:
        """Each key with the direction and the colour it answers (no words needed)."""
        task = self.task
        u = self.unit(area)
        y = area.bottom() - 6.5 * u
        font = self.make_font(area, 1.1, bold=True)
        for side, colour in (("left", task.colour_left), ("right", self._colour_right())):
            sign = -1 if side == "left" else 1
            cx = area.center().x() + sign * 6 * u
            cap = QRectF(cx - 1.4 * u, y, 2.8 * u, 2.8 * u)
            draw_keycap(painter, cap, key_label(str(task.params[f"key_{side}"])), font)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(palette.MUTED))
            painter.drawPath(arrow_path(QPointF(cx - 1.0 * u, y + 4.0 * u), 1.6 * u, 1.0 * u, side))
            painter.setBrush(QColor(COLOURS[colour]))
            painter.drawEllipse(QPointF(cx + 1.0 * u, y + 4.0 * u), 0.5 * u, 0.5 * u)
