"""A simulated Hard or Easy (EEfRT) player: a logistic chooser that presses at a rate.

Choice model. The player weighs the expected extra gain of the hard task,
``x = probability * (reward_hard - reward_easy)``, against its effort:

    P(hard) = 1 / (1 + exp(-(effort_willingness + probability_sensitivity * (x - X_REF))))

with ``X_REF`` = 0.75 (about the middle of ``x`` in the default design, so that
``effort_willingness`` is the log-odds of choosing hard on a typical trial).
Higher ``effort_willingness`` means more hard choices overall; higher
``probability_sensitivity`` means choices follow reward x probability more closely
(Treadway et al. 2009 report both effects). The choice comes after a gamma-distributed
delay with mean ``choice_rt_s`` (CV 0.3); with probability ``p_no_choice`` the player
lets the choice time run out (the task then assigns one at random).

Pressing. Inter-press intervals are gamma distributed with mean ``1 / rate`` and
coefficient of variation ``press_cv``, where ``rate`` is ``press_rate_hz`` on the easy
task (dominant index finger) and ``press_rate_hz * hard_rate_factor`` on the hard task
(non-dominant little finger). A player completes the hard task when
``rate * hard_time`` comfortably exceeds the required presses.

:class:`Bot` is a pure policy: :meth:`Bot.next_input` returns the choice key (delay
after the choice screen's onset) or the next press (delay after the press screen's
onset for the first press, after the previous press otherwise).
:func:`simulate` plays :class:`~games.hard_or_easy.task.HardOrEasyTask` with a
simulated nanosecond clock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from games.api import BotInput, EventRecord, ListSink
from games.engine.simclock import REFRESH_NS, SimClock, gamma_delay, press_until
from games.hard_or_easy.task import EffortTrial, HardOrEasyTask, Phase

__all__ = ["X_REF", "Bot", "BotInput", "BotParams", "simulate"]

X_REF = 0.75  # centre of probability x (reward_hard - reward_easy) in the default design


@dataclass(frozen=True, slots=True)
class BotParams:
    """Behavioural parameters of a simulated EEfRT player."""

    effort_willingness: float = 0.0  # log-odds of choosing hard at x = X_REF
    probability_sensitivity: float = 2.0  # log-odds per unit of probability x extra reward
    choice_rt_s: float = 1.5  # mean choice latency, s
    p_no_choice: float = 0.0  # probability of letting the choice time run out
    press_rate_hz: float = 6.0  # presses per second with the dominant index finger
    hard_rate_factor: float = 0.85  # non-dominant little finger rate / index rate
    press_cv: float = 0.15  # coefficient of variation of the inter-press interval

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BotParams:
        """A plausible population member.

        ``effort_willingness ~ Normal(0, 1.2)`` (hard-choice rates from about 10% to
        90%, as across Treadway et al.'s participants), ``probability_sensitivity ~
        U(0, 4)``, ``choice_rt_s ~ U(0.8, 2.5)``, ``p_no_choice ~ U(0, 0.03)``,
        ``press_rate_hz ~ Normal(6.5, 0.8)`` clipped to 3.5..9, ``hard_rate_factor ~
        U(0.8, 1.0)``, ``press_cv ~ U(0.08, 0.25)``: most players can finish the hard
        task (Treadway et al. report high completion rates), a few cannot.
        """
        return cls(
            effort_willingness=float(rng.normal(0.0, 1.2)),
            probability_sensitivity=float(rng.uniform(0.0, 4.0)),
            choice_rt_s=float(rng.uniform(0.8, 2.5)),
            p_no_choice=float(rng.uniform(0.0, 0.03)),
            press_rate_hz=float(np.clip(rng.normal(6.5, 0.8), 3.5, 9.0)),
            hard_rate_factor=float(rng.uniform(0.8, 1.0)),
            press_cv=float(rng.uniform(0.08, 0.25)),
        )

    def p_hard(self, trial: EffortTrial) -> float:
        """Probability of choosing the hard task on ``trial``."""
        x = trial.probability * (trial.reward_hard - trial.reward_easy)
        logit = self.effort_willingness + self.probability_sensitivity * (x - X_REF)
        return 1.0 / (1.0 + math.exp(-logit))


class Bot:
    """The logistic-choice, renewal-pressing policy; remembers which choice it answered."""

    def __init__(self, params: BotParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng
        self._chosen_for: int | None = None

    def next_input(self, task: HardOrEasyTask) -> BotInput | None:
        """The choice on the choice screen, the next press on the press screen, else ``None``."""
        trial = task.current_trial
        if trial is None:
            return None
        p = self.params
        if task.phase is Phase.CHOICE:
            if self._chosen_for == trial.index:
                return None
            self._chosen_for = trial.index
            if self._rng.random() < p.p_no_choice:
                return None
            choice = "hard" if self._rng.random() < p.p_hard(trial) else "easy"
            delay = gamma_delay(self._rng, p.choice_rt_s, 0.3)
            if delay >= int(task.params["choice_time_ms"]) / 1000.0:
                return None
            return BotInput(str(task.params[f"choice_key_{choice}"]), delay)
        if task.phase is Phase.PRESSING and task.press_key is not None:
            rate = p.press_rate_hz * (p.hard_rate_factor if task.choice == "hard" else 1.0)
            return BotInput(task.press_key, gamma_delay(self._rng, 1.0 / rate, p.press_cv))
        return None


def simulate(params: Mapping[str, Any], bot: BotParams, seed: int) -> list[EventRecord]:
    """Play a whole game with a simulated clock; the schedule uses ``seed``."""
    sink = ListSink(clock=lambda: 0)
    task = HardOrEasyTask(params, seed, sink)
    player = Bot(bot, np.random.default_rng([seed, 0xEEF]))
    p = task.params
    clock = SimClock()
    while not task.finished:
        task.start_trial(clock.wait_ms(p["iti_ms"]))
        task.stimulus_shown(clock.frame_after_ms(p["ready_ms"]), "simulated", REFRESH_NS)
        deadline = task.deadline_at_ns
        assert deadline is not None
        move = player.next_input(task)
        if move is None or clock.now + round(move.delay_s * 1e9) > deadline:
            task.timeout(clock.frame_at(deadline))
        else:
            task.respond(move.key, clock.wait_s(move.delay_s))
        task.task_shown(clock.frame_after_ms(p["ready_ms"]), "simulated", REFRESH_NS)
        deadline = task.deadline_at_ns
        assert deadline is not None
        press_until(clock, deadline, lambda: player.next_input(task), task.respond)
        if task.phase is Phase.PRESSING:
            task.timeout(clock.frame_at(deadline))
        clock.wait_ms(p["feedback_ms"])
    return sink.events
