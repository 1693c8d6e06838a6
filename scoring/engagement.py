"""Invalid responding: responses that cannot come from someone doing the task.

Contract
--------
:func:`game_engagement` takes one game's trial table (as built by
``games.<id>.task.trial_table``) and, optionally, its :class:`EventTrace` (the game
run's events as plain arrays), and returns a tuple of frozen
:class:`EngagementFlag` values: a flag ``code``, the ``game`` id, a plain
``message`` a proctor or report reader understands, and the ``evidence`` figures
behind it.  :func:`session_engagement` does the same for a whole session.  Nothing
here raises for bad table contents: a game whose columns cannot be read gives no
engagement flags (its metrics are flagged by :mod:`scoring.metrics`).

These flags differ from the quality flags of :mod:`scoring.metrics.quality`: a
quality flag says a metric is noisy or pinned; an engagement flag says the
responses look like something other than an attempt at the task (a key pressed
at random, the same key every trial, nobody at the station).  The cuts are
therefore stricter than the quality flags' ones.

Rules
-----
=========================  ==============================================================
code                       raised when
=========================  ==============================================================
``too_fast_responding``    more than :data:`FAST_SHARE_LIMIT` of a game's responses came
                           faster than its anticipation bound (:data:`CHOICE_FLOOR_MS`
                           for a choice, :data:`SIMPLE_FLOOR_MS` for a simple reaction),
                           with at least :data:`MIN_RESPONSES` responses
``same_response``          at least :data:`SAME_RESPONSE_SHARE` of a game's responses
                           were the same key or option although the task asked for
                           several (where correct answers exist, none of them took more
                           than :data:`BALANCED_SHARE` of the trials), with at least
                           :data:`MIN_RESPONSES` responses
``chance_accuracy``        accuracy not reliably above chance in a game where any real
                           player is far above it: a one-sided exact binomial test of
                           the correct responses against chance has p >
                           :data:`CHANCE_ALPHA` (at least :data:`MIN_RESPONSES` trials)
``key_held``               the key was held down (auto-repeats the game ignored) on at
                           least :data:`HELD_TRIAL_SHARE` of the trials, at least
                           :data:`MIN_HELD_TRIALS` of them (needs the event trace)
``idle_gap``               inside one trial nothing happened for at least
                           :data:`IDLE_GAP_S` seconds (time paused by the proctor does
                           not count; needs the event trace)
=========================  ==============================================================

Sources of the thresholds
-------------------------
* Anticipation bounds.  No stimulus-driven choice response comes faster than
  about 150 ms, no simple reaction faster than about 100 ms (Luce 1986, *Response
  Times*, ch. 2; Whelan 2008, "Effective analysis of reaction time data",
  Psychological Record 58:475-482, who recommends cutting RTs below 100-200 ms).
  The values are those of :mod:`scoring.metrics.quality` so that both agree on
  what an anticipation is.
* :data:`FAST_SHARE_LIMIT` = 20%.  Cooperative participants produce fast guesses
  on a few percent of trials at most (Ratcliff & Tuerlinckx 2002, Psychonomic
  Bulletin & Review 9:438-481, model them as a contaminant of about 2-5%).  The
  quality flag ``anticipations`` fires at 10% (noisy data); twice that share is a
  response strategy, not noise.
* :data:`SAME_RESPONSE_SHARE` = 95%.  In the two-choice games correct answers are
  balanced, so one key on 95% of trials means answering without looking; the
  ``side_bias`` quality flag (85%) marks a strong but possibly genuine bias.  In the
  Iowa Gambling Task healthy adults spread their picks over the decks (the most
  popular, B, draws about a third: Lin et al. 2013; Steingroever et al. 2013,
  Frontiers in Psychology 4:898), so 95% on one deck is not a strategy anyone
  reports.
* :data:`CHANCE_ALPHA`.  Flanker/task-switching accuracy of healthy adults is
  around 90% (Rogers & Monsell 1995), go accuracy in the stop-signal task above 90%
  (Verbruggen et al. 2019).  Accuracy a binomial test cannot tell from chance is
  therefore no attempt at the task.  Left out on purpose: Lengths (a
  signal-detection task built to be hard, Pizzagalli et al. 2005) and Faces (its
  expressions go down to 20% intensity, where genuine players can be near chance).
* :data:`HELD_TRIAL_SHARE`, :data:`IDLE_GAP_S`.  Conventions, not literature: a key
  held down on a quarter of the trials is not an accident; 45 s without any
  event inside one trial is more than twice the longest within-trial pause of the
  simulated population (about 20 s in the Tower problems), so the candidate was
  most likely not at the task.  Both are constants here so that a reader can find
  and question them.

Multivariate outlier score
--------------------------
Single rules miss a session that is odd in several small ways at once.
:func:`quality_features` summarises a session's responding in
:data:`FEATURE_NAMES` (share of fast responses, modal-response share, accuracy
above chance, median and spread of speeded RTs, time-outs, longest idle gap,
held-key share), and :class:`OutlierModel` scores it with an isolation forest
(Liu, Ting & Zhou 2008, ICDM) fitted on the feature vectors of a reference sample
(the simulated norm population; see ``tools/build_engagement_reference.py``).
The forest is refitted deterministically (``random_state`` fixed) from the
stored feature matrix, so no pickled model is shipped.  The score is the forest's
anomaly score ``-score_samples`` (higher is more unusual) with its percentile in
the reference sample; ``atypical_session`` is raised at or above the
:data:`OUTLIER_PERCENTILE` th percentile of the reference sample.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from scoring.metrics._engine import Kind, TrialTable, quiet
from scoring.metrics.quality import ANTICIPATION_MS, SIMPLE_ANTICIPATION_MS
from scoring.metrics.types import FrozenMapping

__all__ = [
    "BALANCED_SHARE",
    "CHANCE_ALPHA",
    "CHOICE_FLOOR_MS",
    "CODES",
    "FAST_SHARE_LIMIT",
    "FEATURE_NAMES",
    "HELD_TRIAL_SHARE",
    "IDLE_GAP_S",
    "MIN_HELD_TRIALS",
    "MIN_RESPONSES",
    "OUTLIER_PERCENTILE",
    "SAME_RESPONSE_SHARE",
    "SIMPLE_FLOOR_MS",
    "EngagementFlag",
    "EventTrace",
    "OutlierModel",
    "OutlierScore",
    "features_from_rows",
    "game_engagement",
    "longest_idle_s",
    "quality_features",
    "session_engagement",
]

#: Choice responses faster than this (ms after the stimulus) are anticipations.
CHOICE_FLOOR_MS = ANTICIPATION_MS
#: Simple reactions faster than this are anticipations.
SIMPLE_FLOOR_MS = SIMPLE_ANTICIPATION_MS
#: Share of anticipations above which a game is flagged ``too_fast_responding``.
FAST_SHARE_LIMIT = 0.20
#: Share of responses on one key or option that counts as ``same_response``.
SAME_RESPONSE_SHARE = 0.95
#: ``same_response`` needs the correct answers to be at least this balanced.
BALANCED_SHARE = 0.75
#: One-sided binomial p above which accuracy is "at chance".
CHANCE_ALPHA = 0.05
#: The rules on responses need at least this many of them.
MIN_RESPONSES = 20
#: Share of trials with a held key that raises ``key_held``.
HELD_TRIAL_SHARE = 0.25
#: ``key_held`` needs at least this many trials with a held key.
MIN_HELD_TRIALS = 3
#: A gap without events inside one trial at least this long is ``idle_gap``.
IDLE_GAP_S = 45.0
#: Reference-sample percentile above which a session is ``atypical_session``.
OUTLIER_PERCENTILE = 99.0

#: Every flag code this module can raise.
CODES = (
    "too_fast_responding",
    "same_response",
    "chance_accuracy",
    "key_held",
    "idle_gap",
    "atypical_session",
)

_NAN = float("nan")


@dataclass(frozen=True, slots=True)
class EngagementFlag:
    """One sign of invalid responding in one game (or ``game == ""`` for the session).

    ``evidence`` holds the figures behind the flag (shares, counts, seconds ...),
    keyed by name, so that a reader can check the message.
    """

    code: str
    game: str
    message: str
    evidence: Mapping[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "game": self.game,
            "message": self.message,
            "evidence": {k: (v if math.isfinite(v) else None) for k, v in self.evidence.items()},
        }


@dataclass(frozen=True, slots=True)
class EventTrace:
    """A game run's events as plain arrays (one entry per event, in recorded order).

    ``t_ns`` the monotonic stamps, ``kind`` the event kinds, ``trial`` the trial
    index (-1 outside trials), ``reason`` the payload's ``reason`` ("" if none; the
    games record ``ignored_input`` with reason ``auto_repeat`` for a held key).
    """

    t_ns: NDArray[np.int64]
    kind: NDArray[np.str_]
    trial: NDArray[np.int64]
    reason: NDArray[np.str_]

    @classmethod
    def from_events(cls, events: Iterable[Any]) -> EventTrace:
        """The trace of event records with ``t_ns``, ``kind``, ``trial_index``, ``payload``.

        Duck-typed, so that scoring needs no game or store types (``games.api.EventRecord``
        fits).
        """
        rows = [
            (
                int(e.t_ns),
                str(e.kind),
                -1 if e.trial_index is None else int(e.trial_index),
                str((e.payload or {}).get("reason", "")) if isinstance(e.payload, dict) else "",
            )
            for e in events
        ]
        return cls(
            np.array([r[0] for r in rows], dtype=np.int64),
            np.array([r[1] for r in rows], dtype=np.str_),
            np.array([r[2] for r in rows], dtype=np.int64),
            np.array([r[3] for r in rows], dtype=np.str_),
        )


@dataclass(frozen=True, slots=True)
class _Spec:
    """Which columns of a game's table the rules read."""

    rt: str
    floor_ms: float
    responded: str | None = None  # bool column: a response was made
    timeout: str | None = None  # bool column: the trial timed out (no response)
    option: str | None = None  # the key side or option chosen
    correct: str | None = None  # bool column
    correct_option: str | None = None  # the option that was correct
    chance: float | None = None  # accuracy by guessing (None: rule not applied)
    only: str | None = None  # bool column: rows to use are those where it is False
    speeded: bool = False  # a speeded RT task (enters the RT features)


_SPECS: Mapping[str, _Spec] = FrozenMapping(
    {
        "arrows": _Spec(
            "rt_ms",
            CHOICE_FLOOR_MS,
            timeout="timeout",
            option="response_side",
            correct="correct",
            correct_option="correct_side",
            chance=0.5,
            speeded=True,
        ),
        "lengths": _Spec(
            "rt_ms",
            CHOICE_FLOOR_MS,
            timeout="timeout",
            option="response_side",
            correct="correct",
            correct_option="correct_side",
            speeded=True,
        ),
        "stop": _Spec(
            "rt_ms",
            CHOICE_FLOOR_MS,
            responded="responded",
            option="response_side",
            correct="correct",
            correct_option="direction",
            chance=0.5,
            only="stop",
            speeded=True,
        ),
        "faces": _Spec(
            "rt_ms",
            CHOICE_FLOOR_MS,
            timeout="timeout",
            option="choice",
            correct="correct",
            correct_option="emotion",
            speeded=True,
        ),
        "cards": _Spec("rt_ms", CHOICE_FLOOR_MS, option="deck"),
        "exchange_trust": _Spec("rt_ms", CHOICE_FLOOR_MS),
        "exchange_split": _Spec("rt_ms", CHOICE_FLOOR_MS),
        "hard_or_easy": _Spec("choice_rt_ms", CHOICE_FLOOR_MS),
        "balloons": _Spec("first_response_ms", CHOICE_FLOOR_MS),
        "digits": _Spec("first_entry_ms", CHOICE_FLOOR_MS),
        "towers": _Spec("planning_time_ms", CHOICE_FLOOR_MS),
        "keypresses": _Spec("first_tap_ms", SIMPLE_FLOOR_MS),
    }
)


@dataclass(frozen=True, slots=True)
class _Responses:
    """A game's scored responses, as the rules see them."""

    rt_ms: NDArray[np.float64]  # finite RTs of the trials with a response
    n_trials: int
    n_timeouts: int
    options: NDArray[np.str_]  # options chosen (responses only); empty if none
    needed: NDArray[np.str_]  # correct options of those trials; empty if none
    correct: NDArray[np.bool_]  # correctness of the trials used for accuracy


def _responses(game_id: str, table: Mapping[str, Any]) -> _Responses | None:
    spec = _SPECS.get(game_id)
    if spec is None:
        return None
    columns: dict[str, Kind] = {spec.rt: "float"}
    for name in (spec.responded, spec.timeout, spec.correct, spec.only):
        if name is not None:
            columns[name] = "bool"
    for name in (spec.option, spec.correct_option):
        if name is not None:
            columns[name] = "str"
    read = TrialTable(table, columns)
    if not read.usable:
        return None
    rt = read.float(spec.rt)
    rows = np.ones(rt.shape[0], dtype=np.bool_)
    if spec.only is not None:
        rows = ~read.bool(spec.only)
    if spec.responded is not None:
        answered = read.bool(spec.responded) & rows
    elif spec.timeout is not None:
        answered = ~read.bool(spec.timeout) & rows
    else:
        answered = np.isfinite(rt) & rows
    timed = answered & np.isfinite(rt)
    options = read.str(spec.option)[answered] if spec.option else np.empty(0, np.str_)
    needed = (
        read.str(spec.correct_option)[answered] if spec.correct_option else np.empty(0, np.str_)
    )
    correct = read.bool(spec.correct)[rows] if spec.correct else np.empty(0, np.bool_)
    return _Responses(
        rt_ms=rt[timed],
        n_trials=int(np.count_nonzero(rows)),
        n_timeouts=int(np.count_nonzero(rows & ~answered)),
        options=options,
        needed=needed,
        correct=correct,
    )


def _share(count: int, total: int) -> float:
    return count / total if total else _NAN


def _pct(share: float) -> str:
    return f"{100.0 * share:.0f}%"


def game_engagement(
    game_id: str,
    table: Mapping[str, Any],
    trace: EventTrace | None = None,
    *,
    name: str | None = None,
) -> tuple[EngagementFlag, ...]:
    """Every engagement flag of one game; ``name`` is the game's display name."""
    shown = name or game_id
    spec = _SPECS.get(game_id)
    flags: list[EngagementFlag] = []
    with quiet():
        found = _responses(game_id, table)
    if spec is not None and found is not None:
        flags += _fast(game_id, shown, spec, found)
        flags += _same(game_id, shown, found)
        flags += _chance(game_id, shown, spec, found)
    if trace is not None:
        flags += _held(game_id, shown, trace)
        flags += _idle(game_id, shown, trace)
    return tuple(flags)


def _fast(game_id: str, shown: str, spec: _Spec, found: _Responses) -> list[EngagementFlag]:
    n = int(found.rt_ms.shape[0])
    if n < MIN_RESPONSES:
        return []
    fast = int(np.count_nonzero(found.rt_ms < spec.floor_ms))
    share = fast / n
    if share <= FAST_SHARE_LIMIT:
        return []
    median = float(np.median(found.rt_ms))
    return [
        EngagementFlag(
            "too_fast_responding",
            game_id,
            f"{shown}: {_pct(share)} of {n} responses came faster than "
            f"{spec.floor_ms:.0f} ms (median {median:.0f} ms), too fast to have seen "
            "the screen.",
            FrozenMapping(
                {
                    "fast_share": share,
                    "fast": float(fast),
                    "responses": float(n),
                    "floor_ms": spec.floor_ms,
                    "median_rt_ms": median,
                }
            ),
        )
    ]


def _modal(options: NDArray[np.str_]) -> tuple[str, int]:
    values, counts = np.unique(options, return_counts=True)
    top = int(np.argmax(counts))
    return str(values[top]), int(counts[top])


def _same(game_id: str, shown: str, found: _Responses) -> list[EngagementFlag]:
    options = found.options[found.options != ""]
    n = int(options.shape[0])
    if n < MIN_RESPONSES:
        return []
    option, count = _modal(options)
    share = count / n
    if share < SAME_RESPONSE_SHARE:
        return []
    evidence = {"modal_share": share, "responses": float(n)}
    if found.needed.shape[0]:
        needed = found.needed[found.options != ""]
        _, needed_count = _modal(needed)
        needed_share = needed_count / n
        if needed_share > BALANCED_SHARE:
            return []  # the task itself asked mostly for one answer
        evidence["needed_modal_share"] = needed_share
    return [
        EngagementFlag(
            "same_response",
            game_id,
            f"{shown}: the same response ({option}) on {_pct(share)} of {n} trials, "
            "whatever the screen showed.",
            FrozenMapping(evidence),
        )
    ]


def _chance(game_id: str, shown: str, spec: _Spec, found: _Responses) -> list[EngagementFlag]:
    if spec.chance is None:
        return []
    n = int(found.correct.shape[0])
    if n < MIN_RESPONSES:
        return []
    hits = int(np.count_nonzero(found.correct))
    p = float(stats.binomtest(hits, n, spec.chance, alternative="greater").pvalue)
    if p <= CHANCE_ALPHA:
        return []
    accuracy = hits / n
    return [
        EngagementFlag(
            "chance_accuracy",
            game_id,
            f"{shown}: {_pct(accuracy)} correct over {n} trials, no better than guessing "
            f"({_pct(spec.chance)}).",
            FrozenMapping(
                {"accuracy": accuracy, "chance": spec.chance, "trials": float(n), "p_value": p}
            ),
        )
    ]


def _held(game_id: str, shown: str, trace: EventTrace) -> list[EngagementFlag]:
    in_trial = trace.trial >= 0
    trials = np.unique(trace.trial[in_trial])
    if trials.shape[0] == 0:
        return []
    repeated = in_trial & (trace.kind == "ignored_input") & (trace.reason == "auto_repeat")
    held = np.unique(trace.trial[repeated])
    share = held.shape[0] / trials.shape[0]
    if held.shape[0] < MIN_HELD_TRIALS or share < HELD_TRIAL_SHARE:
        return []
    return [
        EngagementFlag(
            "key_held",
            game_id,
            f"{shown}: a key was held down on {held.shape[0]} of {trials.shape[0]} trials.",
            FrozenMapping(
                {
                    "held_trials": float(held.shape[0]),
                    "trials": float(trials.shape[0]),
                    "held_share": share,
                    "repeats": float(np.count_nonzero(repeated)),
                }
            ),
        )
    ]


def _trial_gaps(trace: EventTrace) -> NDArray[np.float64]:
    """Gaps (s) between consecutive events of the same trial, except those after a pause."""
    if trace.t_ns.shape[0] < 2:
        return np.empty(0, dtype=np.float64)
    same_trial = (trace.trial[1:] == trace.trial[:-1]) & (trace.trial[1:] >= 0)
    paused = trace.kind[:-1] == "pause"
    gaps = np.diff(trace.t_ns).astype(np.float64) / 1e9
    usable: NDArray[np.float64] = gaps[same_trial & ~paused]
    return usable


def longest_idle_s(trace: EventTrace) -> float:
    """The longest gap (s) between consecutive events of the same trial, pauses excluded."""
    gaps = _trial_gaps(trace)
    return float(gaps.max()) if gaps.shape[0] else 0.0


def _idle(game_id: str, shown: str, trace: EventTrace) -> list[EngagementFlag]:
    gaps = _trial_gaps(trace)
    long = gaps[gaps >= IDLE_GAP_S]
    if long.shape[0] == 0:
        return []
    return [
        EngagementFlag(
            "idle_gap",
            game_id,
            f"{shown}: nothing happened for {float(long.max()):.0f} s in the middle of a "
            f"trial ({long.shape[0]} such gap{'s' if long.shape[0] > 1 else ''}).",
            FrozenMapping({"longest_s": float(long.max()), "gaps": float(long.shape[0])}),
        )
    ]


def session_engagement(
    tables: Mapping[str, Mapping[str, Any]],
    traces: Mapping[str, EventTrace] | None = None,
    *,
    names: Mapping[str, str] | None = None,
) -> tuple[EngagementFlag, ...]:
    """Every game's engagement flags, in the order of ``tables``."""
    flags: list[EngagementFlag] = []
    for game_id, table in tables.items():
        trace = (traces or {}).get(game_id)
        flags += game_engagement(game_id, table, trace, name=(names or {}).get(game_id))
    return tuple(flags)


# ---- the multivariate outlier score ---------------------------------------------------

#: The session features the outlier score is computed from, in this order.
FEATURE_NAMES = (
    "fast_share",
    "modal_response_share",
    "accuracy_above_chance",
    "log_median_speeded_rt",
    "speeded_rt_cv",
    "timeout_share",
    "log_longest_idle_s",
    "held_trial_share",
)


def quality_features(
    tables: Mapping[str, Mapping[str, Any]], traces: Mapping[str, EventTrace] | None = None
) -> NDArray[np.float64]:
    """The session's :data:`FEATURE_NAMES` vector; NaN where no game gives the figure.

    * ``fast_share`` – anticipations over all responses of every game;
    * ``modal_response_share`` – mean over choice games of the most frequent option's share;
    * ``accuracy_above_chance`` – mean over games with a chance level of
      (accuracy − chance) / (1 − chance);
    * ``log_median_speeded_rt`` / ``speeded_rt_cv`` – natural log of the median, and
      the coefficient of variation, of the speeded games' RTs (ms), pooled;
    * ``timeout_share`` – trials without a response over all trials of the games that
      have time-outs;
    * ``log_longest_idle_s`` – log(1 + longest within-trial gap in s), every game;
    * ``held_trial_share`` – trials with a held key over all trials with events.
    """
    fast = responses = timeouts = timed_trials = held = traced_trials = 0
    modal: list[float] = []
    above: list[float] = []
    speeded: list[NDArray[np.float64]] = []
    longest = 0.0
    with quiet():
        for game_id, table in tables.items():
            spec = _SPECS.get(game_id)
            found = _responses(game_id, table)
            if spec is None or found is None:
                continue
            fast += int(np.count_nonzero(found.rt_ms < spec.floor_ms))
            responses += int(found.rt_ms.shape[0])
            options = found.options[found.options != ""]
            if options.shape[0]:
                modal.append(_modal(options)[1] / options.shape[0])
            if spec.chance is not None and found.correct.shape[0]:
                accuracy = float(np.mean(found.correct))
                above.append((accuracy - spec.chance) / (1.0 - spec.chance))
            if spec.speeded:
                speeded.append(found.rt_ms)
            if spec.responded is not None or spec.timeout is not None:
                timeouts += found.n_timeouts
                timed_trials += found.n_trials
        for trace in (traces or {}).values():
            longest = max(longest, longest_idle_s(trace))
            trials = np.unique(trace.trial[trace.trial >= 0])
            repeated = (trace.kind == "ignored_input") & (trace.reason == "auto_repeat")
            held += int(np.unique(trace.trial[repeated & (trace.trial >= 0)]).shape[0])
            traced_trials += int(trials.shape[0])
        rts = np.concatenate(speeded) if speeded else np.empty(0)
        rts = rts[rts > 0]
        median = float(np.median(rts)) if rts.shape[0] else _NAN
        cv = float(np.std(rts) / np.mean(rts)) if rts.shape[0] > 1 else _NAN
    return np.array(
        [
            _share(fast, responses),
            float(np.mean(modal)) if modal else _NAN,
            float(np.mean(above)) if above else _NAN,
            math.log(median) if math.isfinite(median) else _NAN,
            cv,
            _share(timeouts, timed_trials),
            math.log1p(longest) if traces else _NAN,
            _share(held, traced_trials) if traces else _NAN,
        ],
        dtype=np.float64,
    )


@dataclass(frozen=True, slots=True)
class OutlierScore:
    """The isolation forest's anomaly score (higher = more unusual) and its percentile."""

    score: float
    percentile: float  # share of reference sessions scoring lower, 0-100
    atypical: bool  # percentile >= OUTLIER_PERCENTILE

    def flag(self) -> EngagementFlag | None:
        """``atypical_session`` at or above the reference cut, else None."""
        if not self.atypical:
            return None
        return EngagementFlag(
            "atypical_session",
            "",
            f"Taken together, the way this session was answered is more unusual than "
            f"{self.percentile:.1f}% of the reference sample.",
            FrozenMapping({"outlier_score": self.score, "percentile": self.percentile}),
        )


class OutlierModel:
    """An isolation forest refitted from a stored reference feature matrix.

    ``features`` is the reference sample (rows = sessions, columns =
    :data:`FEATURE_NAMES`); missing values (NaN) are imputed with the column's
    reference median, both when fitting and when scoring.  ``n_estimators``,
    ``max_samples`` and ``random_state`` fix the forest, so two models built from
    the same matrix score alike.
    """

    def __init__(
        self,
        features: NDArray[np.float64],
        *,
        n_estimators: int = 200,
        max_samples: int = 256,
        random_state: int = 2026,
    ) -> None:
        from sklearn.ensemble import IsolationForest  # scikit-learn is slow to import

        matrix = np.asarray(features, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[1] != len(FEATURE_NAMES) or matrix.shape[0] < 10:
            raise ValueError(
                f"the reference matrix must have {len(FEATURE_NAMES)} columns and at least "
                f"10 rows, not shape {matrix.shape}"
            )
        with quiet():
            medians = np.array(
                [
                    float(np.median(c[np.isfinite(c)])) if np.isfinite(c).any() else 0.0
                    for c in matrix.T
                ]
            )
        self.medians = medians
        self.forest = IsolationForest(
            n_estimators=n_estimators,
            max_samples=min(max_samples, matrix.shape[0]),
            random_state=random_state,
        ).fit(self._imputed(matrix))
        self.reference_scores = np.sort(-self.forest.score_samples(self._imputed(matrix)))

    def _imputed(self, matrix: NDArray[np.float64]) -> NDArray[np.float64]:
        filled = np.where(np.isfinite(matrix), matrix, self.medians[np.newaxis, :])
        return np.asarray(filled, dtype=np.float64)

    def score(self, features: NDArray[np.float64]) -> OutlierScore:
        """The anomaly score of one session's feature vector."""
        row = np.asarray(features, dtype=np.float64).reshape(1, -1)
        value = float(-self.forest.score_samples(self._imputed(row))[0])
        below = int(np.searchsorted(self.reference_scores, value, side="left"))
        percentile = 100.0 * below / self.reference_scores.shape[0]
        return OutlierScore(value, percentile, percentile >= OUTLIER_PERCENTILE)

    def scores(self, matrix: NDArray[np.float64]) -> NDArray[np.float64]:
        """Anomaly scores of several sessions (rows of ``matrix``)."""
        values: NDArray[np.float64] = -self.forest.score_samples(
            self._imputed(np.asarray(matrix, dtype=np.float64))
        )
        return values


def features_from_rows(rows: Sequence[Sequence[float | None]]) -> NDArray[np.float64]:
    """A feature matrix from JSON rows (``None`` for a missing value)."""
    return np.array(
        [[_NAN if v is None else float(v) for v in row] for row in rows], dtype=np.float64
    )
