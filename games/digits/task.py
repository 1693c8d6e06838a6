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

Trial table
-----------
:func:`trial_table` gives one row per completed trial (practice rows included,
flagged by ``practice``); an unfinished last trial gives no row. Columns (also in
:data:`COLUMNS`):

``trial_index``             0-based index of the trial in the order given (int)
``practice``                True for a practice trial (bool)
``direction``               'forward' or 'backward' (str)
``length``                  number of digits shown (digits, int)
``rep``                     1-based repetition at this length (int)
``correct``                 True when the answer equals the target exactly (bool)
``n_entered``               digits in the final answer (digits, int)
``positions_correct``       answer digits matching the target at the same place (int)
``deletions``               delete inputs during the recall (int)
``mean_digit_interval_ms``  mean onset-to-onset time of the digits (ms, float; NaN: 1)
``first_entry_ms``          recall onset (else last digit onset) to the first input (ms, float)
``recall_ms``               recall onset (else last digit onset) to the trial end (ms, float)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from games.api import ConfigError, EventRecord, EventSink, GameSummary, completed_trials
from games.engine.params import merge_params

__all__ = [
    "COLUMNS",
    "DEFAULT_PARAMS",
    "DIRECTIONS",
    "DISPLAY_NAME",
    "GAME_ID",
    "VERSION",
    "DigitsTask",
    "DigitsTrial",
    "Stimulus",
    "make_schedule",
    "make_sequence",
    "trial_table",
    "validate_params",
]

GAME_ID = "digits"
DISPLAY_NAME = "Digits"
VERSION = "1.0.0"
DIRECTIONS: tuple[str, ...] = ("forward", "backward")
_MAX_LENGTH = 12
_PRACTICE_REP_BASE = 1000  # keeps practice generators apart from main ones

DEFAULT_PARAMS: Mapping[str, Any] = MappingProxyType(
    {
        "directions": ("forward", "backward"),
        "forward_start": 3,
        "backward_start": 2,
        "max_length": 9,
        "trials_per_length": 2,
        "failures_to_stop": 2,
        "n_practice": 1,
        "practice_length": 2,
        "digit_interval_ms": 1000,
        "digit_duration_ms": 800,
        "feedback": "practice",
    }
)

_INT_RANGES: Mapping[str, tuple[int, int]] = MappingProxyType(
    {
        "forward_start": (1, _MAX_LENGTH),
        "backward_start": (1, _MAX_LENGTH),
        "max_length": (1, _MAX_LENGTH),
        "trials_per_length": (1, 5),
        "failures_to_stop": (1, 5),
        "n_practice": (0, 3),
        "practice_length": (1, _MAX_LENGTH),
        "digit_interval_ms": (200, 5000),
        "digit_duration_ms": (50, 5000),
    }
)
_FEEDBACK = ("none", "practice", "all")


def _bad(key: str, allowed: str, value: object) -> ConfigError:
    return ConfigError(f"{GAME_ID}: parameter {key!r} must be {allowed}, got {value!r}")


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    Raises :class:`ConfigError` naming the key and the allowed values or range.
    """
    merged = merge_params(GAME_ID, DEFAULT_PARAMS, params)
    for key, (low, high) in _INT_RANGES.items():
        value = merged[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _bad(key, f"an integer in {low}..{high}", value)
    directions = merged["directions"]
    if (
        isinstance(directions, str)
        or not isinstance(directions, Sequence)
        or not 1 <= len(directions) <= 2
        or len(set(directions)) != len(directions)
        or not all(d in DIRECTIONS for d in directions)
    ):
        raise _bad("directions", "a list of distinct values from 'forward', 'backward'", directions)
    merged["directions"] = tuple(directions)
    for key in ("forward_start", "backward_start"):
        if merged[key] > merged["max_length"]:
            raise _bad(key, f"at most max_length={merged['max_length']}", merged[key])
    if merged["failures_to_stop"] > merged["trials_per_length"]:
        raise _bad(
            "failures_to_stop",
            f"at most trials_per_length={merged['trials_per_length']}",
            merged["failures_to_stop"],
        )
    if merged["digit_duration_ms"] > merged["digit_interval_ms"]:
        raise _bad(
            "digit_duration_ms",
            f"at most digit_interval_ms={merged['digit_interval_ms']}",
            merged["digit_duration_ms"],
        )
    if merged["feedback"] not in _FEEDBACK:
        raise _bad("feedback", "one of 'none', 'practice', 'all'", merged["feedback"])
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


@dataclass(frozen=True, slots=True)
class DigitsOutcome:
    trial_index: int
    trial: DigitsTrial
    answer: tuple[int, ...]
    correct: bool


class DigitsTask:
    """The digit span state machine, driven by the view or a bot.

    Read-only state: :attr:`current_trial` (running, else next), :attr:`trial_running`,
    :attr:`phase` (``"idle"``, ``"presenting"``, ``"recall"``, ``"finished"``),
    :attr:`stimulus_due`, :attr:`answer`, :attr:`last_outcome`, :attr:`longest_span`,
    :attr:`finished`, :attr:`trials_done` and :attr:`trials_planned` (practice
    included; ``trials_planned`` is the most trials still possible, so it shrinks when
    a direction stops early and equals ``trials_done`` at the end).
    """

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        self._params = validate_params(params)
        self._seed = seed
        self._sink = sink
        self._directions: tuple[str, ...] = self._params["directions"]
        self._dir_pos = 0
        self._practice_left = int(self._params["n_practice"])
        self._length = _start(self._params, self._directions[0])
        self._rep = 1
        self._failures = 0
        self._index = 0  # trial_index of the next trial
        self._trial: DigitsTrial | None = self._pending()
        self._phase = "idle"
        self._shown = 0
        self._recall_shown = False
        self._answer: list[int] = []
        self._last: DigitsOutcome | None = None
        self._longest: dict[str, int] = dict.fromkeys(self._directions, 0)

    # ---- schedule ------------------------------------------------------------
    def _pending(self) -> DigitsTrial | None:
        """The next trial under the adaptive rule, or ``None`` when all are done."""
        if self._dir_pos >= len(self._directions):
            return None
        direction = self._directions[self._dir_pos]
        if self._practice_left > 0:
            rep = self._params["n_practice"] - self._practice_left + 1
            return _practice(self._params, self._seed, direction, rep)
        return _trial(self._seed, direction, self._length, self._rep)

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
    def params(self) -> Mapping[str, Any]:
        return MappingProxyType(self._params)

    @property
    def current_trial(self) -> DigitsTrial | None:
        return self._trial

    @property
    def trial_running(self) -> bool:
        return self._phase in ("presenting", "recall")

    @property
    def phase(self) -> str:
        return self._phase

    @property
    def stimulus_due(self) -> Stimulus | None:
        """The next item to present, or ``None`` (between trials, prompt already shown)."""
        trial = self._trial
        if self._phase == "presenting" and trial is not None:
            return Stimulus("digit", self._shown + 1, trial.digits[self._shown])
        if self._phase == "recall" and not self._recall_shown:
            return Stimulus("recall")
        return None

    @property
    def answer(self) -> tuple[int, ...]:
        return tuple(self._answer)

    @property
    def last_outcome(self) -> DigitsOutcome | None:
        return self._last

    @property
    def longest_span(self) -> Mapping[str, int]:
        """Longest correctly recalled main-trial length per direction so far."""
        return MappingProxyType(self._longest)

    @property
    def finished(self) -> bool:
        return self._phase == "finished"

    @property
    def trials_done(self) -> int:
        return self._index - 1 if self.trial_running else self._index

    @property
    def trials_planned(self) -> int:
        if self.trial_running:
            return self._index - 1 + self._remaining_max()
        return self._index + (self._remaining_max() if self._trial is not None else 0)

    # ---- inputs ----------------------------------------------------------------
    def start_trial(self, t_ns: int) -> DigitsTrial:
        """Begin the next trial; raises :class:`RuntimeError` if one runs or all are done."""
        trial = self._trial
        if self._phase != "idle" or trial is None:
            raise RuntimeError("start_trial: a trial is running or the game has finished")
        self._phase = "presenting"
        self._shown = 0
        self._recall_shown = False
        self._answer = []
        self._index += 1
        self._sink.emit(
            "trial_start",
            {
                "direction": trial.direction,
                "length": trial.length,
                "rep": trial.rep,
                "practice": trial.practice,
                "digits": list(trial.digits),
                "target": list(trial.target),
                "digit_interval_ms": self._params["digit_interval_ms"],
                "digit_duration_ms": self._params["digit_duration_ms"],
            },
            trial_index=self._index - 1,
            t_ns=t_ns,
        )
        return trial

    def stimulus_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The view presented :attr:`stimulus_due` at ``t_ns``; ``False`` if none was due."""
        due = self.stimulus_due
        if due is None:
            return False
        payload: dict[str, Any] = {"stimulus": due.kind, "method": method, "refresh_ns": refresh_ns}
        if due.kind == "digit":
            payload.update(position=due.position, digit=due.digit)
            self._shown += 1
            assert self._trial is not None
            if self._shown >= self._trial.length:
                self._phase = "recall"
        else:
            self._recall_shown = True
        self._sink.emit("stimulus_onset", payload, trial_index=self._index - 1, t_ns=t_ns)
        return True

    def enter_digit(self, digit: int, t_ns: int) -> bool:
        """Add ``digit`` to the answer; the trial ends when the answer is full."""
        if isinstance(digit, bool) or not isinstance(digit, int) or not 0 <= digit <= 9:
            raise ValueError(f"enter_digit: digit must be an integer 0..9, got {digit!r}")
        if self._phase != "recall" or self._trial is None:
            return False
        self._answer.append(digit)
        self._sink.emit(
            "response",
            {"input": "digit", "digit": digit, "position": len(self._answer)},
            trial_index=self._index - 1,
            t_ns=t_ns,
        )
        if len(self._answer) >= self._trial.length:
            self._end(t_ns)
        return True

    def delete_last(self, t_ns: int) -> bool:
        """Remove the last entered digit; ``False`` if there is none or no recall is running."""
        if self._phase != "recall" or not self._answer:
            return False
        position = len(self._answer)
        self._answer.pop()
        self._sink.emit(
            "response",
            {"input": "delete", "position": position},
            trial_index=self._index - 1,
            t_ns=t_ns,
        )
        return True

    def submit(self, t_ns: int) -> bool:
        """End the recall with the digits entered so far (fewer than needed: incorrect)."""
        if self._phase != "recall":
            return False
        self._sink.emit(
            "response",
            {"input": "submit", "n_entered": len(self._answer)},
            trial_index=self._index - 1,
            t_ns=t_ns,
        )
        self._end(t_ns)
        return True

    def _end(self, t_ns: int) -> None:
        trial = self._trial
        assert trial is not None
        index = self._index - 1
        answer = tuple(self._answer)
        correct = answer == trial.target
        positions = sum(a == b for a, b in zip(answer, trial.target, strict=False))
        mode = self._params["feedback"]
        if mode == "all" or (mode == "practice" and trial.practice):
            self._sink.emit("feedback", {"correct": correct}, trial_index=index, t_ns=t_ns)
        self._sink.emit(
            "trial_end",
            {
                "direction": trial.direction,
                "length": trial.length,
                "rep": trial.rep,
                "practice": trial.practice,
                "correct": correct,
                "answer": list(answer),
                "target": list(trial.target),
                "positions_correct": positions,
            },
            trial_index=index,
            t_ns=t_ns,
        )
        if correct and not trial.practice:
            self._longest[trial.direction] = max(self._longest[trial.direction], trial.length)
        self._last = DigitsOutcome(index, trial, answer, correct)
        self._advance(correct, trial.practice)
        self._trial = self._pending()
        self._phase = "idle" if self._trial is not None else "finished"
        self._sink.flush()
        if self._trial is None:
            self._sink.flush(durable=True)

    def summary(self) -> GameSummary:
        return GameSummary(
            game_id=GAME_ID,
            completed=self.finished,
            trials_done=self.trials_done,
            trials_planned=self.trials_planned,
            extra={"longest_span": dict(self._longest)},
        )


# ---- trial table -------------------------------------------------------------------

COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "trial_index": "0-based index of the trial in the order given (int)",
        "practice": "True for a practice trial (bool)",
        "direction": "'forward' or 'backward' (str)",
        "length": "number of digits shown (digits, int)",
        "rep": "1-based repetition at this length (int)",
        "correct": "True when the answer equals the target exactly (bool)",
        "n_entered": "digits in the final answer (digits, int)",
        "positions_correct": "answer digits matching the target at the same place (int)",
        "deletions": "delete inputs during the recall (int)",
        "mean_digit_interval_ms": "mean onset-to-onset time of the digits (ms, float; NaN: 1)",
        "first_entry_ms": "recall onset (else last digit onset) to the first input (ms, float)",
        "recall_ms": "recall onset (else last digit onset) to the trial end (ms, float)",
    }
)


def _first(trial: Sequence[EventRecord], kind: str) -> EventRecord | None:
    return next((e for e in trial if e.kind == kind), None)


def trial_table(events: Sequence[EventRecord]) -> dict[str, NDArray[Any]]:
    """One row per completed trial, columns as documented in :data:`COLUMNS`.

    Built from stored events only; an incomplete last trial gives no row.
    """
    nan = float("nan")
    rows: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    for trial in completed_trials(events):
        start = _first(trial, "trial_start")
        end = _first(trial, "trial_end")
        assert start is not None and end is not None
        onsets = [e for e in trial if e.kind == "stimulus_onset"]
        digit_onsets = [e.t_ns for e in onsets if e.payload.get("stimulus") == "digit"]
        recall = next((e.t_ns for e in onsets if e.payload.get("stimulus") == "recall"), None)
        t_recall = recall if recall is not None else (digit_onsets or [start.t_ns])[-1]
        responses = [e for e in trial if e.kind == "response"]
        rows["trial_index"].append(start.trial_index)
        rows["practice"].append(bool(start.payload["practice"]))
        rows["direction"].append(str(start.payload["direction"]))
        rows["length"].append(int(start.payload["length"]))
        rows["rep"].append(int(start.payload["rep"]))
        rows["correct"].append(bool(end.payload["correct"]))
        rows["n_entered"].append(len(end.payload["answer"]))
        rows["positions_correct"].append(int(end.payload["positions_correct"]))
        rows["deletions"].append(sum(e.payload.get("input") == "delete" for e in responses))
        rows["mean_digit_interval_ms"].append(
            float(np.mean(np.diff(digit_onsets))) / 1e6 if len(digit_onsets) >= 2 else nan
        )
        rows["first_entry_ms"].append((responses[0].t_ns - t_recall) / 1e6 if responses else nan)
        rows["recall_ms"].append((end.t_ns - t_recall) / 1e6)
    dtypes: Mapping[str, Any] = {
        "practice": np.bool_,
        "correct": np.bool_,
        "direction": np.dtype("<U8"),
        "mean_digit_interval_ms": np.float64,
        "first_entry_ms": np.float64,
        "recall_ms": np.float64,
    }
    return {
        name: np.asarray(values, dtype=dtypes.get(name, np.int64)) for name, values in rows.items()
    }
