"""Cards (Iowa Gambling Task) metrics on hand-built pick sequences.

Reference: Bechara et al. (1994); net = (C + D) − (A + B) per block of 20 picks.
Block 1 holds five picks of each deck (net 0), block 2 twenty picks of C (net +20):
overall net 20, change +20, shares A 5/40, B 5/40, C 25/40, D 5/40.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.metrics import cards


def _table(decks: list[str]) -> dict[str, np.ndarray]:
    return {"practice": np.zeros(len(decks), dtype=bool), "deck": np.array(decks)}


def test_hand_computed_net_scores_and_shares() -> None:
    scores = cards.score(_table(list("ABCD") * 5 + ["C"] * 20), bootstrap=False)
    assert scores.value("net_score") == 20.0
    assert scores.value("net_score_block1") == 0.0
    assert scores.value("net_score_block2") == 20.0
    assert math.isnan(scores.value("net_score_block3"))
    assert scores.metrics["net_score_block3"].flags == ("block_not_played",)
    assert scores.value("net_score_change") == 20.0
    assert scores.value("deck_a_share") == pytest.approx(5 / 40)
    assert scores.value("deck_c_share") == pytest.approx(25 / 40)


def test_partial_last_block_and_invalid_labels() -> None:
    scores = cards.score(_table(["C"] * 20 + ["A"] * 5 + ["Z", ""]), bootstrap=False)
    assert scores.value("net_score") == 15.0
    assert scores.value("net_score_block2") == -5.0
    assert "partial_last_block" in scores.metrics["net_score_block2"].flags
    assert "invalid_values:deck" in scores.flags


def test_bootstrap_within_blocks_keeps_block_sums_when_blocks_are_uniform() -> None:
    metric = cards.score(_table(["A"] * 20 + ["D"] * 20)).metrics["net_score"]
    # Every resample gives 0: the zero-width interval is dropped and flagged.
    assert metric.value == 0.0 and math.isnan(metric.ci_low) and math.isnan(metric.ci_high)
    assert "degenerate_ci" in metric.flags
