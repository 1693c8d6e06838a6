"""Digits (digit span): sequences, parameters, the stop rule, trial table and bot fidelity."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from scipy.stats import spearmanr

from games.api import ConfigError, ListSink
from games.digits import bot, task

REFRESH = 16_666_667


def test_defaults_follow_science_md() -> None:
    p = task.validate_params({})
    assert p["directions"] == ("forward", "backward")
    assert (p["forward_start"], p["backward_start"], p["max_length"]) == (3, 2, 9)
    assert p["trials_per_length"] == 2 and p["failures_to_stop"] == 2
    assert p["digit_interval_ms"] == 1000
    assert task.DISPLAY_NAME == "Digits" and task.VERSION == "1.0.0"


def test_same_seed_same_schedule_different_seed_different() -> None:
    a = task.make_schedule({}, 3)
    assert a == task.make_schedule({}, 3)
    assert a != task.make_schedule({}, 4)
    # practice (2 digits), then lengths 3..9 twice forward; practice, 2..9 twice backward
    assert len(a) == 1 + 7 * 2 + 1 + 8 * 2
    assert a[0].practice and a[0].length == 2 and a[1].length == 3 and not a[1].practice
    backward = [t for t in a if t.direction == "backward"]
    assert all(t.target == t.digits[::-1] for t in backward)


def test_sequences_use_1_to_9_without_repeats() -> None:
    for seed in range(20):
        for t in task.make_schedule({}, seed):
            assert len(set(t.digits)) == len(t.digits) and set(t.digits) <= set(range(1, 10))
    long = task.make_sequence(5, "forward", 12, 1)
    assert len(long) == 12 and all(a != b for a, b in itertools.pairwise(long))
    # The sequence of a step does not depend on what came before.
    assert task.make_sequence(5, "forward", 6, 2) == task.make_sequence(5, "forward", 6, 2)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"span": 3}, "'span'"),
        ({"max_length": 13}, "'max_length'"),
        ({"forward_start": 10}, "'forward_start'"),
        ({"directions": ["sideways"]}, "'directions'"),
        ({"directions": "forward"}, "'directions'"),
        ({"directions": ["forward", "forward"]}, "'directions'"),
        ({"failures_to_stop": 3}, "'failures_to_stop'"),
        ({"feedback": "always"}, "'feedback'"),
        ({"digit_duration_ms": 1500}, "'digit_duration_ms'"),
        ({"digit_interval_ms": 1000.0}, "'digit_interval_ms'"),
    ],
)
def test_validate_params_refuses(params: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        task.validate_params(params)


def _play(game: task.DigitsTask, correct: bool, t: int) -> int:
    """Run one trial: present everything, then type the target (or a wrong answer)."""
    trial = game.start_trial(t)
    while game.stimulus_due is not None:
        t += 1000
        assert game.stimulus_shown(t, "paint", REFRESH)
    answer = list(trial.target)
    if not correct:
        answer[0] = 1 if answer[0] != 1 else 2
    for digit in answer:
        t += 10
        assert game.enter_digit(digit, t)
    return t + 10


def test_stop_rule_two_failures_at_one_length() -> None:
    params = {"directions": ["forward"], "n_practice": 0, "max_length": 9}
    game = task.DigitsTask(params, 1, ListSink(clock=lambda: 0))
    assert game.trials_planned == 14
    t = 0
    # length 3: pass, pass; length 4: fail, pass (goes on); length 5: fail, fail (stop)
    for correct, length in [(1, 3), (1, 3), (0, 4), (1, 4), (0, 5)]:
        assert game.current_trial is not None and game.current_trial.length == length
        t = _play(game, bool(correct), t)
    assert not game.finished
    t = _play(game, False, t)
    assert game.finished and game.trials_done == game.trials_planned == 6
    assert game.longest_span["forward"] == 4
    assert game.summary().completed


def test_passing_everything_ends_at_max_length() -> None:
    params = {"n_practice": 0, "max_length": 5}
    sink = ListSink(clock=lambda: 0)
    game = task.DigitsTask(params, 2, sink)
    t = 0
    while not game.finished:
        t = _play(game, True, t)
    assert game.trials_done == 3 * 2 + 4 * 2
    assert game.longest_span == {"forward": 5, "backward": 5}
    assert sink.flushes == game.trials_done + 1


def test_inputs_outside_recall_are_ignored_and_backward_is_scored_reversed() -> None:
    sink = ListSink(clock=lambda: 0)
    game = task.DigitsTask({"directions": ["backward"], "n_practice": 1}, 9, sink)
    assert not game.enter_digit(3, 0)
    trial = game.start_trial(0)
    assert trial.practice and trial.direction == "backward"
    assert not game.enter_digit(trial.digits[0], 5)  # still presenting
    with pytest.raises(RuntimeError):
        game.start_trial(6)
    while game.stimulus_due is not None:
        game.stimulus_shown(100, "paint", REFRESH)
    assert not game.stimulus_shown(101, "paint", REFRESH)
    with pytest.raises(ValueError, match=r"0\.\.9"):
        game.enter_digit(12, 102)
    assert game.enter_digit(trial.digits[0], 103)  # forward order: wrong for backward
    assert game.delete_last(104)
    assert not game.delete_last(105)
    for digit in trial.target:
        game.enter_digit(digit, 110)
    assert game.last_outcome is not None and game.last_outcome.correct
    assert [e.payload["correct"] for e in sink.events if e.kind == "feedback"] == [True]
    second = game.start_trial(200)
    while game.stimulus_due is not None:
        game.stimulus_shown(300, "paint", REFRESH)
    game.enter_digit(second.target[0], 310)
    assert game.submit(320)
    assert game.last_outcome is not None and not game.last_outcome.correct
    table = task.trial_table(sink.events)
    assert list(table["deletions"]) == [1, 0]
    assert list(table["n_entered"]) == [2, 1]
    assert list(table["correct"]) == [True, False]


def test_trial_table_one_row_per_trial_run() -> None:
    events = bot.simulate({}, bot.BotParams(), 4)
    table = task.trial_table(events)
    assert list(table) == list(task.COLUMNS)
    n_run = sum(e.kind == "trial_end" for e in events)
    assert all(len(col) == n_run for col in table.values())
    assert table["practice"].sum() == 2
    assert set(table["direction"]) == {"forward", "backward"}
    assert np.allclose(table["mean_digit_interval_ms"][table["length"] > 1], 1000.0)
    assert np.all(table["first_entry_ms"] > 0)
    assert all(e.trial_index is not None for e in events)
    assert list(table["trial_index"]) == list(range(n_run))


def test_interrupted_game_gives_rows_for_complete_trials_only() -> None:
    events = bot.simulate({}, bot.BotParams(), 4)
    ends = [i for i, e in enumerate(events) if e.kind == "trial_end"]
    cut = events[: ends[4] + 4]  # trial 5 started, digits shown, not finished
    table = task.trial_table(cut)
    assert all(len(col) == 5 for col in table.values())
    assert len(task.trial_table([])["length"]) == 0


def _longest(table: dict[str, np.ndarray], direction: str) -> int:
    ok = table["correct"] & ~table["practice"] & (table["direction"] == direction)
    return int(table["length"][ok].max()) if ok.any() else 0


@pytest.mark.slow
def test_bot_span_drives_longest_span() -> None:
    rng = np.random.default_rng(11)
    spans = np.linspace(3.0, 9.0, 40)
    backward_spans = rng.permutation(np.linspace(2.0, 8.0, 40))
    forward, backward = [], []
    for i, (span, back) in enumerate(zip(spans, backward_spans, strict=True)):
        sampled = bot.BotParams.sample(rng)
        params = replace(sampled, span=float(span), backward_span=float(back))
        table = task.trial_table(bot.simulate({}, params, seed=i))
        forward.append(_longest(table, "forward"))
        backward.append(_longest(table, "backward"))
    rho_f = spearmanr(spans, forward).statistic
    rho_b = spearmanr(backward_spans, backward).statistic
    assert rho_f > 0.9, rho_f
    assert rho_b > 0.9, rho_b


def test_docstring_documents_every_event_kind() -> None:
    doc = task.__doc__ or ""
    events = bot.simulate({}, bot.BotParams(), 1)
    assert all(f"``{kind}``" in doc for kind in {e.kind for e in events})
    for event in events:
        assert all(f"``{field}``" in doc for field in event.payload), event
