"""The result types of per-game scoring: :class:`Metric`, :class:`GameScores` and friends.

Contract: every game's ``score(table, ...)`` returns one frozen :class:`GameScores`
holding frozen :class:`Metric` values keyed by metric name.  Nothing here computes;
the types only carry numbers, their uncertainty and their quality flags, plus a
plain-dict view (:meth:`Metric.as_dict` ...) that is JSON-ready (non-finite numbers
become ``None``).

Conventions shared by every game:

* ``value`` is the point estimate, NaN when the data cannot give one; a NaN value
  always comes with a flag saying why.
* ``ci_low``/``ci_high`` bound a 95% percentile bootstrap interval over trials,
  resampled within condition cells with a fixed seed; NaN without bootstrap or where
  the design does not allow one (then a flag says so).
* ``reliability`` is the Spearman–Brown corrected split-half reliability of the
  metric *in a population*: one session cannot have a reliability of its own.  It is
  NaN when a game is scored alone and is filled in from the norm table by
  :func:`scoring.session.score_session` (the norm table estimates it by correlating
  ``split_half`` across its sessions; see :mod:`scoring.norms`).
* ``split_half`` is the metric computed on two halves of the trials (alternate
  trials within each condition cell), NaN where the design has no halves.
* ``flags`` is data, never an exception.
* ``pinned`` marks a metric whose value the design itself holds near a target (a
  staircase's p(respond | signal)): people differ in it only by chance, so it gets
  no percentile.  ``low_data`` in ``flags`` marks a metric computed from fewer
  trials than the design's minimum (:mod:`scoring.metrics.minimums`): it gets no
  percentile either.
* ``percentile`` (mid-rank percentile rank in the norm sample) and
  ``retest_reliability`` (simulated two-session retest in the norm sample) are
  filled in by :func:`scoring.session.score_session`; NaN when scored alone or
  when withheld (``percentile_withheld`` then names the reason).

Mappings inside these dataclasses are :class:`FrozenMapping` instances: read-only,
comparable, hashable when their values are, and picklable (unlike
``types.MappingProxyType``), so results can cross process boundaries in batch
rescoring.
"""

from __future__ import annotations

import math
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

__all__ = ["FrozenMapping", "GameScores", "LabelledMatrix", "Metric", "json_number"]

_K = TypeVar("_K")
_V = TypeVar("_V")
_T = TypeVar("_T")

_NAN = float("nan")


class FrozenMapping(Mapping[_K, _V]):
    """A read-only, picklable mapping that keeps insertion order."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[_K, _V] | Iterable[tuple[_K, _V]] = ()) -> None:
        self._data: dict[_K, _V] = dict(data)

    def __getitem__(self, key: _K) -> _V:
        return self._data[key]

    def __iter__(self) -> Iterator[_K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    # The dict's own lookups: the Mapping mixins go through __getitem__ and a
    # KeyError, several times slower, and norms and traits look things up a lot.
    def __contains__(self, key: object) -> bool:
        return key in self._data

    @overload
    def get(self, key: _K, /) -> _V | None: ...
    @overload
    def get(self, key: _K, default: _V | _T, /) -> _V | _T: ...
    def get(self, key: _K, default: object = None, /) -> object:
        return self._data.get(key, default)

    def keys(self) -> KeysView[_K]:
        return self._data.keys()

    def items(self) -> ItemsView[_K, _V]:
        return self._data.items()

    def values(self) -> ValuesView[_V]:
        return self._data.values()

    def __repr__(self) -> str:
        return f"FrozenMapping({self._data!r})"

    def __hash__(self) -> int:
        return hash(tuple(self._data.items()))

    def __getstate__(self) -> dict[_K, _V]:
        return self._data

    def __setstate__(self, state: dict[_K, _V]) -> None:
        self._data = state


def json_number(value: float) -> float | None:
    """``value`` as a float, or ``None`` when it is NaN or infinite (JSON has neither)."""
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True, slots=True)
class Metric:
    """One scored quantity of one game, with its uncertainty and quality flags.

    ``n`` is the number of trials (or decisions, balloons, problems ...) the value
    was computed from.  ``unit`` is a short unit label ("ms", "proportion" ...);
    ``description`` is one plain, candidate-facing sentence saying what the number
    means, without judging it.
    """

    name: str
    value: float
    ci_low: float
    ci_high: float
    n: int
    reliability: float
    flags: tuple[str, ...]
    unit: str
    description: str
    split_half: tuple[float, float] = (_NAN, _NAN)
    pinned: bool = False
    percentile: float = _NAN
    percentile_withheld: str = ""
    retest_reliability: float = _NAN

    def with_norm(
        self,
        *,
        reliability: float,
        retest_reliability: float,
        percentile: float,
        percentile_withheld: str,
        flags: tuple[str, ...],
    ) -> Metric:
        """This metric with what its norm says; every other field as it is.

        Built directly rather than with ``dataclasses.replace``, which inspects the
        fields on every call (a session has about a hundred metrics).
        """
        return Metric(
            name=self.name,
            value=self.value,
            ci_low=self.ci_low,
            ci_high=self.ci_high,
            n=self.n,
            reliability=reliability,
            flags=flags,
            unit=self.unit,
            description=self.description,
            split_half=self.split_half,
            pinned=self.pinned,
            percentile=percentile,
            percentile_withheld=percentile_withheld,
            retest_reliability=retest_reliability,
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; NaN and infinities become ``None``."""
        return {
            "name": self.name,
            "value": json_number(self.value),
            "ci_low": json_number(self.ci_low),
            "ci_high": json_number(self.ci_high),
            "n": self.n,
            "reliability": json_number(self.reliability),
            "flags": list(self.flags),
            "unit": self.unit,
            "description": self.description,
            "split_half": [json_number(self.split_half[0]), json_number(self.split_half[1])],
            "pinned": self.pinned,
            "percentile": json_number(self.percentile),
            "percentile_withheld": self.percentile_withheld or None,
            "retest_reliability": json_number(self.retest_reliability),
        }


@dataclass(frozen=True, slots=True)
class LabelledMatrix:
    """A small table of counts with row and column labels (e.g. a confusion matrix).

    ``values[i][j]`` is the cell of row ``rows[i]`` and column ``columns[j]``.
    """

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    description: str

    def cell(self, row: str, column: str) -> float:
        """The value at ``(row, column)``; raises ``KeyError`` for unknown labels."""
        try:
            return self.values[self.rows.index(row)][self.columns.index(column)]
        except ValueError as error:
            raise KeyError((row, column)) from error

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": list(self.rows),
            "columns": list(self.columns),
            "values": [[json_number(v) for v in row] for row in self.values],
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class GameScores:
    """Every metric of one game run, its primary metric and game-level quality flags.

    ``primary`` names the metric that best summarises the game (it is always a key
    of ``metrics``).  ``flags`` are game-level quality flags (omissions,
    anticipations, incomplete game ...; see :mod:`scoring.metrics.quality`);
    metric-specific problems sit on each :class:`Metric`.  ``n_trials`` counts the
    scored (non-practice) rows.  ``matrices`` holds labelled tables that do not fit
    a single number, such as the Faces confusion matrix.
    """

    game_id: str
    metrics: Mapping[str, Metric]
    primary: str
    flags: tuple[str, ...]
    n_trials: int = 0
    matrices: Mapping[str, LabelledMatrix] = field(default_factory=FrozenMapping)

    def value(self, name: str) -> float:
        """The value of metric ``name``, NaN when the game has no such metric."""
        metric = self.metrics.get(name)
        return _NAN if metric is None else metric.value

    def as_dict(self) -> dict[str, Any]:
        return {
            "game_id": self.game_id,
            "primary": self.primary,
            "flags": list(self.flags),
            "n_trials": self.n_trials,
            "metrics": {name: metric.as_dict() for name, metric in self.metrics.items()},
            "matrices": {name: matrix.as_dict() for name, matrix in self.matrices.items()},
        }
