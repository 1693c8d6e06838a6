"""Hard or Easy on screen: the choice (chance and rewards), the press task, the result.

A trial runs: "get ready" -> the choice screen (the round's chance of winning as a
number and a pie, and the two tasks as cards with their effort and reward) ->
"get ready" with the chosen task's key -> the press screen (presses done against
those needed, and the time left) -> the result for ``feedback_ms`` (completed or
not, and whether the round pays) -> rest for ``iti_ms``.

Each screen after a "get ready" appears on the first frame presented ``ready_ms`` or
more after the frame that showed "get ready"; the choice screen's frame goes to
``task.stimulus_shown`` and the press screen's to ``task.task_shown``. The choice and
the press task end on the first frame at or after their deadlines
(``task.timeout``: a random task is assigned, or the task is not completed).
Choose with the keys (F / J by default) or by clicking a card; press with the key
the press screen names.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath

from games.api import EventSink, GameConfig
from games.engine import palette
from games.engine.qt.timed import (
    TimedView,
    draw_keycap,
    draw_line,
    draw_progress,
    key_label,
    key_name,
    pen,
    qt_key,
)
from games.engine.qt.timing import StampedInput
from games.engine.qt.view import BotAction, BotMove
from games.hard_or_easy.task import CHOICES, HardOrEasyTask, Phase

READY, CHOICE, TASK_READY, PRESSING = "ready", "choice", "task_ready", "pressing"
CARD_COLOURS = {"easy": palette.ACCENT, "hard": palette.ORANGE}


class HardOrEasyView(TimedView[HardOrEasyTask]):
    game_id = "hard_or_easy"

    def make_task(self, config: GameConfig, sink: EventSink) -> HardOrEasyTask:
        self._screen = READY
        return HardOrEasyTask(config.params, config.seed, sink)

    def money(self, amount: float) -> str:
        return f"{self.task.params['currency']}{amount:.2f}"

    def instruction_values(self) -> dict[str, object]:
        p = self.task.params
        return {
            "easy_key": key_label(str(p["easy_press_key"])),
            "hard_key": key_label(str(p["hard_press_key"])),
            "easy_presses": p["easy_presses"],
            "hard_presses": p["hard_presses"],
            "easy_seconds": f"{int(p['easy_time_ms']) / 1000:g}",
            "hard_seconds": f"{int(p['hard_time_ms']) / 1000:g}",
            "easy_reward": self.money(float(p["reward_easy"])),
            "choose_easy": key_label(str(p["choice_key_easy"])),
            "choose_hard": key_label(str(p["choice_key_hard"])),
        }

    # -- geometry shared by painting and clicking --------------------------------------

    def cards(self, rect: QRectF) -> dict[str, QRectF]:
        """The two task cards of the choice screen, easy on the left."""
        u = self.unit(rect)
        width, height = min(15 * u, rect.width() / 2 - 3 * u), 15 * u
        top = rect.top() + rect.height() * 0.36
        cx = rect.center().x()
        return {
            "easy": QRectF(cx - 1.5 * u - width, top, width, height),
            "hard": QRectF(cx + 1.5 * u, top, width, height),
        }

    def input_for(self, action: BotMove) -> BotAction:
        return ("key", qt_key(str(action)))

    # -- frames ------------------------------------------------------------------------

    def start_screens(self, t_ns: int) -> None:
        self._screen = READY
        self.stamp_screen(READY)

    def trial_frame(self, t_ns: int) -> None:
        task = self.task
        ready_ns = int(task.params["ready_ms"]) * 1_000_000
        ready, task_ready = self.screens.get(READY), self.screens.get(TASK_READY)
        if ready is not None:
            self.change_at(CHOICE, ready + ready_ns, self._show_choice)
        if task_ready is not None:
            self.change_at(PRESSING, task_ready + ready_ns, self._show_press_task)
        if task.phase in (Phase.CHOICE, Phase.PRESSING):
            self.check_deadline(t_ns)
        self._follow_choice()

    def _show_choice(self) -> None:
        self._screen = CHOICE
        self.show_stimulus(self.task.stimulus_shown)

    def _follow_choice(self) -> None:
        """Once a task is chosen (or assigned), the next frame shows its "get ready"."""
        if self.task.phase is Phase.TASK_READY and self._screen == CHOICE:
            self._screen = TASK_READY
            self.stamp_screen(TASK_READY)

    def _show_press_task(self) -> None:
        self._screen = PRESSING
        self.show_stimulus(self.task.task_shown)

    # -- input -------------------------------------------------------------------------

    def respond_to(self, event: StampedInput) -> bool:
        task = self.task
        if not task.trial_running:
            return False
        used = False
        if event.device == "key":
            name = key_name(event.key)
            used = bool(name) and bool(task.respond(name, event.t_ns))
        elif event.x is not None and event.y is not None and task.phase is Phase.CHOICE:
            point = QPointF(event.x, event.y)
            for choice, card in self.cards(QRectF(self.canvas.rect())).items():
                if card.contains(point):
                    used = bool(task.respond(choice, event.t_ns))
        self._follow_choice()
        return used

    # -- drawing -----------------------------------------------------------------------

    def paint_trial(self, painter: QPainter, area: QRectF) -> None:
        task = self.task
        u = self.unit(area)
        trial = task.current_trial
        if task.trial_running and trial is not None:
            if self._screen == READY:
                draw_line(
                    painter,
                    area,
                    area.top() + area.height() * 0.42,
                    4 * u,
                    self.texts.get("hard_or_easy", "ready"),
                    self.make_font(area, 2.2, bold=True),
                    palette.MUTED,
                )
            elif self._screen == CHOICE:
                self._paint_choice(
                    painter,
                    area,
                    trial.probability,
                    {"easy": trial.reward_easy, "hard": trial.reward_hard},
                )
            else:
                self._paint_task(painter, area, ready=self._screen == TASK_READY)
        elif self.showing_feedback():
            self._paint_feedback(painter, area)

    def _paint_choice(
        self, painter: QPainter, area: QRectF, probability: float, rewards: dict[str, float]
    ) -> None:
        u = self.unit(area)
        p = self.task.params
        percent = round(probability * 100)
        draw_line(
            painter,
            area,
            area.top() + area.height() * 0.08,
            3.5 * u,
            self.texts.get("hard_or_easy", "chance", prob=percent),
            self.make_font(area, 2.0, bold=True),
        )
        self._paint_pie(
            painter,
            QPointF(area.center().x(), area.top() + area.height() * 0.25),
            2.6 * u,
            probability,
        )
        for choice, card in self.cards(area).items():
            colour = CARD_COLOURS[choice]
            painter.setPen(pen(colour, 0.25 * u))
            painter.setBrush(QColor(palette.WHITE))
            painter.drawRoundedRect(card, 1.0 * u, 1.0 * u)
            inner = card.adjusted(u, 0, -u, 0)
            draw_line(
                painter,
                inner,
                card.top() + 1.2 * u,
                3 * u,
                self.texts.get("hard_or_easy", choice),
                self.make_font(area, 2.0, bold=True),
            )
            draw_line(
                painter,
                inner,
                card.top() + 4.4 * u,
                2.2 * u,
                self.texts.get(
                    "hard_or_easy",
                    "effort",
                    presses=p[f"{choice}_presses"],
                    seconds=f"{int(p[f'{choice}_time_ms']) / 1000:g}",
                ),
                self.make_font(area, 1.05),
                palette.MUTED,
            )
            draw_line(
                painter,
                inner,
                card.top() + 7.0 * u,
                3 * u,
                self.texts.get("hard_or_easy", "pays", amount=self.money(rewards[choice])),
                self.make_font(area, 1.6, bold=True),
            )
            cap = QRectF(card.center().x() - 1.4 * u, card.bottom() - 4.2 * u, 2.8 * u, 2.8 * u)
            draw_keycap(
                painter,
                cap,
                key_label(str(p[f"choice_key_{choice}"])),
                self.make_font(area, 1.1, bold=True),
            )
        self._paint_time_left(painter, area)

    def _paint_pie(
        self, painter: QPainter, centre: QPointF, radius: float, fraction: float
    ) -> None:
        box = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
        painter.setPen(pen(palette.INK, radius * 0.06))
        painter.setBrush(QColor(palette.ACCENT_SOFT))
        painter.drawEllipse(box)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(palette.GREEN))
        wedge = QPainterPath(centre)
        wedge.arcTo(box, 90.0, -360.0 * fraction)  # clockwise from twelve o'clock
        wedge.closeSubpath()
        painter.drawPath(wedge)
        painter.setPen(pen(palette.INK, radius * 0.06))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(box)

    def _paint_task(self, painter: QPainter, area: QRectF, *, ready: bool) -> None:
        task = self.task
        u = self.unit(area)
        choice = task.choice or CHOICES[0]
        key = key_label(task.press_key or "")
        draw_line(
            painter,
            area,
            area.top() + area.height() * 0.12,
            4 * u,
            self.texts.get(
                "hard_or_easy",
                "task_ready",
                task=self.texts.get("hard_or_easy", choice),
                press_key=key,
            ),
            self.make_font(area, 2.0, bold=True),
        )
        size = 5 * u
        cap = QRectF(area.center().x() - size / 2, area.top() + area.height() * 0.26, size, size)
        draw_keycap(painter, cap, key, self.make_font(area, 2.2, bold=True), highlight=not ready)
        status_y = cap.bottom() + 2.5 * u
        if ready:
            draw_line(
                painter,
                area,
                status_y,
                4 * u,
                self.texts.get("hard_or_easy", "ready"),
                self.make_font(area, 2.2, bold=True),
                palette.MUTED,
            )
            return
        needed = task.required_presses or 1
        draw_line(
            painter,
            area,
            status_y,
            4 * u,
            self.texts.get("hard_or_easy", "press", done=task.presses, needed=needed),
            self.make_font(area, 2.4, bold=True),
        )
        bar = QRectF(area.center().x() - 14 * u, status_y + 5 * u, 28 * u, 1.6 * u)
        draw_progress(painter, bar, task.presses / needed, CARD_COLOURS[choice])
        self._paint_time_left(painter, area)

    def _paint_time_left(self, painter: QPainter, area: QRectF) -> None:
        """A thin bar that empties as the phase's time runs out, and the seconds left."""
        task = self.task
        u = self.unit(area)
        limit = task.current_deadline_ns
        onset = task.phase_onset_ns
        if limit is None or onset is None:
            fraction, seconds = 1.0, limit / 1e9 if limit else 0.0
        else:
            left_ns = max(0, onset + limit - self.last_frame_ns)
            fraction, seconds = left_ns / limit, left_ns / 1e9
        bar = QRectF(area.center().x() - 14 * u, area.bottom() - 4.5 * u, 28 * u, 0.6 * u)
        draw_progress(painter, bar, fraction, palette.MUTED)
        draw_line(
            painter,
            area,
            bar.bottom() + 0.4 * u,
            2 * u,
            self.texts.get("hard_or_easy", "time_left", seconds=math.ceil(seconds)),
            self.make_font(area, 0.95),
            palette.MUTED,
        )

    def _paint_feedback(self, painter: QPainter, area: QRectF) -> None:
        task = self.task
        feedback, outcome = task.last_feedback, task.last_outcome
        if feedback is None or outcome is None:
            return
        u = self.unit(area)
        trial = task.schedule[outcome.trial_index]
        completed = bool(feedback["completed"])
        y = area.top() + area.height() * 0.32
        draw_line(
            painter,
            area,
            y,
            4 * u,
            self.texts.get("hard_or_easy", "completed" if completed else "not_completed"),
            self.make_font(area, 2.2, bold=True),
            palette.ACCENT if completed else palette.VERMILLION,
        )
        reward = trial.reward_hard if outcome.choice == "hard" else trial.reward_easy
        if not feedback["won"]:
            line = self.texts.get("hard_or_easy", "no_win")
        elif trial.practice:
            line = self.texts.get("hard_or_easy", "practice_won", amount=self.money(reward))
        else:
            amount = self.money(float(feedback["amount"]))
            line = self.texts.get("hard_or_easy", "won", amount=amount)
        draw_line(painter, area, y + 5 * u, 3 * u, line, self.make_font(area, 1.6, bold=True))
        if not trial.practice:
            draw_line(
                painter,
                area,
                y + 9 * u,
                2.5 * u,
                self.texts.get(
                    "hard_or_easy", "total", amount=self.money(float(feedback["total_winnings"]))
                ),
                self.make_font(area, 1.1),
                palette.MUTED,
            )
