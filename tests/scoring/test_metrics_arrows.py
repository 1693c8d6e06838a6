"""Arrows (flanker with cued task switching) metrics on a hand-built table.

References: flanker effect = incongruent − congruent (Eriksen & Eriksen 1974);
switch cost = switch − repeat, first trial of each block excluded (Rogers &
Monsell 1995).  The eight trials below are worked out by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.ddm import ez_diffusion_from_trials
from scoring.metrics import arrows

# transition, congruent, correct, timeout, rt_ms
TRIALS = [
    ("first", True, True, False, 500.0),
    ("repeat", True, True, False, 400.0),
    ("switch", False, True, False, 700.0),
    ("repeat", False, False, False, 600.0),  # wrong key
    ("switch", True, True, False, 600.0),
    ("repeat", False, True, False, 500.0),
    ("switch", False, False, True, math.nan),  # time-out
    ("repeat", True, True, False, 420.0),
]


def _table(trials: list[tuple[str, bool, bool, bool, float]]) -> dict[str, np.ndarray]:
    transition, congruent, correct, timeout, rt = zip(*trials, strict=True)
    sides = np.array(["left", "right"] * (len(trials) // 2) + ["left"] * (len(trials) % 2))
    response = np.where(np.array(correct), sides, np.where(sides == "left", "right", "left"))
    response = np.where(np.array(timeout), "", response)
    return {
        "practice": np.zeros(len(trials), dtype=bool),
        "transition": np.array(transition),
        "congruent": np.array(congruent),
        "correct_side": sides,
        "response_side": response,
        "correct": np.array(correct),
        "timeout": np.array(timeout),
        "rt_ms": np.array(rt),
    }


def test_hand_computed_flanker_and_switch_effects() -> None:
    scores = arrows.score(_table(TRIALS), bootstrap=False)
    # Correct RTs: incongruent 700, 500 -> 600; congruent 500, 400, 600, 420 -> 480.
    assert scores.value("flanker_effect_ms") == pytest.approx(120.0)
    # Errors: incongruent 2 of 4, congruent 0 of 4.
    assert scores.value("flanker_effect_errors") == pytest.approx(0.5)
    # Switch correct 700, 600 -> 650; repeat correct 400, 500, 420 -> 440 (first left out).
    assert scores.value("switch_cost_ms") == pytest.approx(210.0)
    # Errors: switch 1 of 3, repeat 1 of 4.
    assert scores.value("switch_cost_errors") == pytest.approx(1 / 3 - 1 / 4)
    assert scores.value("accuracy") == pytest.approx(6 / 8)
    assert scores.value("rt_correct_ms") == pytest.approx(3120 / 6)


def test_condition_rts_are_20_percent_trimmed_means() -> None:
    # Ten correct trials per transition: repeats 400..490 ms, switches 600..690 ms,
    # but one switch took 5 s (the candidate looked away).  Trimming two of ten from
    # each end (floor(0.2 x 10)) drops it: switch 620..670 -> 645, repeat 445.
    repeat = [("repeat", i % 2 == 0, True, False, 400.0 + 10 * i) for i in range(10)]
    switch = [("switch", i % 2 == 0, True, False, 600.0 + 10 * i) for i in range(9)]
    switch.append(("switch", False, True, False, 5000.0))
    scores = arrows.score(_table([("first", True, True, False, 500.0), *repeat, *switch]),
                          bootstrap=False)  # fmt: skip
    assert scores.primary == "switch_cost_ms"
    assert scores.value("switch_cost_ms") == pytest.approx(200.0)
    plain_mean_cost = (sum(600.0 + 10 * i for i in range(9)) + 5000.0) / 10 - 445.0
    assert plain_mean_cost > 600.0  # what an untrimmed mean would have reported


def _ez_trials() -> list[tuple[str, bool, bool, bool, float]]:
    """Twelve trials in each congruency x transition cell; incongruent ones slower and
    less accurate, switches slower; one time-out per cell."""
    rows: list[tuple[str, bool, bool, bool, float]] = [("first", True, True, False, 500.0)]
    for transition, congruent, base, errors in (
        ("repeat", True, 420.0, 1),
        ("repeat", False, 520.0, 3),
        ("switch", True, 560.0, 2),
        ("switch", False, 680.0, 4),
    ):
        for i in range(12):
            if i == 11:
                rows.append((transition, congruent, False, True, math.nan))
            else:
                rows.append(
                    (transition, congruent, i >= errors, False, base + 9.0 * i + (i % 3) * 17)
                )
    return rows


def test_ez_parameters_are_fitted_per_condition_and_weighted_by_trials() -> None:
    trials = _ez_trials()
    table = _table(trials)
    scores = arrows.score(table, bootstrap=False)
    answered = ~table["timeout"]
    congruent, transition = table["congruent"], table["transition"]
    switch = transition == "switch"
    fits, counts = [], []
    for is_congruent in (True, False):
        for is_switch in (True, False):
            cell = answered & (congruent == is_congruent) & (switch == is_switch)
            fits.append(
                ez_diffusion_from_trials(table["correct"][cell], table["rt_ms"][cell] / 1000)
            )
            counts.append(int(cell.sum()))
    # The first trial of the block counts with the repeats: 12 congruent repeats answered.
    assert sorted(counts) == [11, 11, 11, 12]
    for name, attribute in (("ez_drift", "drift"), ("ez_boundary", "boundary"),
                            ("ez_nondecision", "nondecision")):  # fmt: skip
        expected = sum(c * getattr(f, attribute) for f, c in zip(fits, counts, strict=True))
        assert scores.value(name) == pytest.approx(expected / sum(counts), rel=1e-12)
    # One fit over the pooled conditions reads their mixed RTs as another process.
    pooled = ez_diffusion_from_trials(table["correct"][answered], table["rt_ms"][answered] / 1000)
    assert abs(pooled.boundary - scores.value("ez_boundary")) > 0.002


def test_ez_is_not_estimated_when_a_condition_cannot_be_fitted() -> None:
    scores = arrows.score(_table(TRIALS), bootstrap=False)
    drift = scores.metrics["ez_drift"]
    assert math.isnan(drift.value)
    assert any(flag.startswith("ez_condition_unfit:") for flag in drift.flags)


def test_practice_block_and_missing_conditions() -> None:
    table = _table(TRIALS)
    table["practice"][:4] = True
    scores = arrows.score(table, bootstrap=False)
    assert scores.n_trials == 4
    only_congruent = _table([t for t in TRIALS if t[1]])
    flanker = arrows.score(only_congruent, bootstrap=False).metrics["flanker_effect_ms"]
    assert math.isnan(flanker.value) and flanker.flags == ("missing_condition",)


def test_quality_flags_side_bias_and_floor() -> None:
    trials = [("repeat", i % 2 == 0, i % 4 == 0, False, 450.0 + 10 * i) for i in range(24)]
    table = _table(trials)
    table["response_side"] = np.array(["left"] * 24)
    flags = arrows.score(table, bootstrap=False).flags
    assert "side_bias" in flags and "floor" in flags


def test_all_time_outs_give_nan_and_omissions() -> None:
    trials = [("repeat", i % 2 == 0, False, True, math.nan) for i in range(12)]
    scores = arrows.score(_table(trials))
    assert "omissions" in scores.flags
    assert math.isnan(scores.value("flanker_effect_ms"))
    assert math.isnan(scores.value("ez_drift"))
