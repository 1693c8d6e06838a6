"""Tests for scoring.prt: log b and log d of the Probabilistic Reward Task.

Reference: Pizzagalli, Jahn & O'Shea (2005), Biological Psychiatry 57:319–327,
"Data analysis": log b = ½·log10[(Rc·Li)/(Ri·Lc)], log d =
½·log10[(Rc·Lc)/(Ri·Li)], with 0.5 added to every cell.  Expected values
below are computed by hand from these formulas.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.prt import ResponseBias, response_bias


def test_hand_computed_block() -> None:
    # Rc = 45, Ri = 5, Lc = 35, Li = 15 (a typical block of 100 trials):
    # log b = ½·log10[(45.5 × 15.5)/(5.5 × 35.5)] = ½·log10(705.25/195.25)
    #       = ½·log10(3.612036) = 0.278876
    # log d = ½·log10[(45.5 × 35.5)/(5.5 × 15.5)] = ½·log10(1615.25/85.25)
    #       = ½·log10(18.947214) = 0.638773
    result = response_bias(45, 5, 35, 15)
    assert result.log_b == pytest.approx(0.27887602613903295, rel=1e-12)
    assert result.log_d == pytest.approx(0.6387726810238356, rel=1e-12)
    assert result.rich_accuracy == pytest.approx(0.9)
    assert result.lean_accuracy == pytest.approx(0.7)
    assert (result.n_rich, result.n_lean) == (50, 50)
    assert result.flags == ()


def test_perfect_performance_uses_the_half_count() -> None:
    # All correct: log b = ½·log10[(50.5·0.5)/(0.5·50.5)] = 0,
    # log d = ½·log10[50.5²/0.5²] = log10(101) = 2.004321.
    result = response_bias(50, 0, 50, 0)
    assert result.log_b == pytest.approx(0.0, abs=1e-12)
    assert result.log_d == pytest.approx(math.log10(101))
    assert result.log_d == pytest.approx(2.0043213737826426)


def test_no_bias_when_accuracies_match() -> None:
    assert response_bias(40, 10, 40, 10).log_b == pytest.approx(0.0, abs=1e-12)


def test_swapping_rich_and_lean_negates_bias() -> None:
    forward = response_bias(42, 8, 30, 20)
    swapped = response_bias(30, 20, 42, 8)
    assert swapped.log_b == pytest.approx(-forward.log_b)
    assert swapped.log_d == pytest.approx(forward.log_d)


def test_chance_discriminability_is_zero() -> None:
    # Responding "rich" on half of every stimulus: Rc = Ri, Lc = Li.
    assert response_bias(25, 25, 25, 25).log_d == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    ("counts", "flag"),
    [
        ((-1, 5, 5, 5), "invalid_count"),
        ((math.nan, 5, 5, 5), "invalid_count"),
        ((5, 5, math.inf, 5), "invalid_count"),
        ((0, 0, 5, 5), "no_rich_trials"),
        ((5, 5, 0, 0), "no_lean_trials"),
    ],
)
def test_degenerate_counts(counts: tuple[float, ...], flag: str) -> None:
    result = response_bias(*counts)
    assert math.isnan(result.log_b) and math.isnan(result.log_d)
    assert flag in result.flags


def test_non_numbers_raise_type_error() -> None:
    with pytest.raises(TypeError):
        response_bias(None, 1, 1, 1)  # type: ignore[arg-type]


counts = st.one_of(
    st.integers(min_value=-3, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(counts, counts, counts, counts)
def test_response_bias_is_total(rc: float, ri: float, lc: float, li: float) -> None:
    result = response_bias(rc, ri, lc, li)
    assert isinstance(result, ResponseBias)
    if result.flags:
        assert math.isnan(result.log_b) and math.isnan(result.log_d)
    else:
        assert math.isfinite(result.log_b) and math.isfinite(result.log_d)
        assert 0.0 <= result.rich_accuracy <= 1.0
