"""Lengths (Probabilistic Reward Task): schedule, reinforcement, table and bot fidelity."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest
from scipy.stats import spearmanr

from games.api import ConfigError, ListSink
from games.lengths import bot, task

SMALL = {"n_practice": 4, "n_blocks": 2, "trials_per_block": 20,
         "rich_rewards_per_block": 6, "lean_rewards_per_block": 2}  # fmt: skip


class RecordingSink(ListSink):
    def __init__(self) -> None:
        super().__init__(clock=lambda: 0)
        self.durable: list[bool] = []

    def flush(self, durable: bool = False) -> None:
        super().flush(durable)
        self.durable.append(durable)


def _log_b_d(t: dict[str, np.ndarray]) -> tuple[float, float]:
    """Response bias and discriminability with 0.5 added to every cell (SCIENCE.md)."""
    main = ~t["practice"]
    rich, lean = main & t["rich"], main & ~t["rich"]
    rc, ri = (t["correct"] & rich).sum() + 0.5, (~t["correct"] & rich).sum() + 0.5
    lc, li = (t["correct"] & lean).sum() + 0.5, (~t["correct"] & lean).sum() + 0.5
    return 0.5 * np.log10(rc * li / (ri * lc)), 0.5 * np.log10(rc * lc / (ri * li))


def test_identity_and_defaults() -> None:
    assert (task.GAME_ID, task.DISPLAY_NAME, task.VERSION) == ("lengths", "Lengths", "1.0.0")
    p = task.validate_params({})
    assert (p["n_blocks"], p["trials_per_block"], p["mouth_ms"]) == (3, 100, 100)
    assert (p["rich_rewards_per_block"], p["lean_rewards_per_block"]) == (30, 10)


@pytest.mark.slow
def test_same_seed_same_schedule_different_seed_different() -> None:
    assert task.make_schedule({}, 9) == task.make_schedule({}, 9)
    assert task.make_schedule({}, 9) != task.make_schedule({}, 13)


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"n_blocks": 0}, "n_blocks"),
        ({"mouth_ms": 1.5}, "mouth_ms"),
        ({"rich_rewards_per_block": 60}, "rich_rewards_per_block"),
        ({"short_side": "up"}, "short_side"),
        ({"rich_stimulus": "medium"}, "rich_stimulus"),
        ({"short_mouth_mm": 14.0}, "short_mouth_mm"),
        ({"key_right": "z"}, "key_left"),
        ({"rewards": 3}, "rewards"),
    ],
)
def test_validate_params_names_the_bad_key(params: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        task.validate_params(params)


@pytest.mark.slow
def test_blocks_are_balanced_with_short_runs_and_a_3_to_1_reward_list() -> None:
    for seed in range(10):
        schedule = task.make_schedule({}, seed)
        for block in (1, 2, 3):
            trials = [t for t in schedule if t.block == block]
            mouths = [t.stimulus for t in trials]
            assert mouths.count("short") == mouths.count("long") == 50
            run = longest = 1
            for a, b in pairwise(mouths):
                run = run + 1 if a == b else 1
                longest = max(longest, run)
            assert longest <= 3
            assert sum(t.scheduled_reward and t.rich for t in trials) == 30
            assert sum(t.scheduled_reward and not t.rich for t in trials) == 10
        assert not any(t.scheduled_reward for t in schedule if t.practice)


def test_counterbalancing_cycles_with_seed() -> None:
    combos = {task.counterbalancing({}, seed) for seed in range(4)}
    assert combos == {(s, r) for s in ("left", "right") for r in ("short", "long")}
    assert task.counterbalancing({"short_side": "right", "rich_stimulus": "long"}, 0) == (
        "right",
        "long",
    )
    for seed in range(4):
        side, rich = task.counterbalancing({}, seed)
        for t in task.make_schedule(SMALL, seed):
            assert t.rich == (t.stimulus == rich)
            assert (t.correct_side == side) == (t.stimulus == "short")


def test_rich_earns_about_three_times_the_lean_rewards() -> None:
    table = task.trial_table(bot.simulate({}, bot.BotParams(drift=0.25), 4))
    for block in (1, 2, 3):
        b = table["block"] == block
        rich = int((table["rewarded"] & b & table["rich"]).sum())
        lean = int((table["rewarded"] & b & ~table["rich"]).sum())
        assert 27 <= rich <= 30 and 8 <= lean <= 10
        assert 2.5 <= rich / lean <= 3.75
    assert not table["rewarded"][table["practice"]].any()
    assert (table["reward_cents"] == np.where(table["rewarded"], 5, 0)).all()
    # every reward goes to a correct response
    assert table["correct"][table["rewarded"]].all()


def _key(game: task.LengthsTask, trial: task.LengthsTrial, correct: bool) -> str:
    side = trial.correct_side if correct else ("left" if trial.correct_side == "right" else "right")
    return str(game.params[f"key_{side}"])


def test_controlled_reinforcement_owes_a_missed_reward() -> None:
    sink = RecordingSink()
    game = task.LengthsTask({**SMALL, "n_practice": 0}, 2, sink)
    t = 0
    missed_kind: str | None = None
    while not game.finished:
        t += 1_000_000_000
        trial = game.start_trial(t)
        game.stimulus_shown(t + 1_000, "paint", 1)
        kind = "rich" if trial.rich else "lean"
        # err on the first scheduled trial, then answer everything correctly
        err = missed_kind is None and trial.scheduled_reward
        game.respond(_key(game, trial, not err), t + 500_000_000)
        outcome = game.last_outcome
        assert outcome is not None
        if err:
            missed_kind = kind
            assert not outcome.rewarded and game.owed[kind] == 1
        elif missed_kind == kind and game.owed[kind] == 0 and trial.block == 1:
            # the owed reward was paid on this correct trial, scheduled or not
            assert outcome.rewarded
            missed_kind = "paid"
    table = task.trial_table(sink.events)
    assert missed_kind == "paid"
    for block in (1, 2):
        b = table["block"] == block
        assert (table["rewarded"] & b & table["rich"]).sum() == 6
        assert (table["rewarded"] & b & ~table["rich"]).sum() == 2
    assert sink.durable.count(True) == 1 and sink.durable[-1]


def test_inputs_rt_late_keys_and_offsets() -> None:
    sink = ListSink(clock=lambda: 0)
    game = task.LengthsTask({**SMALL, "n_practice": 0, "n_blocks": 1}, 0, sink)
    trial = game.start_trial(0)
    assert not game.respond(_key(game, trial, True), 10)  # before the mouth
    assert game.stimulus_shown(1_000_000_000, "frameSwapped", 16_666_667)
    assert game.stimulus_hidden(1_100_000_000, "frameSwapped", 16_666_667)
    assert not game.respond("q", 1_200_000_000)
    assert game.respond(_key(game, trial, True), 1_650_000_000)
    trial = game.start_trial(3_000_000_000)
    game.stimulus_shown(4_000_000_000, "frameSwapped", 16_666_667)
    assert not game.respond(_key(game, trial, True), 6_600_000_000)  # after 2500 ms
    table = task.trial_table(sink.events)
    assert table["rt_ms"][0] == pytest.approx(650.0)
    assert table["mouth_shown_ms"][0] == pytest.approx(100.0)
    assert table["timeout"].tolist() == [False, True] and np.isnan(table["rt_ms"][1])
    reasons = [e.payload["reason"] for e in sink.events if e.kind == "ignored_input"]
    assert reasons == ["before_onset", "unknown_key", "late"]
    assert not game.stimulus_shown(7_000_000_000, "paint", 1)  # between trials: ignored
    game.start_trial(7_000_000_000)
    with pytest.raises(RuntimeError):
        game.start_trial(7_000_000_001)


def test_simulated_table_has_one_row_per_trial_and_documented_columns() -> None:
    events = bot.simulate({}, bot.BotParams(), 3)
    table = task.trial_table(events)
    assert list(table) == list(task.COLUMNS)
    assert {len(c) for c in table.values()} == {len(task.make_schedule({}, 3))}
    assert all(e.trial_index is not None for e in events)
    assert table["practice"].sum() == 6
    assert np.nanmax(table["rt_ms"]) < 2500 and table["rt_ms"].dtype == np.float64


def test_interrupted_game_gives_rows_for_complete_trials_only() -> None:
    events = bot.simulate(SMALL, bot.BotParams(), 8)
    ends = [i for i, e in enumerate(events) if e.kind == "trial_end"]
    table = task.trial_table(events[: ends[9] + 2])
    assert list(table["trial_index"]) == list(range(10))


@pytest.mark.slow
def test_bot_fidelity_reward_bias_and_drift() -> None:
    """reward_bias moves log b, drift moves log d (Spearman over 40 players)."""
    biases = np.linspace(0.0, 0.35, 40)
    drifts = np.linspace(0.05, 0.30, 40)[np.random.default_rng(0).permutation(40)]
    log_b, log_d = [], []
    for i in range(40):
        player = replace(bot.BotParams(), reward_bias=float(biases[i]), drift=float(drifts[i]))
        b, d = _log_b_d(task.trial_table(bot.simulate({"n_practice": 0}, player, 50 + i)))
        log_b.append(b)
        log_d.append(d)
    rho_b = spearmanr(biases, log_b).statistic
    rho_d = spearmanr(drifts, log_d).statistic
    assert rho_b > 0.75, rho_b
    assert rho_d > 0.85, rho_d


def test_population_sample_is_plausible() -> None:
    rng = np.random.default_rng(1)
    for _ in range(100):
        p = bot.BotParams.sample(rng)
        assert 0 <= p.reward_bias <= 0.35 and 0.06 <= p.drift <= 0.30
