"""Tests for scoring.igt: Iowa Gambling Task net scores.

Reference: Bechara et al. (1994), Cognition 50:7–15; net score
(C + D) − (A + B), reported overall and per block of 20 picks.  Expected
values are counted by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.igt import IGTNetScores, net_scores


def test_hand_counted_overall_and_blocks() -> None:
    # Block 1 (20 picks): 8 A, 6 B, 4 C, 2 D -> (4 + 2) − (8 + 6) = −8.
    # Block 2 (20 picks): 2 A, 2 B, 8 C, 8 D -> 16 − 4 = 12.  Overall 4.
    decks = list("A" * 8 + "B" * 6 + "C" * 4 + "D" * 2 + "AABB" + "C" * 8 + "D" * 8)
    result = net_scores(decks)
    assert result.per_block == (-8.0, 12.0)
    assert result.overall == 4.0
    assert result.deck_counts == (10, 8, 12, 10)
    assert result.deck_proportions == pytest.approx((0.25, 0.2, 0.3, 0.25))
    assert result.n_picks == 40
    assert result.flags == ()


def test_integer_labels_mean_a_to_d() -> None:
    letters = net_scores(list("ABCDDCBAAD"), block_size=5)
    numbers = net_scores([0, 1, 2, 3, 3, 2, 1, 0, 0, 3], block_size=5)
    arrays = net_scores(np.array([0, 1, 2, 3, 3, 2, 1, 0, 0, 3]), block_size=5)
    assert letters == numbers == arrays


def test_lower_case_labels() -> None:
    assert net_scores(["a", "c", "d"]).overall == 1.0


def test_standard_100_picks_give_five_blocks() -> None:
    result = net_scores(["C"] * 100)
    assert result.per_block == (20.0,) * 5
    assert result.overall == 100.0


def test_partial_last_block_is_included_and_flagged() -> None:
    result = net_scores(["A"] * 20 + ["D"] * 5)
    assert result.per_block == (-20.0, 5.0)
    assert result.flags == ("partial_last_block",)


def test_no_picks() -> None:
    result = net_scores([])
    assert math.isnan(result.overall)
    assert result.per_block == ()
    assert all(math.isnan(p) for p in result.deck_proportions)
    assert result.flags == ("no_picks",)


@pytest.mark.parametrize("bad", [["E"], [4], [-1], [True], [1.0], [None], ["AB"]])
def test_invalid_labels_raise(bad: list[object]) -> None:
    with pytest.raises(ValueError, match="deck must be"):
        net_scores(bad)


@pytest.mark.parametrize("size", [0, -5, 2.5, True])
def test_invalid_block_size_raises(size: object) -> None:
    with pytest.raises(ValueError, match="block_size"):
        net_scores(["A"], block_size=size)  # type: ignore[arg-type]


def test_single_string_is_rejected() -> None:
    with pytest.raises(ValueError):
        net_scores("ABCD")


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from("ABCDabcd"), st.integers(0, 3)), max_size=130),
    st.integers(1, 50),
)
@pytest.mark.slow
def test_net_scores_is_total(decks: list[object], block_size: int) -> None:
    result = net_scores(decks, block_size=block_size)
    assert isinstance(result, IGTNetScores)
    if decks:
        assert sum(result.per_block) == result.overall
        assert math.isclose(sum(result.deck_proportions), 1.0)
        assert len(result.per_block) == math.ceil(len(decks) / block_size)
    else:
        assert math.isnan(result.overall)
