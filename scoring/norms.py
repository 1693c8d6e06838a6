"""Norm tables: the reference sample that metrics and traits are standardised against.

Contract:

* :class:`NormTable` is a frozen, versioned table: for every metric (keyed
  ``"<game_id>.<metric>"``) the sample mean, SD (ddof = 1), the number of sessions
  with a value, the metric's split-half and retest reliability in that sample, and
  the sample itself (sorted, 10 significant digits) for mid-rank percentile ranks;
  for every trait (:mod:`scoring.traits`) its components' aligned z-scores per
  norm session, their means and covariance matrix, and the mean and SD of the full
  composite.  It carries its ``version``, whether it is ``provisional``, a
  ``provenance`` text, the ``created`` date (ISO 8601), the ``sample_size``, the
  ``scoring_version`` whose metrics it describes, the :class:`NormDesign` (battery
  and per-game task design) its sessions were played on, and an optional
  ``age_band`` (``None``: all ages; simulated players have no age, so provisional
  tables carry none).
* :func:`norms_to_json` / :func:`load_norms` turn a table into JSON text and back
  (``load_norms`` also takes an already parsed mapping).  NaN is written as
  ``null``.  No file I/O happens here: the caller reads and writes the file.
  Malformed input raises ``ValueError`` naming the field.
* :func:`scoring.norm_building.build_norms` builds a table from scored sessions
  (one mapping of game id to :class:`~scoring.metrics.types.GameScores` per
  session); this module only describes, reads, writes and selects tables, so the
  trait layer (:mod:`scoring.traits`) can use it without a cycle.

Reliability.  One session has no reliability of its own; the norm sample gives it.
For each metric, the two split-half values of every session
(:attr:`~scoring.metrics.types.Metric.split_half`) are correlated across sessions
(Pearson) and stepped up with the Spearman–Brown formula
(:func:`scoring.reliability.spearman_brown`), the classic odd–even split-half
estimate.  A negative half-to-half correlation is taken as 0 (the halves do not
measure the same thing twice; the step-up formula is meaningless below 0), so the
reliability lies in [0, 1].  It needs :data:`MIN_RELIABILITY_SESSIONS` sessions with
both halves; otherwise it is NaN.

Retest reliability.  Split-half correlations of alternate trials overstate how well
a sequential task (a staircase, a learning task, a puzzle series) ranks people on a
second occasion, because adjacent trials share state that a second session does not.
Where the builder is given a second session of every norm participant
(``retest_sessions``: the same people, or simulated players with the same
parameters and other seeds), each metric's ``retest`` is the Pearson correlation
of the two sessions' values (floored at 0), from at least
:data:`MIN_RELIABILITY_SESSIONS` pairs.  Both figures are stored and reported under
their own names; claims about a person's standing (trait and ability CIs) use the
retest figure.

Percentiles.  :meth:`MetricNorm.percentile` is the mid-rank percentile rank of a
value in the stored sample, ``100 · (B + E/2) / N`` with B sample values below and
E equal to it (Crocker & Algina 1986, ch. 19): ties share the middle of their
ranks, so a value held by a quarter of the sample is not placed at that quarter's
top.  Values equal to within :data:`TIE_TOLERANCE` (relative) are ties.  Tables of
format 1 stored no sample; for them the percentile is the normal
approximation ``100 · Φ(z)`` and :meth:`MetricNorm.percentile_is_exact` is false.

Design.  Percentiles are only comparable between sessions of the same design: a
short battery's metrics rest on fewer trials, so their spread differs.
:meth:`NormDesign.mismatched_games` names the games whose design differs from the
norm sample's; :func:`scoring.session.score_session` flags them.
:func:`select_norms` picks, from several tables, one built on a session's design
(and age band, where tables carry one).

Standardising.  ``z = (value − mean) / sd``.  A metric whose SD is zero or NaN in
the sample cannot be standardised; :mod:`scoring.traits` leaves it out and flags it.

Minimums: :data:`MIN_NORM_SESSIONS` (200) sessions for a table,
:data:`MIN_RELIABILITY_SESSIONS` (100) for a reliability estimate.

Source:
    Crocker, L., & Algina, J. (1986). Introduction to Classical and Modern Test
    Theory, ch. 19 (percentile ranks). Holt, Rinehart & Winston.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import ndtr

from scoring.metrics.types import FrozenMapping, json_number
from scoring.version import SCORING_VERSION

__all__ = [
    "FORMAT",
    "MIN_NORM_SESSIONS",
    "MIN_RELIABILITY_SESSIONS",
    "READABLE_FORMATS",
    "SAMPLE_DIGITS",
    "TIE_TOLERANCE",
    "CompositeNorm",
    "MetricNorm",
    "NormDesign",
    "NormTable",
    "load_norms",
    "metric_key",
    "mid_rank_percentile",
    "norms_to_json",
    "select_norms",
]

#: Identifies the JSON layout; bump when it changes.
FORMAT = "kiosk-norms/2"
#: Layouts :func:`load_norms` reads (format 1: no samples, retest, covariance or design).
READABLE_FORMATS = ("kiosk-norms/1", FORMAT)
#: Sessions a norm table needs at least.
MIN_NORM_SESSIONS = 200
#: Sessions (or session pairs) needed to estimate a metric's reliability.
MIN_RELIABILITY_SESSIONS = 100
_NAN = float("nan")


def metric_key(game_id: str, metric: str) -> str:
    """The key of a metric in a norm table: ``"<game_id>.<metric>"``."""
    return f"{game_id}.{metric}"


#: Stored sample values keep this many significant digits; values that agree to
#: within :data:`TIE_TOLERANCE` (relative) count as ties, so that 1/3 computed
#: afresh ties with the stored 0.3333333333.
SAMPLE_DIGITS = 10
TIE_TOLERANCE = 1e-8


def mid_rank_percentile(value: float, ordered: Sequence[float]) -> float:
    """``100 · (B + E/2) / N`` for ``value`` in the sorted sample ``ordered``; NaN if empty.

    B counts sample values below ``value``, E those equal to it (within
    :data:`TIE_TOLERANCE`, relative).
    """
    if len(ordered) == 0 or not math.isfinite(value):
        return _NAN
    tolerance = TIE_TOLERANCE * max(abs(value), 1e-300)
    below = bisect.bisect_left(ordered, value - tolerance)
    equal = bisect.bisect_right(ordered, value + tolerance) - below
    return 100.0 * (below + 0.5 * equal) / len(ordered)


@dataclass(frozen=True, slots=True)
class NormDesign:
    """The battery a norm sample (or a session) was played on.

    ``games`` maps each game id to a fingerprint of its task design (task version and
    every parameter, defaults included); equal fingerprints mean the same trials.
    """

    battery: str
    battery_version: str
    games: Mapping[str, str] = field(default_factory=FrozenMapping)

    def mismatched_games(self, session: NormDesign) -> tuple[str, ...]:
        """Games of ``session`` whose design the norm sample did not use."""
        return tuple(
            game_id
            for game_id, fingerprint in session.games.items()
            if self.games.get(game_id) != fingerprint
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "battery": self.battery,
            "battery_version": self.battery_version,
            "games": dict(sorted(self.games.items())),
        }


@dataclass(frozen=True, slots=True)
class MetricNorm:
    """One metric's distribution in the norm sample.

    ``reliability`` is the split-half (odd/even) reliability, ``retest`` the
    two-session retest correlation (``n_retest`` pairs); ``sample`` the sorted values.
    """

    mean: float
    sd: float
    n: int
    reliability: float = _NAN
    retest: float = _NAN
    n_retest: int = 0
    sample: tuple[float, ...] = ()

    def z(self, value: float) -> float:
        """``(value − mean) / sd``; NaN when the SD is not positive or anything is NaN."""
        if not (math.isfinite(self.sd) and self.sd > 0):
            return _NAN
        return (value - self.mean) / self.sd

    @property
    def percentile_is_exact(self) -> bool:
        """True when the table stores the sample (mid-rank percentile ranks)."""
        return bool(self.sample)

    def percentile(self, value: float) -> float:
        """Mid-rank percentile rank of ``value`` in the sample (module docstring).

        Without a stored sample (format 1) the normal approximation ``100 · Φ(z)``.
        """
        if self.sample:
            return mid_rank_percentile(value, self.sample)
        z = self.z(value)
        return 100.0 * float(ndtr(z)) if math.isfinite(z) else _NAN


@dataclass(frozen=True, slots=True)
class CompositeNorm:
    """One trait's composite in the norm sample.

    ``mean``/``sd`` describe the full composite (every component present).
    ``components`` are the component keys in the trait's order, ``means`` and
    ``covariance`` those of their aligned, clipped z-scores (pairwise complete,
    ddof = 1), and ``scores`` the aligned z-scores of every norm session (NaN where
    a component is missing), from which percentiles of any subset composite follow.
    """

    mean: float
    sd: float
    n: int
    components: tuple[str, ...] = ()
    means: tuple[float, ...] = ()
    covariance: tuple[tuple[float, ...], ...] = ()
    scores: tuple[tuple[float, ...], ...] = ()
    _arrays: Any = field(default=None, compare=False, repr=False, hash=False)
    #: Derived values kept per set of present components (scoring.traits fills it).
    cache: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False, hash=False)

    def arrays(self) -> tuple[Any, Any, Any]:
        """``(means, covariance, scores)`` as float arrays, converted once and kept."""
        if self._arrays is None:
            k = len(self.components)
            converted = (
                np.asarray(self.means, dtype=np.float64).reshape(-1),
                np.asarray(self.covariance, dtype=np.float64).reshape(-1, k) if k else None,
                np.asarray(self.scores, dtype=np.float64).reshape(-1, k) if k else None,
            )
            object.__setattr__(self, "_arrays", converted)
        arrays: tuple[Any, Any, Any] = self._arrays
        return arrays


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
    design: NormDesign | None = None
    age_band: tuple[int, int] | None = None

    def metric(self, game_id: str, name: str) -> MetricNorm | None:
        """The norm of ``game_id``'s metric ``name``, or ``None`` when the table lacks it."""
        return self.metrics.get(metric_key(game_id, name))


def select_norms(
    tables: Sequence[NormTable], design: NormDesign | None, age: int | None = None
) -> NormTable | None:
    """The table whose design matches ``design`` best (and ``age``'s band, if any).

    The best table is the one with the fewest games of another design (a session
    scored against it flags those games); among equals one whose age band holds
    ``age`` is preferred to one for all ages, then the last in ``tables`` (pass them
    oldest first).  ``None`` when no table shares a single game's design.
    """
    if design is None or not design.games:
        return None
    best: NormTable | None = None
    best_rank: tuple[int, int] | None = None
    for table in tables:
        if table.design is None:
            continue
        mismatched = len(table.design.mismatched_games(design))
        if mismatched == len(design.games):
            continue
        band = table.age_band
        if band is not None and (age is None or not band[0] <= age <= band[1]):
            continue
        rank = (-mismatched, 1 if band is not None else 0)
        if best_rank is None or rank >= best_rank:
            best, best_rank = table, rank
    return best


# ---- JSON ----------------------------------------------------------------------------


def _short(value: float) -> float | None:
    """A sample value as stored: :data:`SAMPLE_DIGITS` significant digits, ``None`` for NaN."""
    return float(f"{value:.{SAMPLE_DIGITS}g}") if math.isfinite(value) else None


def norms_to_json(table: NormTable) -> str:
    """The table as JSON text (keys sorted, NaN as ``null``), ready to write to a file."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": table.version,
        "provisional": table.provisional,
        "provenance": table.provenance,
        "created": table.created,
        "sample_size": table.sample_size,
        "scoring_version": table.scoring_version,
        "design": None if table.design is None else table.design.as_dict(),
        "age_band": None if table.age_band is None else list(table.age_band),
        "metrics": {
            key: {
                "mean": json_number(norm.mean),
                "sd": json_number(norm.sd),
                "n": norm.n,
                "reliability": json_number(norm.reliability),
                "retest": json_number(norm.retest),
                "n_retest": norm.n_retest,
                "sample": [_short(v) for v in norm.sample],
            }
            for key, norm in sorted(table.metrics.items())
        },
        "traits": {
            name: {
                "mean": json_number(norm.mean),
                "sd": json_number(norm.sd),
                "n": norm.n,
                "components": list(norm.components),
                "means": [json_number(v) for v in norm.means],
                "covariance": [[json_number(v) for v in row] for row in norm.covariance],
                "scores": [[_short(v) for v in row] for row in norm.scores],
            }
            for name, norm in sorted(table.traits.items())
        },
    }
    return json.dumps(document, indent=None, sort_keys=True, allow_nan=False) + "\n"


def load_norms(source: str | bytes | Mapping[str, Any]) -> NormTable:
    """A :class:`NormTable` from JSON text (or bytes) or an already parsed mapping.

    Reads every format of :data:`READABLE_FORMATS`.  Raises ``ValueError`` naming the
    problem: text that is not JSON, another ``format``, a missing or mistyped field.
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
    if document.get("format") not in READABLE_FORMATS:
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
        design=_design(document.get("design")),
        age_band=_age_band(document.get("age_band")),
        metrics=FrozenMapping(
            (str(key), _metric_entry(entry, f"metrics.{key}"))
            for key, entry in sorted(metrics.items())
        ),
        traits=FrozenMapping(
            (str(name), _trait_entry(entry, f"traits.{name}"))
            for name, entry in sorted(traits.items())
        ),
    )


def _metric_entry(entry: object, where: str) -> MetricNorm:
    optional = entry if isinstance(entry, Mapping) else {}
    sample = _numbers(optional.get("sample", []), f"{where}.sample")
    return MetricNorm(
        mean=_number(entry, "mean", where),
        sd=_number(entry, "sd", where),
        n=_count(entry, "n", where),
        reliability=_number(entry, "reliability", where),
        retest=_number(entry, "retest", where) if "retest" in optional else _NAN,
        n_retest=_count(entry, "n_retest", where) if "n_retest" in optional else 0,
        sample=tuple(sorted(v for v in sample if math.isfinite(v))),
    )


def _trait_entry(entry: object, where: str) -> CompositeNorm:
    optional = entry if isinstance(entry, Mapping) else {}
    components = optional.get("components", [])
    if not isinstance(components, list) or not all(isinstance(c, str) for c in components):
        raise ValueError(f"norm table entry {where}.components must be a list of keys")
    k = len(components)
    covariance = tuple(
        tuple(_numbers(row, f"{where}.covariance")) for row in optional.get("covariance", [])
    )
    scores = tuple(tuple(_numbers(row, f"{where}.scores")) for row in optional.get("scores", []))
    means = tuple(_numbers(optional.get("means", []), f"{where}.means"))
    if (covariance and (len(covariance) != k or any(len(r) != k for r in covariance))) or (
        any(len(r) != k for r in scores) or (means and len(means) != k)
    ):
        raise ValueError(f"norm table entry {where}: matrices do not match its {k} components")
    return CompositeNorm(
        mean=_number(entry, "mean", where),
        sd=_number(entry, "sd", where),
        n=_count(entry, "n", where),
        components=tuple(components),
        means=means,
        covariance=covariance,
        scores=scores,
    )


def _design(value: object) -> NormDesign | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValueError("norm table field 'design' must be an object or null")
    games = value.get("games", {})
    battery, version = value.get("battery"), value.get("battery_version")
    if not isinstance(battery, str) or not isinstance(version, str):
        raise ValueError("norm table design needs 'battery' and 'battery_version' strings")
    if not isinstance(games, Mapping) or not all(isinstance(v, str) for v in games.values()):
        raise ValueError("norm table design 'games' must map game ids to fingerprints")
    return NormDesign(battery, version, FrozenMapping(sorted(games.items())))


def _age_band(value: object) -> tuple[int, int] | None:
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or value[0] > value[1]
    ):
        raise ValueError(f"norm table field 'age_band' must be [low, high] or null, got {value!r}")
    return int(value[0]), int(value[1])


def _numbers(values: object, where: str) -> list[float]:
    if not isinstance(values, list):
        raise ValueError(f"norm table entry {where} must be a list of numbers")
    found: list[float] = []
    for value in values:
        if value is None:
            found.append(_NAN)
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"norm table entry {where} holds {value!r}, not a number")
        else:
            found.append(float(value))
    return found


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
