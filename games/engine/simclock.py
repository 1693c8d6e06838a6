"""The simulated clock the bots play a game on: nanoseconds and a 60-Hz frame grid.

A simulation never reads the real clock: :class:`SimClock` starts at ``T0_NS`` and
moves forward by waits (ms or s) and to frame flips (a multiple of ``refresh_ns``),
so a simulated game's stamps look like a display's. :func:`play_trials` plays a game
whose trial is one screen that takes inputs until one ends it; :class:`HeldDecision`
lets a bot decide once a trial where the view asks for every press. Qt-free.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

import numpy as np

from games.api import BotInput, BotPolicy, GameTask

__all__ = [
    "REFRESH_NS",
    "T0_NS",
    "HeldDecision",
    "SimClock",
    "gamma_delay",
    "next_frame",
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
        at = clock.now + max(1, round(move.delay_s * 1e9))
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
