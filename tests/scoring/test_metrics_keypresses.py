"""Keypresses (finger tapping) metrics on hand-built tables.

Reference: the Halstead–Reitan Finger Tapping Test scores the mean taps per 10-s
trial per hand (Reitan & Wolfson 1985).  Expected values by hand in the comments.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from scoring.metrics import keypresses


def _table(
    hand: Sequence[str],
    rate: Sequence[float],
    cv: Sequence[float],
    first: Sequence[float],
    practice: Sequence[bool] | None = None,
) -> dict[str, np.ndarray]:
    return {
        "practice": np.array(practice or [False] * len(hand)),
        "hand": np.array(hand),
        "taps_per_10s": np.array(rate, dtype=float),
        "iti_cv": np.array(cv, dtype=float),
        "first_tap_ms": np.array(first, dtype=float),
    }


def test_hand_computed_rates_per_hand() -> None:
    # Left (40 + 44) / 2 = 42, right (50 + 54) / 2 = 52, all 47; CV (.1+.2+.3+.4)/4.
    table = _table(
        ["left", "right", "left", "right", "left"],
        [40, 50, 44, 54, 99],
        [0.1, 0.2, 0.3, 0.4, 0.9],
        [300, 250, 280, 260, 200],
        [False, False, False, False, True],
    )
    scores = keypresses.score(table, bootstrap=False)
    assert scores.value("taps_per_10s") == 47.0
    assert scores.value("taps_per_10s_left") == 42.0
    assert scores.value("taps_per_10s_right") == 52.0
    assert math.isclose(scores.value("iti_cv"), 0.25)
    assert scores.flags == ()


def test_no_taps_is_floor_with_omissions() -> None:
    table = _table(["left", "right"] * 3, [0] * 6, [math.nan] * 6, [math.nan] * 6)
    scores = keypresses.score(table)
    assert scores.value("taps_per_10s") == 0.0
    assert {"floor", "omissions"} <= set(scores.flags)
    assert math.isnan(scores.value("iti_cv"))


def test_first_taps_within_100_ms_are_anticipations() -> None:
    table = _table(["left", "right"] * 5, [50] * 10, [0.1] * 10, [60, 80] + [300] * 8)
    assert "anticipations" in keypresses.score(table).flags  # 2 of 10 > 10%
