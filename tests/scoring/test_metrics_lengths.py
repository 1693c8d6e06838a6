"""Lengths (Probabilistic Reward Task) metrics on hand-built tables.

Reference: Pizzagalli, Jahn & O'Shea (2005): log b = ½·log10[(Rc·Li)/(Ri·Lc)],
log d = ½·log10[(Rc·Lc)/(Ri·Li)], with 0.5 added to every cell.  Block 1 has
Rc = 30, Ri = 10, Lc = 25, Li = 15; block 2 has Rc = 20, Ri = 20, Lc = 30, Li = 10;
the expected values were computed by hand (to 4 decimals) from these formulas.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.metrics import lengths


def _block(
    number: int, rc: int, ri: int, lc: int, li: int, timeouts: int = 0
) -> dict[str, np.ndarray]:
    rich = [True] * (rc + ri) + [False] * (lc + li) + [True] * timeouts
    correct = [True] * rc + [False] * ri + [True] * lc + [False] * li + [False] * timeouts
    n = len(rich)
    sides = np.array(["left", "right"] * (n // 2) + ["left"] * (n % 2))
    other = np.where(sides == "left", "right", "left")
    timeout = np.array([False] * (n - timeouts) + [True] * timeouts)
    return {
        "practice": np.zeros(n, dtype=bool),
        "block": np.full(n, number),
        "rich": np.array(rich),
        "correct_side": sides,
        "response_side": np.where(timeout, "", np.where(correct, sides, other)),
        "correct": np.array(correct),
        "timeout": timeout,
        "rt_ms": np.where(timeout, np.nan, 400.0 + np.arange(n) % 50 * 7.0),
    }


def _join(*tables: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: np.concatenate([t[name] for t in tables]) for name in tables[0]}


def test_hand_computed_log_b_and_log_d_per_block_and_overall() -> None:
    table = _join(_block(1, 30, 10, 25, 15, timeouts=3), _block(2, 20, 20, 30, 10))
    scores = lengths.score(table, bootstrap=False)
    assert scores.value("log_b_block1") == pytest.approx(0.1235, abs=1e-4)
    assert scores.value("log_d_block1") == pytest.approx(0.3397, abs=1e-4)
    assert scores.value("log_b_block2") == pytest.approx(-0.2316, abs=1e-4)
    assert scores.value("log_d_block2") == pytest.approx(0.2316, abs=1e-4)
    # Overall Rc = 50, Ri = 30, Lc = 55, Li = 25 (time-outs are not responses).
    assert scores.value("log_b") == pytest.approx(-0.0594, abs=1e-4)
    assert scores.value("log_d") == pytest.approx(0.2784, abs=1e-4)
    assert scores.metrics["log_b"].n == 160
    assert scores.value("accuracy_rich") == pytest.approx(50 / 80)
    assert scores.value("accuracy_lean") == pytest.approx(55 / 80)
    assert math.isnan(scores.value("log_b_block3"))  # default design's block 3 absent


def test_bootstrap_ci_brackets_log_b() -> None:
    metric = lengths.score(_block(1, 30, 10, 25, 15), seed=9).metrics["log_b"]
    assert metric.ci_low < metric.value < metric.ci_high


def test_no_lean_trials_is_nan_and_flagged() -> None:
    scores = lengths.score(_block(1, 10, 5, 0, 0), bootstrap=False)
    assert math.isnan(scores.value("log_b"))
    assert "no_lean_trials" in scores.metrics["log_b"].flags
