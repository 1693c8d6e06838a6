"""A simulated Balloons player.

Policy: at the start of each balloon the bot draws a target number of pumps,
``round(Normal(pump_target, target_sd))`` (at least 0), pumps until it reaches the
target (or the balloon pops) and then collects. A higher ``pump_target`` means more
risk taking; the mean pumps on balloons that did not pop (the BART's adjusted average
pumps) tracks it closely, though slightly below it for high targets because only
balloons with a late explosion point survive.

Delays are gamma distributed with the given mean and coefficient of variation
``rt_cv``: ``first_input_s`` before the first input on a balloon, ``pump_interval_s``
between later inputs.

:class:`Bot` is a pure policy (it reads the task's public state and returns the next
input and its delay); :func:`simulate` plays :class:`~games.balloons.task.BalloonsTask`
with a simulated nanosecond clock and returns the events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from games.api import EventRecord, ListSink
from games.balloons.task import BalloonsTask

__all__ = ["Bot", "BotInput", "BotParams", "simulate"]

REFRESH_NS = 16_666_667  # the simulated display: 60 Hz
ITI_S = 1.0  # pause between balloons (feedback), s


@dataclass(frozen=True, slots=True)
class BotParams:
    """Behavioural parameters of a simulated player."""

    pump_target: float = 32.0  # mean pumps before collecting
    target_sd: float = 5.0  # SD of the per-balloon target around pump_target (pumps)
    first_input_s: float = 0.8  # mean latency of the first input on a balloon (s)
    pump_interval_s: float = 0.35  # mean time between later inputs (s)
    rt_cv: float = 0.3  # coefficient of variation of every delay

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BotParams:
        """A plausible population member.

        ``pump_target ~ Normal(35, 12)`` clipped to 5..100 (adjusted pumps in Lejuez
        et al. 2002 average about 30-35, SD about 12); ``target_sd ~ U(2, 8)``;
        ``first_input_s ~ U(0.5, 1.5)``; ``pump_interval_s ~ U(0.2, 0.6)``;
        ``rt_cv ~ U(0.15, 0.45)``.
        """
        return cls(
            pump_target=float(np.clip(rng.normal(35.0, 12.0), 5.0, 100.0)),
            target_sd=float(rng.uniform(2.0, 8.0)),
            first_input_s=float(rng.uniform(0.5, 1.5)),
            pump_interval_s=float(rng.uniform(0.2, 0.6)),
            rt_cv=float(rng.uniform(0.15, 0.45)),
        )


@dataclass(frozen=True, slots=True)
class BotInput:
    """The bot's next input and how long after the previous event it comes."""

    action: Literal["pump", "collect"]
    delay_s: float


def _gamma_delay(rng: np.random.Generator, mean_s: float, cv: float) -> float:
    shape = 1.0 / max(cv, 1e-3) ** 2
    return float(rng.gamma(shape, mean_s / shape))


class Bot:
    """The pump-to-target policy; keeps only its per-balloon target."""

    def __init__(self, params: BotParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng
        self._trial: int | None = None
        self._target = 0

    def next_input(self, task: BalloonsTask) -> BotInput | None:
        """The next input for the balloon in play, or ``None`` when none is in play."""
        trial = task.current_trial
        if not task.trial_running or trial is None:
            return None
        p = self.params
        if self._trial != trial.index:
            self._trial = trial.index
            self._target = max(0, round(float(self._rng.normal(p.pump_target, p.target_sd))))
        mean = p.first_input_s if task.pumps == 0 else p.pump_interval_s
        delay = _gamma_delay(self._rng, mean, p.rt_cv)
        return BotInput("pump" if task.pumps < self._target else "collect", delay)


def simulate(params: Mapping[str, Any], bot: BotParams, seed: int) -> list[EventRecord]:
    """Play a whole game with a simulated clock; the schedule uses ``seed``."""
    clock = [0]
    sink = ListSink(clock=lambda: clock[0])
    task = BalloonsTask(params, seed, sink)
    rng = np.random.default_rng([seed, 0xB07])
    player = Bot(bot, rng)
    while not task.finished:
        clock[0] += round(ITI_S * 1e9)
        task.start_trial(clock[0])
        clock[0] += 2 * REFRESH_NS
        task.stimulus_shown(clock[0], "simulated", REFRESH_NS)
        while (move := player.next_input(task)) is not None:
            clock[0] += max(1, round(move.delay_s * 1e9))
            if move.action == "pump":
                task.pump(clock[0])
            else:
                task.collect(clock[0])
    return sink.events
