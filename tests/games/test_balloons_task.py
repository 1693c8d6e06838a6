"""Balloons (BART): schedule, parameters, rules, trial table and bot fidelity."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from scipy.stats import spearmanr

from games.api import ConfigError, EventRecord, ListSink
from games.balloons import bot, task


class RecordingSink(ListSink):
    """A ListSink that also remembers which flushes were durable."""

    def __init__(self) -> None:
        super().__init__(clock=lambda: 0)
        self.durable: list[bool] = []

    def flush(self, durable: bool = False) -> None:
        super().flush(durable)
        self.durable.append(durable)


def test_defaults_follow_science_md() -> None:
    p = task.validate_params({})
    assert p == {"n_balloons": 30, "n_practice": 0, "cents_per_pump": 5, "max_pumps": 128}
    assert task.GAME_ID == "balloons" and task.DISPLAY_NAME == "Balloons"
    assert task.VERSION == "1.0.0"


def test_same_seed_same_schedule_different_seed_different() -> None:
    a = task.make_schedule({}, 7)
    assert a == task.make_schedule({}, 7)
    assert a != task.make_schedule({}, 8)
    assert len(a) == 30


def test_explosion_points_are_uniform_on_1_to_max() -> None:
    points = np.array([t.explosion_point for s in range(200) for t in task.make_schedule({}, s)])
    assert points.min() >= 1 and points.max() <= 128
    assert abs(points.mean() - 64.5) < 2.0
    small = [t.explosion_point for t in task.make_schedule({"max_pumps": 3}, 1)]
    assert set(small) <= {1, 2, 3}


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"n_ballons": 3}, "'n_ballons'"),
        ({"n_balloons": 0}, "'n_balloons'"),
        ({"n_balloons": "30"}, "'n_balloons'"),
        ({"n_balloons": True}, "'n_balloons'"),
        ({"cents_per_pump": 2.5}, "'cents_per_pump'"),
        ({"max_pumps": 1}, "'max_pumps'"),
        ({"n_practice": -1}, "'n_practice'"),
    ],
)
def test_validate_params_refuses(params: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        task.validate_params(params)


def test_unknown_key_message_lists_allowed_keys() -> None:
    with pytest.raises(ConfigError, match=r"allowed keys: .*n_balloons"):
        task.validate_params({"colour": "red"})


def test_pop_loses_bank_and_collect_banks() -> None:
    sink = RecordingSink()
    params = {"n_balloons": 2}
    game = task.BalloonsTask(params, 3, sink)
    first = game.start_trial(10)
    # Collect before the pop point on balloon 1.
    for k in range(first.explosion_point - 1):
        assert game.pump(100 + k)
    assert game.bank_cents == 5 * (first.explosion_point - 1)
    assert game.collect(1000)
    assert game.total_cents == 5 * (first.explosion_point - 1)
    banked = game.total_cents
    second = game.start_trial(2000)
    for k in range(second.explosion_point):
        assert game.pump(3000 + k)
    assert game.last_outcome is not None and game.last_outcome.exploded
    assert game.last_outcome.earned_cents == 0
    assert game.total_cents == banked
    assert game.finished
    explosion = [e for e in sink.events if e.kind == "explosion"]
    assert len(explosion) == 1
    assert explosion[0].payload["lost_cents"] == 5 * (second.explosion_point - 1) + 5
    assert sink.durable == [False, False, True]
    # Inputs after the end are ignored; starting again is a view bug.
    assert not game.pump(5000)
    assert not game.collect(5000)
    with pytest.raises(RuntimeError):
        game.start_trial(6000)
    summary = game.summary()
    assert summary.completed and summary.trials_done == summary.trials_planned == 2


def test_inputs_between_balloons_are_ignored() -> None:
    game = task.BalloonsTask({"n_balloons": 2}, 1, ListSink(clock=lambda: 0))
    assert not game.pump(1)
    assert not game.stimulus_shown(1, "paint", 16_666_667)
    game.start_trial(2)
    with pytest.raises(RuntimeError):
        game.start_trial(3)


def _simulate(seed: int = 5, **params: Any) -> list[EventRecord]:
    return bot.simulate(params, bot.BotParams(), seed)


def test_events_follow_conventions() -> None:
    events = _simulate(n_balloons=4, n_practice=2)
    kinds = {e.kind for e in events}
    assert {"trial_start", "stimulus_onset", "response", "feedback", "trial_end"} <= kinds
    assert all(e.trial_index is not None for e in events)
    starts = [e for e in events if e.kind == "trial_start"]
    assert [s.payload["practice"] for s in starts] == [True, True, False, False, False, False]
    onsets = [e for e in events if e.kind == "stimulus_onset"]
    assert all({"method", "refresh_ns", "stimulus"} <= set(e.payload) for e in onsets)
    assert [e.t_ns for e in events] == sorted(e.t_ns for e in events)


def test_trial_table_has_one_row_per_balloon_and_documented_columns() -> None:
    events = _simulate(n_practice=2)
    table = task.trial_table(events)
    assert list(table) == list(task.COLUMNS)
    assert all(len(col) == 32 for col in table.values())
    assert table["practice"].sum() == 2
    main = ~table["practice"]
    assert table["total_cents"][-1] == table["earned_cents"][main].sum()
    exploded = table["exploded"]
    assert np.all(table["pumps"][exploded] == table["explosion_point"][exploded])
    assert np.all(table["pumps"][~exploded] < table["explosion_point"][~exploded])
    assert np.all(table["earned_cents"][exploded] == 0)
    assert np.all(table["earned_cents"][~exploded] == 5 * table["pumps"][~exploded])
    assert np.all(table["first_response_ms"] > 0)


def test_interrupted_game_gives_rows_for_complete_balloons_only() -> None:
    events = _simulate(n_balloons=6)
    last_start = max(i for i, e in enumerate(events) if e.kind == "trial_start")
    cut = events[: last_start + 3]  # the last balloon started but did not end
    table = task.trial_table(cut)
    assert all(len(col) == 5 for col in table.values())
    assert list(table["trial_index"]) == [0, 1, 2, 3, 4]
    empty = task.trial_table([])
    assert list(empty) == list(task.COLUMNS) and len(empty["pumps"]) == 0


@pytest.mark.slow
def test_bot_risk_propensity_drives_adjusted_pumps() -> None:
    # Over a wide range of risk propensity (gamma+), with the rest of the model sampled.
    rng = np.random.default_rng(2024)
    gammas = np.linspace(0.15, 1.2, 40)
    adjusted = []
    for i, gamma in enumerate(gammas):
        params = replace(bot.BotParams.sample(rng), risk_propensity=float(gamma))
        table = task.trial_table(bot.simulate({}, params, seed=i))
        survived = ~table["exploded"]
        adjusted.append(table["pumps"][survived].mean() if survived.any() else 0.0)
    rho = spearmanr(gammas, adjusted).statistic
    assert rho > 0.8, rho


def test_bot_target_follows_the_belief_it_learns() -> None:
    model = bot.Bot(bot.BotParams(risk_propensity=0.5, prior_safe=0.99), np.random.default_rng(1))
    assert model.target() == pytest.approx(-0.5 / np.log(0.99))
    sink = ListSink(clock=lambda: 0)
    game = task.BalloonsTask({"n_balloons": 2}, 3, sink)
    game.start_trial(0)
    for k in range(3):
        game.pump(k + 1)
    game.collect(10)
    model.next_input(game)  # learns from the collected balloon: three safe pumps
    p = model.params
    expected = (p.prior_safe * p.prior_strength + 3) / (p.prior_strength + 3)
    assert model.belief == pytest.approx(expected)


def test_simulate_is_deterministic() -> None:
    assert _simulate(seed=11) == _simulate(seed=11)


def test_docstring_documents_every_event_kind() -> None:
    doc = task.__doc__ or ""
    events = bot.simulate({}, bot.BotParams(), 1)
    assert all(f"``{kind}``" in doc for kind in {e.kind for e in events})
    for event in events:
        assert all(f"``{field}``" in doc for field in event.payload), event
