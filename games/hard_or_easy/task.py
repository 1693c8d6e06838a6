"""Hard or Easy: rules, schedule and trial table of the EEfRT.

Paradigm: the Effort Expenditure for Rewards Task, Treadway et al. (2009), "Worth the
'EEfRT'? The effort expenditure for rewards task as an objective measure of
motivation and anhedonia", PLoS ONE 4(8), e6598.

Rules
-----
Each trial shows a "ready" screen (``ready_ms``), then the choice screen: the win
probability of this trial (12%, 50% or 88%: ``probabilities``), the reward of the
hard task (``reward_hard_min``..``reward_hard_max``, $1.24-$4.30) and of the easy
task (``reward_easy``, $1.00). The candidate chooses within ``choice_time_ms`` (5 s);
with no choice in time a task is assigned at random (drawn from the seed) and the
trial is flagged ``choice_assigned``. After another "ready" screen the chosen task
starts: easy = ``easy_presses`` (30) presses of ``easy_press_key`` within
``easy_time_ms`` (7 s); hard = ``hard_presses`` (100) presses of ``hard_press_key``
within ``hard_time_ms`` (21 s). (Treadway et al. used the dominant index finger for
the easy and the non-dominant little finger for the hard task; the default keys
assume a right-handed candidate: "j" and "a".) The press phase ends as soon as the
required presses are reached (*completed*) or at the time limit (not completed).
Only a completed task is eligible to win: the trial is won when it was completed and
its lottery - ``lottery_win``, drawn from the seed as ``U(0,1) < probability`` before
the game - comes up; a win earns the chosen task's reward. Feedback (completed?
won? amount) shows for ``feedback_ms``.

Length: a fixed count of ``n_trials`` main trials (24 by default: predictable
duration, every probability x reward level crossed). With ``duration_limit_s`` > 0
the game also ends at the first trial end after that many seconds from the first
trial's start, as in Treadway's fixed 20-min session (set ``n_trials`` high enough);
the game then counts as completed with fewer trials done than planned.

Schedule: the probabilities are balanced (counts within one) and each probability
gets hard rewards evenly spaced over the range (rounded to cents), in a seeded random
order. Practice trials (``n_practice``) come first with random probabilities and
rewards, and earn nothing (their feedback still says whether they would have won).

Timing and inputs
-----------------
The task never reads a clock. The view calls ``start_trial(t_ns)`` (ready screen),
``stimulus_shown(t_ns, method, refresh_ns)`` for the choice screen's frame,
``respond(key_or_choice, t_ns)`` for every input with its own stamp - on the choice
screen ``"easy"``/``"hard"`` (buttons) or ``choice_key_easy``/``choice_key_hard``;
during the press phase the chosen task's press key - and ``timeout(t_ns)`` once
``deadline_at_ns`` has passed (choice: assign at random; press phase: not
completed). After the choice the view shows the ready screen, then the press screen
and calls ``task_shown(t_ns, method, refresh_ns)`` for its frame. Inputs before the
relevant screen, keys of the wrong task and unknown keys are recorded as
``ignored_input``; inputs stamped after a deadline act as the time-out. Onset stamps
in the wrong phase are ignored (return ``False``); ``start_trial`` while a trial
runs or after the end raises :class:`RuntimeError`.

Events (all carry ``trial_index``, 0-based over practice and main trials)
------------------------------------------------------------------------
``trial_start``     the design: ``practice``, ``probability`` (0..1),
                    ``reward_hard``, ``reward_easy`` (currency units),
                    ``lottery_win`` (hidden), ``random_choice`` (hidden: used if no
                    choice), ``choice_time_ms``, ``easy_presses``, ``easy_time_ms``,
                    ``hard_presses``, ``hard_time_ms``
``stimulus_onset``  ``stimulus`` = ``"choice"``, ``probability``, ``reward_hard``,
                    ``reward_easy``, ``method``, ``refresh_ns``
``choice``          (game-specific; the choice response) ``choice``
                    (``"easy"``/``"hard"``), ``assigned`` (no choice in time),
                    ``input`` (the key or label; ``""`` when assigned), ``rt_ms``
                    (``None`` when assigned)
``task_onset``      (game-specific) the press screen appeared: ``task``,
                    ``required_presses``, ``time_limit_ms``, ``key``, ``method``,
                    ``refresh_ns``
``press``           (game-specific; press responses) ``key``, ``n`` (presses so far,
                    this one included), ``t_ms`` (since the task onset)
``ignored_input``   (game-specific) ``key``, ``reason``: ``"before_onset"``,
                    ``"unknown_key"``, ``"wrong_key"`` or ``"late"``
``feedback``        ``completed``, ``won``, ``amount`` (won on this trial; 0 in practice),
                    ``total_winnings`` (main trials), ``duration_ms``
``trial_end``       ``choice``, ``assigned``, ``completed``, ``presses``,
                    ``press_rate_hz``, ``won``, ``amount``, ``total_winnings``,
                    ``practice``

The sink is flushed at each trial end and durably when the game ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from games.api import ConfigError, EventRecord, EventSink, GameSummary, completed_trials
from games.engine.params import check_floats, check_ints, merge_params

__all__ = [
    "COLUMNS",
    "DEFAULT_PARAMS",
    "DISPLAY_NAME",
    "GAME_ID",
    "VERSION",
    "EffortOutcome",
    "EffortTrial",
    "HardOrEasyTask",
    "Phase",
    "make_schedule",
    "trial_table",
    "validate_params",
]

GAME_ID = "hard_or_easy"
DISPLAY_NAME = "Hard or Easy"
VERSION = "1.0.0"

CHOICES = ("easy", "hard")

DEFAULT_PARAMS: Mapping[str, Any] = MappingProxyType(
    {
        "n_practice": 2,
        "n_trials": 24,  # main trials (3 probabilities x 8 reward levels)
        "duration_limit_s": 0,  # > 0: also end at the first trial end after this many s
        "probabilities": (0.12, 0.50, 0.88),
        "reward_easy": 1.00,
        "reward_hard_min": 1.24,
        "reward_hard_max": 4.30,
        "easy_presses": 30,
        "easy_time_ms": 7000,
        "hard_presses": 100,
        "hard_time_ms": 21000,
        "choice_time_ms": 5000,
        "ready_ms": 1000,  # "ready" screens before the choice and before the task
        "feedback_ms": 2000,
        "iti_ms": 1000,
        "choice_key_easy": "f",
        "choice_key_hard": "j",
        "easy_press_key": "j",  # dominant index finger (right-handed default)
        "hard_press_key": "a",  # non-dominant little finger (right-handed default)
        "currency": "$",
    }
)

_INT_RANGES: Mapping[str, tuple[int, int]] = MappingProxyType(
    {
        "n_practice": (0, 10),
        "n_trials": (1, 500),
        "duration_limit_s": (0, 7200),
        "easy_presses": (1, 1000),
        "easy_time_ms": (1000, 120000),
        "hard_presses": (1, 1000),
        "hard_time_ms": (1000, 120000),
        "choice_time_ms": (500, 60000),
        "ready_ms": (0, 10000),
        "feedback_ms": (0, 10000),
        "iti_ms": (0, 10000),
    }
)
_FLOAT_RANGES: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "reward_easy": (0.0, 1000.0),
        "reward_hard_min": (0.0, 1000.0),
        "reward_hard_max": (0.0, 1000.0),
    }
)
_KEYS = ("choice_key_easy", "choice_key_hard", "easy_press_key", "hard_press_key", "currency")


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    Raises :class:`ConfigError` naming the key and its allowed values or range.
    """
    merged = merge_params(GAME_ID, DEFAULT_PARAMS, params)
    check_ints(GAME_ID, merged, _INT_RANGES)
    check_floats(GAME_ID, merged, _FLOAT_RANGES)
    probs = merged["probabilities"]
    if (
        isinstance(probs, str)
        or not isinstance(probs, Sequence)
        or not probs
        or any(isinstance(x, bool) or not isinstance(x, int | float) for x in probs)
        or any(not 0.0 < float(x) <= 1.0 for x in probs)
    ):
        raise ConfigError(
            f"{GAME_ID}: parameter 'probabilities' must be a non-empty list of numbers in "
            f"(0, 1], got {probs!r}"
        )
    merged["probabilities"] = tuple(float(x) for x in probs)
    for key in _KEYS:
        value = merged[key]
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{GAME_ID}: parameter {key!r} must be a non-empty string")
    if merged["choice_key_easy"] == merged["choice_key_hard"]:
        raise ConfigError(
            f"{GAME_ID}: parameters 'choice_key_easy' and 'choice_key_hard' must differ"
        )
    if merged["reward_hard_min"] > merged["reward_hard_max"]:
        raise ConfigError(
            f"{GAME_ID}: parameter 'reward_hard_min' must not exceed 'reward_hard_max' "
            f"({merged['reward_hard_max']}), got {merged['reward_hard_min']!r}"
        )
    if merged["hard_presses"] < merged["easy_presses"]:
        raise ConfigError(
            f"{GAME_ID}: parameter 'hard_presses' must be at least easy_presses "
            f"({merged['easy_presses']}), got {merged['hard_presses']!r}"
        )
    return merged


# ---- schedule ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EffortTrial:
    """One scheduled trial."""

    index: int  # 0-based over practice and main trials
    practice: bool
    probability: float  # win probability shown
    reward_hard: float  # currency units
    reward_easy: float
    lottery_win: bool  # the lottery outcome, drawn before the game (hidden)
    random_choice: str  # assigned when no choice comes in time (hidden)

    def design(self) -> dict[str, Any]:
        """The trial's design as a JSON-ready ``trial_start`` payload (without ``index``)."""
        return {
            "practice": self.practice,
            "probability": self.probability,
            "reward_hard": self.reward_hard,
            "reward_easy": self.reward_easy,
            "lottery_win": self.lottery_win,
            "random_choice": self.random_choice,
        }


def make_schedule(params: Mapping[str, Any], seed: int) -> tuple[EffortTrial, ...]:
    """Practice then main trials with probabilities balanced and rewards spread; seeded."""
    p = validate_params(params)
    rng = np.random.default_rng(seed)
    probs: tuple[float, ...] = p["probabilities"]
    low, high = p["reward_hard_min"], p["reward_hard_max"]
    cells: list[tuple[float, float]] = []
    for _ in range(p["n_practice"]):
        prob = probs[int(rng.integers(len(probs)))]
        cells.append((prob, round(float(rng.uniform(low, high)), 2)))
    n = int(p["n_trials"])
    counts = [n // len(probs)] * len(probs)
    for k in rng.permutation(len(probs))[: n % len(probs)]:
        counts[int(k)] += 1
    main: list[tuple[float, float]] = []
    for prob, count in zip(probs, counts, strict=True):
        levels = np.linspace(low, high, count) if count > 1 else np.array([(low + high) / 2])
        main += [(prob, round(float(r), 2)) for r in levels[:count]]
    cells += [main[int(i)] for i in rng.permutation(len(main))]
    draws = rng.random(len(cells))
    assigned = rng.integers(2, size=len(cells))
    return tuple(
        EffortTrial(
            index=i,
            practice=i < p["n_practice"],
            probability=prob,
            reward_hard=reward,
            reward_easy=p["reward_easy"],
            lottery_win=bool(draws[i] < prob),
            random_choice=CHOICES[int(assigned[i])],
        )
        for i, (prob, reward) in enumerate(cells)
    )


# ---- state machine -----------------------------------------------------------------


class Phase(StrEnum):
    """Where the task is; the view draws according to it."""

    IDLE = "idle"  # between trials (or before the first)
    READY = "ready"  # trial started: "ready" screen, then the choice screen
    CHOICE = "choice"  # choice screen shown: waiting for a choice or the deadline
    TASK_READY = "task_ready"  # choice made: "ready" screen, then the press screen
    PRESSING = "pressing"  # press screen shown: counting presses until done or deadline
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class EffortOutcome:
    """How a trial ended (the ``trial_end`` payload as a value)."""

    trial_index: int
    choice: str
    assigned: bool
    completed: bool
    presses: int
    won: bool
    amount: float


class HardOrEasyTask:
    """The EEfRT state machine, driven by the view or a bot.

    Read-only state: :attr:`phase`, :attr:`current_trial`, :attr:`choice`,
    :attr:`presses`, :attr:`required_presses`, :attr:`phase_onset_ns`,
    :attr:`current_deadline_ns`, :attr:`deadline_at_ns`, :attr:`total_winnings`,
    :attr:`last_outcome`, :attr:`last_feedback`, :attr:`finished`,
    :attr:`stopped_by_time`, :attr:`trials_done`, :attr:`trials_planned`.
    """

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        self._params = validate_params(params)
        self._schedule = make_schedule(self._params, seed)
        self._sink = sink
        self._phase = Phase.IDLE if self._schedule else Phase.FINISHED
        self._next = 0
        self._game_start: int | None = None
        self._onset: int | None = None
        self._choice = ""
        self._assigned = False
        self._presses = 0
        self._total = 0.0
        self._stopped_by_time = False
        self._last: EffortOutcome | None = None
        self._feedback: Mapping[str, Any] | None = None
        self._choice_of = {
            "easy": "easy",
            "hard": "hard",
            self._params["choice_key_easy"]: "easy",
            self._params["choice_key_hard"]: "hard",
        }

    # ---- read-only state -------------------------------------------------------
    @property
    def params(self) -> Mapping[str, Any]:
        return MappingProxyType(self._params)

    @property
    def schedule(self) -> tuple[EffortTrial, ...]:
        return self._schedule

    @property
    def phase(self) -> Phase:
        return self._phase

    @property
    def trial_running(self) -> bool:
        """A trial has started and has not ended yet."""
        return self.phase not in (Phase.IDLE, Phase.FINISHED)

    @property
    def current_trial(self) -> EffortTrial | None:
        """The trial in progress, else the next one to start, else ``None``."""
        if self._phase is Phase.FINISHED:
            return None
        if self._phase is not Phase.IDLE:
            return self._schedule[self._next - 1]
        return self._schedule[self._next]

    @property
    def choice(self) -> str:
        """The chosen (or assigned) task of the trial in progress, ``""`` before."""
        return self._choice

    @property
    def presses(self) -> int:
        return self._presses

    @property
    def required_presses(self) -> int | None:
        if not self._choice:
            return None
        return int(self._params[f"{self._choice}_presses"])

    @property
    def press_key(self) -> str | None:
        """The key the chosen task is done with."""
        return str(self._params[f"{self._choice}_press_key"]) if self._choice else None

    @property
    def phase_onset_ns(self) -> int | None:
        """Stamp of the choice screen (CHOICE) or of the press screen (PRESSING)."""
        return self._onset if self._phase in (Phase.CHOICE, Phase.PRESSING) else None

    @property
    def current_deadline_ns(self) -> int | None:
        """Time limit of the current phase, ns after :attr:`phase_onset_ns`."""
        if self._phase is Phase.CHOICE:
            return int(self._params["choice_time_ms"]) * 1_000_000
        if self._phase is Phase.PRESSING:
            return int(self._params[f"{self._choice}_time_ms"]) * 1_000_000
        return None

    @property
    def deadline_at_ns(self) -> int | None:
        rel = self.current_deadline_ns
        return None if rel is None or self._onset is None else self._onset + rel

    @property
    def total_winnings(self) -> float:
        return self._total

    @property
    def last_outcome(self) -> EffortOutcome | None:
        return self._last

    @property
    def last_feedback(self) -> Mapping[str, Any] | None:
        return self._feedback

    @property
    def finished(self) -> bool:
        return self._phase is Phase.FINISHED

    @property
    def stopped_by_time(self) -> bool:
        """The game ended because ``duration_limit_s`` had passed."""
        return self._stopped_by_time

    @property
    def trials_done(self) -> int:
        return self._next if self._phase in (Phase.IDLE, Phase.FINISHED) else self._next - 1

    @property
    def trials_planned(self) -> int:
        return len(self._schedule)

    # ---- calls from the view -----------------------------------------------------
    def start_trial(self, t_ns: int) -> EffortTrial:
        """Begin the next trial (the view shows the "ready" screen)."""
        if self._phase is not Phase.IDLE:
            raise RuntimeError(f"start_trial: not allowed in phase {self._phase.value!r}")
        trial = self._schedule[self._next]
        if self._game_start is None:
            self._game_start = t_ns
        self._next += 1
        self._phase = Phase.READY
        self._onset = None
        self._choice = ""
        self._assigned = False
        self._presses = 0
        self._feedback = None
        payload = trial.design()
        for key in (
            "choice_time_ms",
            "easy_presses",
            "easy_time_ms",
            "hard_presses",
            "hard_time_ms",
        ):
            payload[key] = self._params[key]
        self._sink.emit("trial_start", payload, trial_index=trial.index, t_ns=t_ns)
        return trial

    def stimulus_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The frame showing the choice screen was presented at ``t_ns``."""
        if self._phase is not Phase.READY:
            return False
        trial = self._schedule[self._next - 1]
        self._onset = t_ns
        self._phase = Phase.CHOICE
        self._sink.emit(
            "stimulus_onset",
            {
                "stimulus": "choice",
                "probability": trial.probability,
                "reward_hard": trial.reward_hard,
                "reward_easy": trial.reward_easy,
                "method": method,
                "refresh_ns": refresh_ns,
            },
            trial_index=trial.index,
            t_ns=t_ns,
        )
        return True

    def task_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The frame showing the press screen was presented at ``t_ns``."""
        if self._phase is not Phase.TASK_READY:
            return False
        self._onset = t_ns
        self._phase = Phase.PRESSING
        self._sink.emit(
            "task_onset",
            {
                "task": self._choice,
                "required_presses": self.required_presses,
                "time_limit_ms": self._params[f"{self._choice}_time_ms"],
                "key": self.press_key,
                "method": method,
                "refresh_ns": refresh_ns,
            },
            trial_index=self._schedule[self._next - 1].index,
            t_ns=t_ns,
        )
        return True

    def respond(self, key_or_choice: str, t_ns: int) -> bool:
        """An input stamped ``t_ns``: a choice on the choice screen, else a press.

        Returns ``True`` when it was taken (a choice, or a press counted).
        """
        if self._phase in (Phase.IDLE, Phase.FINISHED):
            return False
        trial = self._schedule[self._next - 1]
        if self._phase is Phase.CHOICE:
            return self._respond_choice(trial, key_or_choice, t_ns)
        if self._phase is Phase.PRESSING:
            return self._respond_press(trial, key_or_choice, t_ns)
        known = key_or_choice in self._choice_of or key_or_choice in (
            self._params["easy_press_key"],
            self._params["hard_press_key"],
        )
        self._ignore(trial, key_or_choice, "before_onset" if known else "unknown_key", t_ns)
        return False

    def timeout(self, t_ns: int) -> bool:
        """The current phase's time limit has passed."""
        if self._phase is Phase.CHOICE:
            self._assign(self._schedule[self._next - 1], t_ns)
            return True
        if self._phase is Phase.PRESSING:
            self._end(self._schedule[self._next - 1], t_ns, completed=False)
            return True
        return False

    # ---- internals -------------------------------------------------------------------
    def _ignore(self, trial: EffortTrial, key: str, reason: str, t_ns: int) -> None:
        self._sink.emit(
            "ignored_input", {"key": key, "reason": reason}, trial_index=trial.index, t_ns=t_ns
        )

    def _late(self, t_ns: int) -> bool:
        deadline = self.deadline_at_ns
        return deadline is not None and t_ns > deadline

    def _respond_choice(self, trial: EffortTrial, key: str, t_ns: int) -> bool:
        assert self._onset is not None
        if key not in self._choice_of:
            self._ignore(trial, key, "unknown_key", t_ns)
            return False
        if t_ns < self._onset:
            self._ignore(trial, key, "before_onset", t_ns)
            return False
        if self._late(t_ns):
            self._ignore(trial, key, "late", t_ns)
            self._assign(trial, t_ns)
            return False
        self._choice = self._choice_of[key]
        self._sink.emit(
            "choice",
            {
                "choice": self._choice,
                "assigned": False,
                "input": key,
                "rt_ms": (t_ns - self._onset) / 1e6,
            },
            trial_index=trial.index,
            t_ns=t_ns,
        )
        self._phase = Phase.TASK_READY
        self._onset = None
        return True

    def _assign(self, trial: EffortTrial, t_ns: int) -> None:
        self._choice = trial.random_choice
        self._assigned = True
        self._sink.emit(
            "choice",
            {"choice": self._choice, "assigned": True, "input": "", "rt_ms": None},
            trial_index=trial.index,
            t_ns=t_ns,
        )
        self._phase = Phase.TASK_READY
        self._onset = None

    def _respond_press(self, trial: EffortTrial, key: str, t_ns: int) -> bool:
        assert self._onset is not None
        if key != self.press_key:
            known = key in (self._params["easy_press_key"], self._params["hard_press_key"])
            self._ignore(trial, key, "wrong_key" if known else "unknown_key", t_ns)
            return False
        if t_ns < self._onset:
            self._ignore(trial, key, "before_onset", t_ns)
            return False
        if self._late(t_ns):
            self._ignore(trial, key, "late", t_ns)
            self._end(trial, t_ns, completed=False)
            return False
        self._presses += 1
        self._sink.emit(
            "press",
            {"key": key, "n": self._presses, "t_ms": (t_ns - self._onset) / 1e6},
            trial_index=trial.index,
            t_ns=t_ns,
        )
        required = self.required_presses
        if required is not None and self._presses >= required:
            self._end(trial, t_ns, completed=True)
        return True

    def _end(self, trial: EffortTrial, t_ns: int, *, completed: bool) -> None:
        assert self._onset is not None
        won = completed and trial.lottery_win
        amount = 0.0
        if won and not trial.practice:
            amount = trial.reward_hard if self._choice == "hard" else trial.reward_easy
            self._total = round(self._total + amount, 2)
        limit_ms = int(self._params[f"{self._choice}_time_ms"])
        active_s = (t_ns - self._onset) / 1e9 if completed else limit_ms / 1000.0
        rate = self._presses / active_s if active_s > 0 else 0.0
        self._feedback = MappingProxyType(
            {
                "completed": completed,
                "won": won,
                "amount": amount,
                "total_winnings": self._total,
                "duration_ms": self._params["feedback_ms"],
            }
        )
        self._sink.emit("feedback", self._feedback, trial_index=trial.index, t_ns=t_ns)
        self._sink.emit(
            "trial_end",
            {
                "choice": self._choice,
                "assigned": self._assigned,
                "completed": completed,
                "presses": self._presses,
                "press_rate_hz": rate,
                "won": won,
                "amount": amount,
                "total_winnings": self._total,
                "practice": trial.practice,
            },
            trial_index=trial.index,
            t_ns=t_ns,
        )
        self._last = EffortOutcome(
            trial.index, self._choice, self._assigned, completed, self._presses, won, amount
        )
        self._phase = Phase.IDLE
        self._onset = None
        self._sink.flush()
        limit_s = int(self._params["duration_limit_s"])
        assert self._game_start is not None
        out_of_time = limit_s > 0 and t_ns - self._game_start >= limit_s * 1_000_000_000
        if self._next >= len(self._schedule) or out_of_time:
            self._stopped_by_time = out_of_time and self._next < len(self._schedule)
            self._phase = Phase.FINISHED
            self._sink.flush(durable=True)

    def summary(self) -> GameSummary:
        return GameSummary(
            game_id=GAME_ID,
            completed=self.finished,
            trials_done=self.trials_done,
            trials_planned=self.trials_planned,
            extra={"total_winnings": self._total, "stopped_by_time": self._stopped_by_time},
        )


# ---- trial table -------------------------------------------------------------------

COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "trial_index": "0-based index over practice and main trials (int)",
        "practice": "True for a practice trial (bool)",
        "probability": "win probability shown (fraction, float)",
        "reward_hard": "reward offered for the hard task (currency units, float)",
        "reward_easy": "reward offered for the easy task (currency units, float)",
        "chosen": "task done: 'hard' or 'easy' (str)",
        "choice_assigned": "no choice in time: the task was assigned at random (bool)",
        "choice_rt_ms": "choice screen onset to choice (ms, float; NaN when assigned)",
        "reward": "reward at stake for the chosen task (currency units, float)",
        "required_presses": "presses the chosen task needs (count, int)",
        "time_limit_ms": "time allowed for the chosen task (ms, int)",
        "presses": "presses of the task's key inside the time limit (count, int)",
        "completed": "the required presses were reached in time (bool)",
        "completion_ms": "task onset to the last required press (ms, float; NaN if not)",
        "press_rate_hz": "presses / (completion time, or the time limit) (presses/s, float)",
        "won": "completed and the lottery came up (bool)",
        "winnings": "amount won on this trial, 0 on practice (currency units, float)",
    }
)

_DTYPES: Mapping[str, Any] = MappingProxyType(
    {
        "trial_index": np.int64,
        "practice": np.bool_,
        "probability": np.float64,
        "reward_hard": np.float64,
        "reward_easy": np.float64,
        "choice_assigned": np.bool_,
        "choice_rt_ms": np.float64,
        "reward": np.float64,
        "required_presses": np.int64,
        "time_limit_ms": np.int64,
        "presses": np.int64,
        "completed": np.bool_,
        "completion_ms": np.float64,
        "press_rate_hz": np.float64,
        "won": np.bool_,
        "winnings": np.float64,
    }
)


def _first(trial: Sequence[EventRecord], kind: str) -> EventRecord | None:
    return next((e for e in trial if e.kind == kind), None)


def trial_table(events: Sequence[EventRecord]) -> dict[str, NDArray[Any]]:
    """One row per completed trial, columns as in :data:`COLUMNS`, from stored events only.

    Presses are counted from the ``press`` events inside [task onset, onset + limit];
    completion and the win follow the rules above. A trial without its
    ``trial_end`` (an interrupted game) gives no row.
    """
    rows: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    for trial in completed_trials(events):
        start = trial[0]
        design = start.payload
        screen = _first(trial, "stimulus_onset")
        choice = _first(trial, "choice")
        onset = _first(trial, "task_onset")
        chosen = str(choice.payload["choice"]) if choice is not None else ""
        assigned = bool(choice.payload["assigned"]) if choice is not None else True
        required = int(design.get(f"{chosen}_presses", 0)) if chosen else 0
        limit_ms = int(design.get(f"{chosen}_time_ms", 0)) if chosen else 0
        times: list[int] = []
        if onset is not None:
            end_ns = onset.t_ns + limit_ms * 1_000_000
            times = [e.t_ns for e in trial if e.kind == "press" and onset.t_ns <= e.t_ns <= end_ns]
        completed = chosen != "" and len(times) >= required
        completion = float("nan")
        if completed and onset is not None:
            completion = (times[required - 1] - onset.t_ns) / 1e6
        active_ms = completion if completed else float(limit_ms)
        rate = len(times) / (active_ms / 1000.0) if active_ms > 0 else float("nan")
        reward = float(design["reward_hard"] if chosen == "hard" else design["reward_easy"])
        won = completed and bool(design["lottery_win"])
        rt = float("nan")
        if choice is not None and screen is not None and not assigned:
            rt = (choice.t_ns - screen.t_ns) / 1e6
        rows["trial_index"].append(start.trial_index)
        rows["practice"].append(bool(design["practice"]))
        rows["probability"].append(float(design["probability"]))
        rows["reward_hard"].append(float(design["reward_hard"]))
        rows["reward_easy"].append(float(design["reward_easy"]))
        rows["chosen"].append(chosen)
        rows["choice_assigned"].append(assigned)
        rows["choice_rt_ms"].append(rt)
        rows["reward"].append(reward)
        rows["required_presses"].append(required)
        rows["time_limit_ms"].append(limit_ms)
        rows["presses"].append(len(times))
        rows["completed"].append(completed)
        rows["completion_ms"].append(completion)
        rows["press_rate_hz"].append(rate)
        rows["won"].append(won)
        rows["winnings"].append(reward if won and not design["practice"] else 0.0)
    return {
        name: np.asarray(values, dtype=_DTYPES.get(name, np.str_)) for name, values in rows.items()
    }
