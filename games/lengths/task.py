"""Lengths: rules, schedule and trial table of a Probabilistic Reward Task (PRT).

Paradigm: Pizzagalli, Jahn & O'Shea (2005), "Toward an objective characterization of
an anhedonic phenotype: a signal-detection approach", Biol. Psychiatry 57, 319-327.

Rules
-----
Each trial shows a fixation cross (``fixation_ms``), then a schematic face without a
mouth (``face_ms``), then the mouth - short (``short_mouth_mm``, 11.5 mm in the paper)
or long (``long_mouth_mm``, 13 mm) - for ``mouth_ms`` (100 ms), after which the
mouthless face stays until the response or ``response_window_ms``. The candidate
presses the key for "short" or "long"; which side means short is ``short_side``.

One stimulus is *rich*, the other *lean* (``rich_stimulus``). Each main block of
``trials_per_block`` trials (3 x 100 by default) holds equal numbers of short and
long mouths in a seeded order with no more than ``max_run`` identical mouths in a
row. Reinforcement is *controlled* as in the paper: before the block a seeded list
fixes which trials would be rewarded if answered correctly - ``rich_rewards_per_block``
rich trials (30) and ``lean_rewards_per_block`` lean trials (10), so correct rich
responses are rewarded three times as often. When the candidate errs (or times out)
on a scheduled trial, the reward is *owed* and paid on the next correct trial of the
same stimulus type; owed rewards do not carry over into the next block. A reward
shows "Correct! You won N cents" (``reward_cents``) for ``feedback_ms``; other trials
show no feedback.

Counterbalancing: ``short_side`` and ``rich_stimulus`` set to ``"auto"`` come from
``seed % 4`` (short on the left for even seeds; the short mouth is rich when
``(seed // 2) % 2 == 0``), so consecutive seeds cycle through all four combinations.

Practice trials (``n_practice``, block 0) come first, hold both mouths equally, are
never rewarded and show "correct"/"incorrect"/"too slow" feedback so that the
candidate learns the keys.

Timing and inputs
-----------------
The task never reads a clock. The view calls ``start_trial(t_ns)`` (fixation shown),
``stimulus_shown(t_ns, method, refresh_ns)`` for the frame that shows the mouth (RT is
measured from it), optionally ``stimulus_hidden(t_ns, method, refresh_ns)`` for the
frame that removes it, ``respond(key, t_ns)`` with the key event's own stamp and
``timeout(t_ns)`` once ``deadline_at_ns`` has passed. A key stamped after the deadline
closes the trial as a time-out; keys before the mouth's onset, or keys that are not
response keys, are recorded as ``ignored_input``. Onset stamps arriving in the wrong
phase are ignored (the methods return ``False``); ``start_trial`` while a trial runs
or after the end raises :class:`RuntimeError`.

Events (all carry ``trial_index``, 0-based over practice and main trials)
------------------------------------------------------------------------
``trial_start``      the design: ``block`` (0 = practice), ``trial_in_block``
                     (1-based), ``practice``, ``stimulus`` (``"short"``/``"long"``),
                     ``rich`` (the stimulus is the rich one), ``rich_stimulus``,
                     ``short_side``, ``correct_side``, ``scheduled_reward``,
                     ``mouth_mm``, ``mouth_ms``, ``response_window_ms``
``stimulus_onset``   ``stimulus`` = ``"mouth"``, ``mouth``, ``method``, ``refresh_ns``
``stimulus_offset``  (game-specific) the mouth was removed: ``method``, ``refresh_ns``
``response``         ``key``, ``side``, ``choice`` (the mouth the key stands for),
                     ``rt_ms``
``ignored_input``    (game-specific) ``key``, ``reason``: ``"before_onset"``,
                     ``"unknown_key"`` or ``"late"``
``feedback``         ``message`` (``"reward"``; in practice ``"correct"``,
                     ``"incorrect"``, ``"too_slow"``), ``rewarded``,
                     ``amount_cents``, ``total_cents``, ``duration_ms``
``trial_end``        ``correct``, ``timeout``, ``response_side`` and ``choice``
                     (``""`` if none), ``rt_ms`` (``None`` if none), ``rewarded``,
                     ``reward_cents``, ``total_cents``, ``owed_rich``, ``owed_lean``
                     (rewards still owed after this trial), ``practice``

The sink is flushed at each trial end and durably when the last trial ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from games.api import TASK_EXPORTS, ConfigError, EventRecord, EventSink, completed_trials
from games.engine.params import ParamSchema, bad_param, check_distinct
from games.engine.trial import TableSchema, TrialTask, first_event, ms_between

__all__ = [
    *TASK_EXPORTS,
    "LengthsOutcome",
    "LengthsTask",
    "LengthsTrial",
    "Phase",
    "counterbalancing",
]

GAME_ID = "lengths"
DISPLAY_NAME = "Lengths"
VERSION = "1.0.0"

MOUTHS = ("short", "long")
SIDES = ("left", "right")

_PARAMS = ParamSchema.load(GAME_ID)
DEFAULT_PARAMS: Mapping[str, Any] = _PARAMS.defaults


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    Raises :class:`ConfigError` naming the key and its allowed values or range (as
    ``params.toml`` declares them).
    """
    merged = _PARAMS.validate(params)
    check_distinct(GAME_ID, merged, "key_left", "key_right")
    half = merged["trials_per_block"] // 2
    for key in ("rich_rewards_per_block", "lean_rewards_per_block"):
        if merged[key] > half:
            raise bad_param(GAME_ID, key, f"at most trials_per_block // 2 = {half}", merged[key])
    if not merged["short_mouth_mm"] < merged["long_mouth_mm"]:
        raise ConfigError(
            f"{GAME_ID}: parameter 'short_mouth_mm' must be less than 'long_mouth_mm'"
        )
    return merged


# ---- schedule ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LengthsTrial:
    """One scheduled trial."""

    index: int  # 0-based over practice and main trials
    block: int  # 0 = practice, then 1..n_blocks
    trial_in_block: int  # 1-based
    practice: bool
    stimulus: str  # "short" | "long"
    rich: bool  # the stimulus is the rich one
    correct_side: str  # "left" | "right"
    scheduled_reward: bool  # a correct response here is rewarded (main trials only)

    def design(self) -> dict[str, Any]:
        """The trial's design as a JSON-ready ``trial_start`` payload (without ``index``)."""
        return {
            "block": self.block,
            "trial_in_block": self.trial_in_block,
            "practice": self.practice,
            "stimulus": self.stimulus,
            "rich": self.rich,
            "correct_side": self.correct_side,
            "scheduled_reward": self.scheduled_reward,
        }


def counterbalancing(params: Mapping[str, Any], seed: int) -> tuple[str, str]:
    """``(short_side, rich_stimulus)``; ``"auto"`` values cycle with ``seed % 4``."""
    short_side = str(params.get("short_side", "auto"))
    rich = str(params.get("rich_stimulus", "auto"))
    if short_side == "auto":
        short_side = SIDES[seed % 2]
    if rich == "auto":
        rich = MOUTHS[(seed // 2) % 2]
    return short_side, rich


def _mouth_sequence(rng: np.random.Generator, n: int, max_run: int) -> list[str]:
    """Equal numbers of short and long (one extra, random, if ``n`` is odd); runs <= max_run."""
    extra = int(rng.integers(2)) if n % 2 else 0
    for _ in range(1000):
        remaining = [n // 2 + (n % 2 == 1 and extra == k) for k in (0, 1)]
        sequence: list[int] = []
        for _step in range(n):
            allowed = [
                k
                for k in (0, 1)
                if remaining[k] > 0
                and not (len(sequence) >= max_run and all(x == k for x in sequence[-max_run:]))
            ]
            if not allowed:
                break
            weights = np.array([remaining[k] for k in allowed], dtype=float)
            k = allowed[int(rng.choice(len(allowed), p=weights / weights.sum()))]
            sequence.append(k)
            remaining[k] -= 1
        if len(sequence) == n:
            return [MOUTHS[k] for k in sequence]
    raise ConfigError(f"{GAME_ID}: no mouth order with max_run={max_run} found")  # pragma: no cover


def _block(
    rng: np.random.Generator,
    n: int,
    block: int,
    first_index: int,
    p: Mapping[str, Any],
    short_side: str,
    rich: str,
) -> list[LengthsTrial]:
    mouths = _mouth_sequence(rng, n, int(p["max_run"]))
    scheduled = [False] * n
    if block > 0:
        for is_rich, count in (
            (True, p["rich_rewards_per_block"]),
            (False, p["lean_rewards_per_block"]),
        ):
            positions = [i for i in range(n) if (mouths[i] == rich) == is_rich]
            for i in rng.choice(positions, size=min(int(count), len(positions)), replace=False):
                scheduled[int(i)] = True
    long_side = "right" if short_side == "left" else "left"
    return [
        LengthsTrial(
            index=first_index + i,
            block=block,
            trial_in_block=i + 1,
            practice=block == 0,
            stimulus=mouths[i],
            rich=mouths[i] == rich,
            correct_side=short_side if mouths[i] == "short" else long_side,
            scheduled_reward=scheduled[i],
        )
        for i in range(n)
    ]


def make_schedule(params: Mapping[str, Any], seed: int) -> tuple[LengthsTrial, ...]:
    """Practice (block 0) then ``n_blocks`` blocks with their reward lists; seeded."""
    p = validate_params(params)
    rng = np.random.default_rng(seed)
    short_side, rich = counterbalancing(p, seed)
    trials: list[LengthsTrial] = []
    if p["n_practice"] > 0:
        trials += _block(rng, p["n_practice"], 0, 0, p, short_side, rich)
    for block in range(1, p["n_blocks"] + 1):
        trials += _block(rng, p["trials_per_block"], block, len(trials), p, short_side, rich)
    return tuple(trials)


# ---- state machine -----------------------------------------------------------------


class Phase(StrEnum):
    """Where the task is; the view draws according to it."""

    IDLE = "idle"  # between trials (or before the first)
    FIXATION = "fixation"  # trial started: fixation, then the mouthless face, then the mouth
    RESPONSE = "response"  # the mouth has been shown: waiting for a key or the deadline
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class LengthsOutcome:
    """How a trial ended (the ``trial_end`` payload as a value)."""

    trial_index: int
    correct: bool
    timeout: bool
    choice: str  # "short" | "long" | "" when none
    rt_ms: float | None
    rewarded: bool


class LengthsTask(TrialTask[LengthsTrial, Phase, LengthsOutcome]):
    """The Lengths (PRT) state machine, driven by the view or a bot.

    Read-only state (beyond :class:`~games.engine.trial.TrialTask`'s):
    :attr:`short_side`, :attr:`rich_stimulus`, :attr:`mouth_visible`,
    :attr:`total_cents`, :attr:`owed`.
    """

    game_id = GAME_ID
    window_param = "response_window_ms"

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        valid = validate_params(params)
        super().__init__(valid, make_schedule(valid, seed), sink, Phase)
        self._short_side, self._rich = counterbalancing(valid, seed)
        self._mouth_visible = False
        self._total = 0
        self._owed = {"rich": 0, "lean": 0}
        self._block = -1
        long_side = "right" if self._short_side == "left" else "left"
        self._choice_of = {
            valid[f"key_{self._short_side}"]: ("short", self._short_side),
            valid[f"key_{long_side}"]: ("long", long_side),
        }

    # ---- read-only state -------------------------------------------------------
    @property
    def short_side(self) -> str:
        return self._short_side

    @property
    def rich_stimulus(self) -> str:
        return self._rich

    @property
    def mouth_visible(self) -> bool:
        """The mouth is on screen (between its onset and offset stamps)."""
        return self._mouth_visible

    @property
    def total_cents(self) -> int:
        return self._total

    @property
    def owed(self) -> Mapping[str, int]:
        """Rewards owed in the current block, by ``"rich"`` and ``"lean"``."""
        return MappingProxyType(dict(self._owed))

    # ---- calls from the view -----------------------------------------------------
    def start_trial(self, t_ns: int) -> LengthsTrial:
        """Begin the next trial (the view shows the fixation cross)."""
        upcoming = self.current_trial
        stimulus = upcoming.stimulus if upcoming is not None else "short"
        extra = {
            "rich_stimulus": self._rich,
            "short_side": self._short_side,
            "mouth_mm": self._params["short_mouth_mm" if stimulus == "short" else "long_mouth_mm"],
            "mouth_ms": self._params["mouth_ms"],
            "response_window_ms": self._params["response_window_ms"],
        }
        trial = self._begin(t_ns, Phase.FIXATION, extra)
        if trial.block != self._block:
            self._block = trial.block
            self._owed = {"rich": 0, "lean": 0}
        return trial

    def stimulus_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The frame showing the mouth was presented at ``t_ns``."""
        if self._phase is not Phase.FIXATION:
            return False
        self._onset = t_ns
        self._mouth_visible = True
        self._phase = Phase.RESPONSE
        mouth = self._running.stimulus
        self._emit_onset("stimulus_onset", t_ns, method, refresh_ns, stimulus="mouth", mouth=mouth)
        return True

    def stimulus_hidden(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The frame removing the mouth was presented (ignored after the trial ended)."""
        if self._phase is not Phase.RESPONSE or not self._mouth_visible:
            return False
        self._mouth_visible = False
        self._emit_onset("stimulus_offset", t_ns, method, refresh_ns)
        return True

    def respond(self, key: str, t_ns: int) -> bool:
        """A key press stamped ``t_ns``; returns ``True`` when taken as the response."""
        rt_ms = self._response_rt(key in self._choice_of, t_ns, {"key": key})
        if rt_ms is None:
            return False
        choice, side = self._choice_of[key]
        self._emit("response", {"key": key, "side": side, "choice": choice, "rt_ms": rt_ms}, t_ns)
        self._end(self._running, t_ns, choice=choice, side=side, rt_ms=rt_ms)
        return True

    def _end_unanswered(self, trial: LengthsTrial, t_ns: int) -> None:
        self._end(trial, t_ns, choice="", side="", rt_ms=None)

    def _reward(self, trial: LengthsTrial, correct: bool) -> bool:
        """Controlled reinforcement: scheduled rewards, or owed ones paid on a later hit."""
        if trial.practice:
            return False
        kind = "rich" if trial.rich else "lean"
        if trial.scheduled_reward:
            if not correct:
                self._owed[kind] += 1
            return correct
        if correct and self._owed[kind] > 0:
            self._owed[kind] -= 1
            return True
        return False

    def _end(
        self, trial: LengthsTrial, t_ns: int, *, choice: str, side: str, rt_ms: float | None
    ) -> None:
        correct = choice == trial.stimulus
        timeout = choice == ""
        rewarded = self._reward(trial, correct)
        cents = int(self._params["reward_cents"]) if rewarded else 0
        self._total += cents
        self._mouth_visible = False
        message = None
        if rewarded:
            message = "reward"
        elif trial.practice:
            message = "correct" if correct else ("too_slow" if timeout else "incorrect")
        if message is not None:
            feedback = {
                "message": message,
                "rewarded": rewarded,
                "amount_cents": cents,
                "total_cents": self._total,
                "duration_ms": self._params["feedback_ms"],
            }
            self._give_feedback(trial, t_ns, feedback)
        end = {
            "correct": correct,
            "timeout": timeout,
            "response_side": side,
            "choice": choice,
            "rt_ms": rt_ms,
            "rewarded": rewarded,
            "reward_cents": cents,
            "total_cents": self._total,
            "owed_rich": self._owed["rich"],
            "owed_lean": self._owed["lean"],
            "practice": trial.practice,
        }
        outcome = LengthsOutcome(trial.index, correct, timeout, choice, rt_ms, rewarded)
        self._close(trial, t_ns, end, outcome)

    def summary_extra(self) -> Mapping[str, Any]:
        return {
            "total_cents": self._total,
            "short_side": self._short_side,
            "rich_stimulus": self._rich,
        }


# ---- trial table -------------------------------------------------------------------

_TABLE = TableSchema.load(GAME_ID)
COLUMNS: Mapping[str, str] = _TABLE.descriptions


def trial_table(events: Sequence[EventRecord]) -> dict[str, NDArray[Any]]:
    """One row per completed trial, columns as in :data:`COLUMNS`, from stored events only.

    A trial without its ``trial_end`` (an interrupted game) gives no row.
    """
    table = _TABLE.builder()
    for trial in completed_trials(events):
        design, end = trial[0].payload, trial[-1].payload
        onset = first_event(trial, "stimulus_onset")
        response = first_event(trial, "response")
        feedback = first_event(trial, "feedback")
        side = str(response.payload["side"]) if response is not None else ""
        choice = str(response.payload["choice"]) if response is not None else ""
        rewarded = feedback is not None and bool(feedback.payload.get("rewarded", False))
        table.add_trial(
            trial,
            response_side=side,
            choice=choice,
            correct=choice == design["stimulus"],
            timeout=response is None,
            rt_ms=ms_between(onset, response),
            rewarded=rewarded,
            reward_cents=int(end.get("reward_cents", 0)) if rewarded else 0,
            mouth_shown_ms=ms_between(onset, first_event(trial, "stimulus_offset")),
        )
    return table.columns()
