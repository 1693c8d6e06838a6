"""Arrows: rules, schedule and trial table of a flanker task with cued task switching.

Paradigms: the flanker task of Eriksen & Eriksen (1974), Perception & Psychophysics
16, 143-149, combined with cued task switching (Rogers & Monsell 1995, J. Exp.
Psychol. Gen. 124, 207-231; cueing as in Meiran 1996).

Rules
-----
Each trial shows a row of five arrows. A cue, shown ``cue_ms`` before the arrows and
kept on screen, names the task: ``"direction"`` (press the key on the side the centre
arrow points to) or ``"colour"`` (press the key of the centre arrow's colour). The
two colours are blue and orange (Okabe-Ito #0072B2 / #E69F00, distinguishable with
the common colour-vision deficiencies); which colour belongs to the left key is
``colour_left`` (``"auto"``: from ``seed % 2``, so consecutive seeds alternate).
On *congruent* trials the four flankers equal the centre arrow (same direction and
colour); on *incongruent* trials they differ from it in both direction and colour, so
they conflict with the centre whichever task is cued. ``rule_congruent`` records
whether the centre arrow's direction and colour call for the same key.

Within a block the first trial is ``"first"``; every later trial is a ``"switch"``
(the cued task differs from the previous trial's) or a ``"repeat"``. Each block holds
``round(p_switch * (trials_per_block - 1))`` switches in a seeded random order and
has the two tasks within one trial of each other; inside every task x transition
cell the congruent count is within one trial of ``p_congruent`` x the cell size and
the centre arrow's direction x colour combinations are cycled in a shuffled order.
Practice trials (``n_practice``) form block 0; main blocks are numbered 1...

A response must come within ``response_window_ms`` of the arrows' onset, else the
trial times out (an error). Practice trials always give feedback; main trials give
it according to ``main_feedback`` (``"all"``, ``"errors"`` - errors and time-outs -
or ``"none"``). The view shows feedback for ``feedback_ms`` and waits ``iti_ms``
before the next trial.

Timing and inputs
-----------------
The task never reads a clock. The view calls ``start_trial(t_ns)``,
``cue_shown(t_ns, method, refresh_ns)`` when the frame with the cue was presented,
``stimulus_shown(t_ns, method, refresh_ns)`` for the frame with the arrows,
``respond(key, t_ns)`` with the key event's own stamp, and ``timeout(t_ns)`` once
``deadline_at_ns`` has passed. RT = response stamp - arrows onset stamp. Keys are the
view's lower-case key names (``key_left``, ``key_right``). A key stamped after the
deadline closes the trial as a time-out; a key before the arrows' onset (or a key
that is not a response key) during a trial is recorded as ``ignored_input``. Onset
stamps arriving in the wrong phase are ignored (the methods return ``False``);
``start_trial`` while a trial runs or after the end raises :class:`RuntimeError`.

Events (all carry ``trial_index``, 0-based over practice and main trials)
------------------------------------------------------------------------
``trial_start``     the design: ``block`` (0 = practice), ``trial_in_block``
                    (1-based), ``practice``, ``task``, ``transition``, ``congruent``,
                    ``rule_congruent``, ``direction``, ``colour`` (centre arrow),
                    ``flanker_direction``, ``flanker_colour``, ``correct_side``,
                    ``colour_left``, ``key_left``, ``key_right``,
                    ``response_window_ms``
``cue_onset``       (game-specific) ``cue`` (the task named), ``method``,
                    ``refresh_ns``
``stimulus_onset``  ``stimulus`` = ``"arrows"``, ``method``, ``refresh_ns``
``response``        ``key``, ``side`` (``"left"``/``"right"``), ``rt_ms``
``ignored_input``   (game-specific) ``key``, ``reason``: ``"before_onset"``,
                    ``"unknown_key"`` or ``"late"``
``feedback``        ``message`` (``"correct"``, ``"error"``, ``"too_slow"``),
                    ``correct``, ``duration_ms``
``trial_end``       ``correct``, ``timeout``, ``response_side`` (``""`` if none),
                    ``rt_ms`` (``None`` if none), ``practice``

The sink is flushed at each trial end and durably when the last trial ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray

from games.api import TASK_EXPORTS, EventRecord, EventSink, completed_trials
from games.engine.params import ParamSchema, check_distinct
from games.engine.trial import TableSchema, TrialTask, first_event, ms_between

__all__ = [*TASK_EXPORTS, "ArrowsOutcome", "ArrowsTask", "ArrowsTrial", "Phase"]

GAME_ID = "arrows"
DISPLAY_NAME = "Arrows"
VERSION = "1.1.0"

TASKS = ("direction", "colour")
SIDES = ("left", "right")
COLOURS = ("blue", "orange")

_PARAMS = ParamSchema.load(GAME_ID)
DEFAULT_PARAMS: Mapping[str, Any] = _PARAMS.defaults


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    Raises :class:`~games.api.ConfigError` naming the key and its allowed values or
    range (as ``params.toml`` declares them).
    """
    merged = _PARAMS.validate(params)
    check_distinct(GAME_ID, merged, "key_left", "key_right")
    return merged


# ---- schedule ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArrowsTrial:
    """One scheduled trial."""

    index: int  # 0-based over practice and main trials
    block: int  # 0 = practice, then 1..n_blocks
    trial_in_block: int  # 1-based
    practice: bool
    task: str  # "direction" | "colour": what the cue asks for
    transition: str  # "first" | "switch" | "repeat"
    congruent: bool  # flankers equal the centre arrow (else differ in direction and colour)
    rule_congruent: bool  # the centre's direction and colour call for the same key
    direction: str  # centre arrow: "left" | "right"
    colour: str  # centre arrow: "blue" | "orange"
    flanker_direction: str
    flanker_colour: str
    correct_side: str  # "left" | "right"

    def design(self) -> dict[str, Any]:
        """The trial's design as a JSON-ready ``trial_start`` payload (without ``index``)."""
        return {
            "block": self.block,
            "trial_in_block": self.trial_in_block,
            "practice": self.practice,
            "task": self.task,
            "transition": self.transition,
            "congruent": self.congruent,
            "rule_congruent": self.rule_congruent,
            "direction": self.direction,
            "colour": self.colour,
            "flanker_direction": self.flanker_direction,
            "flanker_colour": self.flanker_colour,
            "correct_side": self.correct_side,
        }


def colour_left_for(params: Mapping[str, Any], seed: int) -> str:
    """The colour answered with the left key; ``"auto"`` alternates with ``seed % 2``."""
    choice = str(params.get("colour_left", "auto"))
    return COLOURS[seed % 2] if choice == "auto" else choice


def _other(value: str, pair: tuple[str, str]) -> str:
    return pair[1] if value == pair[0] else pair[0]


def _transitions(rng: np.random.Generator, n: int, p_switch: float) -> list[str]:
    """First, then switches and repeats in a random order with the tasks near balanced."""
    n_switch = round(p_switch * (n - 1))
    base = ["switch"] * n_switch + ["repeat"] * (n - 1 - n_switch)
    best: list[str] = []
    best_gap = n + 1
    for _ in range(200):  # rejection: keep the first order whose task counts differ by <= 1
        order = ["first"] + [base[i] for i in rng.permutation(len(base))]
        task_zero = 0
        current = 0
        for step in order:
            if step == "switch":
                current = 1 - current
            task_zero += current == 0
        gap = abs(2 * task_zero - n)
        if gap < best_gap:
            best, best_gap = order, gap
        if gap <= 1:
            break
    return best


def _block(
    rng: np.random.Generator,
    n: int,
    block: int,
    first_index: int,
    p: Mapping[str, Any],
    colour_left: str,
) -> list[ArrowsTrial]:
    transitions = _transitions(rng, n, float(p["p_switch"]))
    first_task = int(rng.integers(2))
    tasks: list[str] = []
    current = first_task
    for step in transitions:
        if step == "switch":
            current = 1 - current
        tasks.append(TASKS[current])
    congruent = [False] * n
    centre: list[tuple[str, str]] = [("left", "blue")] * n
    combos = [(d, c) for d in SIDES for c in COLOURS]
    for task in TASKS:
        for step in ("first", "switch", "repeat"):
            cell = [i for i in range(n) if tasks[i] == task and transitions[i] == step]
            if not cell:
                continue
            exact = float(p["p_congruent"]) * len(cell)
            n_congruent = int(np.floor(exact)) + int(rng.random() < exact - np.floor(exact))
            order = [cell[i] for i in rng.permutation(len(cell))]
            for k, i in enumerate(order):
                congruent[i] = k < n_congruent
            for flag in (True, False):
                sub = [i for i in cell if congruent[i] == flag]
                cycle: list[tuple[str, str]] = []
                for k, i in enumerate(sub):
                    if k % len(combos) == 0:
                        cycle = [combos[j] for j in rng.permutation(len(combos))]
                    centre[i] = cycle[k % len(combos)]
    trials = []
    for i in range(n):
        direction, colour = centre[i]
        colour_side = "left" if colour == colour_left else "right"
        correct = direction if tasks[i] == "direction" else colour_side
        trials.append(
            ArrowsTrial(
                index=first_index + i,
                block=block,
                trial_in_block=i + 1,
                practice=block == 0,
                task=tasks[i],
                transition=transitions[i],
                congruent=congruent[i],
                rule_congruent=direction == colour_side,
                direction=direction,
                colour=colour,
                flanker_direction=direction if congruent[i] else _other(direction, SIDES),
                flanker_colour=colour if congruent[i] else _other(colour, COLOURS),
                correct_side=correct,
            )
        )
    return trials


def make_schedule(params: Mapping[str, Any], seed: int) -> tuple[ArrowsTrial, ...]:
    """Practice block (block 0) then ``n_blocks`` main blocks; deterministic per seed."""
    p = validate_params(params)
    rng = np.random.default_rng(seed)
    colour_left = colour_left_for(p, seed)
    trials: list[ArrowsTrial] = []
    if p["n_practice"] > 0:
        trials += _block(rng, p["n_practice"], 0, 0, p, colour_left)
    for block in range(1, p["n_blocks"] + 1):
        trials += _block(rng, p["trials_per_block"], block, len(trials), p, colour_left)
    return tuple(trials)


# ---- state machine -----------------------------------------------------------------


class Phase(StrEnum):
    """Where the task is; the view draws according to it."""

    IDLE = "idle"  # between trials (or before the first)
    CUE = "cue"  # trial started: show the cue
    CUE_SHOWN = "cue_shown"  # cue visible: show the arrows cue_ms after the cue onset
    RESPONSE = "response"  # arrows visible: waiting for a key or the deadline
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class ArrowsOutcome:
    """How a trial ended (the ``trial_end`` payload as a value)."""

    trial_index: int
    correct: bool
    timeout: bool
    response_side: str  # "" when none
    rt_ms: float | None


class ArrowsTask(TrialTask[ArrowsTrial, Phase, ArrowsOutcome]):
    """The Arrows state machine, driven by the view or a bot.

    Read-only state (beyond :class:`~games.engine.trial.TrialTask`'s):
    :attr:`colour_left`, :attr:`cue_onset_ns`,
    :attr:`current_deadline_ns`, :attr:`deadline_at_ns`.
    """

    game_id = GAME_ID
    window_param = "response_window_ms"

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        valid = validate_params(params)
        super().__init__(valid, make_schedule(valid, seed), sink, Phase)
        self._colour_left = colour_left_for(valid, seed)
        self._cue_onset: int | None = None
        self._side_of = {valid["key_left"]: "left", valid["key_right"]: "right"}

    # ---- read-only state -------------------------------------------------------
    @property
    def colour_left(self) -> str:
        return self._colour_left

    @property
    def cue_onset_ns(self) -> int | None:
        """Stamp of the cue's frame in the current trial."""
        return self._cue_onset

    # ---- calls from the view -----------------------------------------------------
    def start_trial(self, t_ns: int) -> ArrowsTrial:
        """Begin the next trial (the view then shows the cue)."""
        extra = {
            "colour_left": self._colour_left,
            "key_left": self._params["key_left"],
            "key_right": self._params["key_right"],
            "response_window_ms": self._params["response_window_ms"],
        }
        trial = self._begin(t_ns, Phase.CUE, extra)
        self._cue_onset = None
        return trial

    def cue_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The frame showing the cue was presented at ``t_ns``."""
        if self._phase is not Phase.CUE:
            return False
        self._cue_onset = t_ns
        self._phase = Phase.CUE_SHOWN
        self._emit_onset("cue_onset", t_ns, method, refresh_ns, cue=self._running.task)
        return True

    def stimulus_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The frame showing the arrows was presented at ``t_ns``."""
        if self._phase not in (Phase.CUE, Phase.CUE_SHOWN):
            return False
        self._onset = t_ns
        self._phase = Phase.RESPONSE
        self._emit_onset("stimulus_onset", t_ns, method, refresh_ns, stimulus="arrows")
        return True

    def respond(self, key: str, t_ns: int) -> bool:
        """A key press stamped ``t_ns``; returns ``True`` when it was taken as the response."""
        rt_ms = self._response_rt(key in self._side_of, t_ns, {"key": key})
        if rt_ms is None:
            return False
        side = self._side_of[key]
        self._emit("response", {"key": key, "side": side, "rt_ms": rt_ms}, t_ns)
        self._end(self._running, t_ns, side=side, rt_ms=rt_ms)
        return True

    def _end_unanswered(self, trial: ArrowsTrial, t_ns: int) -> None:
        self._end(trial, t_ns, side="", rt_ms=None)

    def _end(self, trial: ArrowsTrial, t_ns: int, *, side: str, rt_ms: float | None) -> None:
        correct = side == trial.correct_side
        timeout = side == ""
        mode = self._params["main_feedback"]
        if trial.practice or mode == "all" or (mode == "errors" and not correct):
            message = "correct" if correct else ("too_slow" if timeout else "error")
            feedback = {
                "message": message,
                "correct": correct,
                "duration_ms": self._params["feedback_ms"],
            }
            self._give_feedback(trial, t_ns, feedback)
        end = {
            "correct": correct,
            "timeout": timeout,
            "response_side": side,
            "rt_ms": rt_ms,
            "practice": trial.practice,
        }
        self._close(trial, t_ns, end, ArrowsOutcome(trial.index, correct, timeout, side, rt_ms))

    def summary_extra(self) -> Mapping[str, Any]:
        return {"colour_left": self._colour_left}


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
        cue = first_event(trial, "cue_onset")
        onset = first_event(trial, "stimulus_onset")
        response = first_event(trial, "response")
        side = str(response.payload["side"]) if response is not None else ""
        table.add_trial(
            trial,
            switch=design["transition"] == "switch",
            first_in_block=design["transition"] == "first",
            response_side=side,
            correct=side == design["correct_side"],
            timeout=response is None,
            rt_ms=ms_between(onset, response),
            cue_stimulus_ms=ms_between(cue, onset),
        )
    return table.columns()
