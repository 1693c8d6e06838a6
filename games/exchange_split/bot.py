"""A simulated Money Exchange 2 (ultimatum and dictator) player.

Policy.

* Proposer: offers ``round((offer_share + e) * pot)``.
* Dictator: gives ``round((dictator_share + e) * pot)``.
* Responder: accepts an offer of share ``s`` with probability
  ``1 / (1 + exp(-(s - min_acceptable_share) / acceptance_width))``, a soft threshold
  at ``min_acceptable_share`` (at the threshold, one in two).

``e ~ Normal(0, noise)`` is drawn afresh for every decision and amounts are clipped
to ``0..pot``. Decision times are gamma distributed with mean ``rt_mean_s`` and
coefficient of variation ``rt_cv``.

:class:`Bot` is a pure policy over the task's public state. It decides once per
round (:class:`~games.engine.simclock.HeldDecision`): the view, which needs several
presses to set an offer or gift and confirm it, gets the same decision again after a
press delay of mean ``step_time_s``. :func:`simulate` plays
:class:`~games.exchange_split.task.SplitTask` with a simulated nanosecond clock and
applies each decision at once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from games.api import BotInput, EventRecord, ListSink
from games.engine.simclock import HeldDecision, SimClock, gamma_delay, play_trials
from games.exchange_split.task import SplitTask

__all__ = ["Bot", "BotInput", "BotParams", "simulate"]

ITI_S = 2.0  # feedback and pause between rounds, s


@dataclass(frozen=True, slots=True)
class BotParams:
    """Behavioural parameters of a simulated player."""

    offer_share: float = 0.4  # expected share of the pot offered as proposer
    min_acceptable_share: float = 0.25  # responder's threshold share (accepts half the time)
    dictator_share: float = 0.25  # expected share of the pot given as dictator
    noise: float = 0.05  # SD of the per-decision deviation of offers and gifts (share)
    acceptance_width: float = 0.03  # softness of the responder threshold (share)
    rt_mean_s: float = 3.0  # mean decision time (s)
    rt_cv: float = 0.4  # coefficient of variation of the decision time
    step_time_s: float = 0.3  # on screen: mean time between presses that set the amount (s)

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BotParams:
        """A plausible population member.

        From the ultimatum and dictator literature (Camerer 2003; Engel 2011, Exp.
        Econ. 14, 583-610): ``offer_share ~ Normal(0.42, 0.08)`` clipped to 0.05..0.6
        (modal offers 40-50%); ``min_acceptable_share ~ Beta(2.5, 6)`` clipped to
        0..0.6 (mean about 0.3); ``dictator_share ~ Beta(1, 2.2)`` clipped to 0..0.6
        (mean about 0.3, many give little or nothing); ``noise ~ U(0.02, 0.08)``;
        ``acceptance_width ~ U(0.01, 0.05)``; ``rt_mean_s ~ U(1.5, 5)``;
        ``rt_cv ~ U(0.25, 0.6)``.
        """
        return cls(
            offer_share=float(np.clip(rng.normal(0.42, 0.08), 0.05, 0.6)),
            min_acceptable_share=float(np.clip(rng.beta(2.5, 6.0), 0.0, 0.6)),
            dictator_share=float(np.clip(rng.beta(1.0, 2.2), 0.0, 0.6)),
            noise=float(rng.uniform(0.02, 0.08)),
            acceptance_width=float(rng.uniform(0.01, 0.05)),
            rt_mean_s=float(rng.uniform(1.5, 5.0)),
            rt_cv=float(rng.uniform(0.25, 0.6)),
        )

    def p_accept(self, share: float) -> float:
        """Probability of accepting an offer of ``share`` of the pot."""
        z = (share - self.min_acceptable_share) / max(self.acceptance_width, 1e-6)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


class Bot:
    """The fixed-share, soft-threshold policy."""

    def __init__(self, params: BotParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng
        self._decision = HeldDecision()

    def next_input(self, task: SplitTask) -> BotInput | None:
        """The decision for the round in progress, or ``None`` when none runs."""
        return self._decision.next_input(task, lambda: self._decide(task), self._press_delay)

    def _press_delay(self) -> float:
        return gamma_delay(self._rng, self.params.step_time_s, self.params.rt_cv)

    def _decide(self, task: SplitTask) -> BotInput:
        p = self.params
        delay = gamma_delay(self._rng, p.rt_mean_s, p.rt_cv)
        if task.role == "responder":
            accept = bool(self._rng.random() < p.p_accept(task.offer_to_candidate / task.pot))
            return BotInput(("respond", accept), delay)
        share = p.offer_share if task.role == "proposer" else p.dictator_share
        noisy = share + float(self._rng.normal(0.0, p.noise))
        amount = int(np.clip(round(noisy * task.pot), 0, task.pot))
        return BotInput(("offer" if task.role == "proposer" else "give", amount), delay)


def _act(task: SplitTask, move: BotInput, t_ns: int) -> bool:
    """Carry out ``move`` at ``t_ns``."""
    if move.kind == "offer":
        return task.offer(int(move.value), t_ns)
    if move.kind == "give":
        return task.give(int(move.value), t_ns)
    return task.respond(bool(move.value), t_ns)


def simulate(params: Mapping[str, Any], bot: BotParams, seed: int) -> list[EventRecord]:
    """Play a whole game with a simulated clock; the partner policy uses ``seed``."""
    clock = SimClock(now=0)
    sink = ListSink(clock=lambda: clock.now)
    task = SplitTask(params, seed, sink)
    player = Bot(bot, np.random.default_rng([seed, 0xB07]))
    play_trials(clock, task, player, ITI_S, lambda move, t_ns: _act(task, move, t_ns))
    return sink.events
