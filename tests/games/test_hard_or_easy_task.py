"""Hard or Easy (EEfRT): schedule, completion and win rules, table and bot fidelity."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
from scipy.stats import spearmanr

from games.api import ConfigError, ListSink
from games.hard_or_easy import bot, task

MS = 1_000_000
S = 1_000_000_000


class RecordingSink(ListSink):
    def __init__(self) -> None:
        super().__init__(clock=lambda: 0)
        self.durable: list[bool] = []

    def flush(self, durable: bool = False) -> None:
        super().flush(durable)
        self.durable.append(durable)


def test_identity_and_defaults() -> None:
    assert (task.GAME_ID, task.DISPLAY_NAME, task.VERSION) == (
        "hard_or_easy",
        "Hard or Easy",
        "1.0.0",
    )
    p = task.validate_params({})
    assert p["probabilities"] == (0.12, 0.5, 0.88)
    assert (p["easy_presses"], p["easy_time_ms"], p["hard_presses"], p["hard_time_ms"]) == (
        30,
        7000,
        100,
        21000,
    )
    assert (p["reward_easy"], p["reward_hard_min"], p["reward_hard_max"]) == (1.0, 1.24, 4.3)
    assert p["choice_time_ms"] == 5000 and p["duration_limit_s"] == 0


def test_same_seed_same_schedule_different_seed_different() -> None:
    assert task.make_schedule({}, 5) == task.make_schedule({}, 5)
    assert task.make_schedule({}, 5) != task.make_schedule({}, 6)


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"probabilities": [0.5, 1.5]}, "probabilities"),
        ({"probabilities": "0.5"}, "probabilities"),
        ({"reward_hard_min": 5.0}, "reward_hard_min"),
        ({"reward_easy": -1}, "reward_easy"),
        ({"hard_presses": 10}, "hard_presses"),
        ({"choice_time_ms": 0}, "choice_time_ms"),
        ({"n_trials": 2.5}, "n_trials"),
        ({"choice_key_hard": "f"}, "choice_key_easy"),
        ({"easy_press_key": ""}, "easy_press_key"),
        ({"bonus": 1}, "bonus"),
    ],
)
def test_validate_params_names_the_bad_key(params: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        task.validate_params(params)


def test_schedule_balances_probabilities_and_spreads_rewards() -> None:
    for seed in range(10):
        main = [t for t in task.make_schedule({}, seed) if not t.practice]
        assert Counter(t.probability for t in main) == {0.12: 8, 0.5: 8, 0.88: 8}
        for prob in (0.12, 0.5, 0.88):
            rewards = sorted(t.reward_hard for t in main if t.probability == prob)
            assert rewards[0] == 1.24 and rewards[-1] == 4.30 and len(set(rewards)) == 8
        assert all(t.reward_easy == 1.0 and t.random_choice in ("easy", "hard") for t in main)
    odd = [t for t in task.make_schedule({"n_trials": 25}, 0) if not t.practice]
    counts = Counter(t.probability for t in odd)
    assert max(counts.values()) - min(counts.values()) <= 1 and len(odd) == 25
    lotteries = [
        (t.probability, t.lottery_win) for s in range(150) for t in task.make_schedule({}, s)
    ]
    for prob in (0.12, 0.5, 0.88):
        wins = [w for p, w in lotteries if p == prob]
        assert np.mean(wins) == pytest.approx(prob, abs=0.05)


def _choose(game: task.HardOrEasyTask, t: int, choice: str | None) -> int:
    """Start a trial, show the choice screen at ``t``, choose (or time out); returns task onset."""
    game.start_trial(t - S)
    game.stimulus_shown(t, "paint", 16_666_667)
    if choice is None:
        game.timeout(t + 5 * S)
    else:
        assert game.respond(choice, t + 800 * MS)
    onset = t + 7 * S
    assert game.task_shown(onset, "paint", 16_666_667)
    return onset


def test_completion_rules() -> None:
    sink = RecordingSink()
    params = {"n_practice": 0, "n_trials": 5}
    game = task.HardOrEasyTask(params, 3, sink)
    schedule = game.schedule
    # 1: easy, 30 presses within 7 s -> completed at the 30th press
    onset = _choose(game, 10 * S, "easy")
    assert not game.respond("a", onset + 10 * MS)  # the hard task's key: ignored
    for k in range(30):
        game.respond("j", onset + (k + 1) * 200 * MS)
    outcome = game.last_outcome
    assert outcome is not None and outcome.completed and outcome.presses == 30
    assert outcome.won == schedule[0].lottery_win
    assert outcome.amount == (1.0 if schedule[0].lottery_win else 0.0)
    # 2: hard (by key), 99 presses in time -> not completed, never won
    onset = _choose(game, 100 * S, "j")
    assert game.choice == "hard" and game.required_presses == 100
    for k in range(99):
        game.respond("a", onset + (k + 1) * 200 * MS)
    assert game.timeout(onset + 21 * S)
    outcome = game.last_outcome
    assert outcome is not None and not outcome.completed and not outcome.won
    # 3: hard, 100th press after 21 s -> late, not completed
    onset = _choose(game, 200 * S, "hard")
    for k in range(99):
        game.respond("a", onset + (k + 1) * 200 * MS)
    assert not game.respond("a", onset + 21 * S + 1)
    outcome = game.last_outcome
    assert outcome is not None and not outcome.completed and outcome.presses == 99
    # 4: no choice in time -> the scheduled random choice, flagged
    _choose(game, 300 * S, None)
    assert game.choice == schedule[3].random_choice
    game.timeout(400 * S)
    outcome = game.last_outcome
    assert outcome is not None and outcome.assigned and not outcome.completed
    # 5: easy, completed fast
    onset = _choose(game, 500 * S, "easy")
    for k in range(30):
        game.respond("j", onset + (k + 1) * 100 * MS)
    assert game.finished and sink.durable[-1] and sink.durable.count(True) == 1
    table = task.trial_table(sink.events)
    assert table["chosen"].tolist() == ["easy", "hard", "hard", schedule[3].random_choice, "easy"]
    assert table["completed"].tolist() == [True, False, False, False, True]
    assert table["presses"].tolist() == [30, 99, 99, 0, 30]
    assert table["choice_assigned"].tolist() == [False, False, False, True, False]
    assert np.isnan(table["choice_rt_ms"][3]) and table["choice_rt_ms"][0] == pytest.approx(800)
    assert table["completion_ms"][0] == pytest.approx(6000.0)
    assert table["press_rate_hz"][0] == pytest.approx(5.0)
    assert table["press_rate_hz"][1] == pytest.approx(99 / 21)
    won = table["won"]
    assert won.tolist() == [schedule[0].lottery_win, False, False, False, schedule[4].lottery_win]
    assert table["winnings"].sum() == pytest.approx(game.total_winnings)
    kinds = Counter(e.kind for e in sink.events)
    assert kinds["press"] == 30 + 99 + 99 + 30 and kinds["choice"] == 5
    assert all(e.trial_index is not None for e in sink.events)


def test_duration_limit_ends_the_game_after_the_trial_in_progress() -> None:
    params = {"n_practice": 0, "n_trials": 100, "duration_limit_s": 120}
    events = bot.simulate(params, bot.BotParams(), 1)
    table = task.trial_table(events)
    starts = [e.t_ns for e in events if e.kind == "trial_start"]
    ends = [e.t_ns for e in events if e.kind == "trial_end"]
    assert 3 < len(table["trial_index"]) < 100
    assert ends[-1] - starts[0] >= 120 * S and ends[-2] - starts[0] < 120 * S
    game = task.HardOrEasyTask(params, 1, ListSink(clock=lambda: 0))
    assert not game.summary().completed and game.trials_planned == 100


def test_simulated_table_has_one_row_per_trial_and_documented_columns() -> None:
    events = bot.simulate({}, bot.BotParams(), 2)
    table = task.trial_table(events)
    assert list(table) == list(task.COLUMNS)
    assert {len(c) for c in table.values()} == {len(task.make_schedule({}, 2))}
    ends = [e.payload for e in events if e.kind == "trial_end"]
    assert [e["completed"] for e in ends] == table["completed"].tolist()
    assert [e["presses"] for e in ends] == table["presses"].tolist()
    assert [e["won"] for e in ends] == table["won"].tolist()


def test_interrupted_game_gives_rows_for_complete_trials_only() -> None:
    events = bot.simulate({}, bot.BotParams(), 7)
    ends = [i for i, e in enumerate(events) if e.kind == "trial_end"]
    table = task.trial_table(events[: ends[3] + 10])  # trial 4 cut while pressing
    assert list(table["trial_index"]) == [0, 1, 2, 3]


@pytest.mark.slow
def test_bot_fidelity_effort_probability_and_pressing() -> None:
    rng = np.random.default_rng(0)
    willingness = np.linspace(-3.0, 3.0, 40)
    rates = np.linspace(3.5, 9.0, 40)[rng.permutation(40)]
    sensitivity = np.linspace(0.0, 4.0, 40)
    params = {"n_practice": 0, "n_trials": 48}
    p_hard, press_rate, prob_effect = [], [], []
    for i in range(40):
        player = replace(
            bot.BotParams.sample(rng),
            effort_willingness=float(willingness[i]),
            press_rate_hz=float(rates[i]),
        )
        t = task.trial_table(bot.simulate(params, player, 100 + i))
        p_hard.append((t["chosen"] == "hard").mean())
        press_rate.append(t["press_rate_hz"][t["chosen"] == "easy"].mean())
        player = replace(bot.BotParams(), probability_sensitivity=float(sensitivity[i]))
        t = task.trial_table(bot.simulate(params, player, 200 + i))
        hard = t["chosen"] == "hard"
        prob_effect.append(
            hard[t["probability"] == 0.88].mean() - hard[t["probability"] == 0.12].mean()
        )
    rho_effort = spearmanr(willingness, p_hard).statistic
    rho_rate = spearmanr(rates, press_rate).statistic
    rho_prob = spearmanr(sensitivity, prob_effect).statistic
    assert rho_effort > 0.9, rho_effort
    assert rho_rate > 0.9, rho_rate
    assert rho_prob > 0.7, rho_prob


def test_population_sample_is_plausible() -> None:
    rng = np.random.default_rng(4)
    samples = [bot.BotParams.sample(rng) for _ in range(200)]
    assert all(3.5 <= p.press_rate_hz <= 9.0 for p in samples)
    # most sampled players can finish the hard task in time
    can_finish = np.mean([p.press_rate_hz * p.hard_rate_factor * 21 > 100 for p in samples])
    assert 0.75 < can_finish < 1.0
