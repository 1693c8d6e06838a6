"""Keypresses on screen: which hand and key, a live tap count, the time as a bar.

Each trial shows "get ready" with the hand and its key; ``ready_ms`` after the frame
that showed it, "Go!" appears on the first frame at or after that target - its stamp
opens the tapping window (``task.stimulus_shown``). The window closes on the first
frame at or after its deadline (``task.timeout``). Between trials the screen rests
for ``iti_ms``. Every key press goes to the task with its own stamp. A held key is
not tapping: its auto-repeats are not taps, only ``ignored_input`` events (reason
``auto_repeat``), as the shared view does for every game but the amount selectors.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter

from games.api import EventSink, GameConfig
from games.engine import palette
from games.engine.qt.timed import (
    TimedView,
    draw_keycap,
    draw_line,
    draw_progress,
    key_label,
    qt_key,
)
from games.engine.qt.view import BotAction, BotMove
from games.keypresses.task import HANDS, KeypressesTask, Phase

READY, GO = "ready", "go"


class KeypressesView(TimedView[KeypressesTask]):
    game_id = "keypresses"

    def make_task(self, config: GameConfig, sink: EventSink) -> KeypressesTask:
        self._screen = READY
        return KeypressesTask(config.params, config.seed, sink)

    def instruction_values(self) -> dict[str, object]:
        task = self.task
        return {
            "seconds": f"{int(task.params['trial_ms']) / 1000:g}",
            "left_key": key_label(task.key_for("left")),
            "right_key": key_label(task.key_for("right")),
        }

    def input_for(self, action: BotMove) -> BotAction:
        return ("key", qt_key(str(action)))

    # -- frames ------------------------------------------------------------------------

    def start_screens(self, t_ns: int) -> None:
        self._screen = READY
        self.stamp_screen(READY)

    def trial_frame(self, t_ns: int) -> None:
        task = self.task
        ready = self.screens.get(READY)
        if ready is not None:
            self.change_at(GO, ready + int(task.params["ready_ms"]) * 1_000_000, self._show_go)
        if task.phase is Phase.TAPPING:
            self.check_deadline(t_ns)

    def _show_go(self) -> None:
        self._screen = GO
        self.show_stimulus(self.task.stimulus_shown)

    # -- drawing -----------------------------------------------------------------------

    def paint_trial(self, painter: QPainter, area: QRectF) -> None:
        task = self.task
        u = self.unit(area)
        trial = task.current_trial
        if not task.trial_running or trial is None:
            draw_line(
                painter,
                area,
                area.top() + area.height() * 0.42,
                4 * u,
                self.texts.get("keypresses", "rest"),
                self.make_font(area, 2.0),
                palette.MUTED,
            )
            return
        key = task.key_for(trial.hand)
        draw_line(
            painter,
            area,
            area.top() + area.height() * 0.14,
            4 * u,
            self.texts.get("keypresses", f"{trial.hand}_hand", tap_key=key_label(key)),
            self.make_font(area, 2.0, bold=True),
        )
        # Both keys, left and right; the hand's key is drawn active.
        size = 5 * u
        y = area.top() + area.height() * 0.30
        for hand in HANDS:
            cx = area.center().x() + (-5 if hand == "left" else 5) * u
            draw_keycap(
                painter,
                QRectF(cx - size / 2, y, size, size),
                key_label(task.key_for(hand)),
                self.make_font(area, 2.2, bold=True),
                active=hand == trial.hand,
                highlight=hand == trial.hand,
            )
        status_y = y + size + 2.5 * u
        if self._screen == READY:
            draw_line(
                painter,
                area,
                status_y,
                4 * u,
                self.texts.get("keypresses", "get_ready"),
                self.make_font(area, 2.2, bold=True),
                palette.MUTED,
            )
            return
        draw_line(
            painter,
            area,
            status_y,
            4 * u,
            self.texts.get("keypresses", "go"),
            self.make_font(area, 2.2, bold=True),
            palette.ACCENT,
        )
        draw_line(
            painter,
            area,
            status_y + 4.5 * u,
            4 * u,
            self.texts.get("keypresses", "taps", n=task.taps),
            self.make_font(area, 2.4, bold=True),
        )
        elapsed = self.elapsed_ms(task.stimulus_onset_ns)
        bar = QRectF(area.center().x() - 14 * u, status_y + 10.5 * u, 28 * u, 1.0 * u)
        draw_progress(painter, bar, elapsed / trial.duration_ms)
        self._paint_tick_marks(painter, bar, trial.duration_ms)

    def _paint_tick_marks(self, painter: QPainter, bar: QRectF, duration_ms: int) -> None:
        """A small mark per second under the bar, so the bar reads as time."""
        seconds = duration_ms // 1000
        if not 1 < seconds <= 60:
            return
        painter.setPen(QColor(palette.MUTED))
        for s in range(seconds + 1):
            x = bar.left() + bar.width() * s * 1000 / duration_ms
            painter.drawLine(
                QPointF(x, bar.bottom() + 0.3 * bar.height()),
                QPointF(x, bar.bottom() + 0.7 * bar.height()),
            )
