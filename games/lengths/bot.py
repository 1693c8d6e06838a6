"""A simulated Lengths (PRT) player: a diffusion whose starting point follows rewards.

Model. Each trial is a Wiener diffusion (:func:`games.engine.diffusion.sample_diffusion`,
s = 0.1, seconds) between the correct and the wrong key, with drift ``drift`` towards
the correct key (how well the player tells the mouths apart), boundary separation
``boundary`` and non-decision time ``nondecision``. The starting point is biased
towards the response that has earned more rewards so far in the game (the player
counts the reward feedback it sees after pressing "short" and after pressing "long"):

    z / boundary = 0.5 + reward_bias * tanh((R_this - R_other) / bias_scale)

where ``R_this`` counts rewards earned by the response that is correct on this trial
and ``R_other`` those of the other response; the result is clipped to 0.05..0.95. With
the default design the rich response leads by about 20 rewards per block, so the bias
grows across blocks, as in Pizzagalli et al. (2005). ``reward_bias`` = 0 gives an
unbiased player; larger values give a larger response bias (log b) towards the rich
stimulus, and ``drift`` sets discriminability (log d).

:class:`Bot` is a pure policy: :meth:`Bot.next_input` reads the task's observable
state (the mouth on screen and the feedback of the previous trial) and returns the
key and its delay after the mouth's onset. :func:`simulate` plays
:class:`~games.lengths.task.LengthsTask` with a simulated nanosecond clock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from games.api import BotInput, EventRecord, ListSink
from games.engine.diffusion import response_key, sample_diffusion
from games.engine.simclock import SimClock, offset_after, play_timed_trials
from games.lengths.task import LengthsTask, Phase

__all__ = ["Bot", "BotInput", "BotParams", "simulate"]


@dataclass(frozen=True, slots=True)
class BotParams:
    """Behavioural parameters of a simulated player (diffusion units: s = 0.1, seconds)."""

    drift: float = 0.15  # drift towards the correct key (discriminability)
    boundary: float = 0.12  # boundary separation
    nondecision: float = 0.40  # encoding + motor time, s
    reward_bias: float = 0.2  # maximal start-point shift towards the more rewarded key
    bias_scale: float = 20.0  # reward lead (rewards) giving ~76% of the maximal shift

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BotParams:
        """A plausible population member.

        ``drift ~ U(0.06, 0.30)`` (PRT accuracy of about 65-95%),
        ``boundary ~ U(0.09, 0.16)``, ``nondecision ~ U(0.30, 0.50)``,
        ``reward_bias ~ U(0, 0.35)`` (log b from about 0 to 0.3, the range reported
        for healthy and anhedonic samples), ``bias_scale ~ U(10, 40)``.
        """
        return cls(
            drift=float(rng.uniform(0.06, 0.30)),
            boundary=float(rng.uniform(0.09, 0.16)),
            nondecision=float(rng.uniform(0.30, 0.50)),
            reward_bias=float(rng.uniform(0.0, 0.35)),
            bias_scale=float(rng.uniform(10.0, 40.0)),
        )


class Bot:
    """The biased-diffusion policy; remembers the rewards it has seen per response.

    Call :meth:`next_input` whenever the screen changes - in particular while the
    feedback of a trial is shown - so that the bot sees the rewards.
    """

    def __init__(self, params: BotParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng
        self._answered: int | None = None
        self._seen_outcome: int | None = None
        self.rewards = {"short": 0, "long": 0}  # rewards seen after each response

    def _observe(self, task: LengthsTask) -> None:
        outcome = task.last_outcome
        if outcome is None or outcome.trial_index == self._seen_outcome:
            return
        self._seen_outcome = outcome.trial_index
        feedback = task.last_feedback
        if feedback is not None and feedback.get("rewarded") and outcome.choice:
            self.rewards[outcome.choice] += 1

    def start_point(self, correct_choice: str) -> float:
        """Relative starting point towards ``correct_choice`` given the rewards seen."""
        other = "long" if correct_choice == "short" else "short"
        lead = self.rewards[correct_choice] - self.rewards[other]
        z = 0.5 + self.params.reward_bias * math.tanh(lead / self.params.bias_scale)
        return min(0.95, max(0.05, z))

    def next_input(self, task: LengthsTask) -> BotInput | None:
        """The response to the mouth just shown, or ``None`` (nothing to do / no response)."""
        self._observe(task)
        trial = task.current_trial
        if task.phase is not Phase.RESPONSE or trial is None or self._answered == trial.index:
            return None
        self._answered = trial.index
        p = self.params
        correct, rt_s = sample_diffusion(
            p.drift, p.boundary, p.nondecision, self._rng, start=self.start_point(trial.stimulus)
        )
        if rt_s >= int(task.params["response_window_ms"]) / 1000.0:
            return None
        return BotInput(response_key(task.params, trial.correct_side, correct), rt_s)


def simulate(params: Mapping[str, Any], bot: BotParams, seed: int) -> list[EventRecord]:
    """Play a whole game with a simulated clock; the schedule uses ``seed``."""
    sink = ListSink(clock=lambda: 0)
    task = LengthsTask(params, seed, sink)
    player = Bot(bot, np.random.default_rng([seed, 0x1E6]))
    p = task.params
    clock = SimClock()
    mouth_off = offset_after(int(p["mouth_ms"]), task.stimulus_hidden)
    face_ms = int(p["fixation_ms"]) + int(p["face_ms"])  # fixation, then the mouthless face
    play_timed_trials(clock, task, player, face_ms, before_answer=mouth_off)
    return sink.events
