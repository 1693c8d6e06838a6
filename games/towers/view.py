"""Towers on screen: a small goal picture above, the candidate's pegs below.

Three pegs of heights 3, 2 and 1 stand on a base; the balls are told apart by colour
and by a letter on each (R, G, B), so colour is never the only cue. A click (tap) on a
peg, or its key 1, 2 or 3, lifts the peg's top ball (drawn raised above the peg); a
second click or key on another peg puts it there, on the same peg puts it back. Moves
the rules forbid (onto a full peg) are recorded by the task and the ball stays lifted.
"Start over" (button or Backspace) gives up the try; the next try starts from the
start position.

The view adds two events of its own, each with the input's stamp: ``lift`` (``peg``,
``ball``, ``attempt``) when a ball is lifted, and ``put_back`` (``peg``, ``attempt``)
when it is put back on its own peg; a press on an empty peg with nothing lifted is an
``ignored_input`` with reason ``empty_peg``.

Each try's board appears on a frame and its stamp is the try's onset, from which the
task's time limit runs; the view checks the deadline on every presented frame (no
timers). Between tries a short message says why the try ended, then the board comes
back in its start position; between problems "Solved" or "Not solved" shows. A
proctor's pause does not count against the time limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Unpack

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from games.api import EventSink, GameConfig
from games.engine import palette
from games.engine.qt.timing import StampedInput
from games.engine.qt.view import BotAction, BotMove, GameView, Stage, ViewOptions, kind_and_value
from games.towers.task import CAPACITY, State, TowersTask

ATTEMPT_FEEDBACK_MS = 1500  # between tries: why the try ended, before the board resets

PEG_KEYS = {int(Qt.Key.Key_1): 0, int(Qt.Key.Key_2): 1, int(Qt.Key.Key_3): 2}
START_OVER_KEYS = {int(Qt.Key.Key_Backspace)}
BALL_COLOURS = {"red": palette.VERMILLION, "green": palette.GREEN, "blue": palette.ACCENT}


@dataclass(frozen=True)
class Board:
    """Where one board's pegs and balls go, in pixels."""

    peg_x: tuple[float, ...]
    base_y: float  # top of the base bar
    ball: float  # ball diameter
    spacing: float  # between peg centres

    def ball_centre(self, peg: int, level: int) -> QPointF:
        return QPointF(self.peg_x[peg], self.base_y - self.ball * (level + 0.5))

    def lifted_centre(self, peg: int) -> QPointF:
        """Above the tallest peg, over ``peg``."""
        top = self.base_y - self.ball * max(CAPACITY)
        return QPointF(self.peg_x[peg], top - self.ball * 0.9)


class TowersView(GameView[TowersTask]):
    game_id = "towers"
    iti_ms = 1500

    def __init__(
        self,
        config: GameConfig,
        sink: EventSink,
        parent: QWidget | None = None,
        **options: Unpack[ViewOptions],
    ):
        super().__init__(config, sink, parent, **options)
        self._lifted: int | None = None  # peg whose top ball is lifted
        self._attempt_shown = 0  # the try whose board is on screen (0: none)
        self._feedback_until: int | None = None  # between tries: board returns then
        self._paused_at: int | None = None

    def make_task(self, config: GameConfig, sink: EventSink) -> TowersTask:
        return TowersTask(config.params, config.seed, sink)

    # -- flow ---------------------------------------------------------------------------

    def current_is_practice(self) -> bool:
        task = self.task
        if not task.trial_running and task.last_outcome is not None:
            return task.schedule[task.last_outcome.trial_index].practice
        return super().current_is_practice()

    def trial_started(self, t_ns: int) -> None:
        self._lifted = None
        self._attempt_shown = self.task.attempt
        super().trial_started(t_ns)  # the first try's board shows on the next frame

    def trial_frame(self, t_ns: int) -> None:
        task = self.task
        if not task.trial_running:
            return
        if self._feedback_until is not None:
            if t_ns + self.frames.refresh_ns // 2 >= self._feedback_until:
                self._feedback_until = None
                self._attempt_shown = task.attempt
                self.show_stimulus(task.stimulus_shown)  # the next try's board
            return
        deadline = task.attempt_deadline_ns
        if deadline is not None and not task.awaiting_onset and t_ns >= deadline:
            task.time_out(t_ns)
            self._after_change(t_ns)

    def _after_change(self, t_ns: int) -> None:
        """After the task acted: a try that ended brings its message, then a new board."""
        task = self.task
        if not task.trial_running:
            self._lifted = None
            return
        if task.attempt != self._attempt_shown:
            self._lifted = None
            self._attempt_shown = 0
            self._feedback_until = t_ns + ATTEMPT_FEEDBACK_MS * 1_000_000
            self.awaiting_onset = True  # nothing to answer until the board is back

    def pause(self) -> None:
        if self.stage not in (Stage.PAUSED, Stage.END, Stage.DONE):
            self._paused_at = time.perf_counter_ns()
        super().pause()

    def resume(self) -> None:
        if self.stage is Stage.PAUSED and self._paused_at is not None:
            now = time.perf_counter_ns()
            span = now - self._paused_at
            self._paused_at = None
            if self._feedback_until is not None:
                self._feedback_until += span
            elif self.task.trial_running:
                self.task.extend_time_limit(span, now)
        super().resume()

    # -- geometry shared by painting and clicking --------------------------------------

    def _origin_y(self, rect: QRectF) -> float:
        """Top of the 40-unit-high layout, centred in taller windows."""
        u = self.unit(rect)
        return rect.top() + max(0.0, (rect.height() - 40 * u) / 2)

    def _goal_board(self, rect: QRectF) -> Board:
        u = self.unit(rect)
        ball, spacing = 2.0 * u, 5.0 * u
        cx = rect.center().x()
        base = self._origin_y(rect) + 6.6 * u + max(CAPACITY) * ball + 0.4 * u
        return Board((cx - spacing, cx, cx + spacing), base, ball, spacing)

    def _main_board(self, rect: QRectF) -> Board:
        u = self.unit(rect)
        ball, spacing = 3.4 * u, 8.5 * u
        cx = rect.center().x()
        base = self._origin_y(rect) + 31.6 * u
        return Board((cx - spacing, cx, cx + spacing), base, ball, spacing)

    def _columns(self, rect: QRectF) -> list[QRectF]:
        """The click (tap) area of each peg of the candidate's board."""
        u = self.unit(rect)
        board = self._main_board(rect)
        top = board.lifted_centre(0).y() - board.ball * 0.6
        bottom = board.base_y + 3.0 * u
        half = board.spacing / 2 - 0.2 * u
        return [QRectF(x - half, top, 2 * half, bottom - top) for x in board.peg_x]

    def _start_over_button(self, rect: QRectF) -> QRectF:
        u = self.unit(rect)
        w, h = 10.0 * u, 2.8 * u
        return QRectF(rect.center().x() - w / 2, self._origin_y(rect) + 35.4 * u, w, h)

    def input_for(self, action: BotMove) -> BotAction:
        kind, pegs = kind_and_value(action)  # ("move", (from_peg, to_peg))
        rect = QRectF(self.canvas.rect())
        if kind == "give_up":
            return ("click", self._start_over_button(rect).center())
        if kind != "move":
            raise ValueError(f"towers: no input for action {action!r}")
        from_peg, to_peg = pegs
        columns = self._columns(rect)
        if self._lifted is None:
            peg = from_peg  # lift first
        elif self._lifted == from_peg:
            peg = to_peg  # then put it down
        else:
            peg = self._lifted  # another ball is up: put that one back first
        return ("click", columns[peg].center())

    # -- input -------------------------------------------------------------------------

    def trial_input(self, event: StampedInput) -> bool:
        if event.device == "key":
            key = event.key or 0
            if key in PEG_KEYS:
                return self._select(PEG_KEYS[key], event)
            if key in START_OVER_KEYS:
                return self._start_over(event.t_ns)
            return False
        if event.x is None or event.y is None:
            return False
        rect = QRectF(self.canvas.rect())
        point = QPointF(event.x, event.y)
        if self._start_over_button(rect).contains(point):
            return self._start_over(event.t_ns)
        for peg, column in enumerate(self._columns(rect)):
            if column.contains(point):
                return self._select(peg, event)
        return False

    def _start_over(self, t_ns: int) -> bool:
        used = self.task.give_up(t_ns)
        self._after_change(t_ns)
        return bool(used)

    def _select(self, peg: int, event: StampedInput) -> bool:
        task = self.task
        trial = task.current_trial
        index = trial.index if trial is not None else None
        if self._lifted is None:
            if not task.board[peg]:
                self.sink.emit(
                    "ignored_input",
                    {"reason": "empty_peg", "peg": peg, "device": event.device},
                    trial_index=index,
                    t_ns=event.t_ns,
                )
                return False
            self._lifted = peg
            self.sink.emit(
                "lift",
                {"peg": peg, "ball": task.board[peg][-1], "attempt": task.attempt},
                trial_index=index,
                t_ns=event.t_ns,
            )
            return True
        source = self._lifted
        if peg == source:
            self._lifted = None
            self.sink.emit(
                "put_back",
                {"peg": peg, "attempt": task.attempt},
                trial_index=index,
                t_ns=event.t_ns,
            )
            return True
        attempt = task.attempt
        moved = task.move(source, peg, event.t_ns)
        if moved or task.attempt != attempt or not task.trial_running:
            self._lifted = None  # a refused move (full peg) keeps the ball up
        self._after_change(event.t_ns)
        return bool(moved)

    # -- drawing -----------------------------------------------------------------------

    def paint_trial(self, painter: QPainter, area: QRectF) -> None:
        task = self.task
        u = self.unit(area)
        t = self.texts
        top = self._origin_y(area)
        if not task.trial_running:
            outcome = task.last_outcome
            if outcome is not None:
                solved = outcome.solved
                painter.setPen(QColor(palette.ACCENT if solved else palette.VERMILLION))
                painter.setFont(self.make_font(area, 2.0, bold=True))
                painter.drawText(
                    QRectF(area.left(), area.center().y() - 3 * u, area.width(), 6 * u),
                    Qt.AlignmentFlag.AlignCenter,
                    t.get("towers", "solved" if solved else "not_solved"),
                )
            return
        trial = task.current_trial
        assert trial is not None
        painter.setPen(QColor(palette.INK))
        painter.setFont(self.make_font(area, 1.2, bold=True))
        header = QRectF(area.left(), top + 1.2 * u, area.width(), 2.5 * u)
        attempt = self._attempt_shown or task.attempt
        status = t.get("towers", "attempt", n=attempt, total=int(task.params["max_attempts"]))
        if self._feedback_until is None:
            status += "     " + t.get("towers", "moves", n=task.moves_in_attempt)
        painter.drawText(header, Qt.AlignmentFlag.AlignCenter, status)
        goal = self._goal_board(area)
        self._paint_label(painter, area, t.get("towers", "goal"), goal, 4.2 * u)
        self._paint_board(painter, area, goal, trial.goal, lifted=None)
        main = self._main_board(area)
        if self._feedback_until is not None:
            self._paint_attempt_message(painter, area, main)
            return
        self._paint_label(painter, area, t.get("towers", "yours"), main, 14.2 * u)
        if self._lifted is not None:
            column = self._columns(area)[self._lifted]
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(palette.ACCENT_SOFT))
            painter.drawRoundedRect(column, 0.8 * u, 0.8 * u)
        self._paint_board(painter, area, main, task.board, lifted=self._lifted, numbers=True)
        self._paint_start_over(painter, area)

    def _paint_label(
        self, painter: QPainter, area: QRectF, text: str, board: Board, height: float
    ) -> None:
        """A small caption above a board, ``height`` units below the layout's top."""
        u = self.unit(area)
        painter.setPen(QColor(palette.MUTED))
        painter.setFont(self.make_font(area, 1.0, bold=True))
        box = QRectF(area.left(), self._origin_y(area) + height, area.width(), 2.0 * u)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_board(
        self,
        painter: QPainter,
        area: QRectF,
        board: Board,
        state: State,
        *,
        lifted: int | None,
        numbers: bool = False,
    ) -> None:
        u = self.unit(area)
        d = board.ball
        bar_h = max(2.0, 0.22 * d)
        half_width = board.spacing * 1.5
        centre_x = board.peg_x[1]
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(palette.MUTED))
        base = QRectF(centre_x - half_width, board.base_y, 2 * half_width, bar_h)
        painter.drawRoundedRect(base, bar_h / 2, bar_h / 2)
        peg_w = max(2.0, 0.16 * d)
        for peg, x in enumerate(board.peg_x):
            height = CAPACITY[peg] * d + 0.15 * d
            painter.drawRoundedRect(
                QRectF(x - peg_w / 2, board.base_y - height, peg_w, height + 1),
                peg_w / 2,
                peg_w / 2,
            )
        for peg, balls in enumerate(state):
            for level, ball in enumerate(balls):
                on_top = level == len(balls) - 1
                if lifted == peg and on_top:
                    self._paint_ball(painter, area, board.lifted_centre(peg), d, ball, raised=True)
                else:
                    self._paint_ball(painter, area, board.ball_centre(peg, level), d, ball)
        if numbers:
            painter.setPen(QColor(palette.MUTED))
            painter.setFont(self.make_font(area, 1.0, bold=True))
            for peg, x in enumerate(board.peg_x):
                box = QRectF(x - 2 * u, board.base_y + bar_h + 0.3 * u, 4 * u, 1.8 * u)
                painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(peg + 1))

    def _paint_ball(
        self,
        painter: QPainter,
        area: QRectF,
        centre: QPointF,
        diameter: float,
        ball: str,
        *,
        raised: bool = False,
    ) -> None:
        u = self.unit(area)
        radius = diameter * 0.46
        if raised:
            painter.setPen(QPen(QColor(palette.ACCENT), max(1.5, 0.2 * u)))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(centre, radius + 0.35 * u, radius + 0.35 * u)
        painter.setPen(QPen(QColor(palette.INK), max(1.0, 0.06 * diameter)))
        painter.setBrush(QColor(BALL_COLOURS[ball]))
        painter.drawEllipse(centre, radius, radius)
        # The second cue: each ball's letter, so colour is never needed to tell them apart.
        painter.setPen(QColor(palette.WHITE))
        font = self.make_font(area, 1.0, bold=True)
        font.setPixelSize(max(8, round(diameter * 0.48)))
        painter.setFont(font)
        painter.drawText(
            QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius),
            Qt.AlignmentFlag.AlignCenter,
            self.texts.get("towers", f"ball_{ball}"),
        )

    def _paint_start_over(self, painter: QPainter, area: QRectF) -> None:
        u = self.unit(area)
        box = self._start_over_button(area)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(palette.ACCENT_SOFT))
        painter.drawRoundedRect(box, 0.6 * u, 0.6 * u)
        painter.setPen(QColor(palette.INK))
        painter.setFont(self.make_font(area, 1.0, bold=True))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.texts.get("towers", "start_over"))

    def _paint_attempt_message(self, painter: QPainter, area: QRectF, board: Board) -> None:
        u = self.unit(area)
        ended = self.task.last_attempt
        reason = ended.reason if ended is not None else ""
        lines = []
        if reason == "move_limit":
            lines.append(self.texts.get("towers", "too_many_moves"))
        elif reason == "time_limit":
            lines.append(self.texts.get("towers", "time_up"))
        lines.append(self.texts.get("towers", "again"))
        painter.setPen(QColor(palette.VERMILLION))
        painter.setFont(self.make_font(area, 1.6, bold=True))
        box = QRectF(area.left() + 2 * u, board.base_y - 10 * u, area.width() - 4 * u, 8 * u)
        painter.drawText(
            box, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, "\n".join(lines)
        )
