"""A simulated Balloons player: the BART model of Wallsten, Pleskac & Lejuez (2005).

Model (their model 3, "constant target, Bayesian belief"). Before balloon ``k`` the
bot believes each pump is safe with probability

    q_k = (prior_safe * prior_strength + safe pumps so far) / (prior_strength + pumps so far)

(a beta-binomial update over every balloon seen: a pump that popped the balloon is an
unsafe pump). It values a balloon pumped ``g`` times at ``q_k^g * g^risk_propensity``,
which is largest at the target ``G_k = -risk_propensity / ln q_k``. At its ``h``-th
pump opportunity on the balloon it pumps with probability
``1 / (1 + exp(consistency * (h - G_k)))`` and otherwise collects: ``consistency``
(their β) is the response-consistency parameter, the noise of the process, and
``risk_propensity`` (their γ⁺) the risk attitude (``pump_target`` fixes the target
instead, for quick tests and demos; the population never sets it). Adjusted pumps rise with
``risk_propensity``; ``consistency`` and the belief parameters spread them.

Source: Wallsten, T. S., Pleskac, T. J., & Lejuez, C. W. (2005). Modeling behavior
in a clinically diagnostic sequential risk-taking task. Psychological Review 112,
862-880.

Population (:meth:`BotParams.sample`): ``risk_propensity ~ LogNormal(log 0.47,
0.22)``, ``consistency ~ LogNormal(log 0.6, 0.5)`` (both within the spread of the
individual fits Wallsten et al. report), ``prior_safe ~ U(0.95, 0.995)``,
``prior_strength ~ LogNormal(log 60, 0.8)`` pumps. The location of
``risk_propensity`` is calibrated so that adjusted average pumps on the default
design average about 33 with SD about 12, as in Lejuez et al. (2002) healthy
adults (about 30-35, SD about 12).

Delays are gamma distributed with the given mean and coefficient of variation
``rt_cv``: ``first_input_s`` before the first input on a balloon, ``pump_interval_s``
between later inputs.

:class:`Bot` is a pure policy (it reads the task's public state and returns the next
input and its delay); :func:`simulate` plays :class:`~games.balloons.task.BalloonsTask`
with a simulated nanosecond clock and returns the events.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from games.api import BotInput, EventRecord, ListSink
from games.balloons.task import BalloonsTask
from games.engine.simclock import SimClock, gamma_delay, play_trials

__all__ = ["Bot", "BotInput", "BotParams", "simulate"]

ITI_S = 1.0  # pause between balloons (feedback), s


@dataclass(frozen=True, slots=True)
class BotParams:
    """Behavioural parameters of a simulated player."""

    risk_propensity: float = 0.47  # gamma+: value of a balloon pumped g times is g**gamma+
    consistency: float = 0.6  # beta: how sharply pumping stops around the target
    prior_safe: float = 0.98  # prior belief that a pump is safe
    prior_strength: float = 60.0  # weight of that belief, in pumps
    first_input_s: float = 0.8  # mean latency of the first input on a balloon (s)
    pump_interval_s: float = 0.35  # mean time between later inputs (s)
    rt_cv: float = 0.3  # coefficient of variation of every delay
    # A fixed target instead of the model's (no belief, no learning): quick tests and demos.
    pump_target: float | None = None

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BotParams:
        """A population member; the distributions are in the module docstring.

        Timing: ``first_input_s ~ U(0.5, 1.5)``; ``pump_interval_s ~ U(0.2, 0.6)``;
        ``rt_cv ~ U(0.15, 0.45)``.
        """
        return cls(
            risk_propensity=float(np.clip(rng.lognormal(np.log(0.47), 0.22), 0.1, 3.0)),
            consistency=float(np.clip(rng.lognormal(np.log(0.6), 0.5), 0.05, 5.0)),
            prior_safe=float(rng.uniform(0.975, 0.995)),
            prior_strength=float(np.clip(rng.lognormal(np.log(30.0), 0.7), 2.0, 2000.0)),
            first_input_s=float(rng.uniform(0.5, 1.5)),
            pump_interval_s=float(rng.uniform(0.2, 0.6)),
            rt_cv=float(rng.uniform(0.15, 0.45)),
        )


class Bot:
    """The BART-model policy; keeps its belief and the balloon's target."""

    def __init__(self, params: BotParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng
        self._trial: int | None = None
        self._target = 0.0
        self._safe = 0.0  # safe pumps seen so far
        self._pumps = 0.0  # pumps made so far
        self._learned_from: int | None = None

    @property
    def belief(self) -> float:
        """The current belief that a pump is safe."""
        p = self.params
        return (p.prior_safe * p.prior_strength + self._safe) / (p.prior_strength + self._pumps)

    def target(self) -> float:
        """The pumps that maximise the expected value under the current belief.

        ``pump_target``, when set, replaces the model's target.
        """
        if self.params.pump_target is not None:
            return self.params.pump_target
        q = min(max(self.belief, 1e-9), 1.0 - 1e-9)
        return -self.params.risk_propensity / math.log(q)

    def _learn(self, task: BalloonsTask) -> None:
        outcome = task.last_outcome
        if outcome is None or outcome.trial_index == self._learned_from:
            return
        self._learned_from = outcome.trial_index
        self._pumps += outcome.pumps
        self._safe += outcome.pumps - (1 if outcome.exploded else 0)

    def next_input(self, task: BalloonsTask) -> BotInput | None:
        """The next input for the balloon in play, or ``None`` when none is in play."""
        self._learn(task)
        trial = task.current_trial
        if not task.trial_running or trial is None:
            return None
        p = self.params
        if self._trial != trial.index:
            self._trial = trial.index
            self._target = self.target()
        opportunity = task.pumps + 1
        z = p.consistency * (opportunity - self._target)
        pump = self._rng.random() < 1.0 / (1.0 + math.exp(min(50.0, max(-50.0, z))))
        mean = p.first_input_s if task.pumps == 0 else p.pump_interval_s
        delay = gamma_delay(self._rng, mean, p.rt_cv)
        return BotInput("pump" if pump else "collect", delay)


def simulate(params: Mapping[str, Any], bot: BotParams, seed: int) -> list[EventRecord]:
    """Play a whole game with a simulated clock; the schedule uses ``seed``."""
    clock = SimClock(now=0)
    sink = ListSink(clock=lambda: clock.now)
    task = BalloonsTask(params, seed, sink)
    player = Bot(bot, np.random.default_rng([seed, 0xB07]))

    def act(move: BotInput, t_ns: int) -> bool:
        return task.pump(t_ns) if move.action == "pump" else task.collect(t_ns)

    play_trials(clock, task, player, ITI_S, act)
    return sink.events
