"""Keypresses: rules, schedule and trial table of a finger tapping test.

Paradigm: the Finger Tapping Test of the Halstead-Reitan battery (Halstead 1947;
Reitan & Wolfson 1985): the candidate taps one key with the index finger as fast as
possible for 10 s.

Rules
-----
Trials alternate hands, starting with ``first_hand`` (``"auto"``: right for even
seeds, left for odd ones, so the order is counterbalanced); ``trials_per_hand`` (5)
main trials per hand of ``trial_ms`` (10 000 ms) each. The left hand taps
``key_left``, the right hand ``key_right``. Each trial shows a "get ready - LEFT /
RIGHT hand" screen for ``ready_ms``, then "GO": the tapping window opens at the
GO frame's stamp and closes ``trial_ms`` later; the view then shows a rest screen
for ``iti_ms``. Practice trials (``n_practice``, default 2 = one per hand) come first,
last ``practice_ms`` each and alternate hands the same way. There is no feedback.

Every tap is recorded. A tap on the other hand's key is recorded as a tap with
``valid`` = ``False`` and does not count; keys that belong to neither hand, and taps
before GO (false starts), are recorded as ``ignored_input``. The view must drop key
auto-repeat events (a held key is not a tap).

Timing and inputs
-----------------
The task never reads a clock. The view calls ``start_trial(t_ns)`` (ready screen),
``stimulus_shown(t_ns, method, refresh_ns)`` for the GO frame, ``respond(key, t_ns)``
for every key press with its own stamp, and ``timeout(t_ns)`` once ``deadline_at_ns``
(GO stamp + trial duration) has passed, which ends the trial. A tap stamped after the
window also ends it (recorded as ``ignored_input``, reason ``"late"``). Onset stamps
in the wrong phase are ignored (return ``False``); ``start_trial`` while a trial
runs or after the end raises :class:`RuntimeError`.

Events (all carry ``trial_index``, 0-based over practice and main trials)
------------------------------------------------------------------------
``trial_start``     the design: ``practice``, ``hand`` (``"left"``/``"right"``),
                    ``trial_for_hand`` (1-based within hand and phase), ``key``,
                    ``duration_ms``
``stimulus_onset``  ``stimulus`` = ``"go"``, ``method``, ``refresh_ns``
``tap``             (game-specific; this game's responses) ``key``, ``hand`` (whose
                    key it is), ``valid`` (the trial's hand), ``n`` (valid taps so far,
                    this one included), ``t_ms`` (since GO)
``ignored_input``   (game-specific) ``key``, ``reason``: ``"before_onset"``,
                    ``"unknown_key"`` or ``"late"``
``trial_end``       ``taps`` (valid), ``wrong_key_taps``, ``duration_ms``,
                    ``practice``

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
from games.engine.trial import TableSchema, TrialTask, events_within, first_event, ms_between

__all__ = [*TASK_EXPORTS, "KeypressesTask", "Phase", "TapOutcome", "TapTrial", "first_hand_for"]

GAME_ID = "keypresses"
DISPLAY_NAME = "Keypresses"
VERSION = "1.0.0"

HANDS = ("left", "right")

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
class TapTrial:
    """One scheduled tapping trial."""

    index: int  # 0-based over practice and main trials
    practice: bool
    hand: str  # "left" | "right"
    trial_for_hand: int  # 1-based count of this hand's trials (practice and main apart)
    duration_ms: int  # tapping window

    def design(self) -> dict[str, Any]:
        """The trial's design as a JSON-ready ``trial_start`` payload (without ``index``)."""
        return {
            "practice": self.practice,
            "hand": self.hand,
            "trial_for_hand": self.trial_for_hand,
            "duration_ms": self.duration_ms,
        }


def first_hand_for(params: Mapping[str, Any], seed: int) -> str:
    """The hand of the first trial; ``"auto"`` is right for even seeds, left for odd."""
    choice = str(params.get("first_hand", "auto"))
    return ("right", "left")[seed % 2] if choice == "auto" else choice


def make_schedule(params: Mapping[str, Any], seed: int) -> tuple[TapTrial, ...]:
    """Practice then main trials, hands alternating from :func:`first_hand_for`.

    The schedule has no random part beyond the counterbalanced first hand.
    """
    p = validate_params(params)
    first = HANDS.index(first_hand_for(p, seed))
    trials: list[TapTrial] = []
    for practice, count, duration in (
        (True, p["n_practice"], p["practice_ms"]),
        (False, 2 * p["trials_per_hand"], p["trial_ms"]),
    ):
        seen = {"left": 0, "right": 0}
        for k in range(count):
            hand = HANDS[(first + k) % 2]
            seen[hand] += 1
            trials.append(TapTrial(len(trials), practice, hand, seen[hand], int(duration)))
    return tuple(trials)


# ---- state machine -----------------------------------------------------------------


class Phase(StrEnum):
    """Where the task is; the view draws according to it."""

    IDLE = "idle"  # between trials (rest) or before the first
    READY = "ready"  # trial started: "get ready - LEFT/RIGHT hand"
    TAPPING = "tapping"  # GO shown: the window is open
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class TapOutcome:
    """How a trial ended (the ``trial_end`` payload as a value)."""

    trial_index: int
    taps: int
    wrong_key_taps: int


class KeypressesTask(TrialTask[TapTrial, Phase, TapOutcome]):
    """The finger tapping state machine, driven by the view or a bot.

    Read-only state (beyond :class:`~games.engine.trial.TrialTask`'s): :attr:`taps`;
    :attr:`current_deadline_ns` is the trial's tapping window while it is open.
    """

    game_id = GAME_ID

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        valid = validate_params(params)
        super().__init__(valid, make_schedule(valid, seed), sink, Phase)
        self._taps = 0
        self._wrong = 0
        self._hand_of = {valid["key_left"]: "left", valid["key_right"]: "right"}

    # ---- read-only state -------------------------------------------------------
    def key_for(self, hand: str) -> str:
        """The key that ``hand`` taps."""
        return str(self._params[f"key_{hand}"])

    @property
    def taps(self) -> int:
        """Valid taps so far in the trial in progress."""
        return self._taps

    def summary_extra(self) -> Mapping[str, Any]:
        return {"first_hand": self._schedule[0].hand if self._schedule else ""}

    def _window_ms(self) -> int | None:
        return self._running.duration_ms if self._phase is Phase.TAPPING else None

    # ---- calls from the view -----------------------------------------------------
    def start_trial(self, t_ns: int) -> TapTrial:
        """Begin the next trial (the view shows the "get ready" screen)."""
        upcoming = self.current_trial
        extra = {"key": self.key_for(upcoming.hand)} if upcoming is not None else {}
        trial = self._begin(t_ns, Phase.READY, extra)
        self._taps = 0
        self._wrong = 0
        return trial

    def stimulus_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The GO frame was presented at ``t_ns``: the tapping window opens."""
        if self._phase is not Phase.READY:
            return False
        self._onset = t_ns
        self._phase = Phase.TAPPING
        self._emit_onset("stimulus_onset", t_ns, method, refresh_ns, stimulus="go")
        return True

    def respond(self, key: str, t_ns: int) -> bool:
        """A key press stamped ``t_ns``; ``True`` when it counted as a valid tap."""
        if not self.trial_running:
            return False
        trial = self._running
        reason = self._input_problem(key in self._hand_of, t_ns, trial.duration_ms)
        if reason is not None:
            self._emit("ignored_input", {"key": key, "reason": reason}, t_ns)
            if reason == "late":
                self._end(trial, t_ns)
            return False
        assert self._onset is not None
        hand = self._hand_of[key]
        valid = hand == trial.hand
        if valid:
            self._taps += 1
        else:
            self._wrong += 1
        t_ms = (t_ns - self._onset) / 1e6
        self._emit(
            "tap", {"key": key, "hand": hand, "valid": valid, "n": self._taps, "t_ms": t_ms}, t_ns
        )
        return valid

    def timeout(self, t_ns: int) -> bool:
        """The tapping window has closed: end the trial."""
        if self._phase is not Phase.TAPPING:
            return False
        self._end(self._running, t_ns)
        return True

    def _end(self, trial: TapTrial, t_ns: int) -> None:
        end = {
            "taps": self._taps,
            "wrong_key_taps": self._wrong,
            "duration_ms": trial.duration_ms,
            "practice": trial.practice,
        }
        self._close(trial, t_ns, end, TapOutcome(trial.index, self._taps, self._wrong))


# ---- trial table -------------------------------------------------------------------

_TABLE = TableSchema.load(GAME_ID)
COLUMNS: Mapping[str, str] = _TABLE.descriptions


def trial_table(events: Sequence[EventRecord]) -> dict[str, NDArray[Any]]:
    """One row per completed trial, columns as in :data:`COLUMNS`, from stored events only.

    Taps are counted from the ``tap`` events' stamps inside [GO, GO + duration]. A trial
    without its ``trial_end`` (an interrupted game) gives no row.
    """
    table = _TABLE.builder()
    for trial in completed_trials(events):
        design = trial[0].payload
        duration_ms = int(design["duration_ms"])
        onset = first_event(trial, "stimulus_onset")
        taps = events_within(trial, "tap", onset, duration_ms)
        valid = [e for e in taps if e.payload["hand"] == design["hand"]]
        itis = np.diff(np.asarray([e.t_ns for e in valid], dtype=np.float64)) / 1e6
        table.add_trial(
            trial,
            taps=len(valid),
            taps_per_10s=len(valid) * 10_000 / duration_ms,
            wrong_key_taps=len(taps) - len(valid),
            first_tap_ms=ms_between(onset, valid[0] if valid else None),
            mean_iti_ms=float(itis.mean()) if itis.size >= 1 else float("nan"),
            iti_cv=float(itis.std(ddof=1) / itis.mean()) if itis.size >= 2 else float("nan"),
        )
    return table.columns()
