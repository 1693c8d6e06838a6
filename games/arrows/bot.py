"""A simulated Arrows player: a Wiener diffusion with flanker and switch costs.

Model. On every trial the decision between the correct and the wrong key is a
diffusion (:func:`games.engine.diffusion.sample_diffusion`, s = 0.1, seconds) with
boundary separation ``boundary``, unbiased start and drift ``drift`` towards the
correct key; on incongruent trials the flankers pull the other way, so the drift is
``drift - flanker_interference`` (slower and less accurate responses: the flanker
effect). On switch trials - and on the first trial of a block, which pays a
comparable restart cost - the task set just left still competes: the drift loses
``switch_interference`` (slower and less accurate responses; the residual, decisional
part of the switch cost), and ``switch_cost_ms`` of reconfiguration time is added to
the non-decision time (the part a long cue interval cannot remove; Rogers & Monsell
1995; Monsell 2003, Trends Cogn. Sci. 7, 134-140). Fitting diffusion models to
task switching finds both: lower drift and longer non-decision time on switch
trials (Schmitz & Voss 2012, J. Exp. Psychol. Hum. Percept. Perform. 38, 222-250).
The response time is the first-passage time plus the non-decision time.
A response that would come after the response window is not made (time-out).

:class:`Bot` is a pure policy: :meth:`Bot.next_input` reads the task's observable
state (the cue and the arrows on screen) and returns the key to press and its delay
after the arrows' onset. :func:`simulate` plays :class:`~games.arrows.task.ArrowsTask`
with a simulated nanosecond clock and a 60-Hz frame grid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from games.api import BotInput, EventRecord, ListSink
from games.arrows.task import ArrowsTask, Phase
from games.engine.diffusion import response_key, sample_diffusion
from games.engine.simclock import REFRESH_NS, SimClock, play_timed_trials

__all__ = ["Bot", "BotInput", "BotParams", "simulate"]


@dataclass(frozen=True, slots=True)
class BotParams:
    """Behavioural parameters of a simulated player (diffusion units: s = 0.1, seconds)."""

    drift: float = 0.25  # drift towards the correct key on congruent trials
    boundary: float = 0.12  # boundary separation
    nondecision: float = 0.35  # encoding + motor time, s
    flanker_interference: float = 0.08  # drift lost on incongruent trials
    switch_cost_ms: float = 80.0  # added to the non-decision time on switch/first trials
    switch_interference: float = 0.06  # drift lost on switch/first trials

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BotParams:
        """A plausible population member.

        ``drift ~ U(0.15, 0.40)``, ``boundary ~ U(0.09, 0.16)``,
        ``nondecision ~ U(0.30, 0.50)`` (typical EZ-diffusion fits of choice tasks);
        ``flanker_interference ~ U(0, 0.6) x drift`` (flanker effects of roughly
        0-100 ms); ``switch_interference ~ U(0, 0.6) x drift`` and ``switch_cost_ms ~
        U(20, 150)``, which together give switch costs of roughly 50-300 ms, the range
        of cued switch costs (Monsell 2003).
        """
        drift = float(rng.uniform(0.15, 0.40))
        return cls(
            drift=drift,
            boundary=float(rng.uniform(0.09, 0.16)),
            nondecision=float(rng.uniform(0.30, 0.50)),
            flanker_interference=float(rng.uniform(0.0, 0.6) * drift),
            switch_cost_ms=float(rng.uniform(20.0, 150.0)),
            switch_interference=float(rng.uniform(0.0, 0.6) * drift),
        )


class Bot:
    """The diffusion policy; remembers only which trial it has answered."""

    def __init__(self, params: BotParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng
        self._answered: int | None = None

    def next_input(self, task: ArrowsTask) -> BotInput | None:
        """The response to the arrows on screen, or ``None`` (nothing to do or no response)."""
        trial = task.current_trial
        if task.phase is not Phase.RESPONSE or trial is None or self._answered == trial.index:
            return None
        self._answered = trial.index
        p = self.params
        switching = trial.transition != "repeat"
        drift = p.drift - (0.0 if trial.congruent else p.flanker_interference)
        drift -= p.switch_interference if switching else 0.0
        nondecision = p.nondecision + (p.switch_cost_ms / 1000.0 if switching else 0.0)
        correct, rt_s = sample_diffusion(drift, p.boundary, nondecision, self._rng)
        if rt_s >= int(task.params["response_window_ms"]) / 1000.0:
            return None
        return BotInput(response_key(task.params, trial.correct_side, correct), rt_s)


def simulate(params: Mapping[str, Any], bot: BotParams, seed: int) -> list[EventRecord]:
    """Play a whole game with a simulated clock; the schedule uses ``seed``."""
    sink = ListSink(clock=lambda: 0)
    task = ArrowsTask(params, seed, sink)
    player = Bot(bot, np.random.default_rng([seed, 0xA770]))
    clock = SimClock()

    def cue() -> None:  # on the trial's first frame; the arrows follow cue_ms later
        task.cue_shown(clock.frame_after(1), "simulated", REFRESH_NS)

    play_timed_trials(clock, task, player, task.params["cue_ms"], cue=cue)
    return sink.events
