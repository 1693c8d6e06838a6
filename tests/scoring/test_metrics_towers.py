"""Towers (Tower of London) metrics on a hand-built table.

Scores 3, 2, 0, 1 (success on attempt 1, 2, none, 3; Krikorian et al. 1994) sum to
6; one of four problems solved first time (and in the minimum); excess moves over
the solved problems (0 + 1 + 2) / 3 = 1; planning times (1000 + 2000 + 3000) / 3 = 2000 ms.
"""

from __future__ import annotations

import math

import numpy as np

from scoring.metrics import towers


def _table(
    score: list[int], attempt: list[int], excess: list[float], planning: list[float]
) -> dict[str, np.ndarray]:
    return {
        "practice": np.zeros(len(score), dtype=bool),
        "min_moves": np.array([2, 3, 4, 5][: len(score)]),
        "solved_attempt": np.array(attempt),
        "score": np.array(score),
        "excess_moves": np.array(excess),
        "planning_time_ms": np.array(planning),
    }


def test_hand_computed_metrics() -> None:
    scores = towers.score(
        _table([3, 2, 0, 1], [1, 2, 0, 3], [0, 1, math.nan, 2], [1000, 2000, 3000, math.nan]),
        bootstrap=False,
    )
    assert scores.value("total_score") == 6.0
    assert scores.value("solved_first_attempt") == 0.25
    # Only the first problem was solved first time in the minimum (excess 0).
    assert scores.value("solved_in_minimum") == 0.25
    assert scores.value("excess_moves") == 1.0
    assert scores.value("planning_time_ms") == 2000.0
    assert scores.flags == ()


def test_solved_in_minimum_needs_the_first_attempt_and_no_excess_move() -> None:
    # First attempt with 1 excess move; second attempt in the minimum; two first-attempt
    # solutions in the minimum.
    scores = towers.score(
        _table([3, 2, 3, 3], [1, 2, 1, 1], [1, 0, 0, 0], [900, 900, 900, 900]), bootstrap=False
    )
    assert scores.value("solved_first_attempt") == 0.75
    assert scores.value("solved_in_minimum") == 0.5


def test_ceiling_and_floor() -> None:
    perfect = towers.score(_table([3, 3], [1, 1], [0, 0], [900, 800]), bootstrap=False)
    assert "ceiling" in perfect.flags
    lost = towers.score(_table([0, 0], [0, 0], [math.nan] * 2, [900, 800]), bootstrap=False)
    assert "floor" in lost.flags
    assert math.isnan(lost.value("excess_moves"))
