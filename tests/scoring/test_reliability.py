"""Tests for scoring.reliability: Spearman–Brown, split-half and bootstrap.

References:
* Spearman–Brown prophecy, ρ* = k·ρ / (1 + (k − 1)·ρ) (Spearman 1910; Brown
  1910): r = .5 doubled gives 2/3, tripled .75, halved 1/3 (hand computed).
* Permutation split-half (Parsons, Kruijt & Fox 2019): checked against the
  classical-test-theory reliability of a mean of k trials,
  τ² / (τ² + σ²/k), for simulated participants with known τ and σ.
* Percentile bootstrap (Efron & Tibshirani 1993): checked against
  ``scipy.stats.bootstrap(method="percentile")`` and the normal-theory
  interval of a mean.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import NDArray
from scipy import stats

from scoring.reliability import (
    BootstrapResult,
    SplitHalfResult,
    bootstrap_ci,
    permutation_split_half,
    spearman_brown,
)

# --- Spearman–Brown --------------------------------------------------------


@pytest.mark.parametrize(
    ("r", "factor", "expected"),
    [(0.5, 2.0, 2 / 3), (0.5, 3.0, 0.75), (0.5, 0.5, 1 / 3), (0.0, 2.0, 0.0), (1.0, 5.0, 1.0)],
)
def test_spearman_brown_hand_values(r: float, factor: float, expected: float) -> None:
    assert spearman_brown(r, factor) == pytest.approx(expected)


def test_spearman_brown_default_doubles() -> None:
    assert spearman_brown(0.6) == pytest.approx(1.2 / 1.6)


@pytest.mark.parametrize(
    ("r", "factor"),
    [(math.nan, 2.0), (1.5, 2.0), (-1.01, 2.0), (0.5, 0.0), (0.5, math.inf), (-1.0, 2.0)],
)
def test_spearman_brown_undefined_is_nan(r: float, factor: float) -> None:
    assert math.isnan(spearman_brown(r, factor))


@settings(max_examples=100, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True))
def test_spearman_brown_is_total(r: float, factor: float) -> None:
    value = spearman_brown(r, factor)
    assert math.isnan(value) or math.isfinite(value)


# --- permutation split-half ------------------------------------------------


def _participants(
    n_people: int, n_trials: int, tau: float, sigma: float, seed: int
) -> list[NDArray[np.float64]]:
    rng = np.random.default_rng(seed)
    true_scores = rng.normal(0.0, tau, n_people)
    return [score + rng.normal(0.0, sigma, n_trials) for score in true_scores]


def test_split_half_matches_classical_reliability() -> None:
    # τ = 1, σ = 5, k = 50: reliability of a mean = 1 / (1 + 25/50) = 2/3.
    data = _participants(300, 50, 1.0, 5.0, seed=3)
    result = permutation_split_half(data, n_permutations=300)
    assert result.reliability == pytest.approx(2 / 3, abs=0.07)
    assert result.low < result.reliability < result.high
    assert result.uncorrected < result.reliability
    assert result.n_participants == 300
    assert result.flags == ()


def test_split_half_noise_only_is_near_zero() -> None:
    data = _participants(200, 40, 0.0, 1.0, seed=4)
    result = permutation_split_half(data, n_permutations=200)
    assert abs(result.reliability) < 0.2


def test_split_half_is_reproducible_and_accepts_matrix() -> None:
    data = _participants(30, 20, 1.0, 2.0, seed=5)
    from_list = permutation_split_half(data, n_permutations=100, seed=9)
    from_matrix = permutation_split_half(np.vstack(data), n_permutations=100, seed=9)
    assert from_list == from_matrix
    other_seed = permutation_split_half(data, n_permutations=100, seed=10)
    assert other_seed.reliability != from_list.reliability


def test_split_half_with_median_statistic() -> None:
    data = _participants(100, 40, 1.0, 2.0, seed=6)
    result = permutation_split_half(data, n_permutations=100, statistic=np.median)
    assert 0.5 < result.reliability < 1.0


def test_split_half_drops_short_and_nan_participants() -> None:
    data = [*_participants(10, 20, 1.0, 1.0, seed=7), np.array([1.0]), np.array([np.nan] * 5)]
    result = permutation_split_half(data, n_permutations=50)
    assert result.n_participants == 10
    assert "participants_dropped" in result.flags
    assert math.isfinite(result.reliability)


def test_split_half_needs_three_participants() -> None:
    result = permutation_split_half(_participants(2, 20, 1.0, 1.0, seed=8), n_permutations=10)
    assert math.isnan(result.reliability)
    assert "too_few_participants" in result.flags


def test_split_half_constant_scores_flagged() -> None:
    result = permutation_split_half([np.ones(10)] * 5, n_permutations=20)
    assert math.isnan(result.reliability)
    assert "undefined_correlations" in result.flags


def test_split_half_argument_errors() -> None:
    with pytest.raises(ValueError):
        permutation_split_half([np.ones((2, 2))])
    with pytest.raises(ValueError):
        permutation_split_half(np.ones(5))
    with pytest.raises(ValueError):
        permutation_split_half([np.ones(4)] * 3, n_permutations=0)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        hnp.arrays(
            np.float64,
            st.integers(0, 12),
            elements=st.floats(allow_nan=True, allow_infinity=True),
        ),
        max_size=8,
    )
)
def test_split_half_is_total(data: list[NDArray[np.float64]]) -> None:
    result = permutation_split_half(data, n_permutations=20)
    assert isinstance(result, SplitHalfResult)
    assert math.isnan(result.reliability) or -math.inf < result.reliability <= 1.0
    if math.isnan(result.reliability):
        assert result.flags


# --- bootstrap -------------------------------------------------------------


def test_bootstrap_mean_matches_scipy_percentile() -> None:
    values = np.random.default_rng(1).normal(10.0, 2.0, 100)
    ours = bootstrap_ci(values)
    theirs = stats.bootstrap(
        (values,), np.mean, n_resamples=2000, method="percentile", random_state=0
    ).confidence_interval
    assert ours.estimate == pytest.approx(values.mean())
    # Different random draws: agree to a small fraction of the standard error.
    standard_error = values.std(ddof=1) / 10
    assert ours.low == pytest.approx(theirs.low, abs=0.15 * standard_error)
    assert ours.high == pytest.approx(theirs.high, abs=0.15 * standard_error)
    # And with the normal-theory interval mean ± 1.96 SE.
    assert ours.high - ours.low == pytest.approx(2 * 1.96 * standard_error, rel=0.1)
    assert (ours.n, ours.n_boot, ours.confidence) == (100, 2000, 0.95)


def test_bootstrap_fixed_default_seed() -> None:
    values = np.arange(30.0)
    assert bootstrap_ci(values) == bootstrap_ci(values)
    assert bootstrap_ci(values, seed=1) != bootstrap_ci(values)


def test_bootstrap_is_fast_enough() -> None:
    values = np.random.default_rng(2).normal(size=100)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        bootstrap_ci(values, np.mean, n_boot=2000)
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.05


def test_bootstrap_median_and_confidence() -> None:
    values = np.random.default_rng(3).exponential(size=200)
    narrow = bootstrap_ci(values, np.median, confidence=0.5)
    wide = bootstrap_ci(values, np.median, confidence=0.99)
    assert narrow.estimate == pytest.approx(np.median(values))
    assert wide.low < narrow.low < narrow.estimate < narrow.high < wide.high


def test_stratified_resampling_keeps_cells() -> None:
    # Each cell is constant, so a stratified resample reproduces the data
    # exactly and the interval of the overall mean collapses; an unstratified
    # one does not.
    values = np.r_[np.zeros(30), np.ones(10)]
    cells = np.r_[["congruent"] * 30, ["incongruent"] * 10]
    stratified = bootstrap_ci(values, strata=cells)
    assert stratified.low == stratified.high == pytest.approx(0.25)
    plain = bootstrap_ci(values)
    assert plain.high - plain.low > 0.1


def test_stratified_difference_statistic() -> None:
    # A flanker-style effect: mean(incongruent) − mean(congruent), using the
    # cell masks, which stay valid because resampling keeps positions.
    rng = np.random.default_rng(4)
    incongruent = np.r_[np.zeros(60, dtype=bool), np.ones(40, dtype=bool)]
    rts = np.where(incongruent, 560.0, 500.0) + rng.normal(0, 40, 100)

    def effect(sample: NDArray[np.float64], axis: int) -> NDArray[np.float64]:
        taken_inc = np.compress(incongruent, sample, axis=axis)
        taken_con = np.compress(~incongruent, sample, axis=axis)
        return np.asarray(taken_inc.mean(axis=axis) - taken_con.mean(axis=axis))

    result = bootstrap_ci(rts, effect, strata=incongruent)
    assert result.estimate == pytest.approx(rts[incongruent].mean() - rts[~incongruent].mean())
    assert result.low < 60 < result.high
    assert result.low > 30


def test_bootstrap_degenerate_inputs() -> None:
    empty = bootstrap_ci([])
    assert math.isnan(empty.estimate) and empty.flags == ("no_values",)
    one = bootstrap_ci([4.0])
    assert one.estimate == one.low == one.high == 4.0
    assert one.flags == ("single_value",)
    with_nan = bootstrap_ci([1.0, np.nan, 3.0])
    assert math.isnan(with_nan.estimate)
    assert "undefined_estimate" in with_nan.flags
    skipping = bootstrap_ci([1.0, np.nan, 3.0], np.nanmean)
    assert skipping.estimate == 2.0


def test_bootstrap_argument_errors() -> None:
    with pytest.raises(ValueError):
        bootstrap_ci([1.0, 2.0], strata=["a"])
    with pytest.raises(ValueError):
        bootstrap_ci([1.0, 2.0], n_boot=0)
    with pytest.raises(ValueError):
        bootstrap_ci([1.0, 2.0], confidence=1.0)
    with pytest.raises(ValueError):
        bootstrap_ci(np.ones((2, 2)))
    with pytest.raises(ValueError, match="one value per row"):
        bootstrap_ci([1.0, 2.0], lambda a, axis: a)


@settings(max_examples=100, deadline=None)
@given(
    hnp.arrays(
        np.float64, st.integers(0, 40), elements=st.floats(allow_nan=True, allow_infinity=True)
    ),
    st.booleans(),
    st.sampled_from([np.mean, np.median, np.nanmean]),
)
@pytest.mark.slow
def test_bootstrap_is_total(values: NDArray[np.float64], stratify: bool, statistic: object) -> None:
    strata = (np.arange(values.shape[0]) % 3) if stratify else None
    result = bootstrap_ci(values, statistic, n_boot=50, strata=strata)  # type: ignore[arg-type]
    assert isinstance(result, BootstrapResult)
    for value in (result.estimate, result.low, result.high):
        assert math.isnan(value) or math.isfinite(value)
    if math.isnan(result.estimate):
        assert result.flags
