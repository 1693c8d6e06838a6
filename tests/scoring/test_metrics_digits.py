"""Digit span metrics on a hand-built table.

Forward: lengths 3, 3, 4, 4, 5, 5 with results ✓ ✓ ✓ ✗ ✗ ✗ -> longest span 4, total 3.
Backward: 2, 2 both ✗ -> longest span 0 (flag ``none_correct``), total 0.
Halves are trial 1 vs trial 2 at each length: forward trial 1s 3✓ 4✓ 5✗ (span 4,
total 2), trial 2s 3✓ 4✗ 5✗ (span 3, total 1).
"""

from __future__ import annotations

import math

import numpy as np

from scoring.metrics import digits


def _table(rows: list[tuple[str, int, int, bool]]) -> dict[str, np.ndarray]:
    direction, length, rep, correct = zip(*rows, strict=True)
    return {
        "practice": np.zeros(len(rows), dtype=bool),
        "direction": np.array(direction),
        "length": np.array(length),
        "rep": np.array(rep),
        "correct": np.array(correct),
    }


ROWS = [
    ("forward", 3, 1, True),
    ("forward", 3, 2, True),
    ("forward", 4, 1, True),
    ("forward", 4, 2, False),
    ("forward", 5, 1, False),
    ("forward", 5, 2, False),
    ("backward", 2, 1, False),
    ("backward", 2, 2, False),
]


def test_hand_computed_spans_and_totals() -> None:
    scores = digits.score(_table(ROWS))
    assert scores.value("longest_span_forward") == 4.0
    assert scores.value("total_correct_forward") == 3.0
    assert scores.value("longest_span_backward") == 0.0
    assert scores.value("total_correct_backward") == 0.0
    assert "none_correct" in scores.metrics["longest_span_backward"].flags
    assert "floor" in scores.flags and "ceiling" not in scores.flags
    forward = scores.metrics["longest_span_forward"]
    assert forward.split_half == (4.0, 3.0)
    assert scores.metrics["total_correct_forward"].split_half == (2.0, 1.0)
    # Adaptive design: no bootstrap interval, and it says so.
    assert math.isnan(forward.ci_low) and "no_bootstrap_ci" in forward.flags


def test_a_direction_not_played_is_nan() -> None:
    scores = digits.score(_table(ROWS[:6]), bootstrap=False)
    assert math.isnan(scores.value("longest_span_backward"))
    assert scores.metrics["longest_span_backward"].flags == ("no_backward_trials",)


def test_ending_without_failure_at_the_top_is_ceiling() -> None:
    scores = digits.score(
        _table([("forward", 8, 1, True), ("forward", 9, 1, True), ("forward", 9, 2, True)]),
        bootstrap=False,
    )
    assert scores.value("longest_span_forward") == 9.0
    assert "ceiling" in scores.flags
