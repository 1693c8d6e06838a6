"""Tests for scoring.sdt: d′ and c with the log-linear correction (Hautus 1995).

Expected values are derived by hand from the formulas in Stanislaw & Todorov
(1999, formulas 1 and 7) with the Hautus (1995) log-linear rates, and z from
``scipy.stats.norm.ppf``; the numbers written in the tests were computed that
way and are repeated so that a change of formula cannot pass silently.

Note: the R packages ``psycho`` / ``neuropsychology`` document a "Hautus"
adjustment with denominator ``hits + 0.5 + misses + 1`` (1.5 added to the
trial count); that is not the correction of Hautus (1995), so their numbers are
deliberately not used as references here.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from scoring.sdt import DPrimeResult, dprime


def test_hautus_perfect_performance_is_finite() -> None:
    # 10 hits, 0 misses, 0 false alarms, 10 correct rejections:
    # H = 10.5/11 = 0.954545, F = 0.5/11 = 0.045455, z(H) = 1.690622,
    # d′ = 2 × 1.690622 = 3.381243, c = 0 (Hautus 1995 log-linear rule).
    result = dprime(10, 0, 0, 10)
    assert result.hit_rate == pytest.approx(10.5 / 11)
    assert result.false_alarm_rate == pytest.approx(0.5 / 11)
    assert result.d_prime == pytest.approx(3.3812432591697963, rel=1e-12)
    assert result.criterion == pytest.approx(0.0, abs=1e-12)
    assert result.flags == ()


def test_hand_computed_ordinary_table() -> None:
    # 20 hits, 5 misses, 10 false alarms, 15 correct rejections:
    # H = 20.5/26 = 0.788462, F = 10.5/26 = 0.403846,
    # z(H) = 0.801095, z(F) = -0.243404, d′ = 1.044499, c = -0.278845.
    result = dprime(20, 5, 10, 15)
    assert result.d_prime == pytest.approx(1.044498707092581, rel=1e-10)
    assert result.criterion == pytest.approx(-0.2788451757356594, rel=1e-10)
    z_hit = norm.ppf(20.5 / 26)
    z_fa = norm.ppf(10.5 / 26)
    assert result.d_prime == pytest.approx(z_hit - z_fa)
    assert result.criterion == pytest.approx(-(z_hit + z_fa) / 2)
    assert (result.n_signal, result.n_noise) == (25, 25)


def test_large_counts_approach_textbook_value() -> None:
    # Macmillan & Creelman (2005), ch. 1: H = .8, F = .2 gives d′ = 1.68.
    # With 10^6 trials per class the correction is negligible.
    result = dprime(800_000, 200_000, 200_000, 800_000)
    assert result.d_prime == pytest.approx(1.68, abs=0.005)
    assert result.d_prime == pytest.approx(2 * norm.ppf(0.8), abs=1e-5)
    assert result.criterion == pytest.approx(0.0, abs=1e-9)


def test_correction_is_always_applied() -> None:
    # 8/10 hits is not H = .8 but (8 + .5)/(10 + 1) = .772727.
    result = dprime(8, 2, 2, 8)
    assert result.hit_rate == pytest.approx(8.5 / 11)
    assert result.false_alarm_rate == pytest.approx(2.5 / 11)
    assert result.d_prime == pytest.approx(2 * norm.ppf(8.5 / 11))


def test_chance_performance_gives_zero() -> None:
    result = dprime(5, 5, 5, 5)
    assert result.d_prime == pytest.approx(0.0, abs=1e-12)
    assert result.criterion == pytest.approx(0.0, abs=1e-12)


def test_liberal_observer_has_negative_criterion() -> None:
    # Saying "yes" a lot: many hits and many false alarms.
    assert dprime(18, 2, 12, 8).criterion < 0
    assert dprime(8, 12, 2, 18).criterion > 0


def test_swapping_signal_and_noise_negates_d_prime() -> None:
    forward = dprime(17, 3, 6, 14)
    backward = dprime(6, 14, 17, 3)
    assert backward.d_prime == pytest.approx(-forward.d_prime)


@pytest.mark.parametrize(
    ("counts", "flag"),
    [
        ((-1, 5, 5, 5), "invalid_count"),
        ((math.nan, 5, 5, 5), "invalid_count"),
        ((5, math.inf, 5, 5), "invalid_count"),
        ((0, 0, 5, 5), "no_signal_trials"),
        ((5, 5, 0, 0), "no_noise_trials"),
    ],
)
def test_degenerate_counts_give_nan_and_flag(counts: tuple[float, ...], flag: str) -> None:
    result = dprime(*counts)
    assert math.isnan(result.d_prime)
    assert math.isnan(result.criterion)
    assert flag in result.flags


def test_huge_counts_stay_finite() -> None:
    result = dprime(10**20, 0, 0, 10**20)
    assert math.isfinite(result.d_prime)
    assert result.d_prime > 15


def test_non_numbers_raise_type_error() -> None:
    with pytest.raises(TypeError):
        dprime("10", 0, 0, 10)  # type: ignore[arg-type]


def test_result_is_frozen() -> None:
    result = dprime(1, 1, 1, 1)
    with pytest.raises(AttributeError):
        result.d_prime = 2.0  # type: ignore[misc]


counts = st.one_of(
    st.integers(min_value=-5, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(counts, counts, counts, counts)
def test_dprime_is_total(hits: float, misses: float, fas: float, crs: float) -> None:
    result = dprime(hits, misses, fas, crs)
    assert isinstance(result, DPrimeResult)
    if result.flags:
        assert math.isnan(result.d_prime) and math.isnan(result.criterion)
    else:
        assert math.isfinite(result.d_prime) and math.isfinite(result.criterion)
        # Rates may round to 0 or 1 for counts near 1e16; d′ stays finite (tail-precise z).
        assert 0 <= result.hit_rate <= 1 and 0 <= result.false_alarm_rate <= 1
