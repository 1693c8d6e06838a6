"""Reversal: the rules, reward schedule and trial table of probabilistic reversal learning.

Paradigm: probabilistic reversal learning as in Cools, Clark, Owen & Robbins (2002),
"Defining the neural mechanisms of probabilistic reversal learning using event-related
functional magnetic resonance imaging", J. Neurosci. 22, 4563-4567, and den Ouden et
al. (2013), Neuron 80, 1090-1100; design and readouts after Waltmann, Schlagenhauf &
Deserno (2022), "Sufficient reliability of the behavioral and computational readouts
of a probabilistic reversal learning task", Behav. Res. Methods 54, 2993-3014.

Rules
-----
Two options, ``A`` (a blue circle) and ``B`` (an orange square), are shown side by
side on every trial; which one is on the left is drawn from the seed. One option is
*correct*: choosing it wins on ``p_reward`` (0.8) of trials, choosing the other wins
on the remaining 0.2. The outcomes are complementary: on a trial the schedule marks
*lucky* (probability ``p_reward``) the correct option wins and the other does not; on
an unlucky trial the other option wins and the correct one does not. A win adds
``points`` (10) to the total; a non-win adds nothing.

``n_trials`` (160) main trials. The correct option starts as ``A`` and *reverses*
(becomes the other option) after a trial when

* at least ``min_phase_trials`` (16) trials have passed since the last reversal, and
  ``criterion_correct`` (8) of the last ``criterion_window`` (10) choices were correct
  (the performance criterion), or
* ``max_phase_trials`` (40) trials have passed since the last reversal (a player who
  never reaches the criterion still meets reversals),

up to ``max_reversals`` (4) reversals, never after the last trial. With the defaults
every player meets at least three reversals (160 trials, at most 40 per phase) and at
most four; the criterion decides when. Reversals are not announced.

Practice trials (``n_practice``, default 0) come first; they follow the same rule with
``A`` correct, never reverse, leave the total untouched and count for nothing.

The seeded schedule. The trials' outcomes depend on the candidate's choices, so
:func:`make_schedule` returns what the seed fixes: for every trial the left option and
whether it is lucky, as :class:`ReversalTrial` entries.

Inputs
------
``start_trial(t_ns)`` begins a trial, ``stimulus_shown(t_ns, method, refresh_ns)``
reports when the options became visible, ``choose(option, t_ns)`` is the candidate's
choice (``"A"`` or ``"B"``) with its own stamp. ``choose`` outside a running trial is
*ignored* (returns ``False``); an unknown option raises :class:`ValueError`;
``start_trial`` while a trial runs or after the end raises :class:`RuntimeError`.

Events (every event carries ``trial_index``, 0-based over practice and main trials)
----------------------------------------------------------------------------------
``trial_start``     ``practice`` (bool), ``left`` (option on the left), ``correct``
                    (the correct option now), ``phase`` (reversals so far, 0-based)
``stimulus_onset``  ``stimulus`` = ``"options"``, ``method``, ``refresh_ns``
``response``        ``input`` = ``"option"``, ``option``, ``side`` ("left"/"right")
``feedback``        ``option``, ``reward`` (bool), ``points``, ``total``
``trial_end``       ``option``, ``side``, ``correct_option``, ``is_correct`` (bool),
                    ``reward`` (bool), ``points``, ``total``, ``phase``,
                    ``reversal_after`` (bool: the rule reverses after this trial),
                    ``practice``

Feedback and trial end carry the stamp of the choice. The sink is flushed at each trial
end and durably at the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from games.api import TASK_EXPORTS, EventRecord, EventSink, completed_trials
from games.engine.params import ParamSchema, check_bound
from games.engine.trial import OpenPhase, TableSchema, TrialTask, first_event, ms_between

__all__ = [*TASK_EXPORTS, "OPTIONS", "ChoiceOutcome", "ReversalTask", "ReversalTrial"]

GAME_ID = "reversal"
DISPLAY_NAME = "Reversal"
VERSION = "1.0.0"
OPTIONS: tuple[str, ...] = ("A", "B")

_PARAMS = ParamSchema.load(GAME_ID)
DEFAULT_PARAMS: Mapping[str, Any] = _PARAMS.defaults

# key, bound, other key: criterion_correct <= criterion_window <= min_phase_trials <=
# max_phase_trials, checked in this order
_ORDER: tuple[tuple[str, str, str], ...] = (
    ("criterion_correct", "at most", "criterion_window"),
    ("min_phase_trials", "at least", "criterion_window"),
    ("max_phase_trials", "at least", "min_phase_trials"),
)


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    Raises :class:`~games.api.ConfigError` naming the key and the allowed values.
    Besides the ranges of ``params.toml`` (``p_reward`` in 0.5..1):
    ``criterion_correct <= criterion_window <= min_phase_trials <= max_phase_trials``.
    """
    merged = _PARAMS.validate(params)
    for key, bound, other in _ORDER:
        check_bound(GAME_ID, merged, key, bound, other)
    return merged


@dataclass(frozen=True, slots=True)
class ReversalTrial:
    """One trial as the seed fixes it."""

    index: int  # 0-based over practice and main trials
    practice: bool
    left: str  # the option shown on the left
    lucky: bool  # the correct option wins (else the other one does)

    def design(self) -> dict[str, Any]:
        """What the seed fixes of the trial as shown: a ``trial_start`` payload's start."""
        return {"practice": self.practice, "left": self.left}


def make_schedule(params: Mapping[str, Any], seed: int) -> tuple[ReversalTrial, ...]:
    """Every trial's left option and luck, fixed by ``seed`` (practice first).

    Luck is drawn so that exactly ``round(p_reward * n)`` of each block of ``n = 10``
    main trials (and of the practice trials) are lucky, in a seeded order: every
    stretch of the game keeps the 80/20 contingency, not only the game as a whole.
    """
    p = validate_params(params)
    rng = np.random.default_rng([seed, 0x5E7])
    trials: list[ReversalTrial] = []
    for practice, count in ((True, p["n_practice"]), (False, p["n_trials"])):
        luck: list[bool] = []
        while len(luck) < count:
            block = np.zeros(10, dtype=np.bool_)
            block[: round(p["p_reward"] * 10)] = True
            luck.extend(bool(x) for x in rng.permutation(block))
        for k in range(count):
            left = OPTIONS[int(rng.integers(2))]
            trials.append(ReversalTrial(len(trials), practice, left, luck[k]))
    return tuple(trials)


@dataclass(frozen=True, slots=True)
class ChoiceOutcome:
    """What one choice brought."""

    trial_index: int
    option: str
    reward: bool
    total: int
    practice: bool


class ReversalTask(TrialTask[ReversalTrial, OpenPhase, ChoiceOutcome]):
    """The reversal-learning state machine, driven by the view or a bot.

    Read-only state (beyond :class:`~games.engine.trial.TrialTask`'s): :attr:`total`,
    :attr:`correct_option`, :attr:`reversals`. :attr:`trials_done` and
    :attr:`trials_planned` count practice trials.
    """

    game_id = GAME_ID
    stimulus = "options"

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        valid = validate_params(params)
        super().__init__(valid, make_schedule(valid, seed), sink, OpenPhase)
        self._total = 0
        self._correct = OPTIONS[0]
        self._reversals = 0
        self._phase_trials = 0
        self._recent: list[bool] = []  # correctness of this phase's choices

    @property
    def total(self) -> int:
        return self._total

    @property
    def correct_option(self) -> str:
        return self._correct

    @property
    def reversals(self) -> int:
        return self._reversals

    def start_trial(self, t_ns: int) -> ReversalTrial:
        """Begin the next trial; raises :class:`RuntimeError` if one is running or done."""
        trial = self.current_trial
        return self._begin(t_ns, OpenPhase.OPEN, self._rule(trial is not None and trial.practice))

    def _rule(self, practice: bool) -> dict[str, Any]:
        """The ``correct`` option and the ``phase`` (reversals so far) a trial is played under."""
        if practice:
            return {"correct": OPTIONS[0], "phase": 0}
        return {"correct": self._correct, "phase": self._reversals}

    def _criterion_met(self) -> bool:
        p = self._params
        window = self._recent[-int(p["criterion_window"]) :]
        enough = len(self._recent) >= int(p["min_phase_trials"])
        return enough and sum(window) >= int(p["criterion_correct"])

    def _reverses_after(self, is_correct: bool) -> bool:
        """Count a main trial's choice towards the phase; whether the rule reverses now."""
        p = self._params
        self._recent.append(is_correct)
        self._phase_trials += 1
        more = self._next < len(self._schedule)  # never after the last trial
        return (
            more
            and self._reversals < p["max_reversals"]
            and (self._criterion_met() or self._phase_trials >= p["max_phase_trials"])
        )

    def choose(self, option: str, t_ns: int) -> bool:
        """Choose ``option``; ``False`` (ignored) when no trial is running."""
        if option not in OPTIONS:
            raise ValueError(f"unknown option {option!r}; options are {', '.join(OPTIONS)}")
        if not self.trial_running:
            return False
        trial = self._running
        rule = self._rule(trial.practice)
        correct_option = rule["correct"]
        is_correct = option == correct_option
        reward = is_correct == trial.lucky
        points = self._params["points"] if reward else 0
        side = "left" if option == trial.left else "right"
        reversal_after = False
        if not trial.practice:
            self._total += points
            reversal_after = self._reverses_after(is_correct)
        if reversal_after:
            self._correct = OPTIONS[1 - OPTIONS.index(self._correct)]
            self._reversals += 1
            self._phase_trials = 0
            self._recent = []
        self._close_on_input(
            t_ns,
            {"input": "option", "option": option, "side": side},
            {"option": option, "reward": reward, "points": points, "total": self._total},
            {
                "side": side,
                "correct_option": correct_option,
                "is_correct": is_correct,
                "phase": rule["phase"],
                "reversal_after": reversal_after,
                "practice": trial.practice,
            },
            ChoiceOutcome(trial.index, option, reward, self._total, trial.practice),
        )
        return True

    def summary_extra(self) -> Mapping[str, Any]:
        return {"total": self._total, "reversals": self._reversals}


# ---- trial table -------------------------------------------------------------------

_TABLE = TableSchema.load(GAME_ID)
COLUMNS: Mapping[str, str] = _TABLE.descriptions


def trial_table(events: Sequence[EventRecord]) -> dict[str, NDArray[Any]]:
    """One row per completed trial, columns as declared in ``table.toml`` (:data:`COLUMNS`).

    Built from stored events only; an incomplete last trial gives no row.
    """
    table = _TABLE.builder()
    since = 0
    last_phase = -1
    for trial in completed_trials(events):
        start, end = trial[0], trial[-1]
        outcome = end.payload
        practice = bool(outcome["practice"])
        phase = int(outcome["phase"])
        if practice:
            position = 0
        else:
            since = since + 1 if phase == last_phase else 1
            last_phase = phase
            position = since
        table.add_trial(
            trial,
            choice=OPTIONS.index(str(outcome["option"])),
            side=0 if outcome["side"] == "left" else 1,
            correct_option=OPTIONS.index(str(outcome["correct_option"])),
            correct=bool(outcome["is_correct"]),
            trials_since_reversal=position,
            rt_ms=ms_between(
                first_event(trial, "stimulus_onset") or start,
                first_event(trial, "response") or end,
            ),
        )
    return table.columns()
