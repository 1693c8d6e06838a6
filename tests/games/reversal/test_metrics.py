"""Reversal metrics: the RL fit, win-stay/lose-shift, perseveration and recovery."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy.stats import spearmanr

from games.reversal import bot, task
from scoring.metrics import SCORERS, reversal


def _table(params: bot.BotParams, seed: int) -> dict[str, np.ndarray]:
    return task.trial_table(bot.simulate({}, params, seed))


def test_log_likelihood_by_hand() -> None:
    # Q = (0.5, 0.5): P = 0.5; choose B, win -> Q_B = 0.75 with alpha 0.5;
    # then P(B) = sigmoid(2 * 0.25).
    got = reversal.rl_log_likelihood(np.array([1, 1]), np.array([1, 0]), 0.5, 2.0)[0]
    expected = math.log(0.5) + math.log(1.0 / (1.0 + math.exp(-0.5)))
    assert got == pytest.approx(expected, abs=1e-12)


def test_ml_fit_recovers_a_pure_rw_player() -> None:
    p = replace(
        bot.BotParams(), learning_rate=0.4, inverse_temperature=6.0, stickiness=0.0, lapse=0.0
    )
    alphas = []
    for seed in range(4):
        table = _table(p, seed)
        fit = reversal.fit_rl(table["choice"], table["reward"], prior=None)
        alphas.append(fit.learning_rate)
    assert 0.25 < float(np.median(alphas)) < 0.6


def test_the_prior_pulls_a_short_run_towards_the_norm() -> None:
    table = _table(bot.BotParams(), 2)
    short_c, short_r = table["choice"][:20], table["reward"][:20]
    ml = reversal.fit_rl(short_c, short_r, prior=None)
    tight = reversal.RLPrior(math.log(0.3 / 0.7), 0.1, math.log(5.0), 0.1)
    pulled = reversal.fit_rl(short_c, short_r, prior=tight)
    assert abs(pulled.learning_rate - 0.3) < 0.05
    assert abs(pulled.learning_rate - 0.3) <= abs(ml.learning_rate - 0.3) + 1e-9


def test_empirical_prior_from_fits() -> None:
    fits = [reversal.RLFit(a, b, 0.0, 160) for a, b in [(0.2, 3.0), (0.5, 5.0), (0.8, 8.0)]]
    prior = reversal.empirical_prior(fits)
    assert prior.logit_alpha_mean == pytest.approx(0.0, abs=1e-12)
    assert prior.log_beta_mean == pytest.approx(np.mean(np.log([3.0, 5.0, 8.0])))
    assert reversal.empirical_prior(fits[:2] * 1, min_sd=5.0).log_beta_sd == 5.0
    with pytest.raises(ValueError):
        reversal.empirical_prior(fits[:1])


def test_hand_built_table() -> None:
    # phase 0: A correct; reversal after trial 4; phase 1: B correct.
    choice = np.array([0, 0, 0, 1, 0, 0, 0, 1, 1, 0])
    reward = np.array([1, 1, 0, 0, 1, 0, 0, 1, 1, 0], dtype=bool)
    phase = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    correct_option = np.where(phase == 0, 0, 1)
    table = {
        "practice": np.zeros(10, dtype=bool),
        "choice": choice,
        "correct_option": correct_option,
        "correct": choice == correct_option,
        "reward": reward,
        "phase": phase,
    }
    scores = SCORERS["reversal"](table, bootstrap=False)
    # after wins (trials 0, 1, 4, 7, 8): next choice the same after 0, 1, 4, 7 -> 4 of 5
    assert scores.value("win_stay") == pytest.approx(4 / 5)
    # after non-wins (2, 3, 5, 6; 9 has no next): shift at 2, 3, 6 -> 3 of 4
    assert scores.value("lose_shift") == pytest.approx(3 / 4)
    assert scores.value("perseverative_errors") == 2.0  # trials 5 and 6 chose A
    assert scores.value("accuracy") == pytest.approx(0.6)
    assert scores.value("reversals") == 1.0
    assert math.isnan(scores.value("learning_rate"))
    assert "too_few_trials" in scores.metrics["learning_rate"].flags


def test_simulated_run_has_every_published_metric() -> None:
    scores = SCORERS["reversal"](_table(bot.BotParams(), 3), seed=1)
    assert scores.primary == "learning_rate"
    assert set(scores.metrics) == {
        "learning_rate",
        "inverse_temperature",
        "win_stay",
        "lose_shift",
        "perseverative_errors",
        "accuracy",
        "reversals",
    }
    lr = scores.metrics["learning_rate"]
    assert 0.0 < lr.value < 1.0 and "no_bootstrap_ci" in lr.flags
    assert all(0.0 < half < 1.0 for half in lr.split_half)
    assert scores.value("win_stay") > scores.value("lose_shift") - 0.5


@pytest.mark.slow
def test_learning_rate_ranks_players_with_sampled_nuisance() -> None:
    # A quick check; the multi-seed figure is in tools.recovery and its tests.
    rng = np.random.default_rng(9)
    truth = np.linspace(0.1, 0.8, 20)
    found = []
    for k, alpha in enumerate(truth):
        params = replace(bot.BotParams.sample(rng), learning_rate=float(alpha))
        found.append(
            SCORERS["reversal"](_table(params, 100 + k), bootstrap=False).value("learning_rate")
        )
    assert spearmanr(truth, found).statistic > 0.75
