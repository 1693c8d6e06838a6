"""Norm tables: the reference sample that metrics and traits are standardised against.

Contract:

* :class:`NormTable` is a frozen, versioned table: for every metric (keyed
  ``"<game_id>.<metric>"``) the sample mean, SD (ddof = 1), the number of sessions
  with a value, and the metric's split-half reliability in that sample; for every
  trait the mean and SD of its raw composite (see :mod:`scoring.traits`).  It
  carries its ``version``, whether it is ``provisional``, a ``provenance`` text
  saying where the sample came from, the ``created`` date (ISO 8601), the
  ``sample_size`` and the ``scoring_version`` whose metrics it describes.
* :func:`norms_to_json` / :func:`load_norms` turn a table into JSON text and back
  (``load_norms`` also takes an already parsed mapping).  NaN is written as
  ``null``.  No file I/O happens here: the caller reads and writes the file.
  Malformed input raises ``ValueError`` naming the field.
* :func:`build_norms` builds a table from scored sessions (one mapping of game id
  to :class:`~scoring.metrics.types.GameScores` per session).  With fewer than
  ``min_sessions`` sessions it raises ``ValueError`` saying how many were found and
  how many are needed.

Reliability.  One session has no reliability of its own; the norm sample gives it.
For each metric, the two split-half values of every session
(:attr:`~scoring.metrics.types.Metric.split_half`) are correlated across sessions
(Pearson) and stepped up with the Spearman–Brown formula
(:func:`scoring.reliability.spearman_brown`), the classic odd–even split-half
estimate.  A negative half-to-half correlation is taken as 0 (the halves do not
measure the same thing twice; the step-up formula is meaningless below 0), so the
reliability lies in [0, 1].  It needs :data:`MIN_RELIABILITY_SESSIONS` sessions with
both halves; otherwise it is NaN.

Standardising.  ``z = (value − mean) / sd``.  A metric whose SD is zero or NaN in
the sample cannot be standardised; :mod:`scoring.traits` leaves it out and flags it.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from scoring.metrics import SCORING_VERSION
from scoring.metrics.types import FrozenMapping, GameScores, json_number
from scoring.reliability import spearman_brown

__all__ = [
    "FORMAT",
    "MIN_RELIABILITY_SESSIONS",
    "CompositeNorm",
    "MetricNorm",
    "NormTable",
    "build_norms",
    "load_norms",
    "metric_key",
    "norms_to_json",
]

#: Identifies the JSON layout; bump when it changes.
FORMAT = "kiosk-norms/1"
#: Sessions with both split halves needed to estimate a metric's reliability.
MIN_RELIABILITY_SESSIONS = 20
_NAN = float("nan")


def metric_key(game_id: str, metric: str) -> str:
    """The key of a metric in a norm table: ``"<game_id>.<metric>"``."""
    return f"{game_id}.{metric}"


@dataclass(frozen=True, slots=True)
class MetricNorm:
    """One metric's distribution in the norm sample."""

    mean: float
    sd: float
    n: int
    reliability: float = _NAN

    def z(self, value: float) -> float:
        """``(value − mean) / sd``; NaN when the SD is not positive or anything is NaN."""
        if not (math.isfinite(self.sd) and self.sd > 0):
            return _NAN
        return (value - self.mean) / self.sd


@dataclass(frozen=True, slots=True)
class CompositeNorm:
    """One trait's raw composite in the norm sample."""

    mean: float
    sd: float
    n: int


@dataclass(frozen=True, slots=True)
class NormTable:
    """A versioned norm table; see the module docstring."""

    version: str
    provisional: bool
    provenance: str
    created: str
    sample_size: int
    metrics: Mapping[str, MetricNorm]
    traits: Mapping[str, CompositeNorm]
    scoring_version: str = SCORING_VERSION

    def metric(self, game_id: str, name: str) -> MetricNorm | None:
        """The norm of ``game_id``'s metric ``name``, or ``None`` when the table lacks it."""
        return self.metrics.get(metric_key(game_id, name))


# ---- JSON ----------------------------------------------------------------------------


def norms_to_json(table: NormTable) -> str:
    """The table as JSON text (keys sorted, NaN as ``null``), ready to write to a file."""
    document = {
        "format": FORMAT,
        "version": table.version,
        "provisional": table.provisional,
        "provenance": table.provenance,
        "created": table.created,
        "sample_size": table.sample_size,
        "scoring_version": table.scoring_version,
        "metrics": {
            key: {
                "mean": json_number(norm.mean),
                "sd": json_number(norm.sd),
                "n": norm.n,
                "reliability": json_number(norm.reliability),
            }
            for key, norm in sorted(table.metrics.items())
        },
        "traits": {
            name: {"mean": json_number(norm.mean), "sd": json_number(norm.sd), "n": norm.n}
            for name, norm in sorted(table.traits.items())
        },
    }
    return json.dumps(document, indent=1, sort_keys=True, allow_nan=False) + "\n"


def load_norms(source: str | bytes | Mapping[str, Any]) -> NormTable:
    """A :class:`NormTable` from JSON text (or bytes) or an already parsed mapping.

    Raises ``ValueError`` naming the problem: text that is not JSON, another
    ``format``, a missing or mistyped field.
    """
    if isinstance(source, str | bytes):
        try:
            document = json.loads(source)
        except json.JSONDecodeError as error:
            raise ValueError(f"norm table is not valid JSON: {error}") from error
    else:
        document = source
    if not isinstance(document, Mapping):
        raise ValueError("norm table must be a JSON object")
    if document.get("format") != FORMAT:
        raise ValueError(f"norm table format must be {FORMAT!r}, got {document.get('format')!r}")
    metrics = _field(document, "metrics", Mapping)
    traits = _field(document, "traits", Mapping)
    return NormTable(
        version=_field(document, "version", str),
        provisional=_field(document, "provisional", bool),
        provenance=_field(document, "provenance", str),
        created=_field(document, "created", str),
        sample_size=_field(document, "sample_size", int),
        scoring_version=_field(document, "scoring_version", str),
        metrics=FrozenMapping(
            (
                str(key),
                MetricNorm(
                    mean=_number(entry, "mean", f"metrics.{key}"),
                    sd=_number(entry, "sd", f"metrics.{key}"),
                    n=_count(entry, "n", f"metrics.{key}"),
                    reliability=_number(entry, "reliability", f"metrics.{key}"),
                ),
            )
            for key, entry in sorted(metrics.items())
        ),
        traits=FrozenMapping(
            (
                str(name),
                CompositeNorm(
                    mean=_number(entry, "mean", f"traits.{name}"),
                    sd=_number(entry, "sd", f"traits.{name}"),
                    n=_count(entry, "n", f"traits.{name}"),
                ),
            )
            for name, entry in sorted(traits.items())
        ),
    )


def _field(document: Mapping[str, Any], name: str, kind: type) -> Any:
    if name not in document:
        raise ValueError(f"norm table lacks the field {name!r}")
    value = document[name]
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise ValueError(f"norm table field {name!r} must be {kind.__name__}, got {value!r}")
    return value


def _number(entry: object, name: str, where: str) -> float:
    if not isinstance(entry, Mapping) or name not in entry:
        raise ValueError(f"norm table entry {where} lacks {name!r}")
    value = entry[name]
    if value is None:
        return _NAN
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"norm table entry {where}.{name} must be a number, got {value!r}")
    return float(value)


def _count(entry: object, name: str, where: str) -> int:
    if not isinstance(entry, Mapping) or name not in entry:
        raise ValueError(f"norm table entry {where} lacks {name!r}")
    value = entry[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"norm table entry {where}.{name} must be a count, got {value!r}")
    return value


# ---- building ------------------------------------------------------------------------


def build_norms(
    sessions: Sequence[Mapping[str, GameScores]],
    version: str,
    provenance: str,
    *,
    min_sessions: int = 50,
    provisional: bool = False,
    created: str | None = None,
) -> NormTable:
    """A norm table from scored sessions (one ``{game_id: GameScores}`` per session).

    Every metric found in any session gets its mean, SD (ddof = 1) and count over the
    sessions where it is finite, and its split-half reliability (module docstring).
    Trait composites are then computed for every session against these metric norms
    and summarised the same way.  ``created`` defaults to today's date.

    Raises ``ValueError`` when there are fewer than ``min_sessions`` sessions.
    """
    if len(sessions) < min_sessions:
        raise ValueError(
            f"build_norms needs at least {min_sessions} scored sessions; found {len(sessions)}"
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
    metric_norms = FrozenMapping(
        (key, _metric_norm(values[key], halves[key])) for key in sorted(values)
    )

    from scoring import traits  # here, not at the top: traits imports this module

    composites: dict[str, list[float]] = {trait.name: [] for trait in traits.TRAITS}
    for session in sessions:
        for trait in traits.TRAITS:
            composite = traits.raw_composite(trait, session, metric_norms)
            if math.isfinite(composite.value):
                composites[trait.name].append(composite.value)
    trait_norms = FrozenMapping(
        (name, CompositeNorm(*_mean_sd(found), len(found))) for name, found in composites.items()
    )
    return NormTable(
        version=version,
        provisional=provisional,
        provenance=provenance,
        created=created or datetime.date.today().isoformat(),
        sample_size=len(sessions),
        metrics=metric_norms,
        traits=trait_norms,
    )


def _mean_sd(found: Sequence[float]) -> tuple[float, float]:
    if not found:
        return _NAN, _NAN
    array = np.asarray(found, dtype=np.float64)
    with np.errstate(all="ignore"):
        mean = float(np.mean(array))
        sd = float(np.std(array, ddof=1)) if array.shape[0] >= 2 else _NAN
    return mean, sd


def _metric_norm(found: Sequence[float], pairs: Sequence[tuple[float, float]]) -> MetricNorm:
    mean, sd = _mean_sd(found)
    reliability = _NAN
    if len(pairs) >= MIN_RELIABILITY_SESSIONS:
        halves = np.asarray(pairs, dtype=np.float64)
        with np.errstate(all="ignore"):
            first, second = halves[:, 0] - halves[:, 0].mean(), halves[:, 1] - halves[:, 1].mean()
            denominator = math.sqrt(float(np.sum(first**2)) * float(np.sum(second**2)))
            if denominator > 0 and math.isfinite(denominator):
                r = float(np.sum(first * second)) / denominator
                reliability = spearman_brown(max(0.0, min(1.0, r)))
    return MetricNorm(mean=mean, sd=sd, n=len(found), reliability=reliability)
