"""The machinery every game's scorer shares: reading a trial table, resampling, halves.

Contract (private to :mod:`scoring.metrics`):

* :class:`TrialTable` reads the columns a game needs from an arbitrary mapping of
  arrays, converts each to its kind (float, bool or str), keeps the non-practice
  rows and records what was wrong as flags (``missing_column:<c>``,
  ``bad_column:<c>``, ``invalid_values:<c>``, ``ragged_table``).  It never raises
  for bad *contents*; a table that lacks a needed column, or has one that cannot be
  read, is scored as if it had no rows, so every metric is NaN and flagged.
* A metric's uncertainty comes from one *statistic*: a function of a
  :class:`Sample`, i.e. of a matrix of trial indices with one row per replicate,
  returning one value per row.  The same function gives the bootstrap replicates
  (rows = resamples), the two split halves (one row each) and, where no primitive
  is used, the point estimate (one row: every trial).
* :class:`Scorecard` collects the metrics of one game and draws the resamples once
  per game, through :func:`scoring.reliability.bootstrap_ci` itself: the values
  handed to it are the trial *indices*, so that each resample can compute any
  statistic of the resampled trial table (several columns, several cells) and all
  metrics of a game share the same resamples.  Resampling is stratified by the
  game's condition cells (``strata``), as SCIENCE.md asks.  The interval is the
  2.5th and 97.5th percentile of the finite replicates (the rule of
  ``bootstrap_ci``); replicates that are NaN are left out and flagged
  ``undefined_resamples``.
* Split halves alternate trials within each condition cell (odd/even positions in
  cell order), so both halves hold every condition in the same proportion.  They
  are what norm building correlates across sessions; a scorecard made with
  ``halves=False`` skips them (every ``split_half`` NaN), for callers that only
  want a candidate's scores and would throw them away (the station's scoring
  service stores no split halves).
* Weak data is marked, never dressed up: a metric whose ``n`` is below the design's
  minimum (:func:`scoring.metrics.minimums.minimum_trials`) is flagged ``low_data``;
  a metric from fewer than :data:`MIN_CI_TRIALS` trials gets no bootstrap interval
  (flag ``too_few_for_ci``), and an interval of zero width (every resample gave the
  same value, e.g. one or two trials) is dropped (flag ``degenerate_ci``): it would
  claim a certainty the data do not have.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from scoring.ddm import ez_diffusion, ez_diffusion_from_trials
from scoring.metrics.minimums import minimum_trials
from scoring.metrics.types import FrozenMapping, GameScores, LabelledMatrix, Metric
from scoring.reliability import bootstrap_ci

__all__ = [
    "MIN_CI_TRIALS",
    "N_BOOT",
    "Kind",
    "Sample",
    "Scorecard",
    "Statistic",
    "TrialTable",
    "add_ez_metrics",
    "code_sums",
    "count_where",
    "ez_replicates",
    "mean_of",
    "mean_where",
    "quiet",
    "silenced",
    "trimmed_mean_where",
]

#: Bootstrap resamples per game (percentile intervals; Efron & Tibshirani 1993 advise
#: 1000 or more for percentile intervals).
N_BOOT = 2000
#: Fewer trials than this give no bootstrap interval: resampling one to four trials
#: gives intervals that are mostly zero-width or the range of the data.
MIN_CI_TRIALS = 5
_NAN = float("nan")

Kind = Literal["float", "bool", "str"]
Statistic = Callable[["Sample"], NDArray[np.float64]]

_TRUE_TEXT = frozenset({"true", "1", "1.0", "yes"})
_FALSE_TEXT = frozenset({"false", "0", "0.0", "no", ""})


class _Quiet:
    """What :func:`quiet` returns: ``numpy.errstate(all="ignore")`` for the outermost use
    on a thread; inside it (every primitive a game's ``score`` calls) nothing more to do."""

    __slots__ = ("_errstate",)

    def __enter__(self) -> None:
        depth = getattr(_QUIET, "depth", 0)
        _QUIET.depth = depth + 1
        self._errstate = np.errstate(all="ignore") if depth == 0 else None
        if self._errstate is not None:
            self._errstate.__enter__()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _QUIET.depth -= 1
        if self._errstate is not None:
            self._errstate.__exit__(kind, error, traceback)


_QUIET = threading.local()


def quiet() -> _Quiet:
    """Silence numpy's floating-point warnings (overflow, 0/0): NaN results are flagged.

    Only ``numpy.errstate``, which is local to the thread, so scoring on a worker
    thread never touches the process-wide ``warnings`` filters; the code avoids the
    ``nan*`` reductions, whose "empty slice" warnings errstate cannot silence.  Nested
    uses on one thread enter ``errstate`` once (the outermost), which keeps the many
    small primitives cheap.
    """
    return _Quiet()


# ---- reading tables ------------------------------------------------------------------


class TrialTable:
    """The non-practice rows of a trial table, one typed array per needed column.

    ``columns`` maps each needed column to its kind.  ``practice`` is always read
    (as bool) when present; without it every row counts as a scored row and the
    table is flagged ``missing_column:practice``.
    """

    def __init__(self, table: Mapping[str, Any], columns: Mapping[str, Kind]) -> None:
        if not isinstance(table, Mapping):
            raise TypeError(f"a trial table must be a mapping of columns, got {type(table)}")
        flags: list[str] = []
        raw: dict[str, NDArray[Any]] = {}
        usable = True
        wanted: dict[str, Kind] = {"practice": "bool", **columns}
        for name in wanted:
            if name not in table:
                flags.append(f"missing_column:{name}")
                usable = usable and name == "practice"
                continue
            try:
                array = np.asarray(table[name])
            except (ValueError, TypeError):  # ragged nesting and the like
                array = np.empty((0, 0))
            if array.ndim != 1:
                flags.append(f"bad_column:{name}")
                usable = False
                continue
            raw[name] = array
        lengths = {int(array.shape[0]) for array in raw.values()}
        n_rows = min(lengths) if lengths else 0
        if len(lengths) > 1:
            flags.append("ragged_table")
        self._data: dict[str, NDArray[Any]] = {}
        for name, array in raw.items():
            converted = _convert(array[:n_rows], wanted[name])
            if converted is None:
                flags.append(f"bad_column:{name}")
                usable = False
                continue
            values, clean = converted
            if not clean:
                flags.append(f"invalid_values:{name}")
            self._data[name] = values
        practice = self._data.get("practice")
        main = np.ones(n_rows, dtype=np.bool_) if practice is None else ~practice
        if not usable:
            main = np.zeros(n_rows, dtype=np.bool_)
        self.usable = usable
        self.n_rows = int(np.count_nonzero(main))
        self.flags: tuple[str, ...] = tuple(flags)
        empty: dict[Kind, NDArray[Any]] = {
            "float": np.empty(0, dtype=np.float64),
            "bool": np.empty(0, dtype=np.bool_),
            "str": np.empty(0, dtype=np.str_),
        }
        self._main: dict[str, NDArray[Any]] = {
            name: (self._data[name][main] if name in self._data else empty[kind])
            for name, kind in wanted.items()
        }

    def float(self, name: str) -> NDArray[np.float64]:
        return self._main[name]

    def bool(self, name: str) -> NDArray[np.bool_]:
        return self._main[name]

    def str(self, name: str) -> NDArray[np.str_]:
        return self._main[name]


def _convert(array: NDArray[Any], kind: Kind) -> tuple[NDArray[Any], bool] | None:
    """``(values, clean)`` of ``kind``, or ``None`` when the column cannot be read."""
    dtype_kind = array.dtype.kind
    if kind == "str":
        if dtype_kind == "S":
            return np.char.decode(array, "utf-8", "replace").astype(np.str_), True
        return array.astype(np.str_), True
    if kind == "float":
        if dtype_kind in "biuf":
            return array.astype(np.float64), True
        if dtype_kind in "OUS":
            try:
                return array.astype(np.float64), True
            except (ValueError, TypeError, OverflowError):
                return None
        return None
    # bool
    if dtype_kind == "b":
        return array.astype(np.bool_), True
    if dtype_kind in "iuf":
        with quiet():
            numbers = array.astype(np.float64)
        finite = np.isfinite(numbers)
        return finite & (numbers != 0), bool(np.all(finite))
    if dtype_kind in "OUS":
        text = np.char.lower(np.char.strip(array.astype(np.str_)))
        true = np.isin(text, list(_TRUE_TEXT))
        false = np.isin(text, list(_FALSE_TEXT))
        return true, bool(np.all(true | false))
    return None


# ---- resampling ----------------------------------------------------------------------


class Sample:
    """A matrix of trial indices (one row per replicate) and a cache of gathered columns.

    ``take(column)`` returns ``column[indices]`` (shape replicates × trials), computed
    once per column; ``memo(key, compute)`` caches any other per-sample result, so
    that metrics sharing a computation (the three EZ parameters) pay for it once.
    """

    __slots__ = ("_cache", "indices")

    def __init__(self, indices: NDArray[np.intp]) -> None:
        self.indices = indices
        self._cache: dict[Hashable, Any] = {}

    @property
    def replicates(self) -> int:
        return int(self.indices.shape[0])

    @property
    def width(self) -> int:
        return int(self.indices.shape[1])

    def take(self, column: NDArray[Any]) -> NDArray[Any]:
        key = ("take", id(column))
        hit = self._cache.get(key)
        if hit is None:
            hit = (column, column[self.indices])  # keep the column alive: ids stay unique
            self._cache[key] = hit
        gathered: NDArray[Any] = hit[1]
        return gathered

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]


def _sum_rows(values: NDArray[Any]) -> NDArray[Any]:
    """``values.sum(axis=1)`` (booleans counted as integers) without the method's wrapper."""
    sums: NDArray[Any] = np.add.reduce(values, axis=1)
    return sums


def _kept(
    sample: Sample, values: NDArray[np.float64], mask: NDArray[np.bool_] | None
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """The resampled ``values`` and which of them are finite and in ``mask``."""
    taken = sample.take(values)
    keep = np.isfinite(taken)
    if mask is not None:
        keep &= sample.take(mask)
    return taken, keep


def mean_where(
    sample: Sample, values: NDArray[np.float64], mask: NDArray[np.bool_] | None = None
) -> NDArray[np.float64]:
    """Per replicate, the mean of the finite ``values`` of trials in ``mask``; NaN if none."""
    taken, keep = _kept(sample, values, mask)
    with quiet():
        total = _sum_rows(np.where(keep, taken, 0.0))
        counts = _sum_rows(keep)
        means: NDArray[np.float64] = np.where(counts > 0, total / counts, _NAN)
    return means


def trimmed_mean_where(
    sample: Sample,
    values: NDArray[np.float64],
    mask: NDArray[np.bool_] | None = None,
    proportion: float = 0.2,
) -> NDArray[np.float64]:
    """Per replicate, the trimmed mean of the finite ``values`` of trials in ``mask``.

    ``floor(proportion * n)`` values are cut from each end of the ``n`` kept values
    before averaging, as :func:`scipy.stats.trim_mean` does; NaN if none are kept.
    The 20% trimmed mean is the robust location estimate Wilcox (2012, *Introduction
    to Robust Estimation and Hypothesis Testing*, ch. 3) recommends for skewed data
    such as response times: it keeps far more efficiency than the median while one
    stray slow response cannot move it.
    """
    taken, keep = _kept(sample, values, mask)
    ordered = np.sort(np.where(keep, taken, np.inf), axis=1)  # kept values first
    counts = _sum_rows(keep)
    cut = np.floor(proportion * counts).astype(np.intp)
    position = np.arange(ordered.shape[1])
    inside = (position >= cut[:, None]) & (position < (counts - cut)[:, None])
    with quiet():
        total = _sum_rows(np.where(inside, ordered, 0.0))
        used = _sum_rows(inside)
        means: NDArray[np.float64] = np.where(used > 0, total / used, _NAN)
    return means


def mean_of(values: NDArray[np.float64], mask: NDArray[np.bool_] | None = None) -> Statistic:
    """The statistic "mean of the finite ``values`` of trials in ``mask``"."""

    def statistic(sample: Sample) -> NDArray[np.float64]:
        return mean_where(sample, values, mask)

    return statistic


def count_where(sample: Sample, mask: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Per replicate, the number of trials in ``mask``."""
    counts: NDArray[np.float64] = _sum_rows(sample.take(mask)).astype(np.float64)
    return counts


def code_sums(
    sample: Sample,
    codes: NDArray[np.intp],
    k: int,
    weights: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Per replicate and code ``0 … k − 1``: how many trials have that code, or the sum of
    their ``weights`` (replicates × k).  Trials with a negative code count nowhere.

    One ``bincount`` for every code at once, where a mask per code would take a masked
    sum per code; counts, and sums of integer-valued weights, are exact either way.
    """

    def compute() -> tuple[object, NDArray[np.float64]]:
        taken = sample.take(codes)
        rows = taken.shape[0]
        used = taken >= 0
        flat = (taken + (np.arange(rows, dtype=np.intp) * k)[:, np.newaxis])[used]
        summed = None if weights is None else sample.take(weights)[used]
        sums = np.bincount(flat, weights=summed, minlength=rows * k).reshape(rows, k)
        # the arrays stay alive with the memo: their ids stay unique
        return (codes, weights), sums.astype(np.float64)

    key = ("code_sums", id(codes), k, None if weights is None else id(weights))
    sums: NDArray[np.float64] = sample.memo(key, compute)[1]
    return sums


def ez_replicates(
    sample: Sample, correct: NDArray[np.bool_], rt_s: NDArray[np.float64], used: NDArray[np.bool_]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """EZ drift, boundary and non-decision time per replicate (one primitive call each).

    Mirrors :func:`scoring.ddm.ez_diffusion_from_trials` on the trials in ``used``:
    Pc over those trials (edge-corrected with their number), variance (ddof = 1) and
    mean over the correct ones with a finite RT.
    """

    def compute() -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        in_use = sample.take(used)
        hits = sample.take(correct) & in_use
        times = sample.take(rt_s)
        good = hits & np.isfinite(times)
        n_used = in_use.sum(axis=1)
        n_good = good.sum(axis=1)
        with quiet():
            pc = hits.sum(axis=1) / n_used
            mean = np.where(good, times, 0.0).sum(axis=1) / n_good
            deviations = np.where(good, times - mean[:, np.newaxis], 0.0)
            variance = (deviations**2).sum(axis=1) / (n_good - 1)
        drift = np.full(sample.replicates, _NAN)
        boundary = np.full(sample.replicates, _NAN)
        nondecision = np.full(sample.replicates, _NAN)
        for row in range(sample.replicates):
            if n_used[row] == 0 or n_good[row] < 2:
                continue
            fit = ez_diffusion(
                float(pc[row]), float(variance[row]), float(mean[row]), n_trials=int(n_used[row])
            )
            drift[row], boundary[row], nondecision[row] = fit.drift, fit.boundary, fit.nondecision
        return drift, boundary, nondecision

    key = ("ez", id(correct), id(rt_s), id(used))
    result: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]] = sample.memo(
        key, compute
    )
    return result


def alternate_halves(strata: NDArray[Any]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Odd and even trials within each condition cell (cell order = table order).

    A cell with an odd number of trials has one more in one half; those extra trials
    go to the first and the second half in turn (the first odd cell's to the first),
    so the halves differ in size by at most one trial, as the Spearman–Brown step-up
    assumes halves of equal length.
    """
    if strata.shape[0] == 0:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty.copy()
    _, inverse = np.unique(strata, return_inverse=True)
    inverse = inverse.reshape(-1)
    # each trial's position within its cell: a stable sort by cell keeps table order
    order = np.argsort(inverse, kind="stable")
    sizes = np.bincount(inverse)
    starts = np.cumsum(sizes) - sizes
    rank = np.arange(order.shape[0]) - np.repeat(starts, sizes)
    odd = sizes % 2
    # every second odd cell starts its alternation in the second half
    flipped = (odd == 1) & ((np.cumsum(odd) - odd) % 2 == 1)
    first = (rank % 2 == 0) ^ np.repeat(flipped, sizes)
    return np.sort(order[first]), np.sort(order[~first])


def percentile_interval(replicates: NDArray[np.float64]) -> tuple[float, float, bool]:
    """``(low, high, some_undefined)``: the 95% percentile interval of the finite replicates."""
    finite = replicates[np.isfinite(replicates)]
    undefined = finite.shape[0] < replicates.shape[0]
    if finite.shape[0] == 0:
        return _NAN, _NAN, undefined
    low, high = np.quantile(finite, [0.025, 0.975])
    return float(low), float(high), undefined


# ---- collecting metrics --------------------------------------------------------------


class Scorecard:
    """Collects one game's metrics; draws its bootstrap resamples once, lazily.

    ``n`` is the number of scored rows and ``strata`` one condition label per row
    (``None``: one cell); resamples and split halves both respect the cells.
    """

    def __init__(
        self,
        game_id: str,
        n: int,
        strata: NDArray[Any] | None = None,
        *,
        bootstrap: bool,
        seed: int,
        n_boot: int = N_BOOT,
        halves: bool = True,
    ) -> None:
        self.game_id = game_id
        self._with_halves = halves
        self.n = n
        self._strata = np.zeros(n, dtype=np.int64) if strata is None else np.asarray(strata)
        self._bootstrap = bootstrap
        self._seed = seed
        self._n_boot = n_boot
        self._metrics: dict[str, Metric] = {}
        self._matrices: dict[str, LabelledMatrix] = {}
        self._whole: Sample | None = None
        self._resamples: Sample | None = None
        self._halves: Halves | None = None
        # halves given as index arrays, by the arrays' ids (kept alive so ids stay
        # unique): metrics given the same halves share their samples and memos
        self._given_halves: dict[
            tuple[int, int], tuple[NDArray[np.intp], NDArray[np.intp], Halves]
        ] = {}

    # samples, built on first use
    @property
    def whole(self) -> Sample:
        if self._whole is None:
            self._whole = Sample(np.arange(self.n, dtype=np.intp)[np.newaxis, :])
        return self._whole

    def _resampled(self) -> Sample | None:
        if not self._bootstrap or self.n == 0:
            return None
        if self._resamples is None:
            captured: list[NDArray[np.float64]] = []

            def capture(resamples: NDArray[np.float64], axis: int) -> NDArray[np.float64]:
                captured.append(resamples)
                return np.zeros(resamples.shape[0])

            bootstrap_ci(
                np.arange(self.n, dtype=np.float64),
                capture,
                n_boot=self._n_boot,
                seed=self._seed,
                strata=self._strata,
            )
            self._resamples = Sample(captured[-1].astype(np.intp))
        return self._resamples

    def _split(self, split: bool | tuple[NDArray[np.intp], NDArray[np.intp]]) -> Halves | None:
        if split is False or not self._with_halves:
            return None
        if isinstance(split, tuple):
            key = (id(split[0]), id(split[1]))
            given = self._given_halves.get(key)
            if given is None:
                given = (split[0], split[1], Halves(split[0], split[1]))
                self._given_halves[key] = given
            return given[2]
        if self._halves is None:
            self._halves = Halves(*alternate_halves(self._strata))
        return self._halves

    def add(
        self,
        name: str,
        *,
        unit: str,
        description: str,
        n: int,
        statistic: Statistic | None = None,
        value: float | None = None,
        flags: Sequence[str] = (),
        ci: bool = True,
        split: bool | tuple[NDArray[np.intp], NDArray[np.intp]] = True,
        pinned: bool = False,
    ) -> Metric:
        """Add a metric; ``value`` defaults to ``statistic`` over every scored trial.

        Without scored rows the default value is NaN (flag ``no_data``), also for
        counts and sums: no data is not the same as zero.
        ``ci=False`` marks a design that allows no bootstrap interval (flag
        ``no_bootstrap_ci``); ``split=False`` one without split halves; a tuple
        gives the two halves' trial indices.  A NaN value without a flag gets
        ``no_data``.  ``pinned=True`` marks a metric the design holds near a target
        (no percentile).  ``low_data``, ``too_few_for_ci`` and ``degenerate_ci``
        follow the module docstring.
        """
        metric_flags = list(flags)
        if value is None:  # no scored rows: "no data", even for counts and sums
            value = _NAN if statistic is None or self.n == 0 else float(statistic(self.whole)[0])
        low = high = _NAN
        halves = (_NAN, _NAN)
        if statistic is not None:
            resampled = self._resampled() if ci else None
            if resampled is not None and math.isfinite(value):
                if n < MIN_CI_TRIALS:
                    metric_flags.append("too_few_for_ci")
                else:
                    low, high, undefined = percentile_interval(statistic(resampled))
                    if undefined:
                        metric_flags.append("undefined_resamples")
                    if math.isfinite(low) and low == high:
                        low = high = _NAN
                        metric_flags.append("degenerate_ci")
            split_halves = self._split(split)
            if split_halves is not None:
                halves = split_halves.values(statistic)
        if not ci and self._bootstrap:
            metric_flags.append("no_bootstrap_ci")
        if not math.isfinite(value) and not flags:
            metric_flags.append("no_data")
        if math.isfinite(value) and int(n) < minimum_trials(self.game_id, name):
            metric_flags.append("low_data")
        metric = Metric(
            name=name,
            value=float(value),
            ci_low=low,
            ci_high=high,
            n=int(n),
            reliability=_NAN,
            flags=tuple(dict.fromkeys(metric_flags)),
            unit=unit,
            description=description,
            split_half=halves,
            pinned=pinned,
        )
        self._metrics[name] = metric
        return metric

    def add_matrix(self, name: str, matrix: LabelledMatrix) -> None:
        self._matrices[name] = matrix

    def finish(self, primary: str, flags: Sequence[str], n_trials: int) -> GameScores:
        return GameScores(
            game_id=self.game_id,
            metrics=FrozenMapping(self._metrics),
            primary=primary,
            flags=tuple(dict.fromkeys(flags)),
            n_trials=n_trials,
            matrices=FrozenMapping(self._matrices),
        )


def _first_value(statistic: Statistic, sample: Sample) -> float:
    if sample.width == 0:
        return _NAN
    return float(statistic(sample)[0])


class Halves:
    """The two halves of a split, as samples a statistic is evaluated on.

    Halves of equal width share one two-row sample, so a statistic runs once for both
    (every statistic works row by row, as it does on bootstrap resamples); halves of
    unequal width are two one-row samples.
    """

    __slots__ = ("_pair", "_samples")

    def __init__(self, first: NDArray[np.intp], second: NDArray[np.intp]) -> None:
        self._pair: Sample | None = None
        self._samples: tuple[Sample, Sample] | None = None
        if first.shape[0] == second.shape[0] and first.shape[0] > 0:
            self._pair = Sample(np.stack((first, second)))
        else:
            self._samples = Sample(first[np.newaxis, :]), Sample(second[np.newaxis, :])

    def values(self, statistic: Statistic) -> tuple[float, float]:
        """``statistic`` on each half (NaN on an empty half)."""
        if self._pair is not None:
            both = statistic(self._pair)
            return float(both[0]), float(both[1])
        assert self._samples is not None
        return _first_value(statistic, self._samples[0]), _first_value(statistic, self._samples[1])


def add_ez_metrics(
    card: Scorecard,
    correct: NDArray[np.bool_],
    rt_ms: NDArray[np.float64],
    used: NDArray[np.bool_],
    *,
    what: str,
    conditions: NDArray[Any] | None = None,
) -> None:
    """Add ``ez_drift``, ``ez_boundary`` and ``ez_nondecision`` (Wagenmakers et al. 2007).

    Fitted to the trials in ``used`` (those with a response: a time-out is not a
    first passage through either boundary) with :func:`scoring.ddm.ez_diffusion_from_trials`;
    RTs are converted to seconds and the scaling constant is s = 0.1.  ``what``
    names the responses in the descriptions ("arrow", "go" ...).

    ``conditions`` (one label per trial) fits the model separately in each
    condition and reports the mean of the per-condition parameters weighted by
    the number of trials fitted.  EZ assumes one diffusion process: pooling
    conditions that differ in difficulty (congruent and incongruent flankers, rich
    and lean stimuli) mixes two RT distributions and inflates the RT variance,
    which the model reads as a lower drift and a wider boundary (Wagenmakers et
    al. 2007, section "EZ assumptions"; they fit each condition apart).  When any
    condition cannot be fitted the parameters are NaN and flagged
    ``ez_condition_unfit:<label>``: an average over the conditions that happened to
    fit would not be comparable between people.
    """
    rt_s = rt_ms / 1000.0
    if conditions is None:
        cells: list[tuple[str, NDArray[np.bool_]]] = [("", used)]
    else:
        labels = np.asarray(conditions).astype(np.str_)
        cells = [(str(label), used & (labels == label)) for label in np.unique(labels[used])]
        if not cells:
            cells = [("", used)]
    flags: list[str] = []
    fits = []
    for label, in_cell in cells:
        fit = ez_diffusion_from_trials(correct[in_cell], rt_s[in_cell])
        fits.append((fit, int(np.count_nonzero(in_cell))))
        flags.extend(fit.flags)
        if label and not math.isfinite(fit.boundary):
            flags.append(f"ez_condition_unfit:{label}")
    n_used = int(np.count_nonzero(used))
    values: list[float] = []
    for index in range(3):
        total = weight = 0.0
        for fit, count in fits:
            parameter = (fit.drift, fit.boundary, fit.nondecision)[index]
            total += count * parameter
            weight += count
        values.append(total / weight if weight > 0 else _NAN)
    flags = list(dict.fromkeys(flags))

    def pooled(sample: Sample, index: int) -> NDArray[np.float64]:
        def compute() -> tuple[object, tuple[NDArray[np.float64], ...]]:
            totals = [np.zeros(sample.replicates) for _ in range(3)]
            weight = np.zeros(sample.replicates)
            for _, in_cell in cells:
                parameters = ez_replicates(sample, correct, rt_s, in_cell)
                count = _sum_rows(sample.take(in_cell)).astype(np.float64)
                for k in range(3):
                    totals[k] = totals[k] + count * parameters[k]
                weight = weight + count
            with quiet():
                means = tuple(np.where(weight > 0, total / weight, _NAN) for total in totals)
            return cells, means  # the cells stay alive with the memo: their id stays unique

        means: tuple[NDArray[np.float64], ...] = sample.memo(("ez_pooled", id(cells)), compute)[1]
        return means[index]

    def drift(sample: Sample) -> NDArray[np.float64]:
        return pooled(sample, 0)

    def boundary(sample: Sample) -> NDArray[np.float64]:
        return pooled(sample, 1)

    def nondecision(sample: Sample) -> NDArray[np.float64]:
        return pooled(sample, 2)

    card.add(
        "ez_drift",
        unit="evidence per s (s = 0.1)",
        description=f"How quickly information built up towards the right {what} response.",
        n=n_used,
        value=values[0],
        statistic=drift,
        flags=flags,
    )
    card.add(
        "ez_boundary",
        unit="evidence (s = 0.1)",
        description=f"How much information you gathered before giving a {what} response.",
        n=n_used,
        value=values[1],
        statistic=boundary,
        flags=flags,
    )
    card.add(
        "ez_nondecision",
        unit="s",
        description=f"Time spent seeing the display and pressing the key in {what} responses.",
        n=n_used,
        value=values[2],
        statistic=nondecision,
        flags=flags,
    )


_Scorer = TypeVar("_Scorer", bound=Callable[..., GameScores])


def silenced(scorer: _Scorer) -> _Scorer:
    """Run a game's ``score`` with numpy's floating-point warnings silenced.

    Absurd inputs (values near the float limit) overflow to ±inf or NaN; the metrics
    then carry flags, so the warnings would only be noise for the caller.
    """

    @functools.wraps(scorer)
    def wrapper(*args: Any, **kwargs: Any) -> GameScores:
        with quiet():
            return scorer(*args, **kwargs)

    return cast(_Scorer, wrapper)
