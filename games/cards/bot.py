"""A simulated Cards (Iowa Gambling Task) player: a delta-rule learner with softmax choice.

Policy. The bot keeps a value ``Q[d]`` per deck (start 0). It chooses deck ``d`` with
probability ``exp(beta * Q[d]) / sum_k exp(beta * Q[k])`` (``beta`` is
``inverse_temperature``). After a main pick it sees the card's win and loss and
updates only the chosen deck: ``Q[d] += alpha * (u - Q[d])`` with
``u = (win - loss_aversion * loss) / 100`` and ``alpha`` the ``learning_rate``.
Practice picks (wins only) teach it nothing. Over the useful range (``alpha`` up to
about 0.6) a higher learning rate or inverse temperature means more picks from the
advantageous decks C and D; ``alpha`` near 0 means choosing at random.

Delays are gamma distributed with mean ``rt_mean_s`` and coefficient of variation
``rt_cv``.

:class:`Bot` is a pure policy over the task's public state; :func:`simulate` plays
:class:`~games.cards.task.CardsTask` with a simulated nanosecond clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from games.api import EventRecord, ListSink
from games.cards.task import DECKS, CardsTask

__all__ = ["Bot", "BotInput", "BotParams", "simulate"]

REFRESH_NS = 16_666_667
ITI_S = 1.5  # feedback and pause between picks, s


@dataclass(frozen=True, slots=True)
class BotParams:
    """Behavioural parameters of a simulated player."""

    learning_rate: float = 0.2  # delta-rule step alpha, 0..1
    inverse_temperature: float = 2.0  # softmax beta, on values in units of 100
    loss_aversion: float = 1.0  # weight of a loss relative to a win of the same size
    rt_mean_s: float = 1.2  # mean decks onset to choice (s)
    rt_cv: float = 0.4  # coefficient of variation of the choice time

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BotParams:
        """A plausible population member.

        ``learning_rate ~ Beta(2, 6)`` (mean 0.25) clipped to 0.01..0.9;
        ``inverse_temperature ~ LogNormal(log 1.5, 0.6)`` clipped to 0.1..8;
        ``loss_aversion ~ LogNormal(log 1.5, 0.4)`` clipped to 0.5..4 (ranges in line
        with fitted expectancy-valence and PVL models of the IGT);
        ``rt_mean_s ~ U(0.8, 2.5)``; ``rt_cv ~ U(0.25, 0.6)``.
        """
        return cls(
            learning_rate=float(np.clip(rng.beta(2.0, 6.0), 0.01, 0.9)),
            inverse_temperature=float(np.clip(rng.lognormal(np.log(1.5), 0.6), 0.1, 8.0)),
            loss_aversion=float(np.clip(rng.lognormal(np.log(1.5), 0.4), 0.5, 4.0)),
            rt_mean_s=float(rng.uniform(0.8, 2.5)),
            rt_cv=float(rng.uniform(0.25, 0.6)),
        )


@dataclass(frozen=True, slots=True)
class BotInput:
    """The bot's next input and how long after the decks' onset it comes."""

    kind: Literal["choose"]
    deck: str
    delay_s: float

    @property
    def action(self) -> tuple[str, str]:
        """What the view performs (``CardsView.input_for``): ``("choose", deck)``."""
        return (self.kind, self.deck)


def _gamma_delay(rng: np.random.Generator, mean_s: float, cv: float) -> float:
    shape = 1.0 / max(cv, 1e-3) ** 2
    return float(rng.gamma(shape, mean_s / shape))


class Bot:
    """The delta-rule / softmax policy; learns from the task's last outcome."""

    def __init__(self, params: BotParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng
        self._values = np.zeros(len(DECKS))
        self._learned_from: int | None = None

    @property
    def values(self) -> tuple[float, ...]:
        return tuple(float(v) for v in self._values)

    def _learn(self, task: CardsTask) -> None:
        outcome = task.last_outcome
        if outcome is None or outcome.trial_index == self._learned_from:
            return
        self._learned_from = outcome.trial_index
        if outcome.practice:
            return
        p = self.params
        utility = (outcome.win - p.loss_aversion * outcome.loss) / 100.0
        d = DECKS.index(outcome.deck)
        self._values[d] += p.learning_rate * (utility - self._values[d])

    def next_input(self, task: CardsTask) -> BotInput | None:
        """The choice for the pick in progress, or ``None`` when no pick is running."""
        self._learn(task)
        if not task.trial_running:
            return None
        logits = self.params.inverse_temperature * self._values
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        deck = DECKS[int(self._rng.choice(len(DECKS), p=probs))]
        return BotInput(
            "choose", deck, _gamma_delay(self._rng, self.params.rt_mean_s, self.params.rt_cv)
        )


def simulate(params: Mapping[str, Any], bot: BotParams, seed: int) -> list[EventRecord]:
    """Play a whole game with a simulated clock; the decks use ``seed``."""
    clock = [0]
    sink = ListSink(clock=lambda: clock[0])
    task = CardsTask(params, seed, sink)
    player = Bot(bot, np.random.default_rng([seed, 0xB07]))
    while not task.finished:
        clock[0] += round(ITI_S * 1e9)
        task.start_trial(clock[0])
        clock[0] += 2 * REFRESH_NS
        task.stimulus_shown(clock[0], "simulated", REFRESH_NS)
        while (move := player.next_input(task)) is not None:
            clock[0] += max(1, round(move.delay_s * 1e9))
            task.choose(move.deck, clock[0])
    return sink.events
