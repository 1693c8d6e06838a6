"""Lengths on screen: fixation, a mouthless face, a mouth for 100 ms, then the face again.

Each screen change lands on the first frame presented at or after its target: the
face ``fixation_ms`` after the fixation's frame, the mouth ``face_ms`` after the
face's frame (the mouth's frame is the stimulus onset), and the mouthless face again
``mouth_ms`` after the mouth's onset - that frame's stamp goes to
``task.stimulus_hidden``. The candidate presses the "short" or "long" key (which side
is which is counterbalanced by the task). Rewards and practice feedback show for
``feedback_ms``.

Mouth size: the mouths keep the paper's lengths relative to each other (11.5 vs
13 mm) and to a nominal face 40 mm wide; the face scales with the window.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from games.api import EventSink, GameConfig
from games.engine import palette
from games.engine.qt.timed import (
    TimedView,
    draw_fixation,
    draw_keycap,
    draw_line,
    key_label,
    pen,
    qt_key,
)
from games.engine.qt.view import BotAction, BotMove
from games.lengths.task import LengthsTask, Phase

FACE_WIDTH_MM = 40.0  # nominal face width the mouth lengths are relative to

# Which screen the view draws during a trial; the task's phase changes only when a
# frame has been presented, so the view keeps its own.
FIXATION, FACE, MOUTH, AFTER = "fixation", "face", "mouth", "after_mouth"


def paint_face(painter: QPainter, centre: QPointF, radius: float, mouth_mm: float | None) -> None:
    """The schematic face; ``mouth_mm`` None draws it without a mouth."""
    line = max(1.5, radius * 0.045)
    painter.setPen(pen(palette.INK, line))
    painter.setBrush(QColor(palette.WHITE))
    painter.drawEllipse(centre, radius, radius)
    painter.setBrush(QColor(palette.INK))
    painter.setPen(Qt.PenStyle.NoPen)
    for sign in (-1, 1):
        painter.drawEllipse(
            centre + QPointF(sign * 0.36 * radius, -0.2 * radius), 0.085 * radius, 0.085 * radius
        )
    painter.setPen(pen(palette.INK, line))
    painter.drawLine(centre + QPointF(0, -0.02 * radius), centre + QPointF(0, 0.18 * radius))
    if mouth_mm is not None:
        half = mouth_mm / FACE_WIDTH_MM * radius  # face width 2r stands for 40 mm
        y = centre.y() + 0.45 * radius
        painter.setPen(pen(palette.INK, line * 1.4, Qt.PenCapStyle.FlatCap))
        painter.drawLine(QPointF(centre.x() - half, y), QPointF(centre.x() + half, y))


class LengthsView(TimedView[LengthsTask]):
    game_id = "lengths"

    def make_task(self, config: GameConfig, sink: EventSink) -> LengthsTask:
        self._screen = FIXATION
        return LengthsTask(config.params, config.seed, sink)

    def _key_of(self, mouth: str) -> str:
        task = self.task
        side = (
            task.short_side
            if mouth == "short"
            else ("right" if task.short_side == "left" else "left")
        )
        return str(task.params[f"key_{side}"])

    def instruction_values(self) -> dict[str, object]:
        return {
            "short_key": key_label(self._key_of("short")),
            "long_key": key_label(self._key_of("long")),
            "cents": int(self.task.params["reward_cents"]),
        }

    def input_for(self, action: BotMove) -> BotAction:
        return ("key", qt_key(str(action)))

    # -- frames ------------------------------------------------------------------------

    def start_screens(self, t_ns: int) -> None:
        self._screen = FIXATION
        self.stamp_screen(FIXATION)

    def trial_frame(self, t_ns: int) -> None:
        task = self.task
        p = task.params
        ms = 1_000_000
        fixation, face = self.screens.get(FIXATION), self.screens.get(FACE)
        onset = task.stimulus_onset_ns
        if fixation is not None:
            self.change_at(FACE, fixation + int(p["fixation_ms"]) * ms, self._show_face)
        if face is not None:
            self.change_at(MOUTH, face + int(p["face_ms"]) * ms, self._show_mouth)
        if onset is not None and task.phase is Phase.RESPONSE:
            self.change_at(AFTER, onset + int(p["mouth_ms"]) * ms, self._hide_mouth)
        self.check_deadline(t_ns)

    def _show_face(self) -> None:
        self._screen = FACE
        self.stamp_screen(FACE)

    def _show_mouth(self) -> None:
        self._screen = MOUTH
        self.show_stimulus(self.task.stimulus_shown)

    def _hide_mouth(self) -> None:
        self._screen = AFTER
        self.on_next_frame(self.task.stimulus_hidden)

    # -- drawing -----------------------------------------------------------------------

    def paint_trial(self, painter: QPainter, area: QRectF) -> None:
        task = self.task
        u = self.unit(area)
        centre = QPointF(area.center().x(), area.top() + area.height() * 0.42)
        trial = task.current_trial
        if task.trial_running and trial is not None:
            if self._screen == FIXATION:
                draw_fixation(painter, centre, u)
            else:
                mouth = None
                if self._screen == MOUTH:
                    key = "short_mouth_mm" if trial.stimulus == "short" else "long_mouth_mm"
                    mouth = float(task.params[key])
                paint_face(painter, centre, 7 * u, mouth)
        elif self.showing_feedback() and task.last_feedback is not None:
            self._paint_feedback(painter, area, centre, task.last_feedback)
        self._paint_key_reminder(painter, area)

    def _paint_feedback(
        self, painter: QPainter, area: QRectF, centre: QPointF, feedback: Mapping[str, Any]
    ) -> None:
        u = self.unit(area)
        message = str(feedback["message"])
        if message == "reward":
            text = self.texts.get("lengths", "reward", cents=int(feedback["amount_cents"]))
            colour = palette.ACCENT
        else:
            text = self.texts.get("lengths", message)
            colour = palette.ACCENT if message == "correct" else palette.VERMILLION
        draw_line(
            painter,
            area,
            centre.y() - 2 * u,
            4 * u,
            text,
            self.make_font(area, 2.0, bold=True),
            colour,
        )

    def _paint_key_reminder(self, painter: QPainter, area: QRectF) -> None:
        """Each key with a short or long line under it: which mouth it answers."""
        u = self.unit(area)
        y = area.bottom() - 6.5 * u
        font = self.make_font(area, 1.1, bold=True)
        long_key = self._key_of("long")
        for mouth in ("short", "long"):
            key = self._key_of(mouth)
            left_side = key == str(self.task.params["key_left"])
            cx = area.center().x() + (-6 if left_side else 6) * u
            draw_keycap(painter, QRectF(cx - 1.4 * u, y, 2.8 * u, 2.8 * u), key_label(key), font)
            half = (1.5 if key == long_key else 0.9) * u
            painter.setPen(pen(palette.MUTED, max(1.5, 0.25 * u), Qt.PenCapStyle.FlatCap))
            painter.drawLine(QPointF(cx - half, y + 4 * u), QPointF(cx + half, y + 4 * u))
