"""Reliability and uncertainty: Spearman–Brown, permutation split-half, bootstrap CIs.

Contract:

* ``spearman_brown(r, factor=2.0)`` predicts the reliability of a test
  ``factor`` times as long from a correlation ``r``:
  ``factor·r / (1 + (factor − 1)·r)`` (Spearman 1910; Brown 1910).
* ``permutation_split_half(data, ...)`` estimates the split-half reliability
  of a per-trial score *across participants*, as in Parsons, Kruijt & Fox
  (2019): for each of ``n_permutations`` random splits of every participant's
  trials into two halves, the ``statistic`` of each half is computed, the two
  halves are correlated (Pearson) across participants and the correlation is
  Spearman–Brown corrected.  The estimate is the mean corrected r over
  permutations, with a percentile interval over permutations.  One session
  alone has no split-half reliability: it needs at least three participants.
* ``bootstrap_ci(values, statistic, ...)`` is a percentile bootstrap over
  trials (Efron & Tibshirani 1993, ch. 13) with a fixed default seed.  Given
  ``strata`` (condition cells), each resample draws trials within each cell,
  so every cell keeps its size and its positions in the array; a statistic
  may therefore use the original cell masks, e.g. a difference of cell means.

A *statistic* is a callable ``statistic(array, axis)`` that reduces along
``axis`` (``numpy.mean``, ``numpy.median``, ``numpy.nanmean`` … qualify), so a
whole batch of resamples is scored in one vectorised call.

Degenerate input (too few values, NaN, constant scores) gives NaN results and
names the problem in ``flags``.  Arguments of the wrong shape, or settings out
of range (``n_boot`` < 1, ``confidence`` outside (0, 1)), raise ``ValueError``.

Sources:
    Parsons, S., Kruijt, A.-W., & Fox, E. (2019). Psychological science needs a
    standard practice of reporting the reliability of cognitive-behavioral
    measurements. Advances in Methods and Practices in Psychological Science,
    2(4), 378–395.  doi:10.1177/2515245919879695
    Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap.
    Chapman & Hall.
    Spearman, C. (1910); Brown, W. (1910). British Journal of Psychology, 3.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scoring._checks import float_vector, real_scalar

__all__ = [
    "AxisStatistic",
    "BootstrapResult",
    "SplitHalfResult",
    "bootstrap_ci",
    "permutation_split_half",
    "spearman_brown",
]

_NAN = float("nan")


class AxisStatistic(Protocol):
    """A reduction ``statistic(array, axis=...)``, like ``numpy.mean``."""

    def __call__(self, a: NDArray[np.float64], /, axis: int) -> Any: ...


@dataclass(frozen=True, slots=True)
class BootstrapResult:
    """Point estimate with a percentile bootstrap interval.

    ``n`` is the number of values (trials); ``n_boot`` the number of resamples.
    """

    estimate: float
    low: float
    high: float
    n: int
    n_boot: int
    confidence: float
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SplitHalfResult:
    """Spearman–Brown corrected split-half reliability across participants.

    ``reliability`` is the mean corrected r over permutations and
    ``low``/``high`` the percentile interval of the corrected r over
    permutations; ``uncorrected`` is the mean raw half-to-half r.
    ``n_participants`` counts the participants used (two or more valid trials).
    """

    reliability: float
    low: float
    high: float
    uncorrected: float
    n_participants: int
    n_permutations: int
    flags: tuple[str, ...] = ()


def spearman_brown(r: float, factor: float = 2.0) -> float:
    """Spearman–Brown prophecy: reliability of a test ``factor`` times as long.

    ``factor=2`` steps a split-half correlation up to full length.  NaN when r
    is NaN or outside [−1, 1], when ``factor`` is not positive and finite, or
    when the denominator is 0.  Raises ``TypeError`` for non-numbers.
    """
    correlation = real_scalar(r, "r")
    length = real_scalar(factor, "factor")
    if not (-1.0 <= correlation <= 1.0) or not (math.isfinite(length) and length > 0):
        return _NAN
    denominator = 1.0 + (length - 1.0) * correlation
    if denominator == 0.0:
        return _NAN
    return length * correlation / denominator


def bootstrap_ci(
    values: ArrayLike,
    statistic: AxisStatistic = np.mean,
    *,
    n_boot: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
    strata: ArrayLike | None = None,
) -> BootstrapResult:
    """Percentile bootstrap CI of ``statistic(values)``, resampling trials.

    Each of ``n_boot`` resamples draws ``len(values)`` trials with replacement
    (within each stratum when ``strata`` is given, one label per trial); the
    statistic of every resample is computed in one call,
    ``statistic(resamples, axis=1)`` on an ``(n_boot, n)`` array.  The interval
    is the (1 − confidence)/2 and (1 + confidence)/2 quantiles of the
    resampled statistics.  NaN in ``values`` is passed to the statistic as is
    (use ``numpy.nanmean`` to skip it).

    Flags: ``"no_values"`` (empty input), ``"single_value"`` (the interval is
    that value), ``"undefined_resamples"`` (some resampled statistics were NaN
    and were left out of the quantiles), ``"undefined_estimate"``.

    Raises ``ValueError`` if ``values`` is not 1-D, ``strata`` has another
    length, ``n_boot`` < 1, ``confidence`` is not in (0, 1), or the statistic
    does not return one value per resample.
    """
    data = float_vector(values, "values")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive integer, got {n_boot!r}")
    if not (0.0 < confidence < 1.0):
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    n = data.shape[0]
    labels = None if strata is None else np.asarray(strata)
    if labels is not None and (labels.ndim != 1 or labels.shape[0] != n):
        raise ValueError(f"strata must be 1-D with one label per value (length {n})")

    if n == 0:
        return BootstrapResult(_NAN, _NAN, _NAN, 0, int(n_boot), confidence, ("no_values",))
    rng = np.random.default_rng(seed)
    indices = _resample_indices(n, int(n_boot), labels, rng)
    with _quiet_numerics():
        estimate = _scalar(statistic(data[np.newaxis, :], axis=1), 1, "statistic")
        replicates = _vector(statistic(data[indices], axis=1), int(n_boot), "statistic")

    flags: list[str] = []
    if n == 1:
        flags.append("single_value")
    if not math.isfinite(estimate):
        flags.append("undefined_estimate")
        estimate = _NAN
    finite = replicates[np.isfinite(replicates)]
    if finite.shape[0] < replicates.shape[0]:
        flags.append("undefined_resamples")
    if finite.size == 0:
        return BootstrapResult(estimate, _NAN, _NAN, n, int(n_boot), confidence, tuple(flags))
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return BootstrapResult(
        estimate, float(low), float(high), n, int(n_boot), confidence, tuple(flags)
    )


def permutation_split_half(
    data: Sequence[ArrayLike] | NDArray[np.float64],
    *,
    n_permutations: int = 5000,
    seed: int = 0,
    statistic: AxisStatistic = np.mean,
    confidence: float = 0.95,
) -> SplitHalfResult:
    """Mean Spearman–Brown corrected split-half r over random splits.

    ``data`` holds one participant's per-trial values per entry: a list of 1-D
    arrays (lengths may differ) or a 2-D array with one row per participant.
    Non-finite trials are dropped; participants with fewer than two are left
    out (flag ``"participants_dropped"``).  Each split shuffles a
    participant's trials and cuts them into halves of ⌊k/2⌋ and ⌈k/2⌉.

    Flags: ``"too_few_participants"`` (fewer than three usable: NaN result),
    ``"undefined_correlations"`` (some splits gave a constant half across
    participants; those splits are left out), ``"participants_dropped"``.

    Raises ``ValueError`` for a participant entry that is not 1-D, for
    ``n_permutations`` < 1 and for ``confidence`` outside (0, 1).
    """
    if (
        isinstance(n_permutations, bool)
        or not isinstance(n_permutations, int | np.integer)
        or n_permutations < 1
    ):
        raise ValueError(f"n_permutations must be a positive integer, got {n_permutations!r}")
    if not (0.0 < confidence < 1.0):
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    rows = _participant_rows(data)
    n_perm = int(n_permutations)
    flags: list[str] = []
    usable = [row[np.isfinite(row)] for row in rows]
    usable = [row for row in usable if row.shape[0] >= 2]
    if len(usable) < len(rows):
        flags.append("participants_dropped")
    if len(usable) < 3:
        flags.append("too_few_participants")
        return SplitHalfResult(_NAN, _NAN, _NAN, _NAN, len(usable), n_perm, tuple(flags))

    rng = np.random.default_rng(seed)
    first_half = np.empty((n_perm, len(usable)))
    second_half = np.empty((n_perm, len(usable)))
    with _quiet_numerics():
        for column, trials in enumerate(usable):
            k = trials.shape[0]
            shuffled = trials[rng.permuted(np.broadcast_to(np.arange(k), (n_perm, k)), axis=1)]
            first_half[:, column] = _vector(
                statistic(shuffled[:, : k // 2], axis=1), n_perm, "statistic"
            )
            second_half[:, column] = _vector(
                statistic(shuffled[:, k // 2 :], axis=1), n_perm, "statistic"
            )
        raw_r = _rowwise_pearson(first_half, second_half)
        corrected = 2.0 * raw_r / (1.0 + raw_r)
    defined = np.isfinite(corrected)
    if not np.all(defined):
        flags.append("undefined_correlations")
    if not np.any(defined):
        return SplitHalfResult(_NAN, _NAN, _NAN, _NAN, len(usable), n_perm, tuple(flags))
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(corrected[defined], [tail, 1.0 - tail])
    return SplitHalfResult(
        reliability=float(np.mean(corrected[defined])),
        low=float(low),
        high=float(high),
        uncorrected=float(np.mean(raw_r[defined])),
        n_participants=len(usable),
        n_permutations=n_perm,
        flags=tuple(flags),
    )


def _participant_rows(data: Sequence[ArrayLike] | NDArray[np.float64]) -> list[NDArray[np.float64]]:
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise ValueError(f"a data matrix must be 2-D (participants × trials), got {data.shape}")
        return [float_vector(row, f"participant {index}") for index, row in enumerate(data)]
    return [float_vector(row, f"participant {index}") for index, row in enumerate(data)]


def _resample_indices(
    n: int, n_boot: int, labels: NDArray[Any] | None, rng: np.random.Generator
) -> NDArray[np.intp]:
    """(n_boot, n) indices; with labels, column j only draws trials of j's stratum."""
    if labels is None:
        return rng.integers(0, n, size=(n_boot, n))
    indices = np.empty((n_boot, n), dtype=np.intp)
    _, stratum_of = np.unique(labels, return_inverse=True)
    for stratum in range(int(stratum_of.max()) + 1):
        members = np.flatnonzero(stratum_of == stratum)
        draws = rng.integers(0, members.shape[0], size=(n_boot, members.shape[0]))
        indices[:, members] = members[draws]
    return indices


def _rowwise_pearson(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Pearson r between x[i] and y[i] for every row i (NaN for a constant row)."""
    x_centred = x - x.mean(axis=1, keepdims=True)
    y_centred = y - y.mean(axis=1, keepdims=True)
    numerator = np.sum(x_centred * y_centred, axis=1)
    denominator = np.sqrt(np.sum(x_centred**2, axis=1) * np.sum(y_centred**2, axis=1))
    r: NDArray[np.float64] = np.clip(numerator / denominator, -1.0, 1.0)
    return r


@contextlib.contextmanager
def _quiet_numerics() -> Iterator[None]:
    """Silence numpy's overflow/invalid warnings: NaN results are flagged instead."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _vector(result: Any, length: int, name: str) -> NDArray[np.float64]:
    array = np.asarray(result, dtype=np.float64)
    if array.shape != (length,):
        raise ValueError(
            f"{name} must return one value per row when called with axis=1; "
            f"got shape {array.shape}, expected ({length},)"
        )
    return array


def _scalar(result: Any, length: int, name: str) -> float:
    return float(_vector(result, length, name)[0])
