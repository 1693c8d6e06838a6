"""Balloons metrics on hand-built tables.

Reference: Lejuez et al. (2002) – adjusted average pumps is the mean over balloons
that did not explode.  Expected values are computed by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np

from scoring.metrics import balloons


def _table(
    pumps: list[float],
    exploded: list[bool],
    earned: list[float],
    practice: list[bool] | None = None,
) -> dict[str, np.ndarray]:
    return {
        "practice": np.array(practice or [False] * len(pumps)),
        "pumps": np.array(pumps, dtype=float),
        "exploded": np.array(exploded),
        "earned_cents": np.array(earned, dtype=float),
    }


def test_hand_computed_metrics() -> None:
    # Unexploded: 10, 30, 20 -> 20 pumps; two bursts; banked 50 + 150 + 100 = 300 cents.
    table = _table([10, 25, 30, 5, 20], [False, True, False, True, False], [50, 0, 150, 0, 100])
    scores = balloons.score(table, bootstrap=False)
    assert scores.primary == "adjusted_pumps"
    assert scores.value("adjusted_pumps") == 20.0
    assert scores.metrics["adjusted_pumps"].n == 3
    assert scores.value("explosions") == 2.0
    assert scores.value("earnings") == 300.0
    assert scores.flags == ()


def test_practice_balloons_do_not_count() -> None:
    table = _table([99, 10, 30], [False, False, False], [495, 50, 150], [True, False, False])
    scores = balloons.score(table, bootstrap=False)
    assert scores.value("adjusted_pumps") == 20.0
    assert scores.value("earnings") == 200.0
    assert scores.n_trials == 2


def test_split_halves_alternate_balloons() -> None:
    # Balloons 1 and 3: (10 + 30) / 2 = 20; balloons 2 and 4: (20 + 40) / 2 = 30.
    table = _table([10, 20, 30, 40], [False] * 4, [50, 100, 150, 200])
    metric = balloons.score(table, bootstrap=False).metrics["adjusted_pumps"]
    assert metric.split_half == (20.0, 30.0)
    assert math.isnan(metric.ci_low)  # no bootstrap asked for


def test_bootstrap_interval_brackets_and_a_zero_width_one_is_dropped() -> None:
    # Constant pumps: every resample gives 12, a 12-to-12 interval that would claim
    # certainty; it is dropped and flagged instead.
    constant = balloons.score(_table([12] * 6, [False] * 6, [60] * 6), seed=4)
    metric = constant.metrics["adjusted_pumps"]
    assert metric.value == 12.0
    assert math.isnan(metric.ci_low) and math.isnan(metric.ci_high)
    assert "degenerate_ci" in metric.flags
    # Four balloons are too few to resample: no interval at all.
    few = balloons.score(_table([5, 10, 20, 40], [False] * 4, [0] * 4), seed=4)
    assert math.isnan(few.metrics["adjusted_pumps"].ci_low)
    assert "too_few_for_ci" in few.metrics["adjusted_pumps"].flags
    varied = balloons.score(_table([5, 10, 20, 40, 60, 80], [False] * 6, [0] * 6))
    assert (
        varied.metrics["adjusted_pumps"].ci_low < 35.833 < varied.metrics["adjusted_pumps"].ci_high
    )


def test_all_exploded_and_never_pumped() -> None:
    burst = balloons.score(_table([40, 60], [True, True], [0, 0]), bootstrap=False)
    assert math.isnan(burst.value("adjusted_pumps"))
    assert "no_unexploded_balloons" in burst.metrics["adjusted_pumps"].flags
    assert burst.value("explosions") == 2.0
    idle = balloons.score(_table([0, 0, 0], [False] * 3, [0, 0, 0]), bootstrap=False)
    assert idle.value("adjusted_pumps") == 0.0
    assert "floor" in idle.flags
