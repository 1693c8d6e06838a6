"""Digits on screen: one large digit at a time, then a keypad to type them back.

A trial opens with "Watch" and a fixation ring for ``LEAD_IN_MS``; then each digit of
the sequence appears in the centre for ``digit_duration_ms``, one every
``digit_interval_ms``, and one interval after the last digit the recall screen
appears: the direction's prompt, one slot per digit, and a keypad. Digits are typed
with the number keys or by clicking (tapping) the keypad; Backspace or the Delete key
removes the last digit, Enter or the Enter key submits early (fewer digits count as
incorrect). A trial ends by itself when every slot is filled.

Timing is driven by presented frames, never by timers. Digit ``k`` is due at
``first_onset + (k - 1) * digit_interval_ms`` and is drawn on the frame whose
presentation falls nearest that time; its ``stimulus_onset`` carries that frame's
stamp. The first digit's own stamp anchors the rest, so frame quantisation never
accumulates. Until the recall screen is on screen inputs are not given to the task
(recorded as ``ignored_input``, reason ``before_onset``). A proctor's pause holds the
presentation; it continues after the pause with the same spacing.

Feedback ("Correct" / the right answer) follows the trials the ``feedback`` parameter
names. Before a part whose direction the instructions have not covered (the backward
part, or a first part that is backward), a screen says which order to use.
"""

from __future__ import annotations

import time
from typing import Unpack

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QWidget

from games.api import EventSink, GameConfig
from games.digits.task import DigitsTask, Stimulus
from games.engine import palette
from games.engine.qt.timing import StampedInput
from games.engine.qt.view import BotAction, BotMove, GameView, Stage, ViewOptions, kind_and_value

LEAD_IN_MS = 500  # trial start to the first digit ("Watch")

DIGIT_KEYS = {int(Qt.Key.Key_0) + d: d for d in range(10)}
DELETE_KEYS = {int(Qt.Key.Key_Backspace), int(Qt.Key.Key_Delete)}
SUBMIT_KEYS = {int(Qt.Key.Key_Return), int(Qt.Key.Key_Enter)}
# The keypad, row by row: digits, then delete, 0, enter.
KEYPAD: tuple[tuple[str | int, ...], ...] = (
    (1, 2, 3),
    (4, 5, 6),
    (7, 8, 9),
    ("delete", 0, "enter"),
)


class DigitsView(GameView[DigitsTask]):
    game_id = "digits"
    iti_ms = 1200

    def __init__(
        self,
        config: GameConfig,
        sink: EventSink,
        parent: QWidget | None = None,
        **options: Unpack[ViewOptions],
    ):
        super().__init__(config, sink, parent, **options)
        self._showing: Stimulus | None = None  # the digit (or recall screen) drawn
        self._anchor_ns: int | None = None  # when digit 1 is (or was) due
        self._hide_ns: int | None = None  # when the digit on screen goes off
        self._onset_pending = False
        self._paused_at: int | None = None
        self._ended_ns: int | None = None  # first frame after the last trial ended
        self._announced: str | None = None  # direction of the part last announced

    def make_task(self, config: GameConfig, sink: EventSink) -> DigitsTask:
        return DigitsTask(config.params, config.seed, sink)

    # -- flow ---------------------------------------------------------------------------

    def next_is_practice(self) -> bool:
        task = self.task
        trial = task.current_trial
        return bool(not task.trial_running and trial is not None and trial.practice)

    def current_is_practice(self) -> bool:
        task = self.task
        if not task.trial_running and task.last_outcome is not None:
            return task.last_outcome.trial.practice  # the screen is about this trial
        return super().current_is_practice()

    def trial_started(self, t_ns: int) -> None:
        # Nothing to answer until the recall screen: hold inputs back until its onset.
        self.awaiting_onset = True
        self._showing = None
        self._hide_ns = None
        self._ended_ns = None
        self._anchor_ns = t_ns + LEAD_IN_MS * 1_000_000
        trial = self.task.current_trial
        if trial is not None:
            self._announced = trial.direction

    def trial_frame(self, t_ns: int) -> None:
        task = self.task
        if not task.trial_running:
            self._between_trials(t_ns)
            return
        refresh = self.frames.refresh_ns
        upcoming = t_ns + refresh  # when the frame drawn next will be presented
        half = refresh // 2
        if self._hide_ns is not None and upcoming >= self._hide_ns - half:
            self._showing, self._hide_ns = None, None
        due = task.stimulus_due
        if self._onset_pending or due is None or self._anchor_ns is None:
            return
        trial = task.current_trial
        assert trial is not None
        interval = int(task.params["digit_interval_ms"]) * 1_000_000
        steps = due.position - 1 if due.kind == "digit" else trial.length
        if upcoming >= self._anchor_ns + steps * interval - half:
            self._showing = due
            self._onset_pending = True
            self.on_next_frame(self._presented)

    def _presented(self, t_ns: int, method: str, refresh_ns: int) -> None:
        self._onset_pending = False
        task = self.task
        due = task.stimulus_due
        if due is None or due != self._showing:
            return  # the game ended meanwhile
        if self.stage is Stage.PAUSED:
            self._showing = None  # drawn under the pause cover: show it again after
            return
        task.stimulus_shown(t_ns, method, refresh_ns)
        if due.kind == "digit":
            if due.position == 1:
                self._anchor_ns = t_ns
            self._hide_ns = t_ns + int(task.params["digit_duration_ms"]) * 1_000_000
        else:
            self.awaiting_onset = False

    def _between_trials(self, t_ns: int) -> None:
        """Announce a part whose order the instructions did not cover, after feedback."""
        task = self.task
        upcoming = task.current_trial
        if upcoming is None or upcoming.direction == self._announced:
            return
        if self._announced is None and upcoming.direction == "forward":
            self._announced = upcoming.direction  # the instructions describe this part
            return
        if self._ended_ns is None:
            self._ended_ns = t_ns
        # Feedback stays up for most of the interval; the announcement must come before
        # the interval ends, when the next trial would start.
        if self._feedback_due() and t_ns - self._ended_ns < self.iti_ms * 750_000:
            return
        self._announced = upcoming.direction
        self._ended_ns = None
        self._message = self.texts.get("digits", f"{upcoming.direction}_part")
        self.stage = Stage.MESSAGE

    def _feedback_due(self) -> bool:
        outcome = self.task.last_outcome
        if outcome is None:
            return False
        mode = self.task.params["feedback"]
        return bool(mode == "all" or (mode == "practice" and outcome.trial.practice))

    def pause(self) -> None:
        if self.stage not in (Stage.PAUSED, Stage.END, Stage.DONE):
            self._paused_at = time.perf_counter_ns()
        super().pause()

    def resume(self) -> None:
        if self.stage is Stage.PAUSED and self._paused_at is not None:
            # The sequence continues with the same spacing, shifted by the pause.
            span = time.perf_counter_ns() - self._paused_at
            if self._anchor_ns is not None:
                self._anchor_ns += span
            if self._hide_ns is not None:
                self._hide_ns += span
            self._paused_at = None
        super().resume()

    # -- geometry shared by painting and clicking --------------------------------------

    def _keypad(self, rect: QRectF) -> dict[str | int, QRectF]:
        u = self.unit(rect)
        w, h, gap = 5.0 * u, 3.4 * u, 0.8 * u
        left = rect.center().x() - (3 * w + 2 * gap) / 2
        top = rect.top() + rect.height() * 0.38
        return {
            label: QRectF(left + col * (w + gap), top + row * (h + gap), w, h)
            for row, labels in enumerate(KEYPAD)
            for col, label in enumerate(labels)
        }

    def _slots(self, rect: QRectF, n: int) -> list[QRectF]:
        u = self.unit(rect)
        gap = 0.8 * u
        room = min(rect.width() - 4 * u, 36 * u)
        w = min(3.0 * u, (room - (n - 1) * gap) / max(n, 1))
        h = 3.6 * u
        left = rect.center().x() - (n * w + (n - 1) * gap) / 2
        top = rect.top() + rect.height() * 0.26 - h / 2
        return [QRectF(left + k * (w + gap), top, w, h) for k in range(n)]

    def input_for(self, action: BotMove) -> BotAction:
        kind, digit = kind_and_value(action)
        keys = self._keypad(QRectF(self.canvas.rect()))
        if kind == "digit":
            return ("click", keys[int(digit)].center())
        if kind == "delete":
            return ("click", keys["delete"].center())
        if kind == "submit":
            return ("click", keys["enter"].center())
        raise ValueError(f"digits: no input for action {action!r}")

    # -- input -------------------------------------------------------------------------

    def trial_input(self, event: StampedInput) -> bool:
        if event.device == "key":
            key = event.key or 0
            if key in DIGIT_KEYS:
                return self._press(DIGIT_KEYS[key], event.t_ns)
            if key in DELETE_KEYS:
                return self._press("delete", event.t_ns)
            if key in SUBMIT_KEYS:
                return self._press("enter", event.t_ns)
            return False
        if event.x is None or event.y is None:
            return False
        point = QPointF(event.x, event.y)
        for label, box in self._keypad(QRectF(self.canvas.rect())).items():
            if box.contains(point):
                return self._press(label, event.t_ns)
        return False

    def _press(self, label: str | int, t_ns: int) -> bool:
        task = self.task
        if label == "delete":
            return task.delete_last(t_ns)
        if label == "enter":
            return task.submit(t_ns)
        assert isinstance(label, int)
        return task.enter_digit(label, t_ns)

    # -- drawing -----------------------------------------------------------------------

    def paint_trial(self, painter: QPainter, area: QRectF) -> None:
        task = self.task
        if task.trial_running:
            if self._showing is not None and self._showing.kind == "recall":
                self._paint_recall(painter, area)
            else:
                self._paint_presentation(painter, area)
        elif self._feedback_due():
            self._paint_feedback(painter, area)

    def _paint_presentation(self, painter: QPainter, area: QRectF) -> None:
        u = self.unit(area)
        painter.setPen(QColor(palette.MUTED))
        painter.setFont(self.make_font(area, 1.2, bold=True))
        header = QRectF(area.left(), area.top() + 1.5 * u, area.width(), 2.5 * u)
        painter.drawText(header, Qt.AlignmentFlag.AlignCenter, self.texts.get("digits", "watch"))
        centre = area.center()
        shown = self._showing
        if shown is not None and shown.kind == "digit":
            painter.setPen(QColor(palette.INK))
            painter.setFont(self.make_font(area, 9.0, bold=True))
            box = QRectF(centre.x() - 6 * u, centre.y() - 6 * u, 12 * u, 12 * u)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(shown.digit))
        else:
            # A quiet fixation ring where the digits appear.
            painter.setPen(QPen(QColor(palette.MUTED), max(1.0, 0.15 * u)))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(centre, 0.5 * u, 0.5 * u)

    def _paint_recall(self, painter: QPainter, area: QRectF) -> None:
        task = self.task
        trial = task.current_trial
        assert trial is not None
        u = self.unit(area)
        painter.setPen(QColor(palette.INK))
        painter.setFont(self.make_font(area, 1.2, bold=True))
        header = QRectF(area.left() + 2 * u, area.top() + 1.5 * u, area.width() - 4 * u, 5 * u)
        painter.drawText(
            header,
            Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap,
            self.texts.get("digits", trial.direction),
        )
        answer = task.answer
        painter.setFont(self.make_font(area, 2.0, bold=True))
        for k, slot in enumerate(self._slots(area, trial.length)):
            filled = k < len(answer)
            painter.setBrush(QColor(palette.WHITE))
            painter.setPen(
                QPen(
                    QColor(palette.ACCENT if k == len(answer) else palette.MUTED),
                    max(1.0, 0.12 * u),
                )
            )
            painter.drawRoundedRect(slot, 0.5 * u, 0.5 * u)
            if filled:
                painter.setPen(QColor(palette.INK))
                painter.drawText(slot, Qt.AlignmentFlag.AlignCenter, str(answer[k]))
        for label, box in self._keypad(area).items():
            self._paint_key(painter, area, box, label)

    def _paint_key(self, painter: QPainter, area: QRectF, box: QRectF, label: str | int) -> None:
        u = self.unit(area)
        if label == "enter":
            fill, ink, text = palette.ACCENT, palette.WHITE, self.texts.get("digits", "enter")
        elif label == "delete":
            fill, ink, text = palette.ACCENT_SOFT, palette.INK, self.texts.get("digits", "delete")
        else:
            fill, ink, text = palette.WHITE, palette.INK, str(label)
        painter.setBrush(QColor(fill))
        if fill == palette.WHITE:
            painter.setPen(QPen(QColor(palette.MUTED), max(1.0, 0.08 * u)))
        else:
            painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(box, 0.6 * u, 0.6 * u)
        painter.setPen(QColor(ink))
        size = 1.6 if isinstance(label, int) else 1.0
        painter.setFont(self._fitted(area, text, size, box.width() - 0.8 * u))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _fitted(self, area: QRectF, text: str, size: float, width: float) -> QFont:
        """A bold font of ``size`` units, smaller if ``text`` would not fit ``width``."""
        font = self.make_font(area, size, bold=True)
        while size > 0.6 and QFontMetricsF(font).horizontalAdvance(text) > width:
            size -= 0.05
            font = self.make_font(area, size, bold=True)
        return font

    def _paint_feedback(self, painter: QPainter, area: QRectF) -> None:
        outcome = self.task.last_outcome
        assert outcome is not None
        u = self.unit(area)
        if outcome.correct:
            text, colour = self.texts.get("digits", "correct"), palette.ACCENT
        else:
            target = " ".join(str(d) for d in outcome.trial.target)
            text = self.texts.get("digits", "incorrect", answer=target)
            colour = palette.VERMILLION
        painter.setPen(QColor(colour))
        painter.setFont(self.make_font(area, 2.0, bold=True))
        box = QRectF(area.left() + 2 * u, area.center().y() - 4 * u, area.width() - 4 * u, 8 * u)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
