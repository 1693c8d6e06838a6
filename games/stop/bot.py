"""A simulated Stop player: the independent race model (Logan & Cowan 1984).

Model. The go process is a Wiener diffusion (:func:`games.engine.diffusion.sample_diffusion`,
s = 0.1, seconds) between the correct and the wrong key with ``drift``, ``boundary``
and ``nondecision``; with probability ``go_omission`` the player does not respond at
all (lapses). On a stop trial an independent stop process starts with the signal and
finishes ``ssrt_ms`` later (plus Normal noise with SD ``ssrt_sd_ms``). The go response
is made only if it would come before the stop process finishes:

    respond on a stop trial  <=>  go RT < SSD + SSRT

(the SSD as presented, i.e. the signal's frame stamp minus the arrow's). So a longer
``ssrt_ms`` means more signal-respond trials at a fixed SSD, and with the staircase a
shorter mean SSD and a longer integration-method SSRT.

:class:`Bot` is a pure policy: :meth:`Bot.next_input` is called when the arrow
appears (it returns the planned key and its delay after the arrow's onset) and
again when the stop signal appears (it returns the same key with its delay after the
signal's onset if the go process wins the race, else ``None``: the response is
withheld). :func:`simulate` plays :class:`~games.stop.task.StopTask` with a simulated
nanosecond clock and a 60-Hz frame grid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from games.api import BotInput, EventRecord, ListSink
from games.engine.diffusion import response_key, sample_diffusion
from games.engine.simclock import REFRESH_NS, SimClock, input_at, next_frame, play_timed_trials
from games.stop.task import Phase, StopTask

__all__ = ["Bot", "BotInput", "BotParams", "simulate"]


@dataclass(frozen=True, slots=True)
class BotParams:
    """Behavioural parameters of a simulated player (diffusion units: s = 0.1, seconds)."""

    drift: float = 0.25  # go process: drift towards the correct key
    boundary: float = 0.12  # go process: boundary separation
    nondecision: float = 0.30  # go process: encoding + motor time, s
    ssrt_ms: float = 220.0  # stop-signal reaction time, ms
    ssrt_sd_ms: float = 20.0  # trial-to-trial SD of the stop process, ms
    go_omission: float = 0.01  # probability of not responding on the go process

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BotParams:
        """A plausible population member.

        ``drift ~ U(0.15, 0.40)``, ``boundary ~ U(0.09, 0.16)``,
        ``nondecision ~ U(0.25, 0.40)`` (go RTs of about 400-650 ms),
        ``ssrt_ms ~ Normal(220, 35)`` clipped to 120..380 (healthy adults, Verbruggen
        et al. 2019; Band, van der Molen & Logan 2003), ``ssrt_sd_ms ~ U(0, 40)``,
        ``go_omission ~ U(0, 0.03)``.
        """
        return cls(
            drift=float(rng.uniform(0.15, 0.40)),
            boundary=float(rng.uniform(0.09, 0.16)),
            nondecision=float(rng.uniform(0.25, 0.40)),
            ssrt_ms=float(np.clip(rng.normal(220.0, 35.0), 120.0, 380.0)),
            ssrt_sd_ms=float(rng.uniform(0.0, 40.0)),
            go_omission=float(rng.uniform(0.0, 0.03)),
        )


class Bot:
    """The race policy; remembers the planned go response of the current trial."""

    def __init__(self, params: BotParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng
        self._trial: int | None = None
        self._plan: tuple[str, float] | None = None  # (key, go RT in s) or None: no go
        self._raced = False

    def wants_to_revise(self, task: StopTask) -> bool:
        """True once the stop signal is on screen and the race has not been run.

        A driver holding this bot's planned key then drops it and asks again: the bot
        withholds when its stop process finishes first.
        """
        trial = task.current_trial
        return (
            task.phase is Phase.RESPONSE
            and trial is not None
            and self._trial == trial.index
            and task.stop_signal_onset_ns is not None
            and not self._raced
            and self._plan is not None
        )

    def next_input(self, task: StopTask) -> BotInput | None:
        """The planned response, revised once the stop signal is on screen."""
        trial = task.current_trial
        onset = task.stimulus_onset_ns
        if task.phase is not Phase.RESPONSE or trial is None or onset is None:
            return None
        p = self.params
        if self._trial != trial.index:  # the arrow just appeared: plan the go response
            self._trial = trial.index
            self._raced = False
            self._plan = None
            if self._rng.random() >= p.go_omission:
                correct, rt_s = sample_diffusion(p.drift, p.boundary, p.nondecision, self._rng)
                if rt_s < int(task.params["max_rt_ms"]) / 1000.0:
                    self._plan = (response_key(task.params, trial.direction, correct), rt_s)
            signal = task.stop_signal_onset_ns
            if signal is None:
                return None if self._plan is None else BotInput(*self._plan)
        signal = task.stop_signal_onset_ns
        if signal is None or self._raced or self._plan is None:
            return None
        self._raced = True  # the signal is on screen: run the stop process once
        ssd_s = (signal - onset) / 1e9
        stop_finish = ssd_s + max(0.0, float(self._rng.normal(p.ssrt_ms, p.ssrt_sd_ms))) / 1000.0
        key, rt_s = self._plan
        if rt_s < stop_finish:
            return BotInput(key, max(0.0, rt_s - ssd_s))
        self._plan = None
        return None


def simulate(params: Mapping[str, Any], bot: BotParams, seed: int) -> list[EventRecord]:
    """Play a whole game with a simulated clock; the schedule uses ``seed``."""
    sink = ListSink(clock=lambda: 0)
    task = StopTask(params, seed, sink)
    player = Bot(bot, np.random.default_rng([seed, 0x5709]))
    clock = SimClock()

    def signal(
        onset: int, move: BotInput | None, at: int, deadline: int
    ) -> tuple[BotInput | None, int]:
        """The stop signal, if due before the response: the player runs its race."""
        due = task.stop_signal_due_ns
        if due is not None:
            signal_at = next_frame(due)
            if signal_at < deadline and (move is None or at >= signal_at):
                task.stop_signal_shown(signal_at, "simulated", REFRESH_NS)
                move = player.next_input(task)
                at = deadline if move is None else input_at(signal_at, move)
        return move, at

    play_timed_trials(clock, task, player, task.params["fixation_ms"], before_answer=signal)
    return sink.events
