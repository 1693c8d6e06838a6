"""Hard or Easy (EEfRT) metrics on hand-built tables.

References: Treadway et al. (2009) – proportion of hard-task choices overall and by
win probability; Firth (1993) – the penalised logistic regression behind
``reward_sensitivity``, checked against an independent fit with
``scipy.optimize.minimize`` of the penalised log-likelihood
ℓ(β) + ½·log det I(β).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import expit, log_expit

from scoring.metrics import hard_or_easy
from scoring.metrics.hard_or_easy import firth_logistic_slope


def _table(
    probability: list[float],
    reward_hard: list[float],
    chosen: list[str],
    assigned: list[bool] | None = None,
    completed: list[bool] | None = None,
) -> dict[str, np.ndarray]:
    n = len(probability)
    return {
        "practice": np.zeros(n, dtype=bool),
        "probability": np.array(probability),
        "reward_hard": np.array(reward_hard),
        "reward_easy": np.ones(n),
        "chosen": np.array(chosen),
        "choice_assigned": np.array(assigned or [False] * n),
        "completed": np.array(completed or [True] * n),
    }


def test_hand_computed_proportions() -> None:
    # Own choices: .12 easy/easy, .50 hard/easy, .88 hard/hard -> 3 of 6; the
    # assigned hard trial is not a choice.
    table = _table(
        [0.12, 0.12, 0.5, 0.5, 0.88, 0.88, 0.5],
        [2, 4, 2, 4, 2, 4, 3],
        ["easy", "easy", "hard", "easy", "hard", "hard", "hard"],
        assigned=[False] * 6 + [True],
        completed=[True, True, True, True, True, False, True],
    )
    scores = hard_or_easy.score(table, bootstrap=False)
    assert scores.value("proportion_hard") == 0.5
    assert scores.value("proportion_hard_p12") == 0.0
    assert scores.value("proportion_hard_p50") == 0.5
    assert scores.value("proportion_hard_p88") == 1.0
    # Hard tasks (chosen or assigned): 4, one not completed.
    assert scores.value("hard_completion_rate") == 0.75
    assert {"choices_assigned", "tasks_not_completed"} <= set(scores.flags)


def _penalised_fit(x: np.ndarray, y: np.ndarray) -> float:
    design = np.column_stack([np.ones_like(x), x])

    def negative(beta: np.ndarray) -> float:
        eta = design @ beta
        p = expit(eta)
        loglik = float(np.sum(y * log_expit(eta) + (1 - y) * log_expit(-eta)))
        information = design.T @ (design * (p * (1 - p))[:, None])
        return -(loglik + 0.5 * math.log(np.linalg.det(information)))

    return float(
        minimize(
            negative,
            np.zeros(2),
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000},
        ).x[1]
    )


def test_firth_slope_matches_an_independent_penalised_fit() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(0.0, 3.0, 30)
    y = rng.random(30) < expit(-1.0 + 1.2 * x)
    ours = firth_logistic_slope(x[None, :], y[None, :], np.ones((1, 30), dtype=bool))[0]
    assert ours == pytest.approx(_penalised_fit(x, y.astype(float)), abs=1e-4)


def test_separation_gives_a_finite_flagged_slope() -> None:
    x = np.array([0.1, 0.2, 0.3, 1.0, 1.1, 1.2])
    y = x > 0.5
    ours = firth_logistic_slope(x[None, :], y[None, :], np.ones((1, 6), dtype=bool))[0]
    assert math.isfinite(ours) and ours > 0
    assert ours == pytest.approx(_penalised_fit(x, y.astype(float)), abs=1e-3)
    table = _table(
        [0.12, 0.12, 0.5, 0.88, 0.88, 0.88],
        [1.5, 2, 2, 3, 4, 4.3],
        ["easy", "easy", "easy", "hard", "hard", "hard"],
    )
    metric = hard_or_easy.score(table, bootstrap=False).metrics["reward_sensitivity"]
    assert "separation" in metric.flags and metric.value > 0


def test_no_variation_gives_nan() -> None:
    table = _table([0.12, 0.5, 0.88], [2, 3, 4], ["hard", "hard", "hard"])
    metric = hard_or_easy.score(table).metrics["reward_sensitivity"]
    assert math.isnan(metric.value) and metric.flags == ("no_choice_variation",)


def test_one_replicate_and_a_replicate_matrix_give_the_same_slope() -> None:
    # One replicate (a point estimate, a split half) is fitted with plain floats, a
    # matrix of replicates (the bootstrap) with numpy: the same iteration either way.
    rng = np.random.default_rng(11)
    for _ in range(100):
        n = int(rng.integers(2, 30))
        x = rng.normal(0.0, rng.uniform(0.1, 4.0), (1, n)).round(int(rng.integers(0, 3)))
        y = rng.random((1, n)) < expit(rng.normal(0.0, 3.0) * x)
        used = rng.random((1, n)) < 0.9
        one = firth_logistic_slope(x, y, used)[0]
        pair = firth_logistic_slope(
            np.repeat(x, 2, axis=0), np.repeat(y, 2, axis=0), np.repeat(used, 2, axis=0)
        )
        assert pair[0] == pair[1] or (math.isnan(pair[0]) and math.isnan(pair[1]))
        if math.isnan(pair[0]):
            assert math.isnan(one)
        else:
            assert one == pytest.approx(pair[0], rel=1e-9, abs=1e-12)


def test_absurd_rewards_give_nan_not_an_exception() -> None:
    # Hypothesis found it: rewards near 1e200 made the float loop's squared deviation
    # raise OverflowError (a float power overflows where numpy gives inf).
    x = np.array([[1e200, -1e200] * 6])
    y = np.array([[True, False, True, False, False, True] * 2])
    used = np.ones_like(y)
    one = firth_logistic_slope(x, y, used)[0]
    pair = firth_logistic_slope(
        np.repeat(x, 2, axis=0), np.repeat(y, 2, axis=0), np.repeat(used, 2, axis=0)
    )
    assert math.isnan(one) and np.isnan(pair).all()
