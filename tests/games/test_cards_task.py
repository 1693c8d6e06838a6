"""Cards (Iowa Gambling Task): decks, parameters, payoffs, trial table and bot fidelity."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from games.api import ConfigError, EventRecord, ListSink
from games.cards import bot, task


def test_defaults_follow_science_md() -> None:
    p = task.validate_params({})
    assert p["n_picks"] == 100 and p["loan"] == 2000
    assert p["deck_win"] == {"A": 100, "B": 100, "C": 50, "D": 50}
    assert task.net_per_sequence({}) == {"A": -1000, "B": -1000, "C": 1000, "D": 1000}
    assert task.DISPLAY_NAME == "Cards" and task.VERSION == "2.0.0"


def test_one_fixed_schedule_for_every_seed() -> None:
    a = task.make_schedule({}, 1)
    assert a == task.make_schedule({}, 2) == task.make_schedule({}, 12345)


def _deck(cards: tuple[task.DeckCard, ...], deck: str) -> list[task.DeckCard]:
    return [c for c in cards if c.deck == deck]


def test_every_ten_cards_follow_bechara_structure() -> None:
    cards = task.make_schedule({})
    expected = {
        "A": (100, [[150, 200, 250, 300, 350]], -250),
        "B": (100, [[1250]], -250),
        "C": (50, [[50, 50, 50, 50, 50], [25, 25, 50, 75, 75], [25, 50, 50, 50, 75]], 250),
        "D": (50, [[250]], 250),
    }
    for deck, (win, losses, net) in expected.items():
        deck_cards = _deck(cards, deck)
        assert len(deck_cards) == 100
        assert [c.position for c in deck_cards] == list(range(100))
        for start in range(0, 100, 10):
            block = deck_cards[start : start + 10]
            assert all(c.win == win for c in block)
            assert sorted(c.loss for c in block if c.loss) in losses
            assert sum(c.win - c.loss for c in block) == net


def test_bechara_positions_and_the_sequence_repeats_after_40_cards() -> None:
    cards = task.make_schedule({})
    b = [c.position + 1 for c in _deck(cards, "B") if c.loss]
    assert b == [9, 14, 21, 32, 49, 54, 61, 72, 89, 94]
    d = [c.position + 1 for c in _deck(cards, "D") if c.loss]
    assert d[:4] == [10, 20, 29, 35]
    a = _deck(cards, "A")
    assert [c.loss for c in a[:10]] == [0, 0, 150, 0, 300, 0, 200, 0, 250, 350]
    assert [c.loss for c in a[40:80]] == [c.loss for c in a[:40]]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"n_pick": 100}, "'n_pick'"),
        ({"n_picks": 0}, "'n_picks'"),
        ({"loan": -5}, "'loan'"),
        ({"loan": 2000.0}, "'loan'"),
        ({"deck_win": {"A": 1, "B": 1, "C": 1}}, "'deck_win'"),
        ({"deck_win": {"A": 1, "B": 1, "C": 1, "D": -1}}, "'deck_win'"),
        ({"deck_losses": {"A": [1], "B": [1], "C": [1], "D": "250"}}, "'deck_losses'"),
        ({"deck_losses": {"A": [-1], "B": [1], "C": [1], "D": [1]}}, "'deck_losses'"),
        ({"deck_losses": {"A": [], "B": [1], "C": [1], "D": [1]}}, "'deck_losses'"),
        ({"cards_per_block": 10}, "'cards_per_block'"),  # version 1's parameter
    ],
)
def test_validate_params_refuses(params: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        task.validate_params(params)


def test_bank_follows_the_cards() -> None:
    sink = ListSink(clock=lambda: 0)
    cards = task.make_schedule({"n_picks": 12}, 4)
    game = task.CardsTask({"n_picks": 12, "n_practice": 1}, 4, sink)
    game.start_trial(0)
    assert game.choose("B", 5)  # practice: win only, bank and deck untouched
    assert game.bank == 2000 and game.deck_counts["B"] == 0
    assert game.last_outcome is not None and game.last_outcome.loss == 0
    bank = 2000
    b_cards = _deck(cards, "B")
    for k in range(12):
        game.start_trial(10 * k)
        game.stimulus_shown(10 * k + 1, "paint", 16_666_667)
        assert game.choose("B", 10 * k + 5)
        bank += b_cards[k].win - b_cards[k].loss
        assert game.bank == bank
    # Cards 9 and 14 of deck B carry its 1250 losses; the rest pay 100 each.
    assert game.finished and game.deck_counts["B"] == 12
    assert not game.choose("A", 10_000)
    with pytest.raises(ValueError, match="unknown deck"):
        game.choose("E", 10_000)
    with pytest.raises(RuntimeError):
        game.start_trial(10_001)
    table = task.trial_table(sink.events)
    assert table["bank"][-1] == bank
    assert list(table["practice"]) == [True] + [False] * 12
    assert list(table["deck_pick"]) == [0, *range(1, 13)]
    assert game.summary().completed


def test_trial_table_columns_and_rows() -> None:
    events = bot.simulate({}, bot.BotParams(), 3)
    table = task.trial_table(events)
    assert list(table) == list(task.COLUMNS)
    assert all(len(col) == 100 for col in table.values())
    assert set(table["block"]) == {1, 2, 3, 4, 5}
    assert np.all(table["net"] == table["win"] - table["loss"])
    assert table["bank"][-1] == 2000 + table["net"].sum()
    assert np.array_equal(table["advantageous"], np.isin(table["deck"], ["C", "D"]))
    assert np.all(table["rt_ms"] > 0)
    assert all(e.trial_index is not None for e in events)


def test_interrupted_game_gives_rows_for_complete_picks_only() -> None:
    events: list[EventRecord] = bot.simulate({"n_picks": 10}, bot.BotParams(), 3)
    last_start = max(i for i, e in enumerate(events) if e.kind == "trial_start")
    table = task.trial_table(events[: last_start + 2])
    assert all(len(col) == 9 for col in table.values())
    assert len(task.trial_table([])["deck"]) == 0


@pytest.mark.slow
def test_population_prefers_deck_b_as_healthy_adults_do() -> None:
    # Steingroever et al. (2013), Lin et al. (2013): deck A least chosen; deck B about
    # as popular as the good decks C and D; net score rising over the blocks.
    rng = np.random.default_rng(5)
    shares, first, later = [], [], []
    for k in range(120):
        table = task.trial_table(bot.simulate({}, bot.BotParams.sample(rng), k))
        shares.append([np.mean(table["deck"] == d) for d in task.DECKS])
        good = np.where(table["advantageous"], 1, -1)
        first.append(good[:20].sum())
        later.append(good[40:].sum() / 3)
    a, b, c, d = np.mean(shares, axis=0)
    assert a < 0.2 and a < min(b, c, d)
    assert 0.22 < b < 0.36 and abs(b - c) < 0.08
    assert np.mean(first) < np.mean(later) - 2


@pytest.mark.slow
def test_bot_learning_rate_and_consistency_increase_good_deck_choices() -> None:
    def good_share(**fixed: float) -> float:
        rng = np.random.default_rng(7)
        values = []
        for i in range(30):
            params = replace(bot.BotParams.sample(rng), **fixed)
            values.append(task.trial_table(bot.simulate({}, params, seed=i))["advantageous"].mean())
        return float(np.mean(values))

    assert good_share(learning_rate=0.02) + 0.05 < good_share(learning_rate=0.4)
    assert good_share(consistency=0.1) + 0.05 < good_share(consistency=1.5)


def test_pvl_utility_weighs_frequent_small_losses_more() -> None:
    # Concave utility: ten cards of deck B (one -1250) look better than ten of deck A.
    p = bot.BotParams(shape=0.3, loss_aversion=1.0)

    def utility(x: float) -> float:
        return x**p.shape if x >= 0 else -p.loss_aversion * (-x) ** p.shape

    deck_a = 5 * utility(1.0) + sum(utility(1.0 - loss / 100) for loss in (150, 200, 250, 300, 350))
    deck_b = 9 * utility(1.0) + utility(1.0 - 12.5)
    assert deck_b > deck_a
    assert p.theta == pytest.approx(3**0.9 - 1)


def test_docstring_documents_every_event_kind() -> None:
    doc = task.__doc__ or ""
    events = bot.simulate({}, bot.BotParams(), 1)
    assert all(f"``{kind}``" in doc for kind in {e.kind for e in events})
    for event in events:
        assert all(f"``{field}``" in doc for field in event.payload), event
