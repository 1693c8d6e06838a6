"""Stop: rules, schedule, SSD tracking and trial table of a stop-signal task.

Paradigm: the stop-signal task (Logan & Cowan 1984, Psychol. Rev. 91, 295-327) as
recommended by the consensus guide of Verbruggen et al. (2019), eLife 8:e46323, with
parameters of the STOP-IT tool (Verbruggen, Logan & Stevens 2008).

Rules
-----
Go task: after a fixation cross (``fixation_ms``) an arrow points left or right; the
candidate presses the key on that side (``key_left``/``key_right``) as fast and as
accurately as possible. The arrow stays until the response or ``max_rt_ms``.
On ``p_stop`` of the trials (25%) a stop signal follows the arrow after the stop-signal
delay (SSD); the candidate should then withhold the response. The signal is
``stop_signal`` (``"visual"``: the arrow turns red / a frame appears, the default on
a kiosk; ``"auditory"``: a tone) and lasts ``stop_signal_ms`` (0: to the trial's end).

SSD tracking (staircase) lives in the task, not in the schedule: the first stop
trial uses ``ssd_start_ms`` (200); after a successful stop (no response by
``max_rt_ms``) the SSD rises by ``ssd_step_ms`` (50), after a failed stop it falls by
the same step, bounded to ``ssd_min_ms``..``ssd_max_ms``. One tracker runs through
practice and main trials. ``ssd_step_ms`` = 0 gives a fixed SSD.

Schedule: each block of ``trials_per_block`` holds ``round(p_stop * trials_per_block)``
stop trials in seeded random positions; left and right arrows are balanced within go
and within stop trials. The default 5 x 40 trials give 50 stop trials, the minimum
the consensus guide recommends. Practice trials (``n_practice``, block 0) come first
with the same proportions. Practice trials always give feedback; main trials follow
``main_feedback`` (``"none"`` by default, as block-level feedback is the view's job).

Timing and inputs
-----------------
The task never reads a clock. The view calls ``start_trial(t_ns)`` (fixation shown),
``stimulus_shown(t_ns, method, refresh_ns)`` for the frame that shows the arrow (RT
is measured from it), on stop trials ``stop_signal_shown(t_ns, method, refresh_ns)``
for the frame that shows the signal - drawn for ``stop_signal_due_ns`` = arrow onset +
``trial_ssd_ms`` - then ``respond(key, t_ns)`` with the key's own stamp and
``timeout(t_ns)`` once ``deadline_at_ns`` (arrow onset + ``max_rt_ms``) has passed.
A response ends the trial at once; on a stop trial a response before the signal was
shown is a failed stop and the signal is not shown at all (``stop_signal_shown`` is
then ignored). A key stamped after the deadline closes the trial as having no
response; keys before the arrow or not response keys are recorded as
``ignored_input``. Onset stamps in the wrong phase are ignored (return ``False``);
``start_trial`` while a trial runs or after the end raises :class:`RuntimeError`.

Events (all carry ``trial_index``, 0-based over practice and main trials)
------------------------------------------------------------------------
``trial_start``       the design: ``block`` (0 = practice), ``trial_in_block``,
                      ``practice``, ``stop``, ``direction``, ``correct_side``,
                      ``ssd_ms`` (this stop trial's SSD from the tracker; ``None`` on
                      go trials), ``max_rt_ms``, ``stop_signal``
``stimulus_onset``    ``stimulus`` = ``"arrow"``, ``direction``, ``method``,
                      ``refresh_ns``
``stop_signal_onset`` (game-specific) ``ssd_ms`` (scheduled), ``ssd_actual_ms``
                      (signal stamp - arrow stamp), ``method``, ``refresh_ns``
``response``          ``key``, ``side``, ``rt_ms``
``ignored_input``     (game-specific) ``key``, ``reason``: ``"before_onset"``,
                      ``"unknown_key"`` or ``"late"``
``feedback``          ``message`` (go: ``"correct"``, ``"wrong_key"``,
                      ``"too_slow"``; stop: ``"stopped"``, ``"not_stopped"``),
                      ``correct``, ``duration_ms``
``trial_end``         ``stop``, ``responded``, ``response_side`` (``""`` if none),
                      ``rt_ms`` (``None`` if none), ``correct`` (go: right key in
                      time; stop: no response), ``omission``, ``choice_error``,
                      ``stopped``, ``signal_shown``, ``ssd_ms``, ``next_ssd_ms``
                      (the tracker after this trial), ``practice``

The sink is flushed at each trial end and durably when the last trial ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray

from games.api import TASK_EXPORTS, ConfigError, EventRecord, EventSink, completed_trials
from games.engine.params import ParamSchema, bad_param, check_distinct
from games.engine.trial import TableSchema, TrialTask, first_event, ms_between

__all__ = [*TASK_EXPORTS, "Phase", "StopOutcome", "StopTask", "StopTrial"]

GAME_ID = "stop"
DISPLAY_NAME = "Stop"
VERSION = "1.0.0"

SIDES = ("left", "right")

_PARAMS = ParamSchema.load(GAME_ID)
DEFAULT_PARAMS: Mapping[str, Any] = _PARAMS.defaults


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    Raises :class:`ConfigError` naming the key and its allowed values or range (as
    ``params.toml`` declares them, and ``p_stop`` in 0..0.5).
    """
    merged = _PARAMS.validate(params)
    value = merged["p_stop"]
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 0.5:
        raise bad_param(GAME_ID, "p_stop", "a number in 0..0.5", value)
    merged["p_stop"] = float(value)
    check_distinct(GAME_ID, merged, "key_left", "key_right")
    if not merged["ssd_min_ms"] <= merged["ssd_start_ms"] <= merged["ssd_max_ms"]:
        raise ConfigError(
            f"{GAME_ID}: parameter 'ssd_start_ms' must lie in ssd_min_ms..ssd_max_ms "
            f"({merged['ssd_min_ms']}..{merged['ssd_max_ms']}), got {merged['ssd_start_ms']!r}"
        )
    if merged["ssd_max_ms"] >= merged["max_rt_ms"]:
        raise ConfigError(
            f"{GAME_ID}: parameter 'ssd_max_ms' must be below max_rt_ms "
            f"({merged['max_rt_ms']}), got {merged['ssd_max_ms']!r}"
        )
    return merged


# ---- schedule ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StopTrial:
    """One scheduled trial (the SSD of a stop trial comes from the tracker, not here)."""

    index: int  # 0-based over practice and main trials
    block: int  # 0 = practice, then 1..n_blocks
    trial_in_block: int  # 1-based
    practice: bool
    stop: bool  # a stop signal follows the arrow
    direction: str  # "left" | "right" (also the correct side)

    def design(self) -> dict[str, Any]:
        """The trial's design as a JSON-ready ``trial_start`` payload (without ``index``)."""
        return {
            "block": self.block,
            "trial_in_block": self.trial_in_block,
            "practice": self.practice,
            "stop": self.stop,
            "direction": self.direction,
            "correct_side": self.direction,
        }


def _balanced_sides(rng: np.random.Generator, n: int) -> list[str]:
    sides = [SIDES[i % 2] for i in range(n)]
    if n % 2:
        sides[-1] = SIDES[int(rng.integers(2))]
    return [sides[i] for i in rng.permutation(n)]


def _block(
    rng: np.random.Generator, n: int, block: int, first_index: int, p_stop: float
) -> list[StopTrial]:
    n_stop = round(p_stop * n)
    is_stop = np.zeros(n, dtype=bool)
    is_stop[rng.choice(n, size=n_stop, replace=False)] = True
    stop_sides = iter(_balanced_sides(rng, n_stop))
    go_sides = iter(_balanced_sides(rng, n - n_stop))
    return [
        StopTrial(
            index=first_index + i,
            block=block,
            trial_in_block=i + 1,
            practice=block == 0,
            stop=bool(is_stop[i]),
            direction=next(stop_sides) if is_stop[i] else next(go_sides),
        )
        for i in range(n)
    ]


def make_schedule(params: Mapping[str, Any], seed: int) -> tuple[StopTrial, ...]:
    """Practice (block 0) then ``n_blocks`` blocks; deterministic per seed."""
    p = validate_params(params)
    rng = np.random.default_rng(seed)
    trials: list[StopTrial] = []
    if p["n_practice"] > 0:
        trials += _block(rng, p["n_practice"], 0, 0, p["p_stop"])
    for block in range(1, p["n_blocks"] + 1):
        trials += _block(rng, p["trials_per_block"], block, len(trials), p["p_stop"])
    return tuple(trials)


# ---- state machine -----------------------------------------------------------------


class Phase(StrEnum):
    """Where the task is; the view draws according to it."""

    IDLE = "idle"  # between trials (or before the first)
    FIXATION = "fixation"  # trial started: fixation cross, then the arrow
    RESPONSE = "response"  # arrow shown (and on stop trials the signal due or shown)
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class StopOutcome:
    """How a trial ended (the ``trial_end`` payload as a value)."""

    trial_index: int
    stop: bool
    responded: bool
    correct: bool
    rt_ms: float | None
    ssd_ms: int | None
    next_ssd_ms: int


class StopTask(TrialTask[StopTrial, Phase, StopOutcome]):
    """The stop-signal state machine with its SSD staircase, driven by the view or a bot.

    Read-only state (beyond :class:`~games.engine.trial.TrialTask`'s): :attr:`ssd_ms`
    (the tracker), :attr:`trial_ssd_ms`, :attr:`stop_signal_due_ns`,
    :attr:`stop_signal_onset_ns`, :attr:`current_deadline_ns`, :attr:`deadline_at_ns`.
    """

    game_id = GAME_ID
    window_param = "max_rt_ms"

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        valid = validate_params(params)
        super().__init__(valid, make_schedule(valid, seed), sink, Phase)
        self._ssd = int(valid["ssd_start_ms"])
        self._trial_ssd: int | None = None
        self._signal_onset: int | None = None
        self._side_of = {valid["key_left"]: "left", valid["key_right"]: "right"}

    # ---- read-only state -------------------------------------------------------
    @property
    def ssd_ms(self) -> int:
        """The tracker: the SSD the next stop trial will use."""
        return self._ssd

    @property
    def trial_ssd_ms(self) -> int | None:
        """The SSD of the stop trial in progress (``None`` on go trials and between)."""
        return self._trial_ssd

    @property
    def stop_signal_due_ns(self) -> int | None:
        """When the view should show the stop signal (arrow stamp + SSD), if pending."""
        if self._phase is not Phase.RESPONSE or self._trial_ssd is None or self._onset is None:
            return None
        if self._signal_onset is not None:
            return None
        return self._onset + self._trial_ssd * 1_000_000

    @property
    def stop_signal_onset_ns(self) -> int | None:
        """Stamp of the stop signal's frame in the current trial, once shown."""
        return self._signal_onset

    # ---- calls from the view -----------------------------------------------------
    def start_trial(self, t_ns: int) -> StopTrial:
        """Begin the next trial (the view shows the fixation cross)."""
        upcoming = self.current_trial
        trial_ssd = self._ssd if upcoming is not None and upcoming.stop else None
        extra = {
            "ssd_ms": trial_ssd,
            "max_rt_ms": self._params["max_rt_ms"],
            "stop_signal": self._params["stop_signal"],
        }
        trial = self._begin(t_ns, Phase.FIXATION, extra)
        self._trial_ssd = trial_ssd
        self._signal_onset = None
        return trial

    def stimulus_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The frame showing the arrow was presented at ``t_ns``."""
        if self._phase is not Phase.FIXATION:
            return False
        self._onset = t_ns
        self._phase = Phase.RESPONSE
        direction = self._running.direction
        self._emit_onset(
            "stimulus_onset", t_ns, method, refresh_ns, stimulus="arrow", direction=direction
        )
        return True

    def stop_signal_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The frame showing the stop signal was presented at ``t_ns``."""
        if self._phase is not Phase.RESPONSE or self._trial_ssd is None:
            return False
        if self._signal_onset is not None or self._onset is None:
            return False
        self._signal_onset = t_ns
        actual_ms = (t_ns - self._onset) / 1e6
        self._emit_onset(
            "stop_signal_onset",
            t_ns,
            method,
            refresh_ns,
            ssd_ms=self._trial_ssd,
            ssd_actual_ms=actual_ms,
        )
        return True

    def respond(self, key: str, t_ns: int) -> bool:
        """A key press stamped ``t_ns``; ``True`` when taken as the trial's response."""
        rt_ms = self._response_rt(key in self._side_of, t_ns, {"key": key})
        if rt_ms is None:
            return False
        side = self._side_of[key]
        self._emit("response", {"key": key, "side": side, "rt_ms": rt_ms}, t_ns)
        self._end(self._running, t_ns, side=side, rt_ms=rt_ms)
        return True

    def _end_unanswered(self, trial: StopTrial, t_ns: int) -> None:
        self._end(trial, t_ns, side="", rt_ms=None)

    def _track(self, stopped: bool) -> None:
        """The staircase: up after a successful stop, down after a failed one, bounded."""
        step = int(self._params["ssd_step_ms"])
        low, high = int(self._params["ssd_min_ms"]), int(self._params["ssd_max_ms"])
        self._ssd = min(high, self._ssd + step) if stopped else max(low, self._ssd - step)

    def _end(self, trial: StopTrial, t_ns: int, *, side: str, rt_ms: float | None) -> None:
        responded = side != ""
        if trial.stop:
            stopped = not responded
            correct = stopped
            self._track(stopped)
            message = "stopped" if stopped else "not_stopped"
        else:
            stopped = False
            correct = side == trial.direction
            message = "correct" if correct else ("wrong_key" if responded else "too_slow")
        mode = self._params["main_feedback"]
        if trial.practice or mode == "all" or (mode == "errors" and not correct):
            feedback = {
                "message": message,
                "correct": correct,
                "duration_ms": self._params["feedback_ms"],
            }
            self._give_feedback(trial, t_ns, feedback)
        end = {
            "stop": trial.stop,
            "responded": responded,
            "response_side": side,
            "rt_ms": rt_ms,
            "correct": correct,
            "omission": not trial.stop and not responded,
            "choice_error": responded and side != trial.direction,
            "stopped": stopped,
            "signal_shown": self._signal_onset is not None,
            "ssd_ms": self._trial_ssd,
            "next_ssd_ms": self._ssd,
            "practice": trial.practice,
        }
        outcome = StopOutcome(
            trial.index, trial.stop, responded, correct, rt_ms, self._trial_ssd, self._ssd
        )
        self._trial_ssd = None
        self._close(trial, t_ns, end, outcome)

    def summary_extra(self) -> Mapping[str, Any]:
        return {"final_ssd_ms": self._ssd}


# ---- trial table -------------------------------------------------------------------

_TABLE = TableSchema.load(GAME_ID)
COLUMNS: Mapping[str, str] = _TABLE.descriptions


def trial_table(events: Sequence[EventRecord]) -> dict[str, NDArray[Any]]:
    """One row per completed trial, columns as in :data:`COLUMNS`, from stored events only.

    A trial without its ``trial_end`` (an interrupted game) gives no row.
    """
    table = _TABLE.builder()
    for trial in completed_trials(events):
        design = trial[0].payload
        onset = first_event(trial, "stimulus_onset")
        signal = first_event(trial, "stop_signal_onset")
        response = first_event(trial, "response")
        stop = bool(design["stop"])
        side = str(response.payload["side"]) if response is not None else ""
        ssd = design.get("ssd_ms")
        table.add_trial(
            trial,
            ssd_ms=float(ssd) if stop and ssd is not None else float("nan"),
            signal_shown=signal is not None,
            ssd_actual_ms=ms_between(onset, signal),
            responded=response is not None,
            response_side=side,
            correct=response is None if stop else side == design["direction"],
            omission=not stop and response is None,
            choice_error=response is not None and side != design["direction"],
            rt_ms=ms_between(onset, response),
        )
    return table.columns()
