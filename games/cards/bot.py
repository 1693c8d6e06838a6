"""A simulated Cards (Iowa Gambling Task) player: the PVL-Delta model.

Policy (prospect valence learning with the delta rule; Ahn, Busemeyer, Wagenmakers &
Stout 2008, Cognitive Science 32, 1376-1402). After a main pick the bot sees the
card's net outcome ``x = (win - loss) / 100`` and values it with the prospect
utility ``u = x ** shape`` for ``x >= 0`` and ``u = -loss_aversion * |x| ** shape``
for a loss; it updates only the chosen deck, ``Q[d] += learning_rate * (u - Q[d])``
(values start at 0). It chooses deck ``d`` with probability
``exp(theta * Q[d]) / sum_k exp(theta * Q[k])``, ``theta = 3 ** consistency - 1``
(response consistency). Practice picks (wins only) teach it nothing.

Why this model: with ``shape`` below 1 the utility is concave, so the frequent small
losses of decks A and C weigh more than the rare large ones of B and D, and deck B
(+100 nine times in ten) is as popular as the good decks, as healthy adults choose
(the "prominent deck B" pattern; Lin, Chiu, Lee & Hsieh 2013, Behav. Brain Funct.
9, 16 and earlier; Steingroever, Wetzels, Horstmann, Neumann & Wagenmakers 2013,
Psychol. Assess. 25, 180-193, who pooled healthy samples: deck A least chosen, deck
B about as often as C and D). PVL-Delta fits such choices better than the
expectancy-valence model (Steingroever, Wetzels & Wagenmakers 2013, Front. Psychol.
4, 898; their healthy fits put ``shape`` mostly below 0.6).

Population (:meth:`BotParams.sample`), chosen within the range of those healthy
fits and checked against the deck shares above on the default (fixed) schedule —
about 0.14 A, 0.28 B, 0.26 C and 0.32 D averaged over 400 sampled players, and a
net score rising from about -1 in the first 20 picks to about +4 to +5 later
(``tests/games/test_cards_task.py`` holds the pattern): ``learning_rate ~ Beta(2,
6)`` clipped to 0.01..0.9; ``shape ~ U(0.1, 0.5)``; ``loss_aversion ~
LogNormal(log 1.0, 0.5)`` clipped to 0.2..5; ``consistency ~ U(0.3, 1.5)``;
``rt_mean_s ~ U(0.8, 2.5)``; ``rt_cv ~ U(0.25, 0.6)``.

Delays are gamma distributed with mean ``rt_mean_s`` and coefficient of variation
``rt_cv``.

:class:`Bot` is a pure policy over the task's public state; :func:`simulate` plays
:class:`~games.cards.task.CardsTask` with a simulated nanosecond clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from games.api import BotInput, EventRecord, ListSink
from games.cards.task import DECKS, CardsTask
from games.engine.simclock import SimClock, gamma_delay, play_trials

__all__ = ["Bot", "BotInput", "BotParams", "simulate"]

ITI_S = 1.5  # feedback and pause between picks, s


@dataclass(frozen=True, slots=True)
class BotParams:
    """Behavioural parameters of a simulated player."""

    learning_rate: float = 0.25  # delta-rule step, 0..1
    shape: float = 0.3  # curvature of the prospect utility, 0..1
    loss_aversion: float = 1.0  # weight of a loss relative to a win of the same size
    consistency: float = 0.9  # response consistency c: theta = 3**c - 1
    rt_mean_s: float = 1.2  # mean decks onset to choice (s)
    rt_cv: float = 0.4  # coefficient of variation of the choice time

    @property
    def theta(self) -> float:
        """The softmax sensitivity ``3 ** consistency - 1``."""
        return float(3.0**self.consistency - 1.0)

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BotParams:
        """A population member; the distributions are in the module docstring."""
        return cls(
            learning_rate=float(np.clip(rng.beta(2.0, 6.0), 0.01, 0.9)),
            shape=float(rng.uniform(0.1, 0.5)),
            loss_aversion=float(np.clip(rng.lognormal(np.log(1.0), 0.5), 0.2, 5.0)),
            consistency=float(rng.uniform(0.3, 1.5)),
            rt_mean_s=float(rng.uniform(0.8, 2.5)),
            rt_cv=float(rng.uniform(0.25, 0.6)),
        )


class Bot:
    """The PVL-Delta policy; learns from the task's last outcome."""

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
        x = (outcome.win - outcome.loss) / 100.0
        utility = x**p.shape if x >= 0 else -p.loss_aversion * (-x) ** p.shape
        d = DECKS.index(outcome.deck)
        self._values[d] += p.learning_rate * (utility - self._values[d])

    def next_input(self, task: CardsTask) -> BotInput | None:
        """The choice for the pick in progress, or ``None`` when no pick is running."""
        self._learn(task)
        if not task.trial_running:
            return None
        logits = self.params.theta * self._values
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        deck = DECKS[int(self._rng.choice(len(DECKS), p=probs))]
        delay = gamma_delay(self._rng, self.params.rt_mean_s, self.params.rt_cv)
        return BotInput(("choose", deck), delay)


def simulate(params: Mapping[str, Any], bot: BotParams, seed: int) -> list[EventRecord]:
    """Play a whole game with a simulated clock; the decks use ``seed``."""
    clock = SimClock(now=0)
    sink = ListSink(clock=lambda: clock.now)
    task = CardsTask(params, seed, sink)
    player = Bot(bot, np.random.default_rng([seed, 0xB07]))
    play_trials(clock, task, player, ITI_S, lambda move, t_ns: task.choose(str(move.value), t_ns))
    return sink.events
