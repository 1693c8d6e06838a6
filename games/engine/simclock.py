"""The simulated clock the bots play a game on: nanoseconds and a 60-Hz frame grid.

A simulation never reads the real clock: :class:`SimClock` starts at ``T0_NS`` and
moves forward by waits (ms or s) and to frame flips (a multiple of ``refresh_ns``),
so a simulated game's stamps look like a display's. Qt-free.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from games.api import BotInput

__all__ = ["REFRESH_NS", "T0_NS", "SimClock", "gamma_delay", "next_frame", "press_until"]

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
