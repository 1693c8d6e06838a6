"""Money Exchange 1 (trust game) metrics on hand-built tables.

Reference: Berg, Dickhaut & McCabe (1995) – trust = sent / endowment, reciprocity =
returned / received.  Expected values are computed by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.metrics import exchange_trust


def _table(role: list[str], sent: list[float], returned: list[float]) -> dict[str, np.ndarray]:
    return {
        "practice": np.zeros(len(role), dtype=bool),
        "role": np.array(role),
        "sent_share": np.array(sent, dtype=float),
        "returned_share": np.array(returned, dtype=float),
    }


def test_hand_computed_trust_and_reciprocity() -> None:
    # Investor: (0.2 + 0.4 + 0.6) / 3 = 0.4.  Trustee: (0.5 + 0.25) / 2 = 0.375; the
    # round with nothing received (NaN share) does not count.
    table = _table(
        ["investor", "investor", "investor", "trustee", "trustee", "trustee"],
        [0.2, 0.4, 0.6, 0.3, 0.0, 0.5],
        [0.3, 0.1, 0.2, 0.5, math.nan, 0.25],
    )
    scores = exchange_trust.score(table, bootstrap=False)
    assert scores.value("trust") == pytest.approx(0.4)
    assert scores.value("reciprocity") == pytest.approx(0.375)
    assert scores.metrics["reciprocity"].n == 2
    # Alternate rounds within role: (0.2 + 0.6) / 2 and 0.4.
    assert scores.metrics["trust"].split_half == pytest.approx((0.4, 0.4))


def test_missing_role_is_nan_and_flagged() -> None:
    scores = exchange_trust.score(_table(["investor"], [0.5], [math.nan]))
    assert scores.value("trust") == 0.5
    assert math.isnan(scores.value("reciprocity"))
    assert scores.metrics["reciprocity"].flags == ("no_trustee_rounds",)


def test_shares_outside_zero_one_are_left_out() -> None:
    scores = exchange_trust.score(_table(["investor", "investor"], [0.5, 7.0], [0, 0]))
    assert scores.value("trust") == 0.5
    assert "invalid_values:share" in scores.flags


def test_bootstrap_ci_brackets_the_mean() -> None:
    table = _table(["investor"] * 5, [0.0, 0.2, 0.4, 0.6, 1.0], [math.nan] * 5)
    metric = exchange_trust.score(table).metrics["trust"]
    assert metric.ci_low < metric.value < metric.ci_high
    assert metric.value == pytest.approx(0.44)
