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
from typing import Any

import numpy as np
from numpy.typing import NDArray

from games.api import TASK_EXPORTS, ConfigError, EventRecord, EventSink, completed_trials
from games.engine.params import ParamSchema, check_distinct
from games.engine.trial import TableSchema, TrialTask, events_within, first_event, ms_between

__all__ = [*TASK_EXPORTS, "EffortOutcome", "EffortTrial", "HardOrEasyTask", "Phase"]

GAME_ID = "hard_or_easy"
DISPLAY_NAME = "Hard or Easy"
VERSION = "1.0.0"

CHOICES = ("easy", "hard")
_OFFER = ("probability", "reward_hard", "reward_easy")  # what the choice screen shows

_PARAMS = ParamSchema.load(GAME_ID)
DEFAULT_PARAMS: Mapping[str, Any] = _PARAMS.defaults


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    Raises :class:`ConfigError` naming the key and its allowed values or range (as
    ``params.toml`` declares them).
    """
    merged = _PARAMS.validate(params)
    check_distinct(GAME_ID, merged, "choice_key_easy", "choice_key_hard")
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


class HardOrEasyTask(TrialTask[EffortTrial, Phase, EffortOutcome]):
    """The EEfRT state machine, driven by the view or a bot.

    Read-only state (beyond :class:`~games.engine.trial.TrialTask`'s): :attr:`choice`,
    :attr:`presses`, :attr:`required_presses`, :attr:`press_key`,
    :attr:`phase_onset_ns`, :attr:`total_winnings`, :attr:`stopped_by_time`;
    :attr:`current_deadline_ns` is the choice time on the choice screen and the chosen
    task's time limit on the press screen.
    """

    game_id = GAME_ID

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        valid = validate_params(params)
        super().__init__(valid, make_schedule(valid, seed), sink, Phase)
        self._game_start: int | None = None
        self._choice = ""
        self._assigned = False
        self._presses = 0
        self._total = 0.0
        self._stopped_by_time = False
        self._choice_of = {
            "easy": "easy",
            "hard": "hard",
            valid["choice_key_easy"]: "easy",
            valid["choice_key_hard"]: "hard",
        }
        self._press_keys = (valid["easy_press_key"], valid["hard_press_key"])

    # ---- read-only state -------------------------------------------------------
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
    def total_winnings(self) -> float:
        return self._total

    @property
    def stopped_by_time(self) -> bool:
        """The game ended because ``duration_limit_s`` had passed."""
        return self._stopped_by_time

    def summary_extra(self) -> Mapping[str, Any]:
        return {"total_winnings": self._total, "stopped_by_time": self._stopped_by_time}

    def _window_ms(self) -> int | None:
        if self._phase is Phase.CHOICE:
            return int(self._params["choice_time_ms"])
        if self._phase is Phase.PRESSING:
            return int(self._params[f"{self._choice}_time_ms"])
        return None

    # ---- calls from the view -----------------------------------------------------
    def start_trial(self, t_ns: int) -> EffortTrial:
        """Begin the next trial (the view shows the "ready" screen)."""
        limits = ("choice_time_ms", "easy_presses", "easy_time_ms", "hard_presses", "hard_time_ms")
        trial = self._begin(t_ns, Phase.READY, {key: self._params[key] for key in limits})
        if self._game_start is None:
            self._game_start = t_ns
        self._choice = ""
        self._assigned = False
        self._presses = 0
        return trial

    def stimulus_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The frame showing the choice screen was presented at ``t_ns``."""
        if self._phase is not Phase.READY:
            return False
        self._onset = t_ns
        self._phase = Phase.CHOICE
        offer = {name: getattr(self._running, name) for name in _OFFER}
        self._emit_onset("stimulus_onset", t_ns, method, refresh_ns, stimulus="choice", **offer)
        return True

    def task_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The frame showing the press screen was presented at ``t_ns``."""
        if self._phase is not Phase.TASK_READY:
            return False
        self._onset = t_ns
        self._phase = Phase.PRESSING
        self._emit_onset(
            "task_onset",
            t_ns,
            method,
            refresh_ns,
            task=self._choice,
            required_presses=self.required_presses,
            time_limit_ms=self._params[f"{self._choice}_time_ms"],
            key=self.press_key,
        )
        return True

    def respond(self, key_or_choice: str, t_ns: int) -> bool:
        """An input stamped ``t_ns``: a choice on the choice screen, else a press.

        Returns ``True`` when it was taken (a choice, or a press counted).
        """
        if not self.trial_running:
            return False
        if self._phase is Phase.CHOICE:
            return self._respond_choice(key_or_choice, t_ns)
        if self._phase is Phase.PRESSING:
            return self._respond_press(key_or_choice, t_ns)
        known = key_or_choice in self._choice_of or key_or_choice in self._press_keys
        self._ignore(key_or_choice, "before_onset" if known else "unknown_key", t_ns)
        return False

    def timeout(self, t_ns: int) -> bool:
        """The current phase's time limit has passed."""
        if self._phase is Phase.CHOICE:
            self._assign(t_ns)
            return True
        if self._phase is Phase.PRESSING:
            self._end(t_ns, completed=False)
            return True
        return False

    # ---- internals -------------------------------------------------------------------
    def _ignore(self, key: str, reason: str, t_ns: int) -> None:
        self._emit("ignored_input", {"key": key, "reason": reason}, t_ns)

    def _respond_choice(self, key: str, t_ns: int) -> bool:
        window_ms = int(self._params["choice_time_ms"])
        reason = self._input_problem(key in self._choice_of, t_ns, window_ms)
        if reason is not None:
            self._ignore(key, reason, t_ns)
            if reason == "late":
                self._assign(t_ns)
            return False
        assert self._onset is not None
        self._choose(self._choice_of[key], t_ns, entered=key, rt_ms=(t_ns - self._onset) / 1e6)
        return True

    def _assign(self, t_ns: int) -> None:
        self._assigned = True
        self._choose(self._running.random_choice, t_ns, entered="", rt_ms=None)

    def _choose(self, choice: str, t_ns: int, *, entered: str, rt_ms: float | None) -> None:
        """The task is chosen (or assigned): on to the press screen's "ready" screen."""
        self._choice = choice
        payload = {"choice": choice, "assigned": self._assigned, "input": entered, "rt_ms": rt_ms}
        self._emit("choice", payload, t_ns)
        self._phase = Phase.TASK_READY
        self._onset = None

    def _respond_press(self, key: str, t_ns: int) -> bool:
        unknown = "wrong_key" if key in self._press_keys else "unknown_key"
        window_ms = int(self._params[f"{self._choice}_time_ms"])
        reason = self._input_problem(key == self.press_key, t_ns, window_ms, unknown)
        if reason is not None:
            self._ignore(key, reason, t_ns)
            if reason == "late":
                self._end(t_ns, completed=False)
            return False
        assert self._onset is not None
        self._presses += 1
        self._emit(
            "press", {"key": key, "n": self._presses, "t_ms": (t_ns - self._onset) / 1e6}, t_ns
        )
        required = self.required_presses
        if required is not None and self._presses >= required:
            self._end(t_ns, completed=True)
        return True

    def _end(self, t_ns: int, *, completed: bool) -> None:
        assert self._onset is not None and self._game_start is not None
        trial = self._running
        won = completed and trial.lottery_win
        amount = 0.0
        if won and not trial.practice:
            amount = trial.reward_hard if self._choice == "hard" else trial.reward_easy
            self._total = round(self._total + amount, 2)
        limit_ms = int(self._params[f"{self._choice}_time_ms"])
        active_s = (t_ns - self._onset) / 1e9 if completed else limit_ms / 1000.0
        rate = self._presses / active_s if active_s > 0 else 0.0
        feedback = {
            "completed": completed,
            "won": won,
            "amount": amount,
            "total_winnings": self._total,
            "duration_ms": self._params["feedback_ms"],
        }
        self._give_feedback(trial, t_ns, feedback)
        end = {
            "choice": self._choice,
            "assigned": self._assigned,
            "completed": completed,
            "presses": self._presses,
            "press_rate_hz": rate,
            "won": won,
            "amount": amount,
            "total_winnings": self._total,
            "practice": trial.practice,
        }
        outcome = EffortOutcome(
            trial.index, self._choice, self._assigned, completed, self._presses, won, amount
        )
        limit_s = int(self._params["duration_limit_s"])
        out_of_time = limit_s > 0 and t_ns - self._game_start >= limit_s * 1_000_000_000
        self._stopped_by_time = out_of_time and self._next < len(self._schedule)
        self._onset = None
        self._close(trial, t_ns, end, outcome, end_game=out_of_time)


# ---- trial table -------------------------------------------------------------------

_TABLE = TableSchema.load(GAME_ID)
COLUMNS: Mapping[str, str] = _TABLE.descriptions


def trial_table(events: Sequence[EventRecord]) -> dict[str, NDArray[Any]]:
    """One row per completed trial, columns as in :data:`COLUMNS`, from stored events only.

    Presses are counted from the ``press`` events inside [task onset, onset + limit];
    completion and the win follow the rules above. A trial without its
    ``trial_end`` (an interrupted game) gives no row.
    """
    table = _TABLE.builder()
    for trial in completed_trials(events):
        design = trial[0].payload
        choice = first_event(trial, "choice")
        onset = first_event(trial, "task_onset")
        chosen = str(choice.payload["choice"]) if choice is not None else ""
        assigned = bool(choice.payload["assigned"]) if choice is not None else True
        required = int(design.get(f"{chosen}_presses", 0)) if chosen else 0
        limit_ms = int(design.get(f"{chosen}_time_ms", 0)) if chosen else 0
        presses = events_within(trial, "press", onset, limit_ms)
        completed = chosen != "" and len(presses) >= required
        completion = float("nan")
        if completed and onset is not None:
            completion = ms_between(onset, presses[required - 1])
        active_ms = completion if completed else float(limit_ms)
        reward = float(design["reward_hard"] if chosen == "hard" else design["reward_easy"])
        won = completed and bool(design["lottery_win"])
        screen = first_event(trial, "stimulus_onset")
        table.add_trial(
            trial,
            chosen=chosen,
            choice_assigned=assigned,
            choice_rt_ms=float("nan") if assigned else ms_between(screen, choice),
            reward=reward,
            required_presses=required,
            time_limit_ms=limit_ms,
            presses=len(presses),
            completed=completed,
            completion_ms=completion,
            press_rate_hz=len(presses) / (active_ms / 1000.0) if active_ms > 0 else float("nan"),
            won=won,
            winnings=reward if won and not design["practice"] else 0.0,
        )
    return table.columns()
