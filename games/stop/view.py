"""Stop on screen: a fixation cross, an arrow, and on stop trials a frame around it.

The arrow appears on the first frame presented ``fixation_ms`` or more after the
fixation's frame; the candidate presses the arrow key on its side. On a stop trial
the stop signal - a thick frame around the arrow - is drawn on the first frame
presented at or after the task's ``stop_signal_due_ns`` (arrow onset stamp + the
tracked SSD), and that frame's stamp goes to ``task.stop_signal_shown``, so the SSD
as presented is measured, not assumed. The frame stays to the end of the trial, or
for ``stop_signal_ms`` when that is set.
Practice feedback shows for ``feedback_ms``.

Only the visual stop signal is drawn: this view has no sound, so a battery asking for
``stop_signal = "auditory"`` is refused when the widget is created rather than run
with a signal other than the one its events would name.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from games.api import ConfigError, EventSink, GameConfig
from games.engine import palette
from games.engine.qt.timed import (
    TimedView,
    arrow_path,
    draw_fixation,
    draw_line,
    pen,
    qt_key,
)
from games.engine.qt.view import BotAction, BotMove
from games.stop.task import Phase, StopTask

FIXATION, ARROW = "fixation", "arrow"
POSITIVE = {"correct", "stopped"}


class StopView(TimedView[StopTask]):
    game_id = "stop"

    def make_task(self, config: GameConfig, sink: EventSink) -> StopTask:
        if config.params.get("stop_signal", "visual") != "visual":
            raise ConfigError(
                'stop: this view draws only the visual stop signal (set stop_signal = "visual")'
            )
        self._screen = FIXATION
        self._signal_on = False
        return StopTask(config.params, config.seed, sink)

    def input_for(self, action: BotMove) -> BotAction:
        return ("key", qt_key(str(action)))

    # -- frames ------------------------------------------------------------------------

    def start_screens(self, t_ns: int) -> None:
        self._screen = FIXATION
        self._signal_on = False
        self.stamp_screen(FIXATION)

    def trial_frame(self, t_ns: int) -> None:
        task = self.task
        fixation = self.screens.get(FIXATION)
        if fixation is not None:
            self.change_at(
                ARROW, fixation + int(task.params["fixation_ms"]) * 1_000_000, self._show_arrow
            )
        if task.phase is Phase.RESPONSE:
            due = task.stop_signal_due_ns
            if due is not None:
                self.change_at("signal", due, self._show_signal)
            signal = task.stop_signal_onset_ns
            duration_ms = int(task.params["stop_signal_ms"])
            if signal is not None and duration_ms > 0:
                self.change_at("signal_off", signal + duration_ms * 1_000_000, self._hide_signal)
            self.check_deadline(t_ns)

    def _show_arrow(self) -> None:
        self._screen = ARROW
        self.show_stimulus(self.task.stimulus_shown)

    def _show_signal(self) -> None:
        self._signal_on = True
        self.on_next_frame(self.task.stop_signal_shown)

    def _hide_signal(self) -> None:
        self._signal_on = False

    # -- drawing -----------------------------------------------------------------------

    def paint_trial(self, painter: QPainter, area: QRectF) -> None:
        task = self.task
        u = self.unit(area)
        centre = QPointF(area.center().x(), area.top() + area.height() * 0.45)
        trial = task.current_trial
        if task.trial_running and trial is not None:
            if self._screen == FIXATION:
                draw_fixation(painter, centre, u)
                return
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(palette.INK))
            painter.drawPath(arrow_path(centre, 7 * u, 4.2 * u, trial.direction))
            if self._signal_on:
                side = 11 * u
                painter.setPen(pen(palette.VERMILLION, 0.7 * u, Qt.PenCapStyle.SquareCap))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(
                    QRectF(centre.x() - side / 2, centre.y() - side / 2, side, side),
                    0.8 * u,
                    0.8 * u,
                )
        elif self.showing_feedback() and task.last_feedback is not None:
            message = str(task.last_feedback["message"])
            draw_line(
                painter,
                area,
                centre.y() - 2 * u,
                4 * u,
                self.texts.get("stop", message),
                self.make_font(area, 1.8, bold=True),
                palette.ACCENT if message in POSITIVE else palette.VERMILLION,
            )
