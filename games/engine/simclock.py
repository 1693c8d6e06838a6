"""The simulated clock the bots play a game on: nanoseconds and a 60-Hz frame grid.

A simulation never reads the real clock: :class:`SimClock` starts at ``T0_NS`` and
moves forward by waits (ms or s) and to frame flips (a multiple of ``refresh_ns``),
so a simulated game's stamps look like a display's. :func:`play_trials` plays a game
whose trial is one screen that takes inputs until one ends it;
:func:`play_timed_trials` one whose trial takes one response before a deadline;
:class:`HeldDecision` lets a bot decide once a trial where the view asks for every
press. Qt-free.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

import numpy as np

from games.api import BotInput, BotPolicy, GameTask

__all__ = [
    "REFRESH_NS",
    "T0_NS",
    "BeforeAnswer",
    "HeldDecision",
    "SimClock",
    "gamma_delay",
    "input_at",
    "next_frame",
    "offset_after",
    "play_timed_trials",
    "play_trials",
    "press_until",
]

REFRESH_NS = 16_666_667  # the simulated display: 60 Hz
T0_NS = 1_000_000_000  # the simulated clock's first reading


def next_frame(t_ns: int, refresh_ns: int = REFRESH_NS) -> int:
    """The first simulated frame flip at or after ``t_ns``."""
    return math.ceil(t_ns / refresh_ns) * refresh_ns


@dataclass
class SimClock:
    """A simulated clock: ``now`` in ns, moved only by the simulation."""

    now: int = T0_NS
    refresh_ns: int = REFRESH_NS

    def wait_ms(self, ms: float) -> int:
        """Let ``ms`` milliseconds pass (whole ms as given by a parameter)."""
        self.now += int(ms) * 1_000_000
        return self.now

    def wait_s(self, delay_s: float) -> int:
        """Let a bot's delay pass (at least 1 ns)."""
        self.now += max(1, round(delay_s * 1e9))
        return self.now

    def wait_frames(self, n: int) -> int:
        """Let ``n`` refresh periods pass."""
        self.now += n * self.refresh_ns
        return self.now

    def frame_after(self, delta_ns: int) -> int:
        """Move to the first frame flip at or after ``delta_ns`` from now."""
        self.now = next_frame(self.now + delta_ns, self.refresh_ns)
        return self.now

    def frame_after_ms(self, ms: float) -> int:
        """Move to the first frame flip at or after ``ms`` (whole ms) from now."""
        return self.frame_after(int(ms) * 1_000_000)

    def frame_at(self, t_ns: int) -> int:
        """Move to the first frame flip at or after the stamp ``t_ns``."""
        self.now = next_frame(t_ns, self.refresh_ns)
        return self.now


def input_at(t_ns: int, move: BotInput) -> int:
    """The stamp of a bot's input made its delay (at least 1 ns) after ``t_ns``."""
    return t_ns + max(1, round(move.delay_s * 1e9))


def gamma_delay(rng: np.random.Generator, mean_s: float, cv: float) -> float:
    """A gamma-distributed delay (s) with mean ``mean_s`` and coefficient of variation ``cv``."""
    shape = 1.0 / max(cv, 1e-3) ** 2
    return float(rng.gamma(shape, mean_s / shape))


def press_until(
    clock: SimClock,
    deadline_ns: int,
    next_input: Callable[[], BotInput | None],
    respond: Callable[[str, int], object],
) -> None:
    """Key presses one after another, each after its delay, until none or the deadline."""
    while (move := next_input()) is not None:
        at = input_at(clock.now, move)
        if at > deadline_ns:
            break
        clock.now = at
        respond(move.key, at)


class PlayableTask(Protocol):
    """What :func:`play_trials` calls on a task."""

    @property
    def finished(self) -> bool: ...

    def start_trial(self, t_ns: int) -> object: ...

    def stimulus_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool: ...


TaskT = TypeVar("TaskT", bound=PlayableTask)


def play_trials(
    clock: SimClock,
    task: TaskT,
    player: BotPolicy[TaskT],
    iti_s: float,
    act: Callable[[BotInput, int], object],
) -> None:
    """Play ``task`` to its end, one screen a trial.

    Each trial starts ``iti_s`` after the last one's end and its screen shows two
    frames later; then the player's inputs follow, each after its delay, handed to
    ``act`` with their stamps, until the player has none.
    """
    while not task.finished:
        task.start_trial(clock.wait_s(iti_s))
        task.stimulus_shown(clock.wait_frames(2), "simulated", clock.refresh_ns)
        while (move := player.next_input(task)) is not None:
            act(move, clock.wait_s(move.delay_s))


class TimedTask(PlayableTask, Protocol):
    """What :func:`play_timed_trials` calls on a task, besides :class:`PlayableTask`'s.

    Its ``params`` hold ``iti_ms`` and ``feedback_ms``.
    """

    @property
    def params(self) -> Mapping[str, Any]: ...

    @property
    def deadline_at_ns(self) -> int | None: ...

    @property
    def last_feedback(self) -> Mapping[str, Any] | None: ...

    def respond(self, key: str, t_ns: int) -> bool: ...

    def timeout(self, t_ns: int) -> bool: ...


TimedT = TypeVar("TimedT", bound=TimedTask)
BeforeAnswer = Callable[[int, BotInput | None, int, int], tuple[BotInput | None, int]]
"""``(onset, input, its stamp, deadline) -> (input, its stamp)``: see :func:`play_timed_trials`."""


def play_timed_trials(
    clock: SimClock,
    task: TimedT,
    player: BotPolicy[TimedT],
    stimulus_after_ms: int,
    *,
    cue: Callable[[], object] | None = None,
    before_answer: BeforeAnswer | None = None,
) -> None:
    """Play ``task`` to its end, one response (or time-out) a trial.

    Each trial starts ``iti_ms`` after the last one ended (and its ``feedback_ms`` of
    feedback, if it had any); ``cue()`` presents what comes first, if anything, and
    the stimulus shows at the first frame ``stimulus_after_ms`` later. The player's
    input comes its delay after that onset; ``before_answer(onset, move, at,
    deadline)`` presents what the screen shows from the onset to that input's stamp
    ``at`` (a stimulus offset, a stop signal) and returns the input and stamp,
    revised if the player changed its mind. An input by the deadline is the response,
    else the trial times out at the first frame at the deadline. The player then sees
    the feedback (a bot may learn from it) and has no input for it.
    """
    while not task.finished:
        task.start_trial(clock.wait_ms(task.params["iti_ms"]))
        if cue is not None:
            cue()
        onset = clock.frame_after_ms(stimulus_after_ms)
        task.stimulus_shown(onset, "simulated", clock.refresh_ns)
        deadline = task.deadline_at_ns
        assert deadline is not None
        move = player.next_input(task)
        at = deadline if move is None else input_at(onset, move)
        if before_answer is not None:
            move, at = before_answer(onset, move, at, deadline)
        if move is not None and at <= deadline:
            clock.now = at
            task.respond(move.key, at)
        else:
            task.timeout(clock.frame_at(deadline))
        assert player.next_input(task) is None  # the player sees the feedback on screen
        if task.last_feedback is not None:
            clock.wait_ms(task.params["feedback_ms"])


def offset_after(duration_ms: int, hidden: Callable[[int, str, int], object]) -> BeforeAnswer:
    """A ``before_answer`` for a stimulus shown for ``duration_ms`` (0: until the answer).

    Its offset, on the first frame ``duration_ms`` after the onset, is reported to
    ``hidden(t_ns, method, refresh_ns)`` (the task's ``stimulus_hidden``) when it comes
    by the answer's stamp.
    """

    def present(
        onset: int, move: BotInput | None, at: int, deadline: int
    ) -> tuple[BotInput | None, int]:
        if duration_ms > 0:
            offset = next_frame(onset + int(duration_ms) * 1_000_000)
            if offset <= at:
                hidden(offset, "simulated", REFRESH_NS)
        return move, at

    return present


class HeldDecision:
    """A bot's decision for the trial in progress, repeated when the view asks again.

    On screen one decision may take several inputs (set an amount step by step, then
    confirm), and the view asks the bot before each. The bot decides once a trial; asked
    again in the same trial it repeats that decision after the delay of one press.
    """

    def __init__(self) -> None:
        self._held: tuple[int, BotInput] | None = None

    def next_input(
        self, task: GameTask, decide: Callable[[], BotInput], press_s: Callable[[], float]
    ) -> BotInput | None:
        """``decide()`` on a trial's first call, then the same input after ``press_s()``.

        ``None`` while no trial runs.
        """
        trial = task.current_trial
        if not task.trial_running or trial is None:
            return None
        if self._held is not None and self._held[0] == trial.index:
            return replace(self._held[1], delay_s=press_s())
        move = decide()
        self._held = (trial.index, move)
        return move
