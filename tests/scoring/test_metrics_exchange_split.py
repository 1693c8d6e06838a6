"""Money Exchange 2 (ultimatum and dictator) metrics on hand-built tables.

The minimum acceptable offer is the best-fitting step rule "accept iff offer ≥ t"
over thresholds halfway between the offered levels (module docstring of
:mod:`scoring.metrics.exchange_split`); expected values are worked out by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.metrics import exchange_split
from scoring.metrics.exchange_split import minimum_acceptable_offer

LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5]


def _responder(decisions: list[bool]) -> dict[str, np.ndarray]:
    """Each level twice (first pass, then second pass), with the given decisions."""
    shares = LEVELS + LEVELS
    return {
        "practice": np.zeros(10, dtype=bool),
        "role": np.array(["responder"] * 10),
        "offer_share": np.array(shares),
        "accepted": np.array(decisions),
    }


def _join(*tables: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: np.concatenate([t[name] for t in tables]) for name in tables[0]}


def _rounds(role: str, shares: list[float]) -> dict[str, np.ndarray]:
    return {
        "practice": np.zeros(len(shares), dtype=bool),
        "role": np.array([role] * len(shares)),
        "offer_share": np.array(shares),
        "accepted": np.ones(len(shares), dtype=bool),
    }


def test_hand_computed_offers_acceptance_and_giving() -> None:
    consistent = [False, False, True, True, True] * 2  # rejects 10 and 20%, accepts 30%+
    table = _join(
        _rounds("proposer", [0.4, 0.5, 0.3]),
        _responder(consistent),
        _rounds("dictator", [0, 0.3, 0.3]),
    )
    scores = exchange_split.score(table, bootstrap=False)
    assert scores.value("offer_share") == pytest.approx(0.4)
    assert scores.value("min_acceptable_offer") == pytest.approx(0.25)  # between 20 and 30%
    assert scores.value("acceptance_rate") == pytest.approx(0.6)
    rates = [scores.value(f"acceptance_rate_{p}pct") for p in (10, 20, 30, 40, 50)]
    assert rates == [0.0, 0.0, 1.0, 1.0, 1.0]
    assert scores.value("dictator_share") == pytest.approx(0.2)
    # Halves = first and second pass over the levels: identical decisions.
    assert scores.metrics["min_acceptable_offer"].split_half == pytest.approx((0.25, 0.25))


def test_mixed_decisions_at_one_level_average_the_tied_thresholds() -> None:
    # Accepts: [0, 1, 2, 2, 2], rejects [2, 1, 0, 0, 0] per level.  Errors of the
    # thresholds .05/.15/.25/.35/.45/.55: 3, 1, 1, 3, 5, 7 -> mean of .15 and .25.
    decisions = [False, True, True, True, True, False, False, True, True, True]
    value, flags = minimum_acceptable_offer(np.array(LEVELS + LEVELS), np.array(decisions))
    assert value == pytest.approx(0.2) and flags == ()


def test_accepting_or_rejecting_everything_lies_beyond_the_offers() -> None:
    value, flags = minimum_acceptable_offer(np.array(LEVELS), np.ones(5, dtype=bool))
    assert value == pytest.approx(0.05) and flags == ("accepted_all_offers",)
    value, flags = minimum_acceptable_offer(np.array(LEVELS), np.zeros(5, dtype=bool))
    assert value == pytest.approx(0.55) and flags == ("rejected_all_offers",)
    single = minimum_acceptable_offer(np.array([0.3, 0.3]), np.array([True, False]))
    assert math.isnan(single[0]) and single[1] == ("too_few_offer_levels",)


def test_levels_not_offered_are_nan_and_roles_missing_are_flagged() -> None:
    scores = exchange_split.score(_rounds("proposer", [0.5]))
    assert math.isnan(scores.value("acceptance_rate_30pct"))
    assert scores.metrics["acceptance_rate_30pct"].flags == ("level_not_offered",)
    assert scores.metrics["dictator_share"].flags == ("no_dictator_rounds",)


def test_bootstrap_ci_of_threshold_is_within_the_candidate_thresholds() -> None:
    noisy = [False, True, False, True, True, False, False, True, False, True]
    metric = exchange_split.score(_responder(noisy), seed=2).metrics["min_acceptable_offer"]
    assert 0.05 <= metric.ci_low <= metric.value <= metric.ci_high <= 0.55
