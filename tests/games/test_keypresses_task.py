"""Keypresses (finger tapping): schedule, tap recording, table and bot fidelity."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest
from scipy.stats import spearmanr

from games.api import ConfigError, ListSink
from games.keypresses import bot, task

MS = 1_000_000


class RecordingSink(ListSink):
    def __init__(self) -> None:
        super().__init__(clock=lambda: 0)
        self.durable: list[bool] = []

    def flush(self, durable: bool = False) -> None:
        super().flush(durable)
        self.durable.append(durable)


def test_identity_and_defaults() -> None:
    assert (task.GAME_ID, task.DISPLAY_NAME, task.VERSION) == (
        "keypresses",
        "Keypresses",
        "1.0.0",
    )
    p = task.validate_params({})
    assert (p["trial_ms"], p["trials_per_hand"]) == (10_000, 5)


def test_schedule_alternates_hands_and_counterbalances_the_first() -> None:
    a, b = task.make_schedule({}, 0), task.make_schedule({}, 1)
    assert a == task.make_schedule({}, 0) and a != b
    for schedule in (a, b):
        main = [t for t in schedule if not t.practice]
        assert len(main) == 10 and all(t.duration_ms == 10_000 for t in main)
        assert all(x.hand != y.hand for x, y in pairwise(main))
        assert sum(t.hand == "left" for t in main) == 5
        practice = [t for t in schedule if t.practice]
        assert [t.hand for t in practice] == [main[0].hand, main[1].hand]
        assert all(t.duration_ms == 5_000 for t in practice)
    assert {a[0].hand, b[0].hand} == {"left", "right"}
    assert task.make_schedule({"first_hand": "left"}, 0)[0].hand == "left"


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"trial_ms": 10}, "trial_ms"),
        ({"trials_per_hand": 0}, "trials_per_hand"),
        ({"first_hand": "both"}, "first_hand"),
        ({"key_left": 5}, "key_left"),
        ({"key_right": "f"}, "key_left"),
        ({"hands": 2}, "hands"),
    ],
)
def test_validate_params_names_the_bad_key(params: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        task.validate_params(params)


def test_every_tap_is_recorded_and_counted_in_the_window() -> None:
    sink = RecordingSink()
    game = task.KeypressesTask(
        {"n_practice": 0, "trials_per_hand": 1, "first_hand": "left"}, 0, sink
    )
    game.start_trial(0)
    assert not game.respond("f", 1 * MS)  # false start
    game.stimulus_shown(2_000 * MS, "paint", 16_666_667)
    go = 2_000 * MS
    for k in range(10):  # 10 taps every 200 ms from 300 ms
        assert game.respond("f", go + (300 + 200 * k) * MS)
    assert not game.respond("j", go + 2_500 * MS)  # the other hand's key: a tap, not valid
    assert not game.respond("x", go + 2_600 * MS)
    assert game.taps == 10
    assert game.timeout(go + 10_000 * MS)
    game.start_trial(20_000 * MS)
    game.stimulus_shown(22_000 * MS, "paint", 16_666_667)
    game.respond("j", 22_000 * MS + 500 * MS)
    assert not game.respond("j", 22_000 * MS + 10_001 * MS)  # after the window: ends it
    assert game.finished and sink.durable == [False, False, True]
    taps = [e for e in sink.events if e.kind == "tap"]
    assert len(taps) == 12 and all(e.trial_index is not None for e in taps)
    assert taps[0].t_ns == go + 300 * MS and taps[0].payload["key"] == "f"
    table = task.trial_table(sink.events)
    assert table["taps"].tolist() == [10, 1] and table["wrong_key_taps"].tolist() == [1, 0]
    assert table["hand"].tolist() == ["left", "right"]
    assert table["first_tap_ms"][0] == pytest.approx(300.0)
    assert table["mean_iti_ms"][0] == pytest.approx(200.0)
    assert table["iti_cv"][0] == pytest.approx(0.0, abs=1e-9)
    assert np.isnan(table["iti_cv"][1]) and np.isnan(table["mean_iti_ms"][1])
    reasons = [e.payload["reason"] for e in sink.events if e.kind == "ignored_input"]
    assert reasons == ["before_onset", "unknown_key", "late"]


def test_simulated_table_has_one_row_per_trial_and_documented_columns() -> None:
    events = bot.simulate({}, bot.BotParams(), 3)
    table = task.trial_table(events)
    assert list(table) == list(task.COLUMNS)
    assert {len(c) for c in table.values()} == {len(task.make_schedule({}, 3))}
    assert 40 <= table["taps"][~table["practice"]].mean() <= 55
    ends = [e for e in events if e.kind == "trial_end"]
    assert [e.payload["taps"] for e in ends] == table["taps"].tolist()


def test_interrupted_game_gives_rows_for_complete_trials_only() -> None:
    events = bot.simulate({}, bot.BotParams(), 4)
    ends = [i for i, e in enumerate(events) if e.kind == "trial_end"]
    table = task.trial_table(events[: ends[5] + 20])  # trial 6 cut after some taps
    assert list(table["trial_index"]) == list(range(6))


@pytest.mark.slow
def test_bot_fidelity_rate_and_variability() -> None:
    rates = np.linspace(2.5, 7.5, 40)
    cvs = np.linspace(0.05, 0.3, 40)[np.random.default_rng(0).permutation(40)]
    rng = np.random.default_rng(1)
    taps, measured_cv = [], []
    for i in range(40):
        player = replace(
            bot.BotParams.sample(rng), tap_rate_hz=float(rates[i]), tap_cv=float(cvs[i])
        )
        t = task.trial_table(bot.simulate({"n_practice": 0}, player, 40 + i))
        taps.append(t["taps"].mean())
        measured_cv.append(np.nanmean(t["iti_cv"]))
    rho_rate = spearmanr(rates, taps).statistic
    rho_cv = spearmanr(cvs, measured_cv).statistic
    assert rho_rate > 0.9, rho_rate
    assert rho_cv > 0.9, rho_cv


def test_population_sample_is_plausible() -> None:
    rng = np.random.default_rng(5)
    samples = [bot.BotParams.sample(rng) for _ in range(200)]
    assert all(2.5 <= p.tap_rate_hz <= 7.5 for p in samples)
    assert 0.8 < np.mean([p.dominant_hand == "right" for p in samples]) < 0.97
