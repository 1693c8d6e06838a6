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
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from games.api import ConfigError, EventRecord, EventSink, GameSummary, completed_trials
from games.engine.params import check_choices, check_ints, check_keys, merge_params

__all__ = [
    "COLUMNS",
    "DEFAULT_PARAMS",
    "DISPLAY_NAME",
    "GAME_ID",
    "VERSION",
    "KeypressesTask",
    "Phase",
    "TapOutcome",
    "TapTrial",
    "first_hand_for",
    "make_schedule",
    "trial_table",
    "validate_params",
]

GAME_ID = "keypresses"
DISPLAY_NAME = "Keypresses"
VERSION = "1.0.0"

HANDS = ("left", "right")

DEFAULT_PARAMS: Mapping[str, Any] = MappingProxyType(
    {
        "n_practice": 2,  # practice trials, alternating hands
        "practice_ms": 5000,  # practice trial duration
        "trials_per_hand": 5,
        "trial_ms": 10000,  # tapping window of a main trial
        "first_hand": "auto",  # auto | left | right
        "ready_ms": 2000,  # "get ready" screen before GO
        "iti_ms": 3000,  # rest between trials
        "key_left": "f",
        "key_right": "j",
    }
)

_INT_RANGES: Mapping[str, tuple[int, int]] = MappingProxyType(
    {
        "n_practice": (0, 10),
        "practice_ms": (1000, 60000),
        "trials_per_hand": (1, 20),
        "trial_ms": (1000, 60000),
        "ready_ms": (0, 10000),
        "iti_ms": (0, 60000),
    }
)
_CHOICES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"first_hand": ("auto", "left", "right")}
)
_KEYS = ("key_left", "key_right")


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    Raises :class:`ConfigError` naming the key and its allowed values or range.
    """
    merged = merge_params(GAME_ID, DEFAULT_PARAMS, params)
    check_ints(GAME_ID, merged, _INT_RANGES)
    check_choices(GAME_ID, merged, _CHOICES)
    check_keys(GAME_ID, merged, _KEYS)
    if merged["key_left"] == merged["key_right"]:
        raise ConfigError(f"{GAME_ID}: parameters 'key_left' and 'key_right' must differ")
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


class KeypressesTask:
    """The finger tapping state machine, driven by the view or a bot.

    Read-only state: :attr:`phase`, :attr:`current_trial`, :attr:`taps`,
    :attr:`stimulus_onset_ns`, :attr:`current_deadline_ns`, :attr:`deadline_at_ns`,
    :attr:`last_outcome`, :attr:`finished`, :attr:`trials_done`,
    :attr:`trials_planned` (practice included).
    """

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        self._params = validate_params(params)
        self._schedule = make_schedule(self._params, seed)
        self._sink = sink
        self._phase = Phase.IDLE if self._schedule else Phase.FINISHED
        self._next = 0
        self._onset: int | None = None
        self._taps = 0
        self._wrong = 0
        self._last: TapOutcome | None = None
        self._hand_of = {self._params["key_left"]: "left", self._params["key_right"]: "right"}

    # ---- read-only state -------------------------------------------------------
    @property
    def params(self) -> Mapping[str, Any]:
        return MappingProxyType(self._params)

    @property
    def schedule(self) -> tuple[TapTrial, ...]:
        return self._schedule

    @property
    def phase(self) -> Phase:
        return self._phase

    @property
    def trial_running(self) -> bool:
        """A trial has started and has not ended yet."""
        return self.phase not in (Phase.IDLE, Phase.FINISHED)

    @property
    def current_trial(self) -> TapTrial | None:
        """The trial in progress, else the next one to start, else ``None``."""
        if self._phase in (Phase.READY, Phase.TAPPING):
            return self._schedule[self._next - 1]
        return self._schedule[self._next] if self._next < len(self._schedule) else None

    def key_for(self, hand: str) -> str:
        """The key that ``hand`` taps."""
        return str(self._params[f"key_{hand}"])

    @property
    def taps(self) -> int:
        """Valid taps so far in the trial in progress."""
        return self._taps

    @property
    def stimulus_onset_ns(self) -> int | None:
        return self._onset

    @property
    def current_deadline_ns(self) -> int | None:
        """End of the tapping window, ns after GO, while it is open."""
        if self._phase is Phase.TAPPING:
            return self._schedule[self._next - 1].duration_ms * 1_000_000
        return None

    @property
    def deadline_at_ns(self) -> int | None:
        rel = self.current_deadline_ns
        return None if rel is None or self._onset is None else self._onset + rel

    @property
    def last_outcome(self) -> TapOutcome | None:
        return self._last

    @property
    def finished(self) -> bool:
        return self._phase is Phase.FINISHED

    @property
    def trials_done(self) -> int:
        return self._next if self._phase in (Phase.IDLE, Phase.FINISHED) else self._next - 1

    @property
    def trials_planned(self) -> int:
        return len(self._schedule)

    # ---- calls from the view -----------------------------------------------------
    def start_trial(self, t_ns: int) -> TapTrial:
        """Begin the next trial (the view shows the "get ready" screen)."""
        if self._phase is not Phase.IDLE:
            raise RuntimeError(f"start_trial: not allowed in phase {self._phase.value!r}")
        trial = self._schedule[self._next]
        self._next += 1
        self._phase = Phase.READY
        self._onset = None
        self._taps = 0
        self._wrong = 0
        payload = trial.design()
        payload["key"] = self.key_for(trial.hand)
        self._sink.emit("trial_start", payload, trial_index=trial.index, t_ns=t_ns)
        return trial

    def stimulus_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The GO frame was presented at ``t_ns``: the tapping window opens."""
        if self._phase is not Phase.READY:
            return False
        trial = self._schedule[self._next - 1]
        self._onset = t_ns
        self._phase = Phase.TAPPING
        self._sink.emit(
            "stimulus_onset",
            {"stimulus": "go", "method": method, "refresh_ns": refresh_ns},
            trial_index=trial.index,
            t_ns=t_ns,
        )
        return True

    def respond(self, key: str, t_ns: int) -> bool:
        """A key press stamped ``t_ns``; ``True`` when it counted as a valid tap."""
        if self._phase in (Phase.IDLE, Phase.FINISHED):
            return False
        trial = self._schedule[self._next - 1]
        reason = None
        if key not in self._hand_of:
            reason = "unknown_key"
        elif self._onset is None or t_ns < self._onset:
            reason = "before_onset"
        elif t_ns - self._onset > trial.duration_ms * 1_000_000:
            reason = "late"
        if reason is not None:
            self._sink.emit(
                "ignored_input", {"key": key, "reason": reason}, trial_index=trial.index, t_ns=t_ns
            )
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
        self._sink.emit(
            "tap",
            {
                "key": key,
                "hand": hand,
                "valid": valid,
                "n": self._taps,
                "t_ms": (t_ns - self._onset) / 1e6,
            },
            trial_index=trial.index,
            t_ns=t_ns,
        )
        return valid

    def timeout(self, t_ns: int) -> bool:
        """The tapping window has closed: end the trial."""
        if self._phase is not Phase.TAPPING:
            return False
        self._end(self._schedule[self._next - 1], t_ns)
        return True

    def _end(self, trial: TapTrial, t_ns: int) -> None:
        self._sink.emit(
            "trial_end",
            {
                "taps": self._taps,
                "wrong_key_taps": self._wrong,
                "duration_ms": trial.duration_ms,
                "practice": trial.practice,
            },
            trial_index=trial.index,
            t_ns=t_ns,
        )
        self._last = TapOutcome(trial.index, self._taps, self._wrong)
        self._phase = Phase.IDLE
        self._sink.flush()
        if self._next >= len(self._schedule):
            self._phase = Phase.FINISHED
            self._sink.flush(durable=True)

    def summary(self) -> GameSummary:
        return GameSummary(
            game_id=GAME_ID,
            completed=self.finished,
            trials_done=self.trials_done,
            trials_planned=self.trials_planned,
            extra={"first_hand": self._schedule[0].hand if self._schedule else ""},
        )


# ---- trial table -------------------------------------------------------------------

COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "trial_index": "0-based index over practice and main trials (int)",
        "practice": "True for a practice trial (bool)",
        "hand": "hand tested: 'left' or 'right' (str)",
        "trial_for_hand": "1-based trial number within hand (practice and main apart) (int)",
        "duration_ms": "scheduled tapping window (ms, int)",
        "taps": "valid taps (the trial's key) inside the window (count, int)",
        "taps_per_10s": "taps scaled to a 10-s window (taps per 10 s, float)",
        "wrong_key_taps": "taps on the other hand's key inside the window (count, int)",
        "first_tap_ms": "GO onset to the first valid tap (ms, float; NaN without taps)",
        "mean_iti_ms": "mean interval between successive valid taps (ms, float; NaN if < 2)",
        "iti_cv": "SD (ddof=1) / mean of those intervals (ratio, float; NaN if < 3 taps)",
    }
)

_DTYPES: Mapping[str, Any] = MappingProxyType(
    {
        "trial_index": np.int64,
        "practice": np.bool_,
        "trial_for_hand": np.int64,
        "duration_ms": np.int64,
        "taps": np.int64,
        "taps_per_10s": np.float64,
        "wrong_key_taps": np.int64,
        "first_tap_ms": np.float64,
        "mean_iti_ms": np.float64,
        "iti_cv": np.float64,
    }
)


def trial_table(events: Sequence[EventRecord]) -> dict[str, NDArray[Any]]:
    """One row per completed trial, columns as in :data:`COLUMNS`, from stored events only.

    Taps are counted from the ``tap`` events' stamps inside [GO, GO + duration]. A trial
    without its ``trial_end`` (an interrupted game) gives no row.
    """
    rows: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    for trial in completed_trials(events):
        start = trial[0]
        design = start.payload
        duration_ms = int(design["duration_ms"])
        onset = next((e for e in trial if e.kind == "stimulus_onset"), None)
        valid: list[int] = []
        wrong = 0
        if onset is not None:
            window_end = onset.t_ns + duration_ms * 1_000_000
            for e in trial:
                if e.kind == "tap" and onset.t_ns <= e.t_ns <= window_end:
                    if e.payload["hand"] == design["hand"]:
                        valid.append(e.t_ns)
                    else:
                        wrong += 1
        itis = np.diff(np.asarray(valid, dtype=np.float64)) / 1e6
        rows["trial_index"].append(start.trial_index)
        rows["practice"].append(bool(design["practice"]))
        rows["hand"].append(str(design["hand"]))
        rows["trial_for_hand"].append(int(design["trial_for_hand"]))
        rows["duration_ms"].append(duration_ms)
        rows["taps"].append(len(valid))
        rows["taps_per_10s"].append(len(valid) * 10_000 / duration_ms)
        rows["wrong_key_taps"].append(wrong)
        first = (valid[0] - onset.t_ns) / 1e6 if valid and onset is not None else float("nan")
        rows["first_tap_ms"].append(first)
        rows["mean_iti_ms"].append(float(itis.mean()) if itis.size >= 1 else float("nan"))
        cv = float(itis.std(ddof=1) / itis.mean()) if itis.size >= 2 else float("nan")
        rows["iti_cv"].append(cv)
    return {
        name: np.asarray(values, dtype=_DTYPES.get(name, np.str_)) for name, values in rows.items()
    }
