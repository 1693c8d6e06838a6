"""Tests for scoring.bart: adjusted average pumps.

Reference: Lejuez et al. (2002), J Exp Psychol Appl 8:75–84 — the adjusted
average number of pumps is the mean over balloons that did not explode.
Expected values are computed by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scoring.bart import AdjustedPumps, adjusted_pumps


def test_hand_computed_mean_of_unexploded() -> None:
    # Pumps 10, 25 (popped), 30, 5 (popped), 20 -> kept 10, 30, 20: mean 20.
    result = adjusted_pumps([10, 25, 30, 5, 20], [False, True, False, True, False])
    assert result.value == 20.0
    assert result.n_unexploded == 3
    assert result.explosions == 2
    assert result.n_balloons == 5
    assert result.flags == ()


def test_exploded_balloons_do_not_count() -> None:
    low = adjusted_pumps([12, 14], [False, False])
    with_pops = adjusted_pumps([12, 14, 120, 128], [False, False, True, True])
    assert with_pops.value == low.value == 13.0


def test_accepts_zero_one_for_exploded() -> None:
    assert adjusted_pumps(np.array([4, 8]), np.array([0, 1])).value == 4.0


def test_all_exploded_is_nan_and_flagged() -> None:
    result = adjusted_pumps([40, 60], [True, True])
    assert math.isnan(result.value)
    assert result.flags == ("no_unexploded_balloons",)
    assert result.explosions == 2


def test_no_balloons() -> None:
    result = adjusted_pumps([], [])
    assert math.isnan(result.value)
    assert result.flags == ("no_balloons",)


def test_invalid_pumps_are_left_out() -> None:
    result = adjusted_pumps([10, math.nan, -3, 30], [False, False, False, False])
    assert result.value == 20.0
    assert result.n_balloons == 2
    assert "invalid_pumps" in result.flags


def test_shape_errors() -> None:
    with pytest.raises(ValueError):
        adjusted_pumps([1, 2], [False])
    with pytest.raises(ValueError):
        adjusted_pumps([1, 2], [False, 2])
    with pytest.raises(TypeError):
        adjusted_pumps(["a"], [False])


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 40).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.float64, n, elements=st.floats(allow_nan=True, allow_infinity=True)),
            hnp.arrays(np.bool_, n),
        )
    )
)
@pytest.mark.slow
def test_adjusted_pumps_is_total(data: tuple[np.ndarray, np.ndarray]) -> None:
    result = adjusted_pumps(*data)
    assert isinstance(result, AdjustedPumps)
    assert math.isnan(result.value) or math.isfinite(result.value)
    if math.isnan(result.value):
        assert result.flags
    assert result.n_unexploded + result.explosions == result.n_balloons
