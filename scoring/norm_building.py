"""Building a norm table from scored sessions (see :mod:`scoring.norms` for the table).

:func:`build_norms` builds a :class:`~scoring.norms.NormTable` from scored sessions
(one mapping of game id to :class:`~scoring.metrics.types.GameScores` per session).
With fewer than ``min_sessions`` sessions it raises ``ValueError`` saying how many
were found and how many are needed. How reliabilities and trait composites are
estimated is described in :mod:`scoring.norms` and :mod:`scoring.traits`.

It sits above both: :mod:`scoring.traits` reads norm tables, and building one needs
the traits' composites.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence

import numpy as np

from scoring import traits
from scoring.metrics.types import FrozenMapping, GameScores
from scoring.norms import (
    MIN_NORM_SESSIONS,
    MIN_RELIABILITY_SESSIONS,
    SAMPLE_DIGITS,
    MetricNorm,
    NormDesign,
    NormTable,
    metric_key,
)
from scoring.reliability import spearman_brown

__all__ = ["build_norms"]

_NAN = float("nan")


def build_norms(
    sessions: Sequence[Mapping[str, GameScores]],
    version: str,
    provenance: str,
    *,
    retest_sessions: Sequence[Mapping[str, GameScores]] | None = None,
    design: NormDesign | None = None,
    age_band: tuple[int, int] | None = None,
    min_sessions: int = MIN_NORM_SESSIONS,
    provisional: bool = False,
    created: str | None = None,
) -> NormTable:
    """A norm table from scored sessions (one ``{game_id: GameScores}`` per session).

    Every metric found in any session gets its mean, SD (ddof = 1), count and sorted
    sample over the sessions where it is finite, its split-half reliability and,
    given ``retest_sessions`` (a second session of the same participants, in the same
    order), its retest reliability (module docstring).  Trait components are then
    standardised for every session against these metric norms; their covariance and
    the per-session scores are stored.  ``created`` defaults to today's date.

    Raises ``ValueError`` when there are fewer than ``min_sessions`` sessions or the
    retest sessions do not pair with them.
    """
    if len(sessions) < min_sessions:
        raise ValueError(
            f"build_norms needs at least {min_sessions} scored sessions; found {len(sessions)}"
        )
    if retest_sessions is not None and len(retest_sessions) != len(sessions):
        raise ValueError(
            f"retest_sessions must pair with sessions: {len(retest_sessions)} for {len(sessions)}"
        )
    values: dict[str, list[float]] = {}
    halves: dict[str, list[tuple[float, float]]] = {}
    for session in sessions:
        for game_id, scores in session.items():
            for name, metric in scores.metrics.items():
                key = metric_key(game_id, name)
                values.setdefault(key, [])
                halves.setdefault(key, [])
                if math.isfinite(metric.value):
                    values[key].append(metric.value)
                first, second = metric.split_half
                if math.isfinite(first) and math.isfinite(second):
                    halves[key].append((first, second))
    pairs: dict[str, list[tuple[float, float]]] = {}
    for first_session, second_session in zip(sessions, retest_sessions or (), strict=False):
        for game_id, scores in first_session.items():
            other = second_session.get(game_id)
            if other is None:
                continue
            for name, metric in scores.metrics.items():
                again = other.metrics.get(name)
                if again is not None and math.isfinite(metric.value + again.value):
                    pairs.setdefault(metric_key(game_id, name), []).append(
                        (metric.value, again.value)
                    )
    metric_norms = FrozenMapping(
        (key, _metric_norm(values[key], halves[key], pairs.get(key, ()))) for key in sorted(values)
    )

    trait_norms = FrozenMapping(
        (trait.name, traits.composite_norm(trait, sessions, metric_norms))
        for trait in traits.TRAITS
    )
    return NormTable(
        version=version,
        provisional=provisional,
        provenance=provenance,
        created=created or datetime.date.today().isoformat(),
        sample_size=len(sessions),
        metrics=metric_norms,
        traits=trait_norms,
        design=design,
        age_band=age_band,
    )


def _mean_sd(found: Sequence[float]) -> tuple[float, float]:
    if not found:
        return _NAN, _NAN
    array = np.asarray(found, dtype=np.float64)
    with np.errstate(all="ignore"):
        mean = float(np.mean(array))
        sd = float(np.std(array, ddof=1)) if array.shape[0] >= 2 else _NAN
    return mean, sd


def _pearson(pairs: Sequence[tuple[float, float]]) -> float:
    """Pearson r of the pairs, NaN when either side is constant."""
    both = np.asarray(pairs, dtype=np.float64)
    with np.errstate(all="ignore"):
        first, second = both[:, 0] - both[:, 0].mean(), both[:, 1] - both[:, 1].mean()
        denominator = math.sqrt(float(np.sum(first**2)) * float(np.sum(second**2)))
        if denominator > 0 and math.isfinite(denominator):
            return float(np.sum(first * second)) / denominator
    return _NAN


def _metric_norm(
    found: Sequence[float],
    halves: Sequence[tuple[float, float]],
    retest_pairs: Sequence[tuple[float, float]],
) -> MetricNorm:
    mean, sd = _mean_sd(found)
    reliability = retest = _NAN
    if len(halves) >= MIN_RELIABILITY_SESSIONS:
        r = _pearson(halves)
        if math.isfinite(r):
            reliability = spearman_brown(max(0.0, min(1.0, r)))
    if len(retest_pairs) >= MIN_RELIABILITY_SESSIONS:
        r = _pearson(retest_pairs)
        if math.isfinite(r):
            retest = max(0.0, min(1.0, r))
    return MetricNorm(
        mean=mean,
        sd=sd,
        n=len(found),
        reliability=reliability,
        retest=retest,
        n_retest=len(retest_pairs),
        sample=tuple(sorted(float(f"{v:.{SAMPLE_DIGITS}g}") for v in found)),
    )
