"""A simulated Digits (digit span) player.

Policy. For a sequence of ``L`` digits in a direction whose span is ``s`` (``span`` for
forward, ``backward_span`` for backward) the bot recalls it correctly with probability

    p(L) = (1 - lapse) / (1 + exp((L - s - 0.5) / spread))

so it nearly always succeeds below its span, about 3 times in 4 at ``L = s`` (for
``spread`` 0.5) and rarely above it. The longest span it reaches therefore tracks
``s``. A failed recall holds one error: half the time two neighbouring digits swapped,
otherwise one digit replaced by another. Practice trials follow the same rule.

Delays are gamma distributed (coefficient of variation ``rt_cv``): ``first_entry_s``
from the recall prompt to the first digit, ``key_interval_s`` between digits.

:class:`Bot` is a pure policy over the task's public state; :func:`simulate` plays
:class:`~games.digits.task.DigitsTask` with a simulated nanosecond clock, presenting
the digits at the configured interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from games.api import BotInput, EventRecord, ListSink
from games.digits.task import DigitsTask, DigitsTrial
from games.engine.simclock import REFRESH_NS, SimClock, gamma_delay

__all__ = ["Bot", "BotInput", "BotParams", "simulate"]

ITI_S = 1.0  # pause between trials, s
FIRST_DIGIT_S = 0.5  # trial start to the first digit, s


@dataclass(frozen=True, slots=True)
class BotParams:
    """Behavioural parameters of a simulated player."""

    span: float = 6.5  # forward span s: p(correct) about .73 at L = s
    backward_span: float = 5.0  # the same for the backward direction
    lapse: float = 0.03  # chance of an error even on a short sequence
    spread: float = 0.5  # width of the logistic fall of p(correct) with length (digits)
    first_entry_s: float = 1.0  # recall prompt to the first digit, mean (s)
    key_interval_s: float = 0.5  # between digits, mean (s)
    rt_cv: float = 0.35  # coefficient of variation of every delay

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BotParams:
        """A plausible population member.

        Adult norms put forward span near 6.5 (SD about 1.1) and backward span about
        1.5 digits lower (SD about 1.2): ``span ~ Normal(6.5, 1.1)`` clipped to 3..9.5;
        ``backward_span = span - Normal(1.5, 0.7)`` clipped to 2..span;
        ``lapse ~ U(0, 0.04)``; ``spread ~ U(0.2, 0.5)``; ``first_entry_s ~ U(0.6, 2)``;
        ``key_interval_s ~ U(0.3, 0.8)``; ``rt_cv ~ U(0.2, 0.5)``.
        """
        span = float(np.clip(rng.normal(6.5, 1.1), 3.0, 9.5))
        backward = float(np.clip(span - rng.normal(1.5, 0.7), 2.0, span))
        return cls(
            span=span,
            backward_span=backward,
            lapse=float(rng.uniform(0.0, 0.04)),
            spread=float(rng.uniform(0.2, 0.5)),
            first_entry_s=float(rng.uniform(0.6, 2.0)),
            key_interval_s=float(rng.uniform(0.3, 0.8)),
            rt_cv=float(rng.uniform(0.2, 0.5)),
        )

    def p_correct(self, direction: str, length: int) -> float:
        """The probability of recalling a sequence of ``length`` digits correctly."""
        span = self.span if direction == "forward" else self.backward_span
        return (1.0 - self.lapse) / (1.0 + math.exp((length - span - 0.5) / self.spread))


class Bot:
    """Decides each trial's whole answer at its first entry, then types it."""

    def __init__(self, params: BotParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng
        self._trial_key: tuple[int, DigitsTrial] | None = None
        self._plan: tuple[int, ...] = ()

    def _answer(self, trial: DigitsTrial) -> tuple[int, ...]:
        target = list(trial.target)
        if self._rng.random() < self.params.p_correct(trial.direction, trial.length):
            return tuple(target)
        if len(target) >= 2 and self._rng.random() < 0.5:
            k = int(self._rng.integers(0, len(target) - 1))
            target[k], target[k + 1] = target[k + 1], target[k]
        else:
            k = int(self._rng.integers(0, len(target)))
            others = [d for d in range(1, 10) if d != target[k]]
            target[k] = int(self._rng.choice(others))
        return tuple(target)

    def next_input(self, task: DigitsTask) -> BotInput | None:
        """The next key during a recall, else ``None``."""
        trial = task.current_trial
        if task.phase != "recall" or trial is None:
            return None
        key = (task.trials_done, trial)
        if self._trial_key != key:
            self._trial_key = key
            self._plan = self._answer(trial)
        entered = len(task.answer)
        mean = self.params.first_entry_s if entered == 0 else self.params.key_interval_s
        delay = gamma_delay(self._rng, mean, self.params.rt_cv)
        return BotInput(("digit", self._plan[entered]), delay)


def simulate(params: Mapping[str, Any], bot: BotParams, seed: int) -> list[EventRecord]:
    """Play a whole game with a simulated clock; the sequences use ``seed``."""
    clock = SimClock(now=0)
    sink = ListSink(clock=lambda: clock.now)
    task = DigitsTask(params, seed, sink)
    interval_ns = int(task.params["digit_interval_ms"]) * 1_000_000
    player = Bot(bot, np.random.default_rng([seed, 0xB07]))
    while not task.finished:
        task.start_trial(clock.wait_s(ITI_S))
        gap_ns = round(FIRST_DIGIT_S * 1e9)
        while task.stimulus_due is not None:
            clock.now += gap_ns
            task.stimulus_shown(clock.now, "simulated", REFRESH_NS)
            gap_ns = interval_ns  # each digit, then the prompt, one interval apart
        while (move := player.next_input(task)) is not None:
            t_ns = clock.wait_s(move.delay_s)
            if move.kind == "digit" and move.value is not None:
                task.enter_digit(int(move.value), t_ns)
            elif move.kind == "delete":
                task.delete_last(t_ns)
            else:
                task.submit(t_ns)
    return sink.events
