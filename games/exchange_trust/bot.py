"""A simulated Money Exchange 1 (trust game) player.

Policy. As investor the bot sends ``round((trust + e) * endowment)``, as trustee it
returns ``round((reciprocity + e) * received)``, with ``e ~ Normal(0, noise)`` drawn
afresh for every decision and the result clipped to the allowed range. ``trust`` is
thus the expected share of the endowment sent and ``reciprocity`` the expected share
of the received amount returned; the bot does not react to what partners did.

Decision times are gamma distributed with mean ``rt_mean_s`` and coefficient of
variation ``rt_cv``.

On screen one decision takes several presses (the amount is set step by step, then
confirmed); asked again within a round, the bot repeats its decision after a delay of
mean ``step_time_s`` (see :class:`~games.engine.simclock.HeldDecision`).

:func:`simulate` plays :class:`~games.exchange_trust.task.TrustTask` on a simulated
nanosecond clock, carrying out every decision at once; :class:`Bot` reads only the
task's public state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from games.api import BotInput, EventRecord, ListSink
from games.engine.simclock import HeldDecision, SimClock, gamma_delay, play_trials
from games.exchange_trust.task import TrustTask

__all__ = ["Bot", "BotInput", "BotParams", "simulate"]

ITI_S = 2.0  # feedback and pause between rounds, s


@dataclass(frozen=True, slots=True)
class BotParams:
    """Behavioural parameters of a simulated player."""

    trust: float = 0.5  # expected share of the endowment sent as investor, 0..1
    reciprocity: float = 0.35  # expected share of the received amount returned, 0..1
    noise: float = 0.08  # SD of the per-decision deviation from those shares
    rt_mean_s: float = 3.5  # mean decision time (s)
    rt_cv: float = 0.4  # coefficient of variation of the decision time
    step_time_s: float = 0.3  # on screen: mean time between presses that set the amount (s)

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BotParams:
        """A plausible population member.

        ``trust ~ Beta(2, 2)`` (mean 0.5; Berg et al. 1995 report a mean of about 5 of
        10 sent, spread over the whole range); ``reciprocity ~ Beta(1.5, 2.5)`` (mean
        0.375; about a third of the tripled amount is returned on average);
        ``noise ~ U(0.02, 0.12)``; ``rt_mean_s ~ U(2, 6)``; ``rt_cv ~ U(0.25, 0.6)``.
        """
        return cls(
            trust=float(rng.beta(2.0, 2.0)),
            reciprocity=float(rng.beta(1.5, 2.5)),
            noise=float(rng.uniform(0.02, 0.12)),
            rt_mean_s=float(rng.uniform(2.0, 6.0)),
            rt_cv=float(rng.uniform(0.25, 0.6)),
        )


class Bot:
    """The fixed-share policy."""

    def __init__(self, params: BotParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng
        self._decision = HeldDecision()

    def _decide(self, task: TrustTask) -> BotInput:
        """Send a share of the endowment, or return a share of what was received."""
        p = self.params
        delay = gamma_delay(self._rng, p.rt_mean_s, p.rt_cv)
        investing = task.role == "investor"
        share, total = (p.trust, task.endowment) if investing else (p.reciprocity, task.received)
        noisy = share + float(self._rng.normal(0.0, p.noise))
        amount = int(np.clip(round(noisy * total), 0, total))
        return BotInput(("send" if investing else "return", amount), delay)

    def next_input(self, task: TrustTask) -> BotInput | None:
        """The decision for the round in progress, or ``None`` when none runs."""
        p = self.params
        return self._decision.next_input(
            task, lambda: self._decide(task), lambda: gamma_delay(self._rng, p.step_time_s, p.rt_cv)
        )


def simulate(params: Mapping[str, Any], bot: BotParams, seed: int) -> list[EventRecord]:
    """Play a whole game with a simulated clock; the partner policy uses ``seed``."""
    clock = SimClock(now=0)
    sink = ListSink(clock=lambda: clock.now)
    task = TrustTask(params, seed, sink)
    player = Bot(bot, np.random.default_rng([seed, 0xB07]))

    def act(move: BotInput, t_ns: int) -> bool:
        if move.kind == "send":
            return task.send(int(move.value), t_ns)
        return task.return_amount(int(move.value), t_ns)

    play_trials(clock, task, player, ITI_S, act)
    return sink.events
