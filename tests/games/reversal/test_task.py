"""Reversal: schedule, reversal rule, events, trial table and bot fidelity."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from games.api import ConfigError, ListSink
from games.reversal import bot, task


def test_defaults() -> None:
    p = task.validate_params({})
    assert p["n_trials"] == 160 and p["p_reward"] == 0.8
    assert (p["criterion_correct"], p["criterion_window"]) == (8, 10)
    assert task.DISPLAY_NAME == "Reversal" and task.VERSION == "1.0.0"


def test_schedule_is_seeded_and_keeps_80_20_in_every_ten_trials() -> None:
    a = task.make_schedule({}, 3)
    assert a == task.make_schedule({}, 3) and a != task.make_schedule({}, 4)
    luck = np.array([t.lucky for t in a])
    assert luck.reshape(16, 10).sum(axis=1).tolist() == [8] * 16
    lefts = [t.left for t in a]
    assert 40 < lefts.count("A") < 120


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"n_trial": 100}, "'n_trial'"),
        ({"n_trials": 0}, "'n_trials'"),
        ({"p_reward": 0.3}, "'p_reward'"),
        ({"criterion_correct": 11}, "'criterion_correct'"),
        ({"min_phase_trials": 5}, "'min_phase_trials'"),
        ({"max_phase_trials": 12}, "'max_phase_trials'"),
    ],
)
def test_validate_params_refuses(params: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        task.validate_params(params)


def _play(choices: Any, params: dict[str, Any] | None = None, seed: int = 5) -> task.ReversalTask:
    game = task.ReversalTask(params or {}, seed, ListSink(clock=lambda: 0))
    t = 0
    while not game.finished:
        t += 10
        game.start_trial(t)
        game.choose(choices(game), t + 5)
    return game


def test_always_correct_player_meets_a_reversal_at_min_phase_trials() -> None:
    sink = ListSink(clock=lambda: 0)
    game = task.ReversalTask({"n_trials": 40}, 5, sink)
    for k in range(40):
        game.start_trial(k)
        game.choose(game.correct_option, k)
    ends = [e for e in sink.events if e.kind == "trial_end"]
    reversed_after = [e.trial_index for e in ends if e.payload["reversal_after"]]
    assert reversed_after == [15, 31]  # after 16 trials of each phase
    assert game.reversals == 2
    assert [e.payload["correct_option"] for e in ends[15:17]] == ["A", "B"]


def test_a_player_who_never_learns_still_meets_reversals_every_40_trials() -> None:
    game = _play(lambda g: "A" if g.current_trial.index % 2 else "B")
    assert game.reversals == 3  # 160 trials, at most 40 per phase


def test_reward_follows_luck_and_correctness() -> None:
    schedule = task.make_schedule({}, 5)
    sink = ListSink(clock=lambda: 0)
    game = task.ReversalTask({}, 5, sink)
    for k in range(10):
        game.start_trial(k)
        game.choose("A", k)  # A is correct in the first phase
    rewards = [e.payload["reward"] for e in sink.events if e.kind == "trial_end"]
    assert rewards == [t.lucky for t in schedule[:10]]
    assert game.total == 10 * sum(rewards)


def test_choose_outside_a_trial_is_ignored_and_bad_option_refused() -> None:
    game = task.ReversalTask({}, 1, ListSink(clock=lambda: 0))
    assert game.choose("A", 1) is False
    game.start_trial(2)
    with pytest.raises(ValueError, match="unknown option"):
        game.choose("C", 3)
    with pytest.raises(RuntimeError):
        game.start_trial(4)


def test_practice_counts_for_nothing() -> None:
    sink = ListSink(clock=lambda: 0)
    game = task.ReversalTask({"n_practice": 2, "n_trials": 20}, 1, sink)
    for k in range(22):
        game.start_trial(k)
        game.choose("B", k)
    table = task.trial_table(sink.events)
    assert table["practice"].tolist() == [True, True] + [False] * 20
    assert table["correct_option"][:2].tolist() == [0, 0]
    assert game.total == 10 * int(table["reward"][2:].sum())


def test_trial_table_from_a_bot_run() -> None:
    events = bot.simulate({}, bot.BotParams(), 11)
    table = task.trial_table(events)
    assert list(table) == list(task.COLUMNS)
    assert len(table["choice"]) == 160
    assert set(np.unique(table["choice"])) <= {0, 1}
    assert np.array_equal(table["correct"], table["choice"] == table["correct_option"])
    # phases count up by one at each reversal; the position restarts at 1
    starts = np.flatnonzero(table["trials_since_reversal"] == 1)
    assert starts[0] == 0 and len(starts) == table["phase"][-1] + 1
    assert np.array_equal(np.flatnonzero(table["reversal_after"]) + 1, starts[1:])
    assert 3 <= table["phase"][-1] <= 4
    assert np.all(table["rt_ms"] > 0)
    # an unfinished last trial gives no row
    cut = [e for e in events if not (e.trial_index == 159 and e.kind == "trial_end")]
    assert len(task.trial_table(cut)["choice"]) == 159


def test_a_faster_learner_adapts_to_reversals_sooner() -> None:
    def accuracy(alpha: float) -> float:
        values = []
        for seed in range(6):
            p = replace(bot.BotParams(), learning_rate=alpha, lapse=0.0, stickiness=0.0)
            values.append(task.trial_table(bot.simulate({}, p, seed))["correct"].mean())
        return float(np.mean(values))

    assert accuracy(0.05) + 0.1 < accuracy(0.5)


def test_population_sample_is_in_range() -> None:
    rng = np.random.default_rng(0)
    people = [bot.BotParams.sample(rng) for _ in range(500)]
    alphas = np.array([p.learning_rate for p in people])
    assert alphas.min() >= 0.02 and alphas.max() <= 0.98
    assert 0.3 < np.median(alphas) < 0.4
    assert all(0.0 <= p.lapse < 0.3 for p in people)
