"""What the timed games' views share: frame-paced screens, feedback and rest, keys.

:class:`TimedView` is a :class:`~games.engine.qt.view.GameView` for games whose trials
run on a clock - a fixation, a cue, a stimulus shown for 100 ms, a deadline - that
is, ``arrows``, ``lengths``, ``faces``, ``stop``, ``keypresses`` and ``hard_or_easy``.
It adds, on top of the shared flow:

- **Frame pacing.** A timed change - the arrows after the cue, the mouth's offset,
  the stop signal - is registered with :meth:`TimedView.change_at` as soon as its
  target is known (a stamp plus a duration). It is made at the start of the first
  paint whose frame will be presented at or after the target, so that frame shows
  it and its presentation stamp goes to the task (``show_stimulus`` /
  ``on_next_frame``). On the raster canvas a frame is presented when its paint ends,
  so "at or after" is decided from the clock at paint start (1 ms of slack); on a
  vsync'd GL surface the frame is presented one refresh after the previous one, and a
  quarter frame of slack absorbs swap-stamp jitter. Screens that are not events of
  their own (fixation, "get ready") are stamped with :meth:`TimedView.stamp_screen`
  so their durations count from the frame that showed them. Deadlines close the
  trial with ``task.timeout(t)`` at the first frame at or after them
  (:meth:`TimedView.check_deadline`). Changes wait while the game is paused.
- **Feedback and rest from the task's parameters.** After a trial ends, the task's
  ``last_feedback`` (if any) shows for ``feedback_ms``, then the screen rests for
  the task's ``iti_ms``; both come from the game's parameters, not from the class's
  ``iti_ms`` (which is 0 here). The feedback period counts as "in play", so a bot
  sees the feedback (the Lengths bot learns from rewards), and the last trial's
  feedback shows before the end screen.
- **Instructions with values.** :meth:`TimedView.instruction_values` fills the
  placeholders of the game's instruction text (its keys, durations, rewards).
- **Keys by name.** Tasks name keys as lower-case strings (``"f"``, ``"left"``,
  ``"space"``); :func:`key_name` and :func:`qt_key` translate, :func:`key_label`
  gives the label a candidate sees (``"F"``, ``"Left"``).

Views call their task only through ``self.task`` - the shared view's logging
wrapper, so a crashed run can be rebuilt by replaying the calls - which is typed as
the game's task: a view is ``TimedView[TheTask]``, and the task must be a
:class:`TimedTask`.

It also holds a few drawing helpers the six games share (fixation cross, key caps,
progress bars, centred lines, arrows), so the games look alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import ClassVar, Protocol, TypeVar

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QKeySequence, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QWidget

from games.api import EventRecord, EventSink, GameConfig, GameTask
from games.engine import palette
from games.engine.qt.canvas import FRAME_SWAPPED
from games.engine.qt.timing import StampedInput
from games.engine.qt.view import GameView, Stage, TrialOutcome

__all__ = [
    "TimedTask",
    "TimedView",
    "arrow_path",
    "draw_fixation",
    "draw_keycap",
    "draw_line",
    "draw_progress",
    "key_label",
    "key_name",
    "pen",
    "qt_key",
]


# -- keys ----------------------------------------------------------------------------


def key_name(key: int | None) -> str:
    """The task's name of a Qt key: ``"f"``, ``"j"``, ``"left"``, ``"space"``; "" for none."""
    if not key:
        return ""
    return QKeySequence(key).toString().lower()


def qt_key(name: str) -> Qt.Key:
    """The Qt key a task's key name stands for (``"f"`` -> ``Qt.Key.Key_F``)."""
    if len(name) == 1 and name.isascii() and name.isalnum():
        return Qt.Key(ord(name.upper()))
    key = getattr(Qt.Key, f"Key_{name.capitalize()}", None)
    if not isinstance(key, Qt.Key):
        raise ValueError(f"not a key name: {name!r}")
    return key


def key_label(name: str) -> str:
    """How a key is written for the candidate: ``"F"``, ``"Left"``, ``"Space"``."""
    return name.upper() if len(name) == 1 else name.capitalize()


# -- drawing helpers -----------------------------------------------------------------


def pen(colour: str, width: float, cap: Qt.PenCapStyle = Qt.PenCapStyle.RoundCap) -> QPen:
    """A solid pen of ``width`` pixels (at least 1) with the given line ends."""
    made = QPen(QColor(colour), max(1.0, width))
    made.setCapStyle(cap)
    return made


def draw_line(
    painter: QPainter,
    area: QRectF,
    y: float,
    height: float,
    text: str,
    font: QFont,
    colour: str = palette.INK,
) -> QRectF:
    """One centred line of text in a band of ``area`` from ``y``; returns the band."""
    band = QRectF(area.left(), y, area.width(), height)
    painter.setPen(QColor(colour))
    painter.setFont(font)
    painter.drawText(band, Qt.AlignmentFlag.AlignCenter, text)
    return band


def arrow_path(centre: QPointF, length: float, height: float, direction: str) -> QPainterPath:
    """An arrow (shaft and head) centred on ``centre``, pointing left or right."""
    sign = -1.0 if direction == "left" else 1.0
    half, shaft = length / 2, height * 0.42
    neck = half - height * 0.55
    points = [
        (-half, -shaft / 2),
        (neck, -shaft / 2),
        (neck, -height / 2),
        (half, 0.0),
        (neck, height / 2),
        (neck, shaft / 2),
        (-half, shaft / 2),
    ]
    path = QPainterPath()
    path.moveTo(centre + QPointF(sign * points[0][0], points[0][1]))
    for x, y in points[1:]:
        path.lineTo(centre + QPointF(sign * x, y))
    path.closeSubpath()
    return path


def draw_fixation(painter: QPainter, centre: QPointF, u: float) -> None:
    """A fixation cross, 2 units across."""
    painter.setPen(pen(palette.INK, max(1.5, 0.22 * u), Qt.PenCapStyle.FlatCap))
    painter.drawLine(centre + QPointF(-u, 0), centre + QPointF(u, 0))
    painter.drawLine(centre + QPointF(0, -u), centre + QPointF(0, u))


def draw_keycap(
    painter: QPainter,
    box: QRectF,
    label: str,
    font: QFont,
    *,
    active: bool = True,
    highlight: bool = False,
) -> None:
    """A keyboard key with its label; inactive keys muted, the key to use highlighted."""
    u = box.height() / 2.4
    if highlight:
        painter.setPen(QPen(QColor(palette.ACCENT), max(2.0, 0.22 * u)))
        painter.setBrush(QColor(palette.ACCENT_SOFT))
    else:
        painter.setPen(QPen(QColor(palette.INK if active else palette.MUTED), max(1.0, 0.1 * u)))
        painter.setBrush(QColor(palette.WHITE if active else palette.BACKGROUND))
    painter.drawRoundedRect(box, 0.35 * u, 0.35 * u)
    painter.setPen(QColor(palette.INK if active else palette.MUTED))
    painter.setFont(font)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)


def draw_progress(
    painter: QPainter, box: QRectF, fraction: float, colour: str = palette.ACCENT
) -> None:
    """A horizontal bar filled to ``fraction`` (clipped to 0..1)."""
    radius = box.height() / 2
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(palette.ACCENT_SOFT))
    painter.drawRoundedRect(box, radius, radius)
    fraction = min(1.0, max(0.0, fraction))
    if fraction > 0:
        filled = QRectF(
            box.left(), box.top(), max(box.height(), box.width() * fraction), box.height()
        )
        painter.setBrush(QColor(colour))
        painter.drawRoundedRect(filled, radius, radius)


# -- the view ------------------------------------------------------------------------


class TimedTask(GameTask, Protocol):
    """What :class:`TimedView` needs of its task beyond a :class:`~games.api.GameTask`.

    Every :class:`~games.engine.trial.TrialTask` has the deadline, ``timeout`` and
    ``last_outcome``; ``respond(key, t_ns)`` takes a key by its name (:func:`key_name`).
    """

    @property
    def last_outcome(self) -> TrialOutcome | None: ...

    @property
    def deadline_at_ns(self) -> int | None: ...

    def timeout(self, t_ns: int, /) -> bool: ...

    def respond(self, key: str, t_ns: int, /) -> bool: ...


TimedTaskT = TypeVar("TimedTaskT", bound=TimedTask, covariant=True)


class TimedView(GameView[TimedTaskT]):
    """Base of the timed games' views (see the module docstring).

    Subclasses implement ``make_task``, ``paint_trial``, :meth:`respond_to` (an input
    during a trial; by default a key press goes to ``task.respond(key, t)``),
    :meth:`start_screens` (what the trial shows first; by default the stimulus at
    once), ``trial_frame`` (calling :meth:`check_deadline`) and ``input_for``. The
    task must offer ``params`` (with ``feedback_ms``/``iti_ms`` where the game has
    them), ``trial_running``, ``finished``, ``timeout(t)``, ``deadline_at_ns``,
    ``last_feedback`` (or none) and ``current_trial`` (see :class:`TimedTask`).
    """

    iti_ms: ClassVar[int] = 0  # feedback and rest come from the task's parameters
    # Response times and press rates are what these games measure: bots keep real time.
    bot_in_real_time: ClassVar[bool] = True

    def __init__(
        self,
        config: GameConfig,
        sink: EventSink,
        parent: QWidget | None = None,
        *,
        resume_events: Sequence[EventRecord] | None = None,
    ) -> None:
        super().__init__(config, sink, parent, resume_events=resume_events)
        self.screens: dict[str, int] = {}  # stamps of the frames that showed each screen
        self._trial_open = False
        self._feedback_until = 0
        self._rest_until = 0
        self._rest_practice = False
        self._changes: list[tuple[int, Callable[[], None]]] = []
        self._changes_named: set[str] = set()

    # -- hooks -------------------------------------------------------------------------

    def instruction_values(self) -> dict[str, object]:
        """Values for the placeholders of the game's instruction text."""
        return {}

    def start_screens(self, t_ns: int) -> None:
        """A trial started on the frame presented at ``t_ns``: request its first screen."""
        self.show_stimulus(self.task.stimulus_shown)

    def respond_to(self, event: StampedInput) -> bool:
        """An input during a trial (or its feedback); True when it was used.

        By default a key press, while a trial runs, goes to ``task.respond`` by its name
        (:func:`key_name`); any other input is not used.
        """
        name = key_name(event.key) if event.device == "key" else ""
        if not name or not self.task.trial_running:
            return False
        return self.task.respond(name, event.t_ns)

    def feedback_ms(self) -> int:
        """How long the last trial's feedback shows; 0 when it has none."""
        if self.task.last_feedback is None:
            return 0
        return int(self.task.params.get("feedback_ms", 0))

    def rest_ms(self) -> int:
        """The blank between one trial's feedback and the next trial."""
        return int(self.task.params.get("iti_ms", 0))

    # -- flow --------------------------------------------------------------------------

    def trial_started(self, t_ns: int) -> None:
        self.screens.clear()
        self._changes.clear()
        self._changes_named.clear()
        self._trial_open = True
        self.start_screens(t_ns)

    def trial_input(self, event: StampedInput) -> bool:
        used = self.respond_to(event)
        self.check_trial_end(event.t_ns)
        return used

    def trial_in_play(self) -> bool:
        """A trial runs, or its feedback and the rest after it are still on."""
        return self.task.trial_running or self.last_frame_ns < self._rest_until

    def showing_feedback(self) -> bool:
        """The last trial's feedback is on screen."""
        return (
            not self.task.trial_running
            and self.task.last_feedback is not None
            and self.last_frame_ns < self._feedback_until
        )

    def current_is_practice(self) -> bool:
        if not self.task.trial_running and self.last_frame_ns < self._rest_until:
            return self._rest_practice  # the feedback belongs to the trial that ended
        return super().current_is_practice()

    def check_trial_end(self, t_ns: int) -> None:
        """Call after any task call that may end the trial: starts feedback and rest."""
        if not self._trial_open or self.task.trial_running:
            return
        self._trial_open = False
        self._changes.clear()  # what the trial still had to show is moot
        outcome = self.task.last_outcome
        index = None if outcome is None else outcome.trial_index
        schedule = self.task.schedule
        self._rest_practice = (
            index is not None and index < len(schedule) and schedule[index].practice
        )
        self._feedback_until = t_ns + self.feedback_ms() * 1_000_000
        self._rest_until = self._feedback_until + self.rest_ms() * 1_000_000

    def check_deadline(self, t_ns: int) -> bool:
        """Close the current phase with ``task.timeout`` once its deadline has passed."""
        deadline = self.task.deadline_at_ns
        if deadline is None or t_ns < deadline:
            return False
        self.task.timeout(t_ns)
        self.check_trial_end(t_ns)
        return True

    def _run_frame(self, t_ns: int) -> None:
        # The base class ends the game as soon as the task has finished; let the last
        # trial's feedback show first.
        if self.task.finished and self.last_frame_ns < self._feedback_until:
            self.trial_frame(t_ns)
            return
        super()._run_frame(t_ns)

    # -- frames ------------------------------------------------------------------------

    def change_at(self, name: str, target_ns: int, change: Callable[[], None]) -> None:
        """Make ``change`` on the first frame presented at or after ``target_ns``.

        ``change`` runs at the start of that frame's paint (it sets what the paint
        draws, and may call ``show_stimulus`` or ``on_next_frame`` to have the frame
        stamped). ``name`` makes the call idempotent within a trial, so a view can ask
        on every frame once the target is known.
        """
        if name in self._changes_named:
            return
        self._changes_named.add(name)
        self._changes.append((target_ns, change))

    def _make_due_changes(self) -> None:
        if not self._changes or self.stage is not Stage.RUNNING:
            return
        refresh = self.frames.refresh_ns
        now = time.perf_counter_ns()
        if self.canvas.method == FRAME_SWAPPED:
            presented, slack = max(now, self.last_frame_ns + refresh), refresh // 4
        else:
            presented, slack = now, 1_000_000  # the stamp is taken when this paint ends
        due = [item for item in self._changes if presented >= item[0] - slack]
        if due:
            self._changes = [item for item in self._changes if item not in due]
            for _target, change in due:
                change()

    def stamp_screen(self, name: str) -> None:
        """Record in ``screens[name]`` the stamp of the next frame (which shows ``name``)."""
        self.screens.pop(name, None)

        def shown(t_ns: int, _method: str, _refresh_ns: int) -> None:
            self.screens[name] = t_ns

        self.on_next_frame(shown)

    def elapsed_ms(self, since_ns: int | None) -> float:
        """Milliseconds from ``since_ns`` to the last presented frame (0 if unknown)."""
        if since_ns is None:
            return 0.0
        return max(0.0, (self.last_frame_ns - since_ns) / 1e6)

    # -- drawing -----------------------------------------------------------------------

    def paint_screen(self, painter: QPainter, rect: QRectF) -> None:
        self._make_due_changes()
        if self.stage is Stage.INSTRUCTIONS:
            painter.fillRect(rect, QColor(palette.BACKGROUND))
            body = self.texts.get(self.game_id, "instructions", **self.instruction_values())
            self._paint_text_screen(
                painter, rect, self.title, body, self.texts.get("common", "press_space_begin")
            )
            return
        super().paint_screen(painter, rect)
