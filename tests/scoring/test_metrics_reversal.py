"""The Reversal model fit: likelihood, derivatives, the optimum it reaches, fits per score.

The game-level tests (hand-built table, recovery of simulated learners) are in
``tests/games/reversal/test_metrics.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy.optimize import minimize

from games.reversal import bot, task
from scoring.metrics import SCORERS, reversal
from scoring.metrics.reversal import fit_rl
from tools.build_provisional_norms import simulate_tables


def _run(seed: int) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    params = bot.BotParams.sample(np.random.default_rng(seed))
    table = task.trial_table(bot.simulate({}, params, seed))
    main = ~np.asarray(table["practice"], dtype=bool)
    choice = np.asarray(table["choice"])[main].astype(np.int64)
    return choice, np.asarray(table["reward"])[main].astype(np.float64)


def _loop_log_likelihood(
    choices: list[int], rewards: list[float], alpha: float, beta: float
) -> float:
    """The model trial by trial, as its docstring states it."""
    q = [0.5, 0.5]
    total = 0.0
    for choice, reward in zip(choices, rewards, strict=True):
        z = beta * (q[1] - q[0])  # P(B) = sigmoid(z); log sigmoid(s) = -log(1 + e^-s)
        total -= math.log1p(math.exp(-z if choice == 1 else z))
        q[choice] += alpha * (reward - q[choice])
    return total


def _objective(
    theta: NDArray[np.float64],
    choices: NDArray[np.int64],
    rewards: NDArray[np.float64],
    prior: reversal.RLPrior | None,
) -> float:
    return float(reversal._neg_log_posterior(theta[np.newaxis, :], choices, rewards, prior)[0])


def _value_and_gradient(
    theta: NDArray[np.float64], posterior: reversal._Posterior
) -> tuple[float, list[float]]:
    value, _, gradient, _ = posterior.evaluate(float(theta[0]), float(theta[1]))
    return value, list(gradient)


def _theta(fit: reversal.RLFit) -> NDArray[np.float64]:
    a = fit.learning_rate
    return np.array([math.log(a / (1.0 - a)), math.log(fit.inverse_temperature)])


def test_log_likelihood_matches_the_trial_by_trial_model() -> None:
    choices, rewards = _run(1)
    alpha = np.array([0.0015, 0.05, 0.35, 0.35, 0.8, 0.9985])
    beta = np.array([0.02, 1.0, 5.0, 20.0, 3.0, 45.0])
    got = reversal.rl_log_likelihood(choices, rewards, alpha, beta)
    assert got.shape == alpha.shape
    for k in range(alpha.shape[0]):
        expected = _loop_log_likelihood(
            choices.tolist(), rewards.tolist(), float(alpha[k]), float(beta[k])
        )
        assert got[k] == pytest.approx(expected, rel=1e-12)
    assert reversal.rl_log_likelihood(choices[:0], rewards[:0], 0.3, 2.0).tolist() == [0.0]


@pytest.mark.parametrize("prior", [reversal.NORM_PRIOR, None], ids=["map", "ml"])
def test_gradient_and_hessian_match_finite_differences(prior: reversal.RLPrior | None) -> None:
    choices, rewards = _run(2)
    posterior = reversal._Posterior(choices, rewards, prior)
    h = 1e-5
    for x, y in [(-1.0, 1.5), (2.0, -1.0), (0.3, 3.0), (-5.0, 0.1)]:
        value, loglik, gradient, hessian = posterior.evaluate(x, y)
        assert value == pytest.approx(_objective(np.array([x, y]), choices, rewards, prior))
        assert loglik == pytest.approx(
            _loop_log_likelihood(
                choices.tolist(), rewards.tolist(), 1.0 / (1.0 + math.exp(-x)), math.exp(y)
            )
        )
        plus_x, minus_x = posterior.evaluate(x + h, y), posterior.evaluate(x - h, y)
        plus_y, minus_y = posterior.evaluate(x, y + h), posterior.evaluate(x, y - h)
        numeric = [
            (plus_x[0] - minus_x[0]) / (2 * h),
            (plus_y[0] - minus_y[0]) / (2 * h),
            (plus_x[2][0] - minus_x[2][0]) / (2 * h),
            (plus_y[2][0] - minus_y[2][0]) / (2 * h),
            (plus_y[2][1] - minus_y[2][1]) / (2 * h),
        ]
        analytic = [*gradient, *hessian]
        assert numeric == pytest.approx(analytic, rel=1e-6, abs=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("prior", [reversal.NORM_PRIOR, None], ids=["map", "ml"])
def test_fit_reaches_the_lowest_point_a_reference_optimiser_finds(
    prior: reversal.RLPrior | None,
) -> None:
    # scipy's L-BFGS-B (tight tolerances, the gradient checked above) from several starts
    # in the fit's box finds no lower point than the fit, on whole runs, halves and short
    # runs.
    bounds = [(-6.5, 6.5), (-4.5, 3.9)]
    starts = [(0.0, 1.0), (-3.0, 2.5), (3.0, 0.0), (-0.5, 1.6)]
    for seed in range(6):
        choices, rewards = _run(100 + seed)
        half = choices.shape[0] // 2
        for part in (slice(None), slice(None, half), slice(half, None), slice(None, 20)):
            c, r = choices[part], rewards[part]
            fit = reversal.fit_rl(c, r, prior)
            assert fit.n_trials == c.shape[0]
            found = _objective(_theta(fit), c, r, prior)
            assert fit.log_likelihood == pytest.approx(
                reversal.rl_log_likelihood(c, r, fit.learning_rate, fit.inverse_temperature)[0]
            )
            posterior = reversal._Posterior(c, r, prior)
            for start in [tuple(_theta(fit)), *starts]:
                reference = minimize(
                    _value_and_gradient,
                    np.array(start),
                    args=(posterior,),
                    jac=True,
                    method="L-BFGS-B",
                    bounds=bounds,
                    options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 2000},
                )
                assert found <= reference.fun + 1e-9, (seed, part, start)


def test_a_likelihood_without_an_interior_optimum_ends_on_the_box() -> None:
    # Always B, always rewarded: the likelihood keeps rising with β (and α); the ML fit
    # stops at the box, finite.
    choices = np.ones(40, dtype=np.int64)
    rewards = np.ones(40)
    fit = reversal.fit_rl(choices, rewards, prior=None)
    assert 0.0015 - 1e-9 < fit.learning_rate < 0.9985 + 1e-9
    assert fit.inverse_temperature == pytest.approx(math.exp(3.9))
    assert math.isfinite(fit.log_likelihood) and fit.log_likelihood < 0.0
    empty = reversal.fit_rl(choices[:0], rewards[:0])  # the prior's mode
    assert empty.learning_rate == pytest.approx(1.0 / (1.0 + math.exp(0.52)))
    assert empty.inverse_temperature == pytest.approx(math.exp(1.62))


def test_scoring_fits_the_whole_run_and_each_half_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = reversal.fit_rl

    def counted(choices, rewards, prior=reversal.NORM_PRIOR, start=None):  # type: ignore[no-untyped-def]
        calls.append(len(choices))
        return original(choices, rewards, prior, start)

    monkeypatch.setattr(reversal, "fit_rl", counted)
    table = task.trial_table(bot.simulate({}, bot.BotParams(), 5))
    scores = SCORERS["reversal"](table, bootstrap=False)
    n = scores.metrics["learning_rate"].n
    assert sorted(calls) == sorted([n, n // 2, n - n // 2])
    for name in ("learning_rate", "inverse_temperature"):
        assert all(math.isfinite(half) for half in scores.metrics[name].split_half)


def test_a_fit_started_from_the_whole_run_reaches_the_grid_start_optimum() -> None:
    """The halves' fits start from the whole run's fit instead of the grid: same optimum."""
    for candidate in range(12):
        table = simulate_tables(candidate, seed=41, games=["reversal"])["reversal"]
        practice = np.asarray(table["practice"], dtype=bool)
        choices = np.asarray(table["choice"], dtype=np.float64)[~practice].astype(np.int64)
        rewards = np.asarray(table["reward"], dtype=np.float64)[~practice]
        whole = fit_rl(choices, rewards)
        half = choices.shape[0] // 2
        for part in (slice(0, half), slice(half, None)):
            grid = fit_rl(choices[part], rewards[part])
            warm = fit_rl(choices[part], rewards[part], start=whole)
            assert warm.learning_rate == pytest.approx(grid.learning_rate, rel=1e-7, abs=1e-9)
            assert warm.inverse_temperature == pytest.approx(grid.inverse_temperature, rel=1e-7)
            assert warm.log_likelihood == pytest.approx(grid.log_likelihood, rel=1e-9)
