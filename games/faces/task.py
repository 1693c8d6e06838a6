"""Faces: rules, schedule and trial table of a facial emotion recognition task.

Paradigm: forced-choice labelling of Ekman's six basic emotions plus neutral (Ekman &
Friesen 1976; Ekman 1992, Cognition & Emotion 6, 169-200), at graded intensities as
in the Emotion Recognition Task (Montagne et al. 2007, Percept. Mot. Skills 104,
589-598). The faces are schematic and drawn procedurally by the view from
``emotion``, ``intensity`` (0 = neutral ... 1 = full expression) and ``identity`` (one
of ``n_identities`` face shapes, so that a label is never tied to one drawing).

Rules
-----
After a fixation cross (``fixation_ms``) a face appears; the candidate chooses its
emotion among the options (the ``emotions`` in their fixed order, then
``"neutral"`` when ``include_neutral``). The face stays until the choice, or for
``stimulus_ms`` when that is > 0 (the options stay). A choice must come within
``response_window_ms``, else the trial times out. Main trials give no feedback;
practice trials (``n_practice``, full-intensity faces) show whether the choice was
right for ``feedback_ms``.

Schedule: every emotion x intensity cell appears ``repeats`` times and the neutral
face ``n_neutral`` times (-1: as often as one emotion, ``repeats x len(intensities)``).
Identities rotate within each emotion in a shuffled order so every emotion is shown
on every face shape about equally often. The order is shuffled with no emotion (or
neutral) more than ``max_run`` times in a row.

Timing and inputs
-----------------
The task never reads a clock. The view calls ``start_trial(t_ns)`` (fixation shown),
``stimulus_shown(t_ns, method, refresh_ns)`` for the frame that shows the face (RT is
measured from it), optionally ``stimulus_hidden(t_ns, method, refresh_ns)``,
``respond(choice, t_ns)`` with the option label and the input's own stamp (the view
maps buttons or number keys to labels), and ``timeout(t_ns)`` once ``deadline_at_ns``
has passed. A choice stamped after the deadline closes the trial as a time-out;
choices before the face's onset or not among the options are recorded as
``ignored_input``. Onset stamps in the wrong phase are ignored (return ``False``);
``start_trial`` while a trial runs or after the end raises :class:`RuntimeError`.

Events (all carry ``trial_index``, 0-based over practice and main trials)
------------------------------------------------------------------------
``trial_start``      the design: ``practice``, ``emotion``, ``intensity`` (0..1),
                     ``identity``, ``options`` (labels in screen order),
                     ``stimulus_ms``, ``response_window_ms``
``stimulus_onset``   ``stimulus`` = ``"face"``, ``emotion``, ``intensity``,
                     ``identity``, ``method``, ``refresh_ns``
``stimulus_offset``  (game-specific) the face was removed: ``method``, ``refresh_ns``
``response``         ``choice``, ``rt_ms``
``ignored_input``    (game-specific) ``choice``, ``reason``: ``"before_onset"``,
                     ``"unknown_choice"`` or ``"late"``
``feedback``         practice only: ``message`` (``"correct"``, ``"incorrect"``,
                     ``"too_slow"``), ``correct``, ``answer``, ``duration_ms``
``trial_end``        ``correct``, ``timeout``, ``choice`` (``""`` if none),
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

from games.api import TASK_EXPORTS, ConfigError, EventRecord, EventSink, completed_trials
from games.engine.params import ParamSchema, bad_param
from games.engine.trial import TableSchema, TrialTask, first_event, ms_between

__all__ = [
    *TASK_EXPORTS,
    "EMOTIONS",
    "FacesOutcome",
    "FacesTask",
    "FacesTrial",
    "Phase",
    "options_for",
]

GAME_ID = "faces"
DISPLAY_NAME = "Faces"
VERSION = "1.1.0"

EMOTIONS = ("anger", "disgust", "fear", "happiness", "sadness", "surprise")
NEUTRAL = "neutral"

_PARAMS = ParamSchema.load(GAME_ID, emotions=EMOTIONS)
DEFAULT_PARAMS: Mapping[str, Any] = _PARAMS.defaults


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    Raises :class:`ConfigError` naming the key and its allowed values or range (as
    ``params.toml`` declares them). Sequences are returned as tuples.
    """
    merged = _PARAMS.validate(params)
    emotions = merged["emotions"]
    if (
        isinstance(emotions, str)
        or not isinstance(emotions, Sequence)
        or not emotions
        or any(e not in EMOTIONS for e in emotions)
        or len(set(emotions)) != len(emotions)
    ):
        allowed = f"a non-empty list of distinct values from {', '.join(EMOTIONS)}"
        raise bad_param(GAME_ID, "emotions", allowed, emotions)
    merged["emotions"] = tuple(emotions)
    if not isinstance(merged["include_neutral"], bool):
        raise ConfigError(f"{GAME_ID}: parameter 'include_neutral' must be true or false")
    if len(merged["emotions"]) + merged["include_neutral"] < 2:
        raise ConfigError(f"{GAME_ID}: parameter 'emotions' must leave at least two options")
    return merged


def options_for(params: Mapping[str, Any]) -> tuple[str, ...]:
    """The response options in screen order."""
    p = validate_params(params)
    return tuple(p["emotions"]) + ((NEUTRAL,) if p["include_neutral"] else ())


# ---- schedule ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FacesTrial:
    """One scheduled face."""

    index: int  # 0-based over practice and main trials
    practice: bool
    emotion: str  # one of the options ("neutral" for a neutral face)
    intensity: float  # 0 for neutral, else in (0, 1]
    identity: int  # 0-based face shape

    def design(self) -> dict[str, Any]:
        """The trial's design as a JSON-ready ``trial_start`` payload (without ``index``)."""
        return {
            "practice": self.practice,
            "emotion": self.emotion,
            "intensity": self.intensity,
            "identity": self.identity,
        }


def _constrained_order(
    rng: np.random.Generator, items: list[tuple[str, float, int]], max_run: int
) -> list[tuple[str, float, int]]:
    """Shuffle ``items`` so that no emotion occurs more than ``max_run`` times in a row."""
    fallback = [items[i] for i in rng.permutation(len(items))]
    for _ in range(200):
        pools: dict[str, list[tuple[str, float, int]]] = {}
        for i in rng.permutation(len(items)):
            pools.setdefault(items[i][0], []).append(items[i])
        order: list[tuple[str, float, int]] = []
        while pools:
            recent = [x[0] for x in order[-max_run:]]
            blocked = recent[0] if len(recent) == max_run and len(set(recent)) == 1 else None
            names = [name for name in pools if name != blocked]
            if not names:
                break
            weights = np.array([len(pools[name]) for name in names], dtype=float)
            name = names[int(rng.choice(len(names), p=weights / weights.sum()))]
            order.append(pools[name].pop())
            if not pools[name]:
                del pools[name]
        if len(order) == len(items):
            return order
    return fallback  # pragma: no cover - only when the constraint cannot be met


def make_schedule(params: Mapping[str, Any], seed: int) -> tuple[FacesTrial, ...]:
    """Practice faces then the shuffled main faces; deterministic per seed."""
    p = validate_params(params)
    rng = np.random.default_rng(seed)
    n_ids = int(p["n_identities"])
    options = options_for(p)
    trials: list[FacesTrial] = []
    practice_labels = [options[i] for i in rng.permutation(len(options))]
    for i in range(p["n_practice"]):
        label = practice_labels[i % len(practice_labels)]
        intensity = 0.0 if label == NEUTRAL else 1.0
        trials.append(FacesTrial(i, True, label, intensity, int(rng.integers(n_ids))))
    items: list[tuple[str, float, int]] = []
    for emotion in p["emotions"]:
        cells = [i for i in p["intensities"] for _ in range(p["repeats"])]
        ids = np.concatenate([rng.permutation(n_ids) for _ in range(len(cells) // n_ids + 1)])
        items += [(emotion, cells[k], int(ids[k])) for k in range(len(cells))]
    if p["include_neutral"]:
        n_neutral = p["n_neutral"] if p["n_neutral"] >= 0 else p["repeats"] * len(p["intensities"])
        ids = np.concatenate([rng.permutation(n_ids) for _ in range(n_neutral // n_ids + 1)])
        items += [(NEUTRAL, 0.0, int(ids[k])) for k in range(n_neutral)]
    for emotion, intensity, identity in _constrained_order(rng, items, int(p["max_run"])):
        trials.append(FacesTrial(len(trials), False, emotion, intensity, identity))
    return tuple(trials)


# ---- state machine -----------------------------------------------------------------


class Phase(StrEnum):
    """Where the task is; the view draws according to it."""

    IDLE = "idle"  # between trials (or before the first)
    FIXATION = "fixation"  # trial started: fixation, then the face
    RESPONSE = "response"  # face shown: waiting for a choice or the deadline
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class FacesOutcome:
    """How a trial ended (the ``trial_end`` payload as a value)."""

    trial_index: int
    correct: bool
    timeout: bool
    choice: str  # "" when none
    rt_ms: float | None


class FacesTask(TrialTask[FacesTrial, Phase, FacesOutcome]):
    """The Faces state machine, driven by the view or a bot.

    Read-only state (beyond :class:`~games.engine.trial.TrialTask`'s): :attr:`options`.
    Feedback is given on practice trials only.
    """

    game_id = GAME_ID
    window_param = "response_window_ms"

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        valid = validate_params(params)
        super().__init__(valid, make_schedule(valid, seed), sink, Phase)
        self._options = options_for(valid)
        self._face_visible = False

    # ---- read-only state -------------------------------------------------------
    @property
    def options(self) -> tuple[str, ...]:
        return self._options

    # ---- calls from the view -----------------------------------------------------
    def start_trial(self, t_ns: int) -> FacesTrial:
        """Begin the next trial (the view shows the fixation cross)."""
        extra = {
            "options": list(self._options),
            "stimulus_ms": self._params["stimulus_ms"],
            "response_window_ms": self._params["response_window_ms"],
        }
        return self._begin(t_ns, Phase.FIXATION, extra)

    def stimulus_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The frame showing the face was presented at ``t_ns``."""
        if self._phase is not Phase.FIXATION:
            return False
        trial = self._running
        self._onset = t_ns
        self._face_visible = True
        self._phase = Phase.RESPONSE
        self._emit_onset(
            "stimulus_onset",
            t_ns,
            method,
            refresh_ns,
            stimulus="face",
            emotion=trial.emotion,
            intensity=trial.intensity,
            identity=trial.identity,
        )
        return True

    def stimulus_hidden(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The frame removing the face was presented (ignored after the trial ended)."""
        if self._phase is not Phase.RESPONSE or not self._face_visible:
            return False
        self._face_visible = False
        self._emit_onset("stimulus_offset", t_ns, method, refresh_ns)
        return True

    def respond(self, choice: str, t_ns: int) -> bool:
        """A choice (option label) stamped ``t_ns``; ``True`` when taken as the response."""
        known = choice in self._options
        rt_ms = self._response_rt(known, t_ns, {"choice": choice}, "unknown_choice")
        if rt_ms is None:
            return False
        self._emit("response", {"choice": choice, "rt_ms": rt_ms}, t_ns)
        self._end(self._running, t_ns, choice=choice, rt_ms=rt_ms)
        return True

    def _end_unanswered(self, trial: FacesTrial, t_ns: int) -> None:
        self._end(trial, t_ns, choice="", rt_ms=None)

    def _end(self, trial: FacesTrial, t_ns: int, *, choice: str, rt_ms: float | None) -> None:
        correct = choice == trial.emotion
        timeout = choice == ""
        self._face_visible = False
        if trial.practice:
            message = "correct" if correct else ("too_slow" if timeout else "incorrect")
            feedback = {
                "message": message,
                "correct": correct,
                "answer": trial.emotion,
                "duration_ms": self._params["feedback_ms"],
            }
            self._give_feedback(trial, t_ns, feedback)
        end = {
            "correct": correct,
            "timeout": timeout,
            "choice": choice,
            "rt_ms": rt_ms,
            "practice": trial.practice,
        }
        self._close(trial, t_ns, end, FacesOutcome(trial.index, correct, timeout, choice, rt_ms))

    def summary_extra(self) -> Mapping[str, Any]:
        return {"options": list(self._options)}


# ---- trial table -------------------------------------------------------------------

_TABLE = TableSchema.load(GAME_ID)
COLUMNS: Mapping[str, str] = _TABLE.descriptions


def trial_table(events: Sequence[EventRecord]) -> dict[str, NDArray[Any]]:
    """One row per completed trial, columns as in :data:`COLUMNS`, from stored events only.

    A trial without its ``trial_end`` (an interrupted game) gives no row.
    """
    table = _TABLE.builder()
    for trial in completed_trials(events):
        onset = first_event(trial, "stimulus_onset")
        response = first_event(trial, "response")
        choice = str(response.payload["choice"]) if response is not None else ""
        table.add_trial(
            trial,
            choice=choice,
            correct=choice == trial[0].payload["emotion"],
            timeout=response is None,
            rt_ms=ms_between(onset, response),
            face_shown_ms=ms_between(onset, first_event(trial, "stimulus_offset")),
        )
    return table.columns()
