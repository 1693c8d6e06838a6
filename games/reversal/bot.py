"""A simulated Reversal player: a Rescorla–Wagner learner with softmax choice.

Policy. The bot keeps a value ``Q[o]`` per option (start 0.5). It chooses option B
with probability ``(1 - lapse) * sigmoid(beta * (Q[B] - Q[A]) + stickiness * s) +
lapse / 2``, where ``beta`` is ``inverse_temperature``, ``s`` is +1 when B was its last
choice, -1 when A was, 0 on the first trial, and ``lapse`` is the share of choices
made at random. After a main trial it updates only the chosen option:
``Q[o] += alpha * (r - Q[o])`` with ``r`` 1 for a win and 0 otherwise and ``alpha``
the ``learning_rate``. Practice trials teach it nothing.

The scorer (:mod:`scoring.metrics.reversal`) fits only ``alpha`` and ``beta``; the
stickiness and lapse are nuisance processes it does not model, so their spread in
the population is part of what a recovery figure has to survive.

Delays are gamma distributed with mean ``rt_mean_s`` and coefficient of variation
``rt_cv``.

Population (:meth:`BotParams.sample`). These distributions are this project's
assumptions, chosen to cover the fitted values reported for healthy adults on
80/20 reversal tasks rather than taken from one table:

* ``learning_rate``: logit-normal, ``logit(alpha) ~ N(logit 0.35, 0.9)``, clipped to
  0.02..0.98 (Rescorla–Wagner learning rates fitted to healthy adults on such tasks
  spread over roughly 0.1-0.8; den Ouden et al. 2013, Neuron 80, 1090-1100;
  Waltmann et al. 2022, Behav. Res. Methods 54, 2993-3014);
* ``inverse_temperature``: ``LogNormal(log 5, 0.5)``, clipped to 0.5..20 (rewards
  coded 0/1, so ``beta`` 5 turns a value difference of 0.6 into 95% choices);
* ``stickiness``: ``N(0.3, 0.3)`` in log-odds units (a mild tendency to repeat the
  last choice, the "perseveration" or choice-kernel parameter of extended models);
* ``lapse``: ``Beta(1, 40)`` (mean 2.4% random choices);
* ``rt_mean_s ~ U(0.5, 1.2)``; ``rt_cv ~ U(0.25, 0.5)``.

:class:`Bot` is a pure policy over the task's public state; :func:`simulate` plays
:class:`~games.reversal.task.ReversalTask` with a simulated nanosecond clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from games.api import BotInput, EventRecord, ListSink
from games.engine.simclock import SimClock, gamma_delay, play_trials
from games.reversal.task import OPTIONS, ReversalTask

__all__ = ["NUISANCE", "Bot", "BotInput", "BotParams", "simulate"]

ITI_S = 1.2  # feedback and pause between trials, s

#: Parameters a recovery of the learning rate samples from the population.
NUISANCE = ("inverse_temperature", "stickiness", "lapse", "rt_mean_s", "rt_cv")


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


@dataclass(frozen=True, slots=True)
class BotParams:
    """Behavioural parameters of a simulated player."""

    learning_rate: float = 0.35  # Rescorla-Wagner step alpha, 0..1
    inverse_temperature: float = 5.0  # softmax beta on 0/1 rewards
    stickiness: float = 0.3  # log-odds bonus for repeating the last choice
    lapse: float = 0.02  # share of random choices
    rt_mean_s: float = 0.8  # mean options onset to choice (s)
    rt_cv: float = 0.35  # coefficient of variation of the choice time

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BotParams:
        """A population member; the distributions are in the module docstring."""
        alpha = 1.0 / (1.0 + np.exp(-rng.normal(_logit(0.35), 0.9)))
        return cls(
            learning_rate=float(np.clip(alpha, 0.02, 0.98)),
            inverse_temperature=float(np.clip(rng.lognormal(np.log(5.0), 0.5), 0.5, 20.0)),
            stickiness=float(rng.normal(0.3, 0.3)),
            lapse=float(rng.beta(1.0, 40.0)),
            rt_mean_s=float(rng.uniform(0.5, 1.2)),
            rt_cv=float(rng.uniform(0.25, 0.5)),
        )


class Bot:
    """The Rescorla–Wagner / softmax policy; learns from the task's last outcome."""

    def __init__(self, params: BotParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng
        self._values = np.full(len(OPTIONS), 0.5)
        self._last_choice: int | None = None
        self._learned_from: int | None = None

    @property
    def values(self) -> tuple[float, ...]:
        return tuple(float(v) for v in self._values)

    def _learn(self, task: ReversalTask) -> None:
        outcome = task.last_outcome
        if outcome is None or outcome.trial_index == self._learned_from:
            return
        self._learned_from = outcome.trial_index
        if outcome.practice:
            return
        o = OPTIONS.index(outcome.option)
        self._values[o] += self.params.learning_rate * (float(outcome.reward) - self._values[o])
        self._last_choice = o

    def p_choose_b(self) -> float:
        """The probability that the next choice is B."""
        p = self.params
        s = 0.0 if self._last_choice is None else (1.0 if self._last_choice == 1 else -1.0)
        z = p.inverse_temperature * (self._values[1] - self._values[0]) + p.stickiness * s
        return float((1.0 - p.lapse) / (1.0 + np.exp(-z)) + p.lapse / 2.0)

    def next_input(self, task: ReversalTask) -> BotInput | None:
        """The choice for the trial in progress, or ``None`` when no trial is running."""
        self._learn(task)
        if not task.trial_running:
            return None
        option = OPTIONS[int(self._rng.random() < self.p_choose_b())]
        delay = gamma_delay(self._rng, self.params.rt_mean_s, self.params.rt_cv)
        return BotInput(("choose", option), delay)


def simulate(params: Mapping[str, Any], bot: BotParams, seed: int) -> list[EventRecord]:
    """Play a whole game with a simulated clock; the schedule uses ``seed``."""
    clock = SimClock(now=0)
    sink = ListSink(clock=lambda: clock.now)
    task = ReversalTask(params, seed, sink)
    player = Bot(bot, np.random.default_rng([seed, 0xB07]))
    play_trials(clock, task, player, ITI_S, lambda move, t_ns: task.choose(str(move.value), t_ns))
    return sink.events
