"""Invalid-responding rules and the outlier score (:mod:`scoring.engagement`).

Misbehaving players are the games' own simulations with the policy swapped: the
game's ``Bot`` class is replaced by one that presses the same key at 80 ms, or
guesses at a normal pace, so the events come from the real task rules.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from games.api import EventRecord
from games.catalog import TaskGame
from kiosk.battery import load_battery
from scoring.engagement import (
    CODES,
    FEATURE_NAMES,
    EventTrace,
    OutlierModel,
    features_from_rows,
    game_engagement,
    quality_features,
    session_engagement,
)
from scoring.metrics import GAME_IDS

REFERENCE = Path(__file__).resolve().parents[2] / "resources/engagement/reference-features.json"
DESIGNS = load_battery("standard").params_by_game()

Tables = dict[str, dict[str, Any]]
Traces = dict[str, EventTrace]


class _OncePerTrial:
    """A policy answering each trial once, in the response phase, as ``choose`` says."""

    def __init__(self, choose: Callable[[Any, np.random.Generator], tuple[str, float]]) -> None:
        self.choose = choose

    def __call__(self, params: Any, rng: np.random.Generator) -> Any:
        choose = self.choose

        class Policy:
            answered: int | None = None

            def next_input(self, task: Any) -> Any:
                trial = task.current_trial
                if trial is None or task.phase.name != "RESPONSE" or self.answered == trial.index:
                    return None
                self.answered = trial.index
                key, delay = choose(task, rng)
                module = type(task).__module__.replace(".task", ".bot")
                return __import__(module, fromlist=["BotInput"]).BotInput(key, delay)

        return Policy()


def stuck_fast(task: Any, rng: np.random.Generator) -> tuple[str, float]:
    """The left key, 80 ms after the stimulus, every trial."""
    return str(task.params["key_left"]), 0.080


def guessing(task: Any, rng: np.random.Generator) -> tuple[str, float]:
    """A random key at an ordinary pace (400-700 ms)."""
    side = "left" if rng.random() < 0.5 else "right"
    return str(task.params[f"key_{side}"]), float(rng.uniform(0.4, 0.7))


@pytest.fixture
def misbehave(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, Any], None]]:
    def swap(game_id: str, policy: Any) -> None:
        monkeypatch.setattr(TaskGame(game_id).bot, "Bot", policy)

    yield swap


def play(game_id: str, seed: int) -> tuple[dict[str, Any], list[EventRecord]]:
    game = TaskGame(game_id)
    rng = np.random.default_rng([seed, GAME_IDS.index(game_id)])
    player = game.bot.BotParams.sample(rng)
    events = game.bot.simulate(dict(DESIGNS.get(game_id, {})), player, int(rng.integers(2**31)))
    return game.task.trial_table(events), events


def session(seed: int) -> tuple[Tables, Traces]:
    tables: Tables = {}
    traces: Traces = {}
    for game_id in GAME_IDS:
        table, events = play(game_id, seed)
        tables[game_id], traces[game_id] = table, EventTrace.from_events(events)
    return tables, traces


def codes(flags: Any) -> set[str]:
    return {flag.code for flag in flags}


# ---- normal players --------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("seed", [101, 202, 303, 404, 505, 606])
def test_normal_players_raise_no_flag(seed: int) -> None:
    tables, traces = session(seed)
    assert session_engagement(tables, traces) == ()


# ---- each rule on a misbehaving player ---------------------------------------------------


@pytest.mark.parametrize("game_id", ["arrows", "lengths", "stop"])
def test_same_key_at_80_ms_is_too_fast_and_the_same_response(misbehave: Any, game_id: str) -> None:
    misbehave(game_id, _OncePerTrial(stuck_fast))
    table, events = play(game_id, 1)
    flags = game_engagement(game_id, table, EventTrace.from_events(events), name="Game")
    found = {flag.code: flag for flag in flags}
    assert {"too_fast_responding", "same_response"} <= set(found)
    fast = found["too_fast_responding"]
    assert fast.evidence["fast_share"] > 0.9
    assert fast.evidence["median_rt_ms"] < 150
    assert fast.message.startswith("Game: ") and "150 ms" in fast.message
    assert found["same_response"].evidence["modal_share"] >= 0.95


@pytest.mark.parametrize("game_id", ["arrows", "stop"])
def test_guessing_at_a_normal_pace_is_at_chance_only(misbehave: Any, game_id: str) -> None:
    misbehave(game_id, _OncePerTrial(guessing))
    table, _ = play(game_id, 2)
    flags = game_engagement(game_id, table)
    assert codes(flags) == {"chance_accuracy"}
    (flag,) = flags
    assert 0.35 < flag.evidence["accuracy"] < 0.62
    assert flag.evidence["p_value"] > 0.05


def test_one_deck_every_pick_is_the_same_response(misbehave: Any) -> None:
    from games.cards.bot import BotInput

    class OneDeck:
        def __init__(self, params: Any, rng: Any) -> None:
            pass

        def next_input(self, task: Any) -> Any:
            return BotInput(("choose", "A"), 0.9) if task.trial_running else None

    misbehave("cards", OneDeck)
    table, _ = play("cards", 3)
    flags = game_engagement("cards", table)
    assert codes(flags) == {"same_response"}
    assert flags[0].evidence["modal_share"] == 1.0
    assert "(A)" in flags[0].message


def _with_repeats(events: list[EventRecord], every: int) -> list[EventRecord]:
    """The events with auto-repeats the game ignored on every ``every``-th trial."""
    out: list[EventRecord] = []
    for event in events:
        out.append(event)
        trial = event.trial_index
        if event.kind == "response" and trial is not None and trial % every == 0:
            for k in range(5):
                out.append(
                    dataclasses.replace(
                        event,
                        kind="ignored_input",
                        t_ns=event.t_ns + (k + 1) * 33_000_000,
                        payload={"reason": "auto_repeat", "key": "f"},
                    )
                )
    return out


def test_a_key_held_on_many_trials_is_flagged_and_an_odd_repeat_is_not() -> None:
    _, events = play("arrows", 4)
    held = game_engagement("arrows", {}, EventTrace.from_events(_with_repeats(events, 2)))
    assert codes(held) == {"key_held"}
    assert held[0].evidence["held_share"] > 0.4
    rare = game_engagement("arrows", {}, EventTrace.from_events(_with_repeats(events, 40)))
    assert rare == ()


def _delayed(events: list[EventRecord], after: int, by_s: float) -> list[EventRecord]:
    shift = int(by_s * 1e9)
    return [
        dataclasses.replace(e, t_ns=e.t_ns + shift) if position > after else e
        for position, e in enumerate(events)
    ]


def test_a_long_silence_inside_a_trial_is_an_idle_gap_but_a_pause_is_not() -> None:
    _, events = play("cards", 5)
    onset = next(i for i, e in enumerate(events) if e.kind == "stimulus_onset" and i > 20)
    idle = game_engagement("cards", {}, EventTrace.from_events(_delayed(events, onset, 70.0)))
    assert codes(idle) == {"idle_gap"}
    assert idle[0].evidence["longest_s"] >= 70.0
    paused = list(events)
    pause = dataclasses.replace(events[onset], kind="pause", payload={"during_trial": True})
    paused.insert(onset + 1, pause)
    paused = _delayed(paused, onset + 1, 300.0)
    resume = dataclasses.replace(paused[onset + 2], kind="resume", payload={})
    paused.insert(onset + 2, dataclasses.replace(resume, t_ns=paused[onset + 2].t_ns - 1))
    assert game_engagement("cards", {}, EventTrace.from_events(paused)) == ()


def test_unreadable_tables_give_no_flags() -> None:
    for game_id in (*GAME_IDS, "unknown"):
        assert game_engagement(game_id, {}) == ()
        assert game_engagement(game_id, {"rt_ms": np.array([[1.0]])}) == ()
    assert game_engagement("arrows", {"practice": np.zeros(3, bool)}) == ()
    assert np.isnan(quality_features({"arrows": {}})).all()


def test_flags_are_frozen_data_with_json_ready_evidence() -> None:
    _, events = play("arrows", 4)
    flag = game_engagement("arrows", {}, EventTrace.from_events(_with_repeats(events, 1)))[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        flag.code = "other"  # type: ignore[misc]
    assert flag.code in CODES
    json.dumps(flag.as_dict())


# ---- the outlier score -------------------------------------------------------------------


@pytest.fixture(scope="module")
def model() -> OutlierModel:
    document = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert document["features"] == list(FEATURE_NAMES)
    return OutlierModel(features_from_rows(document["rows"]), **document["forest"])


@pytest.mark.slow
def test_the_forest_is_refitted_identically(model: OutlierModel) -> None:
    document = json.loads(REFERENCE.read_text(encoding="utf-8"))
    again = OutlierModel(features_from_rows(document["rows"]), **document["forest"])
    rows = features_from_rows(document["rows"][:20])
    assert np.array_equal(model.scores(rows), again.scores(rows))


@pytest.mark.slow
def test_misbehaving_sessions_rank_above_normal_ones(misbehave: Any, model: OutlierModel) -> None:
    normal = [model.score(quality_features(*session(seed))) for seed in (11, 12, 13, 14, 15, 16)]
    for game_id in ("arrows", "lengths", "stop"):
        misbehave(game_id, _OncePerTrial(stuck_fast))
    stuck = model.score(quality_features(*session(17)))
    for game_id in ("arrows", "lengths", "stop"):
        misbehave(game_id, _OncePerTrial(guessing))
    guess = model.score(quality_features(*session(18)))
    assert min(stuck.score, guess.score) > max(n.score for n in normal)
    assert stuck.atypical and guess.atypical
    assert stuck.flag() is not None and stuck.flag().code == "atypical_session"  # type: ignore[union-attr]
    assert sum(n.atypical for n in normal) <= 1  # about 1% of normal sessions are, by design


def test_the_model_refuses_a_matrix_of_the_wrong_shape() -> None:
    with pytest.raises(ValueError, match="columns"):
        OutlierModel(np.zeros((50, 3)))
