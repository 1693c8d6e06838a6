"""A simulated Keypresses player: a renewal process of taps.

Model. After GO the first tap comes after ``first_tap_ms`` (gamma distributed, CV
0.3); every later inter-tap interval is gamma distributed with mean
``1 / rate`` and coefficient of variation ``tap_cv``, where ``rate`` is
``tap_rate_hz`` for the ``dominant_hand`` and ``tap_rate_hz * nondominant_ratio``
for the other. Taps stop when the window closes. So the taps per trial are about
``rate * duration`` and the measured ITI CV is about ``tap_cv``.

:class:`Bot` is a pure policy: :meth:`Bot.next_input` returns the key of the hand
being tested and the delay (s) after GO for the first tap, after the previous tap
otherwise. :func:`simulate` plays :class:`~games.keypresses.task.KeypressesTask` with
a simulated nanosecond clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from games.api import BotInput, EventRecord, ListSink
from games.engine.simclock import REFRESH_NS, SimClock, gamma_delay, press_until
from games.keypresses.task import KeypressesTask, Phase

__all__ = ["Bot", "BotInput", "BotParams", "simulate"]


@dataclass(frozen=True, slots=True)
class BotParams:
    """Behavioural parameters of a simulated tapper."""

    tap_rate_hz: float = 5.0  # dominant hand, taps per second
    tap_cv: float = 0.12  # coefficient of variation of the inter-tap interval
    nondominant_ratio: float = 0.9  # non-dominant rate / dominant rate
    dominant_hand: str = "right"
    first_tap_ms: float = 300.0  # mean GO-to-first-tap latency, ms

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BotParams:
        """A plausible population member.

        ``tap_rate_hz ~ Normal(5.0, 0.6)`` clipped to 2.5..7.5 (Halstead-Reitan norms:
        about 50 taps per 10 s with the dominant hand, SD about 6);
        ``tap_cv ~ U(0.06, 0.25)``; ``nondominant_ratio ~ Normal(0.9, 0.05)`` clipped
        to 0.7..1.1; ``dominant_hand`` right with probability 0.9;
        ``first_tap_ms ~ U(200, 500)``.
        """
        return cls(
            tap_rate_hz=float(np.clip(rng.normal(5.0, 0.6), 2.5, 7.5)),
            tap_cv=float(rng.uniform(0.06, 0.25)),
            nondominant_ratio=float(np.clip(rng.normal(0.9, 0.05), 0.7, 1.1)),
            dominant_hand="right" if rng.random() < 0.9 else "left",
            first_tap_ms=float(rng.uniform(200.0, 500.0)),
        )


class Bot:
    """The renewal-process policy; stateless beyond its random generator."""

    def __init__(self, params: BotParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng

    def next_input(self, task: KeypressesTask) -> BotInput | None:
        """The next tap while the window is open, else ``None``."""
        trial = task.current_trial
        if task.phase is not Phase.TAPPING or trial is None:
            return None
        p = self.params
        key = task.key_for(trial.hand)
        rate = p.tap_rate_hz * (1.0 if trial.hand == p.dominant_hand else p.nondominant_ratio)
        if task.taps == 0:
            return BotInput(key, gamma_delay(self._rng, p.first_tap_ms / 1000.0, 0.3))
        return BotInput(key, gamma_delay(self._rng, 1.0 / rate, p.tap_cv))


def simulate(params: Mapping[str, Any], bot: BotParams, seed: int) -> list[EventRecord]:
    """Play a whole game with a simulated clock; the schedule uses ``seed``."""
    sink = ListSink(clock=lambda: 0)
    task = KeypressesTask(params, seed, sink)
    player = Bot(bot, np.random.default_rng([seed, 0x7A9]))
    p = task.params
    clock = SimClock()
    while not task.finished:
        task.start_trial(clock.wait_ms(p["iti_ms"]))
        task.stimulus_shown(clock.frame_after_ms(p["ready_ms"]), "simulated", REFRESH_NS)
        deadline = task.deadline_at_ns
        assert deadline is not None
        press_until(clock, deadline, lambda: player.next_input(task), task.respond)
        task.timeout(clock.frame_at(deadline))
    return sink.events
