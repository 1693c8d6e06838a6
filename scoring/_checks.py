"""Private input checks shared by the scoring primitives.

Contract: every helper either returns a clean numpy value or raises
``TypeError`` (not numbers at all) or ``ValueError`` (wrong shape, lengths that
do not match, labels that are not booleans).  Degenerate *values* (NaN, empty,
negative counts) are never rejected here; each scoring function turns them into
NaN results and flags, so that a flag stays data and never becomes an exception.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from numpy.typing import ArrayLike, NDArray

_NUMERIC_KINDS = "biuf"


def float_vector(values: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``values`` as a 1-D float64 array (a copy).

    Raises ``ValueError`` if the input is not one-dimensional and ``TypeError``
    if it does not hold real numbers (strings, None, complex, objects).
    """
    try:
        array = np.asarray(values)
    except (ValueError, OverflowError) as error:  # ragged nesting, ints beyond int64
        raise ValueError(f"{name} must be a 1-D sequence of numbers: {error}") from error
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    return array.astype(np.float64)


def bool_vector(values: ArrayLike, name: str) -> NDArray[np.bool_]:
    """Return ``values`` as a 1-D bool array.

    Booleans pass through; numbers are accepted when every one is 0 or 1.
    Raises ``ValueError`` for any other value or a shape that is not 1-D and
    ``TypeError`` for non-numeric input.
    """
    numbers_ = np.asarray(values)
    if numbers_.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {numbers_.shape}")
    if numbers_.dtype.kind == "b":
        return numbers_.astype(np.bool_)
    if numbers_.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"{name} must hold booleans, got dtype {numbers_.dtype}")
    if not np.all((numbers_ == 0) | (numbers_ == 1)):
        raise ValueError(f"{name} must hold booleans (or 0/1), got other values")
    return numbers_.astype(np.bool_)


def real_scalar(value: object, name: str) -> float:
    """Return ``value`` as a Python float; integers too large for a float become ±inf.

    Raises ``TypeError`` for anything that is not a real number (``bool`` counts
    as a number, as it does in Python).
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    try:
        return float(value)
    except OverflowError:
        if isinstance(value, int):
            return math.inf if value > 0 else -math.inf
        return math.nan  # e.g. a Fraction beyond the float range


def same_length(name_a: str, a: NDArray[np.generic], name_b: str, b: NDArray[np.generic]) -> None:
    """Raise ``ValueError`` unless the two per-trial arrays have the same length."""
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{name_a} and {name_b} must have one entry per trial: "
            f"lengths {a.shape[0]} and {b.shape[0]} differ"
        )


def finite_mean(values: NDArray[np.float64]) -> float:
    """Mean of finite ``values``; NaN when empty or when a value is not finite.

    The values are scaled by their largest magnitude first, so that the sum of
    values near the float limit (~1e308) cannot overflow.
    """
    if values.size == 0 or not np.all(np.isfinite(values)):
        return float("nan")
    with np.errstate(over="ignore", invalid="ignore"):
        mean = float(np.mean(values))
    if np.isfinite(mean):
        return mean
    largest = float(np.max(np.abs(values)))
    return largest * float(np.mean(values / largest))
