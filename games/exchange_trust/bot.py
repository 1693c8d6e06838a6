"""A simulated Money Exchange 1 (trust game) player.

Policy. As investor the bot sends ``round((trust + e) * endowment)``, as trustee it
returns ``round((reciprocity + e) * received)``, with ``e ~ Normal(0, noise)`` drawn
afresh for every decision and the result clipped to the allowed range. ``trust`` is
thus the expected share of the endowment sent and ``reciprocity`` the expected share
of the received amount returned; the bot does not react to what partners did.

Decision times are gamma distributed with mean ``rt_mean_s`` and coefficient of
variation ``rt_cv``.

On screen a decision takes several inputs (set the amount step by step, then
confirm). The bot decides once per round; asked again in the same round it repeats its
decision after a short delay of mean ``step_time_s``, the time between two presses.
:func:`simulate` applies each decision at once and never asks twice.

:class:`Bot` is a pure policy over the task's public state; :func:`simulate` plays
:class:`~games.exchange_trust.task.TrustTask` with a simulated nanosecond clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from games.api import BotInput, EventRecord, ListSink
from games.engine.simclock import REFRESH_NS, SimClock, gamma_delay
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
        self._decided: tuple[int, BotInput] | None = None

    def _amount(self, share: float, total: int) -> int:
        noisy = share + float(self._rng.normal(0.0, self.params.noise))
        return int(np.clip(round(noisy * total), 0, total))

    def next_input(self, task: TrustTask) -> BotInput | None:
        """The decision for the round in progress, or ``None`` when none runs."""
        trial = task.current_trial
        if not task.trial_running or trial is None:
            return None
        p = self.params
        if self._decided is not None and self._decided[0] == trial.index:
            # Same round: the view needs another press to carry out the decision.
            step = gamma_delay(self._rng, p.step_time_s, p.rt_cv)
            return replace(self._decided[1], delay_s=step)
        delay = gamma_delay(self._rng, p.rt_mean_s, p.rt_cv)
        if task.role == "investor":
            move = BotInput(("send", self._amount(p.trust, task.endowment)), delay)
        else:
            move = BotInput(("return", self._amount(p.reciprocity, task.received)), delay)
        self._decided = (trial.index, move)
        return move


def simulate(params: Mapping[str, Any], bot: BotParams, seed: int) -> list[EventRecord]:
    """Play a whole game with a simulated clock; the partner policy uses ``seed``."""
    clock = SimClock(now=0)
    sink = ListSink(clock=lambda: clock.now)
    task = TrustTask(params, seed, sink)
    player = Bot(bot, np.random.default_rng([seed, 0xB07]))
    while not task.finished:
        task.start_trial(clock.wait_s(ITI_S))
        task.stimulus_shown(clock.wait_frames(2), "simulated", REFRESH_NS)
        while (move := player.next_input(task)) is not None:
            if move.kind == "send":
                task.send(int(move.value), clock.wait_s(move.delay_s))
            else:
                task.return_amount(int(move.value), clock.wait_s(move.delay_s))
    return sink.events
