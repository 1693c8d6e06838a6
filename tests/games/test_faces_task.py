"""Faces (emotion recognition): schedule balance, parameters, table and bot fidelity."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest
from scipy.stats import spearmanr

from games.api import ConfigError, ListSink
from games.faces import bot, task

OPTIONS = (*task.EMOTIONS, "neutral")


def test_identity_and_defaults() -> None:
    assert (task.GAME_ID, task.DISPLAY_NAME, task.VERSION) == ("faces", "Faces", "1.1.0")
    p = task.validate_params({})
    assert p["emotions"] == task.EMOTIONS and p["intensities"] == (0.2, 0.4, 0.6, 0.8, 1.0)
    assert task.options_for({}) == OPTIONS


def test_same_seed_same_schedule_different_seed_different() -> None:
    assert task.make_schedule({}, 1) == task.make_schedule({}, 1)
    assert task.make_schedule({}, 1) != task.make_schedule({}, 2)


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"emotions": ["joy"]}, "emotions"),
        ({"emotions": "anger"}, "emotions"),
        ({"emotions": ["anger", "anger"]}, "emotions"),
        ({"intensities": [0.0, 0.5]}, "intensities"),
        ({"intensities": []}, "intensities"),
        ({"include_neutral": "yes"}, "include_neutral"),
        ({"repeats": 0}, "repeats"),
        ({"n_neutral": -2}, "n_neutral"),
        ({"emotions": ["fear"], "include_neutral": False}, "emotions"),
        ({"contempt": True}, "contempt"),
    ],
)
def test_validate_params_names_the_bad_key(params: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        task.validate_params(params)


def test_schedule_is_balanced() -> None:
    for seed in range(10):
        schedule = task.make_schedule({}, seed)
        main = [t for t in schedule if not t.practice]
        cells = Counter((t.emotion, t.intensity) for t in main)
        for emotion in task.EMOTIONS:
            for intensity in (0.2, 0.4, 0.6, 0.8, 1.0):
                assert cells[emotion, intensity] == 2
        assert cells["neutral", 0.0] == 10 and len(main) == 70
        for emotion in OPTIONS:
            ids = Counter(t.identity for t in main if t.emotion == emotion)
            assert max(ids.values()) - min(ids.values(), default=0) <= 1 and len(ids) == 4
        run = 1
        for a, b in pairwise(main):
            run = run + 1 if a.emotion == b.emotion else 1
            assert run <= 2
        practice = [t for t in schedule if t.practice]
        assert len(practice) == 3 and all(t.intensity in (0.0, 1.0) for t in practice)
        assert len({t.emotion for t in practice}) == 3
    custom = task.make_schedule(
        {"emotions": ["fear", "happiness"], "include_neutral": False, "intensities": [0.5],
         "repeats": 5, "n_practice": 0}, 0)  # fmt: skip
    assert Counter(t.emotion for t in custom) == {"fear": 5, "happiness": 5}


def test_state_machine_and_feedback() -> None:
    sink = ListSink(clock=lambda: 0)
    game = task.FacesTask({"n_practice": 1, "repeats": 1, "stimulus_ms": 300}, 4, sink)
    practice = game.start_trial(0)
    assert not game.respond("anger", 1)
    game.stimulus_shown(500 * 10**6, "paint", 16_666_667)
    assert game.stimulus_hidden(800 * 10**6, "paint", 16_666_667)
    assert not game.respond("joy", 900 * 10**6)
    assert game.respond(practice.emotion, 1_700 * 10**6)
    assert game.last_feedback is not None and game.last_feedback["message"] == "correct"
    game.start_trial(2_000 * 10**6)
    game.stimulus_shown(2_500 * 10**6, "paint", 16_666_667)
    assert game.timeout(12_500 * 10**6)
    assert game.last_feedback is None  # main trials give no feedback
    table = task.trial_table(sink.events)
    assert table["rt_ms"][0] == pytest.approx(1200.0) and table["correct"][0]
    assert table["face_shown_ms"][0] == pytest.approx(300.0)
    assert table["timeout"][1] and table["choice"][1] == ""
    reasons = [e.payload["reason"] for e in sink.events if e.kind == "ignored_input"]
    assert reasons == ["before_onset", "unknown_choice"]
    game.start_trial(20_000 * 10**6)
    with pytest.raises(RuntimeError):
        game.start_trial(20_000 * 10**6 + 1)


def test_simulated_table_has_one_row_per_trial_and_documented_columns() -> None:
    events = bot.simulate({}, bot.BotParams(), 5)
    table = task.trial_table(events)
    assert list(table) == list(task.COLUMNS)
    assert {len(c) for c in table.values()} == {len(task.make_schedule({}, 5))}
    assert set(table["choice"]) <= set(OPTIONS) | {""}
    assert table["intensity"].dtype == np.float64
    assert all(e.trial_index is not None for e in events)


def test_interrupted_game_gives_rows_for_complete_trials_only() -> None:
    events = bot.simulate({}, bot.BotParams(), 6)
    ends = [i for i, e in enumerate(events) if e.kind == "trial_end"]
    table = task.trial_table(events[: ends[4] + 2])
    assert list(table["trial_index"]) == [0, 1, 2, 3, 4]


@pytest.mark.slow
def test_bot_accuracy_rises_with_intensity_and_follows_ease() -> None:
    tables = [task.trial_table(bot.simulate({"repeats": 4}, bot.BotParams(), s)) for s in range(8)]
    t = {k: np.concatenate([x[k] for x in tables]) for k in tables[0]}
    main = ~t["practice"]
    levels = (0.2, 0.6, 1.0)
    by_intensity = [t["correct"][main & (t["intensity"] == i)].mean() for i in levels]
    assert by_intensity[0] < by_intensity[1] < by_intensity[2]
    happy = t["correct"][main & (t["emotion"] == "happiness")].mean()
    fear = t["correct"][main & (t["emotion"] == "fear")].mean()
    assert happy > fear + 0.15


@pytest.mark.slow
def test_bot_fidelity_recognition_vs_accuracy() -> None:
    """recognition moves accuracy (up) and RT (down), alone and in a varied population."""
    levels = np.linspace(0.5, 8.0, 40)
    rng = np.random.default_rng(0)
    params = {"repeats": 6, "n_practice": 0}
    acc_population, accuracy, mean_rt = [], [], []
    for i, level in enumerate(levels):
        player = replace(bot.BotParams.sample(rng), recognition=float(level))
        acc_population.append(
            task.trial_table(bot.simulate(params, player, 30 + i))["correct"].mean()
        )
        fixed = replace(bot.BotParams(), recognition=float(level))
        t = task.trial_table(bot.simulate(params, fixed, 30 + i))
        accuracy.append(t["correct"].mean())
        mean_rt.append(np.nanmean(t["rt_ms"]))
    rho_population = spearmanr(levels, acc_population).statistic
    rho_acc = spearmanr(levels, accuracy).statistic
    rho_rt = spearmanr(levels, mean_rt).statistic
    assert rho_population > 0.8, rho_population
    assert rho_acc > 0.9, rho_acc
    assert rho_rt < -0.8, rho_rt


def test_population_sample_is_plausible() -> None:
    rng = np.random.default_rng(2)
    for _ in range(50):
        p = bot.BotParams.sample(rng)
        assert 1.0 <= p.recognition <= 8.0 and set(p.ease) == set(OPTIONS)
        assert all(v > 0 for v in p.drifts(OPTIONS, "fear", 0.33))
