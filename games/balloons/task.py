"""Balloons: the rules, schedule and trial table of a Balloon Analogue Risk Task.

Paradigm: Lejuez et al. (2002), "Evaluation of a behavioral measure of risk taking:
the Balloon Analogue Risk Task (BART)", J. Exp. Psychol. Appl. 8(2), 75-84.

Rules
-----
The candidate inflates ``n_balloons`` balloons one at a time. Each accepted pump adds
``cents_per_pump`` cents to a temporary bank. *Collect* moves the temporary bank into
the total and ends the balloon. If the balloon pops, its temporary bank is lost.

Explosion point. Lejuez et al. draw, at every pump, one chip without replacement from
an urn of ``max_pumps`` (128) chips and pop the balloon when the one "explosion" chip
comes out, so the pop probability is 1/128, then 1/127, ... The pump at which that
chip comes out is uniform on ``1..max_pumps``. We therefore draw it once per balloon
from the seed: ``explosion_point ~ Uniform{1, ..., max_pumps}``, and the pump whose
number equals ``explosion_point`` pops the balloon (so at most ``explosion_point - 1``
pumps can be banked). Mean explosion point is 64.5 for the default 128.

Practice balloons (``n_practice``, default 0) come first, follow the same rules, and
do not count towards the total.

Timing and inputs
-----------------
``start_trial(t_ns)`` begins the next balloon; the view reports when the balloon
became visible with ``stimulus_shown(t_ns, method, refresh_ns)``. ``pump(t_ns)`` and
``collect(t_ns)`` take the input's own ``perf_counter_ns`` stamp; the task never reads
a clock. Inputs that arrive when no balloon is in play (between balloons, after the
end) are *ignored* and the method returns ``False``; calling ``start_trial`` while a
balloon is in play or after the end raises :class:`RuntimeError` (a view bug).
Feedback and trial end are emitted with the stamp of the input that caused them.

Events (all carry ``trial_index``, the 0-based index over practice and main balloons)
------------------------------------------------------------------------------------
``trial_start``     ``balloon`` (1-based within its block), ``practice`` (bool),
                    ``explosion_point`` (pumps), ``cents_per_pump`` (cents),
                    ``max_pumps``
``stimulus_onset``  ``stimulus`` = ``"balloon"``, ``method`` (how the view stamped
                    the onset), ``refresh_ns`` (display refresh period, ns)
``response``        ``input`` = ``"pump"`` or ``"collect"``; ``pumps`` (pumps so far
                    on this balloon, including this one for a pump); ``bank_cents``
                    (temporary bank after the input, before any pop)
``explosion``       (game-specific) the balloon popped: ``pumps``, ``lost_cents``
``feedback``        ``outcome`` = ``"collected"`` or ``"exploded"``,
                    ``earned_cents``, ``total_cents`` (running total, main only)
``trial_end``       ``outcome``, ``pumps``, ``exploded`` (bool), ``earned_cents``,
                    ``total_cents``, ``practice``

The game flushes the sink at each trial end and flushes durably when it ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from games.api import TASK_EXPORTS, EventRecord, EventSink, completed_trials
from games.engine.params import ParamSchema
from games.engine.trial import OpenPhase, TableSchema, TrialTask, first_event, ms_between

__all__ = [*TASK_EXPORTS, "BalloonTrial", "BalloonsTask"]

GAME_ID = "balloons"
DISPLAY_NAME = "Balloons"
VERSION = "1.0.0"

_PARAMS = ParamSchema.load(GAME_ID)
DEFAULT_PARAMS: Mapping[str, Any] = _PARAMS.defaults


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    Raises :class:`~games.api.ConfigError` naming the key and its allowed values (as
    ``params.toml`` declares them).
    """
    merged = _PARAMS.validate(params)
    return merged


@dataclass(frozen=True, slots=True)
class BalloonTrial:
    """One scheduled balloon."""

    index: int  # 0-based over practice and main balloons
    balloon: int  # 1-based within its block
    practice: bool
    explosion_point: int  # the pump with this number pops the balloon

    def design(self) -> dict[str, Any]:
        """The balloon's design as a ``trial_start`` payload (without ``index``)."""
        return {
            "balloon": self.balloon,
            "practice": self.practice,
            "explosion_point": self.explosion_point,
        }


def make_schedule(params: Mapping[str, Any], seed: int) -> tuple[BalloonTrial, ...]:
    """Practice then main balloons, explosion points uniform on ``1..max_pumps``."""
    p = validate_params(params)
    rng = np.random.default_rng(seed)
    n_practice, n_main = p["n_practice"], p["n_balloons"]
    points = rng.integers(1, p["max_pumps"] + 1, size=n_practice + n_main)
    trials = []
    for i in range(n_practice + n_main):
        practice = i < n_practice
        number = i + 1 if practice else i - n_practice + 1
        trials.append(BalloonTrial(i, number, practice, int(points[i])))
    return tuple(trials)


@dataclass(frozen=True, slots=True)
class BalloonOutcome:
    """How a balloon ended."""

    trial_index: int
    exploded: bool
    pumps: int
    earned_cents: int


class BalloonsTask(TrialTask[BalloonTrial, OpenPhase, BalloonOutcome]):
    """The balloons state machine, driven by the view or a bot.

    Read-only state (beyond :class:`~games.engine.trial.TrialTask`'s): :attr:`pumps`,
    :attr:`bank_cents`, :attr:`total_cents`. A balloon is in play while the phase is
    ``open``; :attr:`trials_done` and :attr:`trials_planned` count practice balloons.
    """

    game_id = GAME_ID
    stimulus = "balloon"

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        valid = validate_params(params)
        super().__init__(valid, make_schedule(valid, seed), sink, OpenPhase)
        self._pumps = 0
        self._total = 0

    # ---- read-only state -------------------------------------------------------
    @property
    def pumps(self) -> int:
        """Pumps on the balloon in play (0 between balloons)."""
        return self._pumps if self.trial_running else 0

    @property
    def bank_cents(self) -> int:
        """The temporary bank of the balloon in play."""
        return self.pumps * int(self._params["cents_per_pump"])

    @property
    def total_cents(self) -> int:
        return self._total

    # ---- inputs ----------------------------------------------------------------
    def start_trial(self, t_ns: int) -> BalloonTrial:
        """Begin the next balloon; raises :class:`RuntimeError` if one is in play or done."""
        extra = {key: self._params[key] for key in ("cents_per_pump", "max_pumps")}
        return self._begin(t_ns, OpenPhase.OPEN, extra)

    def pump(self, t_ns: int) -> bool:
        """Pump once; returns ``False`` (ignored) when no balloon is in play."""
        if not self.trial_running:
            return False
        trial = self._running
        self._pumps += 1
        self._emit_response("pump", t_ns)
        if self._pumps >= trial.explosion_point:
            self._emit("explosion", {"pumps": self._pumps, "lost_cents": self.bank_cents}, t_ns)
            self._end(trial, t_ns, exploded=True)
        return True

    def collect(self, t_ns: int) -> bool:
        """Bank the temporary bank; returns ``False`` (ignored) when no balloon is in play."""
        if not self.trial_running:
            return False
        self._emit_response("collect", t_ns)
        self._end(self._running, t_ns, exploded=False)
        return True

    def _emit_response(self, name: str, t_ns: int) -> None:
        self._emit(
            "response", {"input": name, "pumps": self._pumps, "bank_cents": self.bank_cents}, t_ns
        )

    def _end(self, trial: BalloonTrial, t_ns: int, *, exploded: bool) -> None:
        earned = 0 if exploded else self.bank_cents
        if not trial.practice:
            self._total += earned
        outcome = "exploded" if exploded else "collected"
        feedback = {"outcome": outcome, "earned_cents": earned, "total_cents": self._total}
        self._give_feedback(trial, t_ns, feedback)
        end = {
            "outcome": outcome,
            "pumps": self._pumps,
            "exploded": exploded,
            "earned_cents": earned,
            "total_cents": self._total,
            "practice": trial.practice,
        }
        pumps, self._pumps = self._pumps, 0
        self._close(trial, t_ns, end, BalloonOutcome(trial.index, exploded, pumps, earned))

    def summary_extra(self) -> Mapping[str, Any]:
        return {"total_cents": self._total}


# ---- trial table -------------------------------------------------------------------

_TABLE = TableSchema.load(GAME_ID)
COLUMNS: Mapping[str, str] = _TABLE.descriptions


def trial_table(events: Sequence[EventRecord]) -> dict[str, NDArray[Any]]:
    """One row per completed balloon, columns as declared in ``table.toml`` (:data:`COLUMNS`).

    Built from stored events only; an incomplete last balloon gives no row.
    """
    table = _TABLE.builder()
    for trial in completed_trials(events):
        start, end = trial[0], trial[-1]
        responses = [e for e in trial if e.kind == "response"]
        pump_times = [e.t_ns for e in responses if e.payload.get("input") == "pump"]
        table.add_trial(
            trial,
            pumps=len(pump_times),
            first_response_ms=ms_between(
                first_event(trial, "stimulus_onset") or start, first_event(trial, "response")
            ),
            mean_pump_interval_ms=(
                float(np.mean(np.diff(pump_times))) / 1e6 if len(pump_times) >= 2 else float("nan")
            ),
            duration_ms=ms_between(start, end),
        )
    return table.columns()
