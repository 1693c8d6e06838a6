"""Digits: the rules, adaptive schedule and trial table of a forward/backward digit span.

Paradigm: the Digit Span subtest of the Wechsler scales (forward and backward), as in
the open PEBL battery (Mueller & Piper 2014, J. Neurosci. Methods 222, 250-259).

Rules
-----
For each direction in ``directions`` (default forward, then backward) the candidate
sees a sequence of digits, one every ``digit_interval_ms`` (1000 ms, each visible for
``digit_duration_ms``), then types it back: in the same order (forward) or reversed
(backward). A trial ends when as many digits as the sequence has are entered, or
when the candidate submits early (fewer digits: incorrect). A trial is correct when
the answer equals the target exactly.

Lengths adapt. A direction starts at ``forward_start`` (3) or ``backward_start`` (2)
digits and gives ``trials_per_length`` (2) trials per length. It stops as soon as
``failures_to_stop`` (2) trials at one length have failed, or after the trials at
``max_length`` (9); otherwise it moves up one digit. ``n_practice`` (1) practice
trials of ``practice_length`` (2) digits open each direction; they do not count
towards the stop rule. ``feedback`` says which trials get feedback: ``"none"``,
``"practice"`` (default) or ``"all"``.

Sequences. Digits are 1..9. A sequence of up to 9 digits repeats none; a longer one is
a run of permutations of 1..9 with no digit twice in a row. Each possible trial
(direction, length, repetition) has its own generator seeded with
``(seed, direction, length, repetition)``, so the sequence a candidate sees at a given
step never depends on earlier answers: the schedule is adaptive, yet fixed by the
seed. :func:`make_schedule` lists every trial that *could* be given, in the order a
candidate who never failed would meet them.

Inputs
------
``start_trial(t_ns)`` begins the next trial. The view then presents the items in
:attr:`DigitsTask.stimulus_due` (each digit in turn, then the recall prompt) and
reports each with ``stimulus_shown(t_ns, method, refresh_ns)``. Answers are accepted
once the last digit has been shown: ``enter_digit(d, t_ns)``, ``delete_last(t_ns)``,
``submit(t_ns)``, each with the input's own stamp. Inputs at other times are *ignored*
(return ``False``); a digit outside 0..9 raises :class:`ValueError`; ``start_trial``
while a trial runs or after the end raises :class:`RuntimeError`.

Events (every event carries ``trial_index``, 0-based in the order trials were given)
----------------------------------------------------------------------------------
``trial_start``     ``direction`` ("forward"/"backward"), ``length``, ``rep`` (1-based
                    repetition at this length; practice counts its own), ``practice``,
                    ``digits`` (list, as shown), ``target`` (list, the answer),
                    ``digit_interval_ms``, ``digit_duration_ms``
``stimulus_onset``  ``stimulus`` = ``"digit"`` with ``position`` (1-based) and
                    ``digit``, or ``"recall"`` (the answer prompt); ``method``,
                    ``refresh_ns``
``response``        ``input`` = ``"digit"`` with ``digit`` and ``position`` (1-based
                    place in the answer); ``"delete"`` with ``position`` removed;
                    ``"submit"`` with ``n_entered``
``feedback``        ``correct`` (bool); only for trials chosen by ``feedback``
``trial_end``       ``direction``, ``length``, ``rep``, ``practice``, ``correct``,
                    ``answer`` (list), ``target`` (list), ``positions_correct``

Feedback and trial end carry the stamp of the input that ended the trial. The sink is
flushed at each trial end and durably at the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from games.api import TASK_EXPORTS, EventRecord, EventSink, completed_trials
from games.engine.params import ParamSchema, bad_param, check_bound
from games.engine.trial import TableSchema, TrialTask, first_event, ms_between

__all__ = [
    *TASK_EXPORTS,
    "DIRECTIONS",
    "DigitsOutcome",
    "DigitsTask",
    "DigitsTrial",
    "GivenTrial",
    "Phase",
    "Stimulus",
    "make_sequence",
]

GAME_ID = "digits"
DISPLAY_NAME = "Digits"
VERSION = "1.0.0"
DIRECTIONS: tuple[str, ...] = ("forward", "backward")
_PRACTICE_REP_BASE = 1000  # keeps practice generators apart from main ones

_PARAMS = ParamSchema.load(GAME_ID)
DEFAULT_PARAMS: Mapping[str, Any] = _PARAMS.defaults
_FEEDBACK = ("none", "practice", "all")
_AT_MOST = (  # key, the parameter it must not exceed
    ("forward_start", "max_length"),
    ("backward_start", "max_length"),
    ("failures_to_stop", "trials_per_length"),
    ("digit_duration_ms", "digit_interval_ms"),
)


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    Raises :class:`~games.api.ConfigError` naming the key and the allowed values or
    range (as ``params.toml`` declares them, and the bounds that relate lengths and
    times).
    """
    merged = _PARAMS.validate(params)
    directions = merged["directions"]
    if (
        isinstance(directions, str)
        or not isinstance(directions, Sequence)
        or not 1 <= len(directions) <= 2
        or len(set(directions)) != len(directions)
        or not all(d in DIRECTIONS for d in directions)
    ):
        allowed = "a list of distinct values from 'forward', 'backward'"
        raise bad_param(GAME_ID, "directions", allowed, directions)
    merged["directions"] = tuple(directions)
    for key, other in _AT_MOST:
        check_bound(GAME_ID, merged, key, "at most", other)
    if merged["feedback"] not in _FEEDBACK:
        raise bad_param(GAME_ID, "feedback", "one of 'none', 'practice', 'all'", merged["feedback"])
    return merged


def make_sequence(seed: int, direction: str, length: int, rep: int) -> tuple[int, ...]:
    """The digits of one possible trial, from its own seeded generator."""
    rng = np.random.default_rng([seed, DIRECTIONS.index(direction), length, rep])
    digits: list[int] = []
    while len(digits) < length:
        block = [int(d) + 1 for d in rng.permutation(9)]
        while digits and block[0] == digits[-1]:
            block = [int(d) + 1 for d in rng.permutation(9)]
        digits.extend(block)
    return tuple(digits[:length])


@dataclass(frozen=True, slots=True)
class DigitsTrial:
    """One possible trial."""

    direction: str
    length: int
    rep: int  # 1-based repetition at this length (practice trials count their own)
    practice: bool
    digits: tuple[int, ...]

    @property
    def target(self) -> tuple[int, ...]:
        """The correct answer: the digits, reversed for the backward direction."""
        return self.digits if self.direction == "forward" else self.digits[::-1]

    def design(self) -> dict[str, Any]:
        """The trial as a JSON-ready ``trial_start`` payload (without the timing)."""
        return {
            "direction": self.direction,
            "length": self.length,
            "rep": self.rep,
            "practice": self.practice,
            "digits": list(self.digits),
            "target": list(self.target),
        }


@dataclass(frozen=True, slots=True)
class GivenTrial(DigitsTrial):
    """A possible trial as the task gives it, with its ``index`` in the order given."""

    index: int

    @classmethod
    def of(cls, trial: DigitsTrial, index: int) -> GivenTrial:
        return cls(trial.direction, trial.length, trial.rep, trial.practice, trial.digits, index)


def _trial(seed: int, direction: str, length: int, rep: int) -> DigitsTrial:
    return DigitsTrial(direction, length, rep, False, make_sequence(seed, direction, length, rep))


def _practice(p: Mapping[str, Any], seed: int, direction: str, rep: int) -> DigitsTrial:
    length = p["practice_length"]
    digits = make_sequence(seed, direction, length, _PRACTICE_REP_BASE + rep)
    return DigitsTrial(direction, length, rep, True, digits)


def _start(p: Mapping[str, Any], direction: str) -> int:
    return int(p["forward_start" if direction == "forward" else "backward_start"])


def make_schedule(params: Mapping[str, Any], seed: int) -> tuple[DigitsTrial, ...]:
    """Every trial that could be given, in the order of a candidate who never fails."""
    p = validate_params(params)
    trials: list[DigitsTrial] = []
    for direction in p["directions"]:
        trials.extend(_practice(p, seed, direction, r) for r in range(1, p["n_practice"] + 1))
        for length in range(_start(p, direction), p["max_length"] + 1):
            for rep in range(1, p["trials_per_length"] + 1):
                trials.append(_trial(seed, direction, length, rep))
    return tuple(trials)


@dataclass(frozen=True, slots=True)
class Stimulus:
    """What the view must present next: a digit (with its 1-based position) or the prompt."""

    kind: Literal["digit", "recall"]
    position: int = 0
    digit: int = 0


class Phase(StrEnum):
    """Where the task is; the view draws according to it."""

    IDLE = "idle"  # between trials (or before the first)
    PRESENTING = "presenting"  # the digits are shown one by one
    RECALL = "recall"  # the last digit has been shown: answers are taken
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class DigitsOutcome:
    """How a trial ended."""

    trial_index: int
    trial: GivenTrial
    answer: tuple[int, ...]
    correct: bool


class DigitsTask(TrialTask[GivenTrial, Phase, DigitsOutcome]):
    """The digit span state machine, driven by the view or a bot.

    The schedule adapts: :attr:`schedule` lists the trials of a candidate who never
    fails, :attr:`current_trial` is the trial in progress or the next one under the
    stop rule. Read-only state (beyond :class:`~games.engine.trial.TrialTask`'s):
    :attr:`stimulus_due`, :attr:`answer`, :attr:`longest_span`. ``trials_planned``
    (practice included) is the most trials still possible, so it shrinks when a
    direction stops early and equals ``trials_done`` at the end.
    """

    game_id = GAME_ID

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        valid = validate_params(params)
        never_failing = make_schedule(valid, seed)
        super().__init__(
            valid, [GivenTrial.of(t, i) for i, t in enumerate(never_failing)], sink, Phase
        )
        self._seed = seed
        self._directions: tuple[str, ...] = valid["directions"]
        self._dir_pos = 0
        self._practice_left = int(valid["n_practice"])
        self._length = _start(valid, self._directions[0])
        self._rep = 1
        self._failures = 0
        self._shown = 0
        self._recall_shown = False
        self._answer: list[int] = []
        self._longest: dict[str, int] = dict.fromkeys(self._directions, 0)

    # ---- the adaptive schedule ---------------------------------------------------
    def _upcoming(self) -> GivenTrial | None:
        """The next trial under the stop rule, or ``None`` when all are done."""
        if self._dir_pos >= len(self._directions):
            return None
        direction = self._directions[self._dir_pos]
        if self._practice_left > 0:
            rep = self._params["n_practice"] - self._practice_left + 1
            trial = _practice(self._params, self._seed, direction, rep)
        else:
            trial = _trial(self._seed, direction, self._length, self._rep)
        return GivenTrial.of(trial, self._next)

    def _advance(self, correct: bool, practice: bool) -> None:
        p = self._params
        if practice:
            self._practice_left -= 1
            return
        if not correct:
            self._failures += 1
        stop = self._failures >= p["failures_to_stop"]
        if not stop and self._rep >= p["trials_per_length"]:
            if self._length >= p["max_length"]:
                stop = True
            else:
                self._length, self._rep, self._failures = self._length + 1, 1, 0
                return
        if stop:
            self._dir_pos += 1
            self._practice_left = int(p["n_practice"])
            self._rep, self._failures = 1, 0
            if self._dir_pos < len(self._directions):
                self._length = _start(p, self._directions[self._dir_pos])
            return
        self._rep += 1

    def _remaining_max(self) -> int:
        """The most trials still possible, counting the pending one."""
        p = self._params
        tpl, top = p["trials_per_length"], p["max_length"]
        total = 0
        for k in range(self._dir_pos, len(self._directions)):
            if k == self._dir_pos:
                total += self._practice_left
                total += tpl - self._rep + 1 + (top - self._length) * tpl
            else:
                start = _start(p, self._directions[k])
                total += p["n_practice"] + (top - start + 1) * tpl
        return total

    # ---- read-only state -----------------------------------------------------
    @property
    def trials_planned(self) -> int:
        if self.trial_running:
            return self._next - 1 + self._remaining_max()
        return self._next + (self._remaining_max() if not self.finished else 0)

    @property
    def stimulus_due(self) -> Stimulus | None:
        """The next item to present, or ``None`` (between trials, prompt already shown)."""
        if self._phase is Phase.PRESENTING:
            return Stimulus("digit", self._shown + 1, self._running.digits[self._shown])
        if self._phase is Phase.RECALL and not self._recall_shown:
            return Stimulus("recall")
        return None

    @property
    def answer(self) -> tuple[int, ...]:
        return tuple(self._answer)

    @property
    def longest_span(self) -> Mapping[str, int]:
        """Longest correctly recalled main-trial length per direction so far."""
        return MappingProxyType(self._longest)

    def summary_extra(self) -> Mapping[str, Any]:
        return {"longest_span": dict(self._longest)}

    # ---- inputs ----------------------------------------------------------------
    def start_trial(self, t_ns: int) -> GivenTrial:
        """Begin the next trial; raises :class:`RuntimeError` if one runs or all are done."""
        timing = {key: self._params[key] for key in ("digit_interval_ms", "digit_duration_ms")}
        trial = self._begin(t_ns, Phase.PRESENTING, timing)
        self._shown = 0
        self._recall_shown = False
        self._answer = []
        return trial

    def stimulus_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The view presented :attr:`stimulus_due` at ``t_ns``; ``False`` if none was due."""
        due = self.stimulus_due
        if due is None:
            return False
        where: dict[str, int] = {}
        if due.kind == "digit":
            where = {"position": due.position, "digit": due.digit}
            self._shown += 1
            if self._shown >= self._running.length:
                self._phase = Phase.RECALL
        else:
            self._recall_shown = True
        self._emit_onset("stimulus_onset", t_ns, method, refresh_ns, stimulus=due.kind, **where)
        return True

    def enter_digit(self, digit: int, t_ns: int) -> bool:
        """Add ``digit`` to the answer; the trial ends when the answer is full."""
        if isinstance(digit, bool) or not isinstance(digit, int) or not 0 <= digit <= 9:
            raise ValueError(f"enter_digit: digit must be an integer 0..9, got {digit!r}")
        if self._phase is not Phase.RECALL:
            return False
        self._answer.append(digit)
        self._emit(
            "response", {"input": "digit", "digit": digit, "position": len(self._answer)}, t_ns
        )
        if len(self._answer) >= self._running.length:
            self._end(t_ns)
        return True

    def delete_last(self, t_ns: int) -> bool:
        """Remove the last entered digit; ``False`` if there is none or no recall is running."""
        if self._phase is not Phase.RECALL or not self._answer:
            return False
        position = len(self._answer)
        self._answer.pop()
        self._emit("response", {"input": "delete", "position": position}, t_ns)
        return True

    def submit(self, t_ns: int) -> bool:
        """End the recall with the digits entered so far (fewer than needed: incorrect)."""
        if self._phase is not Phase.RECALL:
            return False
        self._emit("response", {"input": "submit", "n_entered": len(self._answer)}, t_ns)
        self._end(t_ns)
        return True

    def _end(self, t_ns: int) -> None:
        trial = self._running
        answer = tuple(self._answer)
        correct = answer == trial.target
        mode = self._params["feedback"]
        if mode == "all" or (mode == "practice" and trial.practice):
            self._give_feedback(trial, t_ns, {"correct": correct})
        if correct and not trial.practice:
            self._longest[trial.direction] = max(self._longest[trial.direction], trial.length)
        self._advance(correct, trial.practice)
        end = {
            "direction": trial.direction,
            "length": trial.length,
            "rep": trial.rep,
            "practice": trial.practice,
            "correct": correct,
            "answer": list(answer),
            "target": list(trial.target),
            "positions_correct": sum(a == b for a, b in zip(answer, trial.target, strict=False)),
        }
        self._close(trial, t_ns, end, DigitsOutcome(trial.index, trial, answer, correct))


# ---- trial table -------------------------------------------------------------------

_TABLE = TableSchema.load(GAME_ID)
COLUMNS: Mapping[str, str] = _TABLE.descriptions


def _mean_interval_ms(onsets: Sequence[EventRecord]) -> float:
    """Mean onset-to-onset time (ms) of ``onsets``; NaN for fewer than two."""
    if len(onsets) < 2:
        return float("nan")
    return float(np.mean(np.diff([e.t_ns for e in onsets]))) / 1e6


def trial_table(events: Sequence[EventRecord]) -> dict[str, NDArray[Any]]:
    """One row per completed trial, columns as declared in ``table.toml`` (:data:`COLUMNS`).

    Built from stored events only; an incomplete last trial gives no row.
    """
    table = _TABLE.builder()
    for trial in completed_trials(events):
        start, end = trial[0], trial[-1]
        digits = [
            e for e in trial if e.kind == "stimulus_onset" and e.payload.get("stimulus") == "digit"
        ]
        recall = first_event(trial, "stimulus_onset", stimulus="recall") or (digits or [start])[-1]
        responses = [e for e in trial if e.kind == "response"]
        table.add_trial(
            trial,
            n_entered=len(end.payload["answer"]),
            deletions=sum(e.payload.get("input") == "delete" for e in responses),
            mean_digit_interval_ms=_mean_interval_ms(digits),
            first_entry_ms=ms_between(recall, responses[0] if responses else None),
            recall_ms=ms_between(recall, end),
        )
    return table.columns()
