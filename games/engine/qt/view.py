"""The frame every game's widget shares: instructions, trials, pause, end.

A game's view subclasses :class:`GameView` and supplies its task (the Qt-free state
machine from its ``task.py``), how a trial looks (``paint_trial``), what an input does
(``trial_input``), and what happens as frames pass (``trial_frame``). The base class
runs the flow every game has:

1. **Instructions** in the candidate's language, then "press Space to begin".
2. **Trials**, practice first (marked "Practice" on screen), with an interstitial
   when practice is over. Trials start on a frame after the inter-trial interval;
   by default the stimulus is drawn on that frame and the presentation stamp of the
   frame that showed it goes to ``task.stimulus_shown``.
3. **End screen**, then ``finished`` carries the task's :class:`GameSummary`.

**Continue screens** - the instructions, every interstitial (``Stage.MESSAGE``: end
of practice, a new part, a role, the welcome back after a crash) and the end screen
- go on at Space, Enter, a click or a tap, but only through the view's
:class:`~games.engine.gate.ContinueGate`: the screen must have been on for
:data:`~games.engine.gate.MIN_SHOWN_MS` (700 ms) since the frame that first showed
it, and a key must be a fresh press, neither an auto-repeat nor a key held down
since before the screen appeared. An input turned away is recorded as
``input_gated`` (payload ``reason``: ``too_soon``, ``auto_repeat`` or
``held_from_before``, ``device``, ``key``, ``ms_since_shown``). A bot asks
:meth:`GameView.continue_ready` before it presses.

**Key auto-repeat during trials.** Holding a key makes the system repeat it. Such a
repeat is not a new decision, tap or pump, so by default a view ignores it and
records an ``ignored_input`` with reason ``auto_repeat``; a view that wants some
repeats overrides :meth:`GameView.accepts_auto_repeat`. Per game:

================  ============================================================
game              an auto-repeated key press during a trial is
================  ============================================================
arrows            ignored: one response per trial
balloons          ignored: a held Space is not a series of pumps, a held
                  Enter must not collect the next balloon
cards             ignored: a held number key must not take further cards
digits            ignored: a digit (or Backspace) counts once per press
exchange_split    amount keys (arrows, −, +) repeat and move the amount
                  (``amount_changed`` with ``via`` ``key_repeat``); Enter,
                  Accept (A) and Reject (R) are ignored
exchange_trust    amount keys repeat as above; Enter is ignored
faces             ignored: one label per trial
hard_or_easy      ignored: the effort task counts presses, a held key is
                  not pressing
keypresses        ignored: tapping speed counts taps, a held key is not
                  tapping
lengths           ignored: one response per trial
reversal          ignored: one choice per trial
stop              ignored: a key held from the last trial is no response
towers            ignored: one lift or move per press
================  ============================================================

Mouse: every click is a press, including the second of two quick clicks that Qt
delivers as a double click (see :mod:`games.engine.qt.timing`).

**Text size.** ``config.text_scale`` (1.0 by default; the candidate's "larger text")
scales every font made by :meth:`GameView.make_font` and the continue screens' layout.

Everything is driven by presented frames (see :mod:`games.engine.qt.canvas`); there are
no stimulus timers. A proctor may :meth:`pause` (the candidate sees "Paused by your
proctor"; a ``pause`` event marks the trial it interrupted) and :meth:`resume`;
:meth:`interrupt` ends the game cleanly at any point. Every game run ends with a
``frame_stats`` event: presented-frame intervals and dropped frames.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, Protocol, TypedDict, TypeVar, cast

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QVBoxLayout, QWidget

from games.api import EventRecord, EventSink, GameConfig, GameSummary, GameTask
from games.engine import palette
from games.engine.gate import ContinueGate, GatedInput
from games.engine.qt.canvas import make_canvas, refresh_period_ns
from games.engine.qt.timing import FrameStats, StampedInput, install_stamper
from games.engine.resume import LoggedTask, SwitchSink, last_committed_trial, replay
from games.engine.texts import texts_for

__all__ = [
    "CONTINUE_KEYS",
    "CONTINUE_STAGES",
    "BotAction",
    "BotMove",
    "GameView",
    "Stage",
    "TaskT",
    "TrialOutcome",
    "ViewOptions",
    "kind_and_value",
]

OnsetCallback = Callable[[int, str, int], object]

CONTINUE_KEYS = frozenset({int(Qt.Key.Key_Space), int(Qt.Key.Key_Return), int(Qt.Key.Key_Enter)})


class Stage(enum.StrEnum):
    INSTRUCTIONS = "instructions"
    RUNNING = "running"
    MESSAGE = "message"  # an interstitial, e.g. "practice is over"
    PAUSED = "paused"
    END = "end"
    DONE = "done"  # finished signal sent


CONTINUE_STAGES = frozenset({Stage.INSTRUCTIONS, Stage.MESSAGE, Stage.END})
"""Stages that show a text screen the candidate goes on from (through the gate)."""


BotAction = tuple[str, Any]
"""How a bot performs an action: ``("key", Qt.Key)`` or ``("click", QPointF)``."""

BotMove = str | tuple[str, Any]
"""A simulated player's move (:attr:`games.api.BotInput.action`): a key name, or
``(kind, value)`` for the games played by clicking."""


def kind_and_value(action: BotMove) -> tuple[str, Any]:
    """The ``(kind, value)`` of a move in a game played by clicking (not a key name)."""
    if isinstance(action, str):
        raise ValueError(f"not a (kind, value) move: {action!r}")
    return action


class TrialOutcome(Protocol):
    """What the engine reads of a task's ``last_outcome``: the trial it closed."""

    @property
    def trial_index(self) -> int: ...


class ViewOptions(TypedDict, total=False):
    """The keyword arguments of :class:`GameView`, for subclasses that pass them on."""

    resume_events: Sequence[EventRecord] | None


TaskT = TypeVar("TaskT", bound=GameTask, covariant=True)
"""The task a view presents: every game's task is a :class:`games.api.GameTask`."""


class GameView(QWidget, Generic[TaskT]):
    """Base widget of a game. Subclasses set ``game_id`` and implement the hooks.

    ``GameView[TheTask]``: ``self.task`` is typed as the game's task, although it is
    the call-logging wrapper around it (:class:`~games.engine.resume.LoggedTask`),
    which passes every attribute through.
    """

    game_id: ClassVar[str]
    iti_ms: ClassVar[int] = 500
    # Whether a simulated player must keep real time here (timed games measure response
    # times and rates) or may play faster (choice games: decisions, not speed, count).
    bot_in_real_time: ClassVar[bool] = False
    finished = Signal(object)  # GameSummary

    def __init__(
        self,
        config: GameConfig,
        sink: EventSink,
        parent: QWidget | None = None,
        *,
        resume_events: Sequence[EventRecord] | None = None,
    ):
        super().__init__(parent)
        self.config = config
        self.sink = sink
        self.texts = texts_for(config.language)
        # The task talks to a switchable sink so a crashed run can be rebuilt by
        # replaying its logged calls into nowhere, then continue into the recorder.
        task_sink = SwitchSink(None if resume_events else sink)
        raw_task = self.make_task(config, task_sink)
        self.resumed_after: int | None = None
        if resume_events:
            self._rebuild(raw_task, resume_events)
            task_sink.target = sink
        # The wrapper forwards every attribute to the task (logging its calls), so it
        # stands for the task; this is the one place the type checker is told so.
        self.task = cast(TaskT, LoggedTask(raw_task, sink))
        self.continue_gate = ContinueGate()
        self._stage = Stage.DONE  # set for real just below, which arms the gate
        self.stage = Stage.INSTRUCTIONS
        self._stage_before_pause = Stage.INSTRUCTIONS
        self._message = ""
        self._iti_until: int | None = None
        self._onset_waiters: list[OnsetCallback] = []
        self._last_was_practice = False
        self._interrupted = False
        self.last_frame_ns = 0
        self.awaiting_onset = False
        if resume_events:
            # Back after an interruption: a word of welcome, then straight on.
            self._message = self.texts.get("common", "resume_message")
            self.stage = Stage.MESSAGE
        self.canvas = make_canvas(self, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)
        self.setFocusProxy(self.canvas)
        self.frames = FrameStats(refresh_ns=refresh_period_ns(self))
        install_stamper()
        self.canvas.start()

    def _rebuild(self, task: GameTask, events: Sequence[EventRecord]) -> None:
        last = last_committed_trial(events)
        # Replay up to and including the call that ended the last committed trial.
        until = last.seq if last is not None else 0
        calls = replay(task, events, until + 1) if last is not None else 0
        self.resumed_after = last.trial_index if last is not None else None
        self.sink.emit(
            "resume_gap",
            {
                "last_committed_trial": self.resumed_after,
                "replayed_calls": calls,
                "dropped_events": sum(1 for e in events if e.seq > until),
            },
        )

    # -- hooks for subclasses ------------------------------------------------------------

    def make_task(self, config: GameConfig, sink: EventSink) -> TaskT:
        raise NotImplementedError

    def paint_trial(self, painter: QPainter, area: QRectF) -> None:
        """Draw the trial stage, also between trials (feedback); background is painted."""
        raise NotImplementedError

    def trial_input(self, event: StampedInput) -> bool:
        """Handle an input during a running trial; True when it was used."""
        raise NotImplementedError

    def trial_started(self, t_ns: int) -> None:
        """A trial just started on this frame. By default its stimulus shows now."""
        self.show_stimulus(self.task.stimulus_shown)

    def trial_frame(self, t_ns: int) -> None:
        """Called on every presented frame while trials run (deadlines, next stages)."""

    def current_is_practice(self) -> bool:
        trial = self.task.current_trial
        return trial is not None and trial.practice

    def next_is_practice(self) -> bool:
        """Whether the trial about to start is a practice trial (from the schedule)."""
        schedule = self.task.schedule
        done = self.task.trials_done
        if done >= len(schedule):
            return False
        return schedule[done].practice

    def trial_in_play(self) -> bool:
        return self.task.trial_running

    def input_for(self, action: BotMove) -> BotAction:
        """How a bot performs ``action`` through real input events."""
        raise NotImplementedError

    def accepts_auto_repeat(self, event: StampedInput) -> bool:
        """Whether an auto-repeated key press during a trial is a response (by default not)."""
        return False

    # -- the candidate's flow ------------------------------------------------------------

    @property
    def title(self) -> str:
        return self.texts.get(self.game_id, "title")

    @property
    def stage(self) -> Stage:
        return self._stage

    @stage.setter
    def stage(self, stage: Stage) -> None:
        # Entering a continue screen (also back from a pause) starts its gate afresh.
        if stage in CONTINUE_STAGES and stage is not self._stage:
            self.continue_gate.arm()
        self._stage = stage

    def continue_ready(self) -> bool:
        """A continue screen is on and would take a fresh press now (bots ask this)."""
        return self.stage in CONTINUE_STAGES and self.continue_gate.ready(self.last_frame_ns)

    def handle_input(self, event: StampedInput) -> bool:
        stage = self.stage
        if stage in CONTINUE_STAGES:
            if not self._is_continue(event):
                return False
            gated = self.continue_gate.check(event)
            if gated is not None:
                self.record_gated(gated)
                return True
            self._advance(event.t_ns)
            return True
        if stage is Stage.RUNNING and self.trial_in_play():
            if event.auto_repeat and not self.accepts_auto_repeat(event):
                self._ignore(event, "auto_repeat")
                return True
            if self.awaiting_onset:
                self._ignore(event, "before_onset")
                return True
            return self.trial_input(event)
        return stage is Stage.PAUSED  # swallow inputs while paused

    def record_gated(self, gated: GatedInput) -> None:
        """Record an input a continue screen turned away (``input_gated``)."""
        self.sink.emit(
            "input_gated", {"stage": str(self.stage), **gated.payload()}, t_ns=gated.t_ns
        )

    def _ignore(self, event: StampedInput, reason: str) -> None:
        payload = {"reason": reason, "device": event.device, "key": event.key}
        index = None
        if reason == "auto_repeat" and self.task.trial_running:
            # A held key repeats through a trial: say which one it ran into.
            trial = self.task.current_trial
            index = trial.index if trial is not None else None
        self.sink.emit("ignored_input", payload, trial_index=index, t_ns=event.t_ns)

    def _is_continue(self, event: StampedInput) -> bool:
        return (event.device == "key" and event.key in CONTINUE_KEYS) or event.device in (
            "mouse",
            "touch",
        )

    def _advance(self, t_ns: int) -> None:
        if self.stage is Stage.INSTRUCTIONS:
            self.sink.emit("instructions_done", {"language": self.config.language}, t_ns=t_ns)
            self.stage = Stage.RUNNING
        elif self.stage is Stage.MESSAGE:
            self.stage = Stage.RUNNING
        elif self.stage is Stage.END:
            self._finish()

    def pause(self) -> None:
        if self.stage in (Stage.PAUSED, Stage.END, Stage.DONE):
            return
        self._stage_before_pause = self.stage
        self.stage = Stage.PAUSED
        done = self.task.trials_done
        self.sink.emit("pause", {"during_trial": self.trial_in_play(), "trials_done": done})

    def resume(self) -> None:
        if self.stage is not Stage.PAUSED:
            return
        self.stage = self._stage_before_pause
        self.sink.emit("resume")

    def interrupt(self, reason: str = "interrupted") -> None:
        """End the game now; what was recorded stays, the summary says incomplete."""
        if self.stage is Stage.DONE:
            return
        self._interrupted = True
        self.sink.emit("game_interrupted", {"reason": reason})
        self._finish()

    def _finish(self) -> None:
        self.canvas.stop()
        self.sink.emit("frame_stats", self.frames.summary())
        self.sink.flush(durable=True)
        self.stage = Stage.DONE
        summary: GameSummary = self.task.summary()
        self.finished.emit(summary)

    # -- frames --------------------------------------------------------------------------

    def show_stimulus(self, report: OnsetCallback) -> None:
        """The next frame shows a stimulus: stamp it, and hold inputs back until then.

        An input between a trial's start and the frame that shows its stimulus is not
        given to the task (nothing was visible to answer); it is recorded as an
        ``ignored_input`` with reason ``before_onset``.
        """
        self.awaiting_onset = True

        def shown(t_ns: int, method: str, refresh_ns: int) -> None:
            self.awaiting_onset = False
            report(t_ns, method, refresh_ns)

        self.on_next_frame(shown)

    def on_next_frame(self, callback: OnsetCallback) -> None:
        """Call ``callback(t_ns, method, refresh_ns)`` with the next frame's stamp."""
        self._onset_waiters.append(callback)

    def frame_presented(self, t_ns: int, method: str) -> None:
        self.last_frame_ns = t_ns
        self.continue_gate.presented(t_ns)
        if self.stage is not Stage.DONE:
            self.frames.add(t_ns)
        # While paused the overlay hides the stimulus: its onset waits for the resume.
        if self._onset_waiters and self.stage is not Stage.PAUSED:
            waiters, self._onset_waiters = self._onset_waiters, []
            for callback in waiters:
                callback(t_ns, method, self.frames.refresh_ns)
        if self.stage is Stage.RUNNING:
            self._run_frame(t_ns)

    def _run_frame(self, t_ns: int) -> None:
        if self.task.finished:
            self.stage = Stage.END
            return
        if not self.trial_in_play():
            if self._iti_until is None:
                self._iti_until = t_ns + self.iti_ms * 1_000_000
            elif t_ns >= self._iti_until:
                self._iti_until = None
                if self._last_was_practice and not self.next_is_practice():
                    # Practice is over: say so before the first main trial starts.
                    self._last_was_practice = False
                    self._message = self.texts.get("common", "practice_over")
                    self.stage = Stage.MESSAGE
                    return
                self.task.start_trial(t_ns)
                self._last_was_practice = self.current_is_practice()
                self.trial_started(t_ns)
        self.trial_frame(t_ns)

    # -- drawing -------------------------------------------------------------------------

    def paint(self, painter: QPainter, rect: QRectF) -> None:
        """Draw one frame (the canvas calls this); subclasses override ``paint_screen``."""
        if self.stage in CONTINUE_STAGES:
            self.continue_gate.painted()
        self.paint_screen(painter, rect)

    def paint_screen(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, QColor(palette.BACKGROUND))
        if self.stage is Stage.INSTRUCTIONS:
            self._paint_text_screen(
                painter,
                rect,
                self.title,
                self.texts.get(self.game_id, "instructions"),
                self.texts.get("common", "press_space_begin"),
            )
        elif self.stage is Stage.MESSAGE:
            self._paint_text_screen(
                painter,
                rect,
                self.title,
                self._message,
                self.texts.get("common", "press_space_continue"),
            )
        elif self.stage in (Stage.END, Stage.DONE):
            self._paint_text_screen(
                painter,
                rect,
                self.title,
                self.texts.get("common", "game_done"),
                self.texts.get("common", "press_space_continue"),
            )
        else:
            self.paint_trial(painter, rect)
            if self.current_is_practice():
                self._paint_badge(painter, rect, self.texts.get("common", "practice"))
            if self.stage is Stage.PAUSED:
                painter.fillRect(rect, QColor(255, 255, 255, 235))
                self._paint_text_screen(
                    painter,
                    rect,
                    self.texts.get("common", "paused_title"),
                    self.texts.get("common", "paused_by_proctor"),
                    "",
                )

    def unit(self, rect: QRectF) -> float:
        """A size unit that scales with the window: 1/40 of its shorter side."""
        return min(rect.width(), rect.height()) / 40.0

    @property
    def text_scale(self) -> float:
        """The candidate's text size, 1.0 by default (``config.text_scale``)."""
        return self.config.text_scale

    def make_font(self, rect: QRectF, size: float, bold: bool = False) -> QFont:
        """A font ``size`` units high, scaled by the candidate's text size."""
        font = QFont()
        font.setPixelSize(max(10, round(self.unit(rect) * size * self.text_scale)))
        font.setBold(bold)
        return font

    def _paint_text_screen(
        self, painter: QPainter, rect: QRectF, title: str, body: str, prompt: str
    ) -> None:
        u = self.unit(rect)
        scale = self.text_scale
        width = min(rect.width() - 4 * u, 30 * u * 1.6)
        left = rect.center().x() - width / 2
        painter.setPen(QColor(palette.INK))
        painter.setFont(self.make_font(rect, 2.2, bold=True))
        title_top = rect.top() + rect.height() * 0.16 / scale
        title_box = QRectF(left, title_top, width, 4 * u * scale)
        painter.drawText(title_box, Qt.AlignmentFlag.AlignCenter, title)
        painter.setFont(self.make_font(rect, 1.15))
        prompt_top = rect.bottom() - rect.height() * 0.18 * min(scale, 1.5)
        body_top = title_box.bottom() + 2 * u
        body_box = QRectF(left, body_top, width, max(4 * u, prompt_top - u - body_top))
        painter.drawText(body_box, Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap, body)
        if prompt:
            painter.setPen(QColor(palette.ACCENT))
            painter.setFont(self.make_font(rect, 1.1, bold=True))
            prompt_box = QRectF(left, prompt_top, width, rect.bottom() - prompt_top)
            painter.drawText(
                prompt_box,
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
                | int(Qt.TextFlag.TextWordWrap),
                prompt,
            )

    def _paint_badge(self, painter: QPainter, rect: QRectF, text: str) -> None:
        u = self.unit(rect)
        painter.setFont(self.make_font(rect, 0.9, bold=True))
        scale = self.text_scale
        box = QRectF(rect.left() + u, rect.top() + u, 9 * u * scale, 2.2 * u * scale)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(palette.ACCENT_SOFT))
        painter.drawRoundedRect(box, u * 0.6, u * 0.6)
        painter.setPen(QColor(palette.INK))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
