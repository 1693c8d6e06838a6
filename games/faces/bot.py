"""A simulated Faces player: a race of evidence accumulators, one per option.

Model (a racing-diffusion / Wald race, as in Logan et al. 2014, Psychol. Rev. 121,
66-95). Each response option has an accumulator that drifts towards a common
``threshold`` with unit noise; its finishing time is inverse-Gaussian with mean
``threshold / v`` and shape ``threshold**2``. The first to finish is the choice, and
the response time is its finishing time plus ``nondecision``. Drift rates:

- every option: ``base_drift`` (guessing; with no signal each option wins 1/n),
- the emotion shown: ``+ recognition * ease[emotion] * intensity``,
- its usual confusion partner (fear/surprise, anger/disgust, sadness->neutral):
  ``+ confusion * recognition * ease[emotion] * intensity``,
- ``neutral`` on an emotional face: ``+ recognition * neutral_pull * (1 - intensity)``
  (weak expressions look neutral); on a neutral face the neutral option gets
  ``+ recognition * ease["neutral"]``.

So ``recognition`` sets overall accuracy (and speed), accuracy rises with intensity,
and ``ease`` orders the emotions (happiness easiest, fear hardest by default, as in
most recognition studies). A choice that would come after the response window is
not made (time-out).

:class:`Bot` is a pure policy: :meth:`Bot.next_input` reads the face on screen and
returns the option and its delay after the face's onset. :func:`simulate` plays
:class:`~games.faces.task.FacesTask` with a simulated nanosecond clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from games.api import BotInput, EventRecord, ListSink
from games.engine.simclock import SimClock, offset_after, play_timed_trials
from games.faces.task import FacesTask, Phase

__all__ = ["CONFUSED_WITH", "DEFAULT_EASE", "Bot", "BotInput", "BotParams", "simulate"]


DEFAULT_EASE: Mapping[str, float] = MappingProxyType(
    {
        "anger": 0.9,
        "disgust": 0.8,
        "fear": 0.6,
        "happiness": 1.4,
        "sadness": 0.9,
        "surprise": 1.1,
        "neutral": 1.0,
    }
)
CONFUSED_WITH: Mapping[str, str] = MappingProxyType(
    {
        "fear": "surprise",
        "surprise": "fear",
        "anger": "disgust",
        "disgust": "anger",
        "sadness": "neutral",
    }
)


@dataclass(frozen=True, slots=True)
class BotParams:
    """Behavioural parameters of a simulated player (accumulator units, seconds)."""

    recognition: float = 4.0  # drift gained per unit of expression intensity
    base_drift: float = 0.6  # drift of every option (guessing)
    threshold: float = 1.5  # evidence needed to choose
    nondecision: float = 0.6  # encoding, reading the options and moving, s
    confusion: float = 0.3  # share of the evidence leaking to the confusion partner
    neutral_pull: float = 0.5  # how much a weak expression looks neutral
    ease: Mapping[str, float] = field(default_factory=lambda: MappingProxyType(dict(DEFAULT_EASE)))

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BotParams:
        """A plausible population member.

        ``recognition ~ U(1, 8)`` (accuracy at full intensity from about 50% to 95%),
        ``base_drift ~ U(0.4, 0.8)``, ``threshold ~ U(1.2, 2.0)``,
        ``nondecision ~ U(0.45, 0.8)`` s, ``confusion ~ U(0.1, 0.5)``,
        ``neutral_pull ~ U(0.2, 0.8)``; ``ease`` is the default multiplied by
        ``LogNormal(0, 0.15)`` per emotion.
        """
        return cls(
            recognition=float(rng.uniform(1.0, 8.0)),
            base_drift=float(rng.uniform(0.4, 0.8)),
            threshold=float(rng.uniform(1.2, 2.0)),
            nondecision=float(rng.uniform(0.45, 0.8)),
            confusion=float(rng.uniform(0.1, 0.5)),
            neutral_pull=float(rng.uniform(0.2, 0.8)),
            ease=MappingProxyType(
                {k: v * float(rng.lognormal(0.0, 0.15)) for k, v in DEFAULT_EASE.items()}
            ),
        )

    def drifts(self, options: tuple[str, ...], emotion: str, intensity: float) -> list[float]:
        """The accumulators' drift rates for a face, in the order of ``options``."""
        v = {name: self.base_drift for name in options}
        if emotion == "neutral":
            if "neutral" in v:
                v["neutral"] += self.recognition * self.ease.get("neutral", 1.0)
            return [v[name] for name in options]
        signal = self.recognition * self.ease.get(emotion, 1.0) * intensity
        v[emotion] = v.get(emotion, self.base_drift) + signal
        partner = CONFUSED_WITH.get(emotion)
        if partner in v:
            v[partner] += self.confusion * signal
        if "neutral" in v:
            v["neutral"] += self.recognition * self.neutral_pull * (1.0 - intensity)
        return [v[name] for name in options]


class Bot:
    """The accumulator-race policy; remembers only which trial it has answered."""

    def __init__(self, params: BotParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng
        self._answered: int | None = None

    def next_input(self, task: FacesTask) -> BotInput | None:
        """The choice for the face on screen, or ``None`` (nothing to do / no choice)."""
        trial = task.current_trial
        if task.phase is not Phase.RESPONSE or trial is None or self._answered == trial.index:
            return None
        self._answered = trial.index
        p = self.params
        drifts = np.array(p.drifts(task.options, trial.emotion, trial.intensity))
        times = self._rng.wald(p.threshold / drifts, p.threshold**2)
        winner = int(np.argmin(times))
        rt_s = p.nondecision + float(times[winner])
        if rt_s >= int(task.params["response_window_ms"]) / 1000.0:
            return None
        return BotInput(task.options[winner], rt_s)


def simulate(params: Mapping[str, Any], bot: BotParams, seed: int) -> list[EventRecord]:
    """Play a whole game with a simulated clock; the schedule uses ``seed``."""
    sink = ListSink(clock=lambda: 0)
    task = FacesTask(params, seed, sink)
    player = Bot(bot, np.random.default_rng([seed, 0xFACE]))
    p = task.params
    clock = SimClock()
    face_off = offset_after(int(p["stimulus_ms"]), task.stimulus_hidden)
    play_timed_trials(clock, task, player, p["fixation_ms"], before_answer=face_off)
    return sink.events
