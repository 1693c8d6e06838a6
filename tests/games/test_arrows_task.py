"""Arrows (flanker + cued task switching): schedule, parameters, rules, table, bot fidelity.

Also checks the shared diffusion sampler (games.engine.diffusion) against its closed
forms, since the Arrows bot is its first user.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest
from scipy.stats import spearmanr

from games.api import ConfigError, ListSink
from games.arrows import bot, task
from games.engine.diffusion import sample_diffusion, sample_diffusion_batch

SMALL = {"n_practice": 4, "n_blocks": 2, "trials_per_block": 12}


class RecordingSink(ListSink):
    """A ListSink that also remembers which flushes were durable."""

    def __init__(self) -> None:
        super().__init__(clock=lambda: 0)
        self.durable: list[bool] = []

    def flush(self, durable: bool = False) -> None:
        super().flush(durable)
        self.durable.append(durable)


def test_identity_and_defaults() -> None:
    assert (task.GAME_ID, task.DISPLAY_NAME, task.VERSION) == ("arrows", "Arrows", "1.1.0")
    p = task.validate_params({})
    assert p == dict(task.DEFAULT_PARAMS)
    assert len(task.make_schedule({}, 1)) == p["n_practice"] + p["n_blocks"] * p["trials_per_block"]


def test_same_seed_same_schedule_different_seed_different() -> None:
    assert task.make_schedule({}, 3) == task.make_schedule({}, 3)
    assert task.make_schedule({}, 3) != task.make_schedule({}, 4)


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"n_blocks": 0}, "n_blocks"),
        ({"trials_per_block": "many"}, "trials_per_block"),
        ({"p_switch": 1.5}, "p_switch"),
        ({"p_congruent": True}, "p_congruent"),
        ({"main_feedback": "sometimes"}, "main_feedback"),
        ({"colour_left": "red"}, "colour_left"),
        ({"key_left": ""}, "key_left"),
        ({"key_left": "j", "key_right": "j"}, "key_left"),
        ({"colour_right": "blue"}, "colour_right"),
    ],
)
def test_validate_params_names_the_bad_key(params: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        task.validate_params(params)


def test_unknown_key_message_lists_allowed_keys() -> None:
    with pytest.raises(ConfigError, match=r"allowed keys: .*cue_ms"):
        task.validate_params({"speed": 2})


def test_blocks_balance_switches_tasks_and_congruency() -> None:
    for seed in range(20):
        schedule = task.make_schedule({}, seed)
        for block in {t.block for t in schedule}:
            trials = [t for t in schedule if t.block == block]
            n = len(trials)
            assert trials[0].transition == "first"
            assert all(t.transition != "first" for t in trials[1:])
            assert sum(t.transition == "switch" for t in trials) == round(0.5 * (n - 1))
            tasks = Counter(t.task for t in trials)
            assert abs(tasks["direction"] - tasks["colour"]) <= 1
            for prev, cur in pairwise(trials):
                assert (cur.transition == "switch") == (cur.task != prev.task)
            cells: Counter[tuple[str, str]] = Counter()
            congruent: Counter[tuple[str, str]] = Counter()
            for t in trials:
                cells[t.task, t.transition] += 1
                congruent[t.task, t.transition] += t.congruent
            for cell, size in cells.items():
                assert abs(congruent[cell] - 0.5 * size) <= 1
        main = [t for t in schedule if not t.practice]
        assert abs(sum(t.congruent for t in main) - len(main) / 2) <= 4


def test_stimulus_rules() -> None:
    for seed in (0, 1):
        colour_left = task.colour_left_for({}, seed)
        for t in task.make_schedule({}, seed):
            colour_side = "left" if t.colour == colour_left else "right"
            assert t.correct_side == (t.direction if t.task == "direction" else colour_side)
            assert t.rule_congruent == (t.direction == colour_side)
            if t.congruent:
                assert (t.flanker_direction, t.flanker_colour) == (t.direction, t.colour)
            else:
                assert t.flanker_direction != t.direction and t.flanker_colour != t.colour
    assert {task.colour_left_for({}, s) for s in (0, 1)} == {"blue", "orange"}
    assert task.colour_left_for({"colour_left": "orange"}, 0) == "orange"


def test_state_machine_rt_ignored_inputs_and_timeouts() -> None:
    sink = RecordingSink()
    game = task.ArrowsTask({"n_practice": 0, "n_blocks": 1, "trials_per_block": 3}, 1, sink)
    first = game.start_trial(1_000)
    with pytest.raises(RuntimeError):
        game.start_trial(1_001)
    assert game.respond("f", 1_500) is False  # before the arrows: ignored, recorded
    assert game.cue_shown(2_000, "paint", 16_666_667)
    assert game.stimulus_shown(502_000_000, "paint", 16_666_667)
    assert game.current_deadline_ns == 2_000_000_000
    assert game.respond("x", 600_000_000) is False  # not a response key
    key = game.params["key_left"] if first.correct_side == "left" else game.params["key_right"]
    assert game.respond(str(key), 952_000_000)
    assert game.last_outcome is not None and game.last_outcome.correct
    assert game.last_outcome.rt_ms == pytest.approx(450.0)
    # second trial: a key stamped after the deadline closes the trial as a time-out
    game.start_trial(2_000_000_000)
    game.stimulus_shown(2_500_000_000, "paint", 16_666_667)
    assert game.respond("f", 4_600_000_000) is False
    assert game.last_outcome is not None and game.last_outcome.timeout
    # third trial: timeout() ends it
    game.start_trial(5_000_000_000)
    game.cue_shown(5_000_000_001, "paint", 1)
    game.stimulus_shown(5_500_000_000, "paint", 1)
    assert game.timeout(7_500_000_000)
    assert game.finished and game.trials_done == 3
    reasons = [e.payload["reason"] for e in sink.events if e.kind == "ignored_input"]
    assert reasons == ["before_onset", "unknown_key", "late"]
    assert all(e.trial_index is not None for e in sink.events)
    assert sink.durable == [False, False, False, True]
    table = task.trial_table(sink.events)
    assert table["rt_ms"][0] == pytest.approx(450.0)
    assert np.isnan(table["rt_ms"][1:]).all() and table["timeout"][1:].all()
    assert game.summary().completed


def test_feedback_modes() -> None:
    def feedback_count(mode: str) -> int:
        events = bot.simulate({**SMALL, "main_feedback": mode}, bot.BotParams(drift=0.05), 2)
        return sum(e.kind == "feedback" and (e.trial_index or 0) >= 4 for e in events)

    assert feedback_count("none") == 0
    assert 0 < feedback_count("errors") < feedback_count("all") == 24


def test_simulated_table_has_one_row_per_trial_and_documented_columns() -> None:
    sink_events = bot.simulate({}, bot.BotParams(), 11)
    table = task.trial_table(sink_events)
    planned = len(task.make_schedule({}, 11))
    assert list(table) == list(task.COLUMNS)
    assert all(len(col) == planned for col in table.values())
    assert table["practice"].sum() == task.DEFAULT_PARAMS["n_practice"]
    assert table["first_in_block"].sum() == 1 + task.DEFAULT_PARAMS["n_blocks"]
    assert not (table["switch"] & table["first_in_block"]).any()
    assert table["rt_ms"].dtype == np.float64 and table["correct"].dtype == np.bool_
    kinds = {e.kind for e in sink_events}
    assert {"trial_start", "cue_onset", "stimulus_onset", "response", "trial_end"} <= kinds
    onsets = [e for e in sink_events if e.kind == "stimulus_onset"]
    assert all(e.payload["method"] == "simulated" and e.payload["refresh_ns"] > 0 for e in onsets)


def test_interrupted_game_gives_rows_for_complete_trials_only() -> None:
    events = bot.simulate(SMALL, bot.BotParams(), 5)
    ends = [i for i, e in enumerate(events) if e.kind == "trial_end"]
    cut = events[: ends[6] + 3]  # trial 7 started but not ended
    table = task.trial_table(cut)
    assert list(table["trial_index"]) == list(range(7))
    assert len(task.trial_table([])["rt_ms"]) == 0


@pytest.mark.slow
def test_diffusion_sampler_matches_closed_forms() -> None:
    rng = np.random.default_rng(0)
    v, a, t0, s = 0.2, 0.12, 0.3, 0.1
    p_correct = 1 / (1 + np.exp(-a * v / s**2))
    mean_dt = a / (2 * v) * np.tanh(a * v / (2 * s**2))
    correct, rt = sample_diffusion_batch(v, a, t0, rng, size=20_000)
    assert correct.mean() == pytest.approx(p_correct, abs=0.01)
    assert (rt - t0).mean() == pytest.approx(mean_dt, rel=0.03)
    singles = [sample_diffusion(v, a, t0, rng) for _ in range(4000)]
    assert np.mean([c for c, _ in singles]) == pytest.approx(p_correct, abs=0.02)
    assert np.mean([r for _, r in singles]) - t0 == pytest.approx(mean_dt, rel=0.05)
    biased, _ = sample_diffusion_batch(0.0, a, t0, rng, start=0.7, size=20_000)
    assert biased.mean() == pytest.approx(0.7, abs=0.015)  # drift 0: P(upper) = z / a
    with pytest.raises(ValueError, match="boundary"):
        sample_diffusion(v, 0.0, t0, rng)


def _rt(table: dict[str, np.ndarray], mask: np.ndarray) -> float:
    return float(np.mean(table["rt_ms"][mask & table["correct"]]))


@pytest.mark.slow
def test_bot_fidelity_flanker_switch_and_drift() -> None:
    """Over 40 players the parameters move the raw effects the documented way."""
    grid = np.random.default_rng(1).permutation(40)
    fis = np.linspace(0.0, 0.15, 40)
    costs = np.linspace(0.0, 300.0, 40)[grid]
    params = {"n_practice": 0, "n_blocks": 20}
    flanker, switch = [], []
    for i in range(40):
        player = replace(
            bot.BotParams(),
            flanker_interference=float(fis[i]),
            switch_cost_ms=float(costs[i]),
            switch_interference=0.0,
        )
        t = task.trial_table(bot.simulate(params, player, 100 + i))
        flanker.append(_rt(t, ~t["congruent"]) - _rt(t, t["congruent"]))
        switch.append(_rt(t, t["switch"]) - _rt(t, t["transition"] == "repeat"))
    rho_flanker = spearmanr(fis, flanker).statistic
    rho_switch = spearmanr(costs, switch).statistic
    assert rho_flanker > 0.75, rho_flanker
    assert rho_switch > 0.9, rho_switch

    drifts = np.linspace(0.1, 0.4, 40)
    acc_population, accuracy, mean_rt = [], [], []
    rng = np.random.default_rng(2)
    params = {"n_practice": 0, "n_blocks": 4}
    for i, v in enumerate(drifts):
        player = replace(bot.BotParams.sample(rng), drift=float(v), flanker_interference=0.0)
        acc_population.append(
            task.trial_table(bot.simulate(params, player, 300 + i))["correct"].mean()
        )
        t = task.trial_table(
            bot.simulate(params, replace(bot.BotParams(), drift=float(v)), 300 + i)
        )
        accuracy.append(t["correct"].mean())
        mean_rt.append(_rt(t, np.ones_like(t["correct"])))
    assert spearmanr(drifts, acc_population).statistic > 0.8
    assert spearmanr(drifts, accuracy).statistic > 0.85
    assert spearmanr(drifts, mean_rt).statistic < -0.85


def test_population_sample_is_plausible() -> None:
    rng = np.random.default_rng(0)
    for _ in range(100):
        p = bot.BotParams.sample(rng)
        assert 0.15 <= p.drift <= 0.40 and 0 <= p.flanker_interference <= 0.6 * p.drift
        assert 20 <= p.switch_cost_ms <= 150
        assert 0 <= p.switch_interference <= 0.6 * p.drift


def test_switch_interference_slows_and_misleads_switch_trials() -> None:
    """The decisional part of the switch cost: lower drift on switch trials."""
    params = {"n_practice": 0, "n_blocks": 8}
    costs, errors = [], []
    for loss in (0.0, 0.15):
        player = replace(bot.BotParams(), switch_cost_ms=0.0, switch_interference=loss)
        t = task.trial_table(bot.simulate(params, player, 7))
        repeat = t["transition"] == "repeat"
        costs.append(_rt(t, t["switch"]) - _rt(t, repeat))
        errors.append(1 - t["correct"][t["switch"]].mean() - (1 - t["correct"][repeat].mean()))
    assert abs(costs[0]) < 40 and costs[1] > costs[0] + 40
    assert errors[1] > errors[0]
