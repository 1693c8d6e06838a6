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

Trial table
-----------
:func:`trial_table` gives one row per completed trial (practice rows included,
flagged by ``practice``); an unfinished last trial gives no row. Columns (also in
:data:`COLUMNS`):

``trial_index``            0-based index of the balloon over practice and main (int)
``practice``               True for a practice balloon (bool)
``balloon``                1-based number of the balloon within its block (int)
``explosion_point``        scheduled pump number that pops the balloon (pumps, int)
``pumps``                  accepted pumps, counting the one that popped it (pumps, int)
``exploded``               True when the balloon popped (bool)
``earned_cents``           cents banked from this balloon; 0 if it popped (cents, int)
``total_cents``            running total after this balloon, main balloons only (cents, int)
``first_response_ms``      balloon onset to the first pump or collect (ms, float; NaN: none)
``mean_pump_interval_ms``  mean time between successive pumps (ms, float; NaN: < 2)
``duration_ms``            trial_start to trial_end (ms, float)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from games.api import EventRecord, EventSink, GameSummary, completed_trials
from games.engine.params import check_ints, merge_params

__all__ = [
    "COLUMNS",
    "DEFAULT_PARAMS",
    "DISPLAY_NAME",
    "GAME_ID",
    "VERSION",
    "BalloonTrial",
    "BalloonsTask",
    "make_schedule",
    "trial_table",
    "validate_params",
]

GAME_ID = "balloons"
DISPLAY_NAME = "Balloons"
VERSION = "1.0.0"

DEFAULT_PARAMS: Mapping[str, Any] = MappingProxyType(
    {
        "n_balloons": 30,
        "n_practice": 0,
        "cents_per_pump": 5,
        "max_pumps": 128,
    }
)

# key -> (low, high) inclusive integer ranges
_INT_RANGES: Mapping[str, tuple[int, int]] = MappingProxyType(
    {
        "n_balloons": (1, 500),
        "n_practice": (0, 10),
        "cents_per_pump": (1, 1000),
        "max_pumps": (2, 1000),
    }
)


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    Raises :class:`ConfigError` naming the key and its allowed values.
    """
    merged = merge_params(GAME_ID, DEFAULT_PARAMS, params)
    check_ints(GAME_ID, merged, _INT_RANGES)
    return merged


@dataclass(frozen=True, slots=True)
class BalloonTrial:
    """One scheduled balloon."""

    index: int  # 0-based over practice and main balloons
    balloon: int  # 1-based within its block
    practice: bool
    explosion_point: int  # the pump with this number pops the balloon


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


class BalloonsTask:
    """The balloons state machine, driven by the view or a bot.

    Read-only state: :attr:`current_trial`, :attr:`trial_running`, :attr:`pumps`,
    :attr:`bank_cents`, :attr:`total_cents`, :attr:`last_outcome`, :attr:`finished`,
    :attr:`trials_done`, :attr:`trials_planned` (both count practice balloons).
    """

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        self._params = validate_params(params)
        self._schedule = make_schedule(self._params, seed)
        self._sink = sink
        self._next = 0  # index of the next trial to start
        self._running = False
        self._pumps = 0
        self._total = 0
        self._last: BalloonOutcome | None = None
        self._finished = False
        self._first_input_seen = False

    # ---- read-only state -------------------------------------------------------
    @property
    def params(self) -> Mapping[str, Any]:
        return MappingProxyType(self._params)

    @property
    def schedule(self) -> tuple[BalloonTrial, ...]:
        return self._schedule

    @property
    def current_trial(self) -> BalloonTrial | None:
        """The balloon in play, else the next one to start, else ``None``."""
        if self._running:
            return self._schedule[self._next - 1]
        return self._schedule[self._next] if self._next < len(self._schedule) else None

    @property
    def trial_running(self) -> bool:
        return self._running

    @property
    def pumps(self) -> int:
        """Pumps on the balloon in play (0 between balloons)."""
        return self._pumps if self._running else 0

    @property
    def bank_cents(self) -> int:
        """The temporary bank of the balloon in play."""
        return self.pumps * int(self._params["cents_per_pump"])

    @property
    def total_cents(self) -> int:
        return self._total

    @property
    def last_outcome(self) -> BalloonOutcome | None:
        return self._last

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def trials_done(self) -> int:
        return self._next - 1 if self._running else self._next

    @property
    def trials_planned(self) -> int:
        return len(self._schedule)

    # ---- inputs ----------------------------------------------------------------
    def start_trial(self, t_ns: int) -> BalloonTrial:
        """Begin the next balloon; raises :class:`RuntimeError` if one is in play or done."""
        if self._finished or self._running:
            raise RuntimeError("start_trial: a balloon is in play or the game has finished")
        trial = self._schedule[self._next]
        self._next += 1
        self._running = True
        self._pumps = 0
        self._first_input_seen = False
        self._sink.emit(
            "trial_start",
            {
                "balloon": trial.balloon,
                "practice": trial.practice,
                "explosion_point": trial.explosion_point,
                "cents_per_pump": self._params["cents_per_pump"],
                "max_pumps": self._params["max_pumps"],
            },
            trial_index=trial.index,
            t_ns=t_ns,
        )
        return trial

    def stimulus_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The view presented the balloon at ``t_ns``; ignored between balloons."""
        if not self._running:
            return False
        trial = self._schedule[self._next - 1]
        self._sink.emit(
            "stimulus_onset",
            {"stimulus": "balloon", "method": method, "refresh_ns": refresh_ns},
            trial_index=trial.index,
            t_ns=t_ns,
        )
        return True

    def pump(self, t_ns: int) -> bool:
        """Pump once; returns ``False`` (ignored) when no balloon is in play."""
        if not self._running:
            return False
        trial = self._schedule[self._next - 1]
        self._pumps += 1
        self._sink.emit(
            "response",
            {"input": "pump", "pumps": self._pumps, "bank_cents": self.bank_cents},
            trial_index=trial.index,
            t_ns=t_ns,
        )
        if self._pumps >= trial.explosion_point:
            self._sink.emit(
                "explosion",
                {"pumps": self._pumps, "lost_cents": self.bank_cents},
                trial_index=trial.index,
                t_ns=t_ns,
            )
            self._end(trial, t_ns, exploded=True)
        return True

    def collect(self, t_ns: int) -> bool:
        """Bank the temporary bank; returns ``False`` (ignored) when no balloon is in play."""
        if not self._running:
            return False
        trial = self._schedule[self._next - 1]
        self._sink.emit(
            "response",
            {"input": "collect", "pumps": self._pumps, "bank_cents": self.bank_cents},
            trial_index=trial.index,
            t_ns=t_ns,
        )
        self._end(trial, t_ns, exploded=False)
        return True

    def _end(self, trial: BalloonTrial, t_ns: int, *, exploded: bool) -> None:
        earned = 0 if exploded else self.bank_cents
        if not trial.practice:
            self._total += earned
        outcome = "exploded" if exploded else "collected"
        self._sink.emit(
            "feedback",
            {"outcome": outcome, "earned_cents": earned, "total_cents": self._total},
            trial_index=trial.index,
            t_ns=t_ns,
        )
        self._sink.emit(
            "trial_end",
            {
                "outcome": outcome,
                "pumps": self._pumps,
                "exploded": exploded,
                "earned_cents": earned,
                "total_cents": self._total,
                "practice": trial.practice,
            },
            trial_index=trial.index,
            t_ns=t_ns,
        )
        self._last = BalloonOutcome(trial.index, exploded, self._pumps, earned)
        self._running = False
        self._pumps = 0
        self._sink.flush()
        if self._next >= len(self._schedule):
            self._finished = True
            self._sink.flush(durable=True)

    def summary(self) -> GameSummary:
        return GameSummary(
            game_id=GAME_ID,
            completed=self._finished,
            trials_done=self.trials_done,
            trials_planned=self.trials_planned,
            extra={"total_cents": self._total},
        )


# ---- trial table -------------------------------------------------------------------

COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "trial_index": "0-based index of the balloon over practice and main (int)",
        "practice": "True for a practice balloon (bool)",
        "balloon": "1-based number of the balloon within its block (int)",
        "explosion_point": "scheduled pump number that pops the balloon (pumps, int)",
        "pumps": "accepted pumps, counting the one that popped it (pumps, int)",
        "exploded": "True when the balloon popped (bool)",
        "earned_cents": "cents banked from this balloon; 0 if it popped (cents, int)",
        "total_cents": "running total after this balloon, main balloons only (cents, int)",
        "first_response_ms": "balloon onset to the first pump or collect (ms, float; NaN: none)",
        "mean_pump_interval_ms": "mean time between successive pumps (ms, float; NaN: < 2)",
        "duration_ms": "trial_start to trial_end (ms, float)",
    }
)


def _first(trial: Sequence[EventRecord], kind: str) -> EventRecord | None:
    return next((e for e in trial if e.kind == kind), None)


def trial_table(events: Sequence[EventRecord]) -> dict[str, NDArray[Any]]:
    """One row per completed balloon, columns as documented in :data:`COLUMNS`.

    Built from stored events only; an incomplete last balloon gives no row.
    """
    rows: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    for trial in completed_trials(events):
        start = _first(trial, "trial_start")
        end = _first(trial, "trial_end")
        assert start is not None and end is not None
        onset = _first(trial, "stimulus_onset")
        t0 = onset.t_ns if onset is not None else start.t_ns
        responses = [e for e in trial if e.kind == "response"]
        pump_times = [e.t_ns for e in responses if e.payload.get("input") == "pump"]
        rows["trial_index"].append(start.trial_index)
        rows["practice"].append(bool(start.payload["practice"]))
        rows["balloon"].append(int(start.payload["balloon"]))
        rows["explosion_point"].append(int(start.payload["explosion_point"]))
        rows["pumps"].append(len(pump_times))
        rows["exploded"].append(bool(end.payload["exploded"]))
        rows["earned_cents"].append(int(end.payload["earned_cents"]))
        rows["total_cents"].append(int(end.payload["total_cents"]))
        rows["first_response_ms"].append(
            (responses[0].t_ns - t0) / 1e6 if responses else float("nan")
        )
        rows["mean_pump_interval_ms"].append(
            float(np.mean(np.diff(pump_times))) / 1e6 if len(pump_times) >= 2 else float("nan")
        )
        rows["duration_ms"].append((end.t_ns - start.t_ns) / 1e6)
    dtypes: Mapping[str, type] = {
        "practice": np.bool_,
        "exploded": np.bool_,
        "first_response_ms": np.float64,
        "mean_pump_interval_ms": np.float64,
        "duration_ms": np.float64,
    }
    return {
        name: np.asarray(values, dtype=dtypes.get(name, np.int64)) for name, values in rows.items()
    }
