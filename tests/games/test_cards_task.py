"""Cards (Iowa Gambling Task): decks, parameters, payoffs, trial table and bot fidelity."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from scipy.stats import spearmanr

from games.api import ConfigError, EventRecord, ListSink
from games.cards import bot, task


def test_defaults_follow_science_md() -> None:
    p = task.validate_params({})
    assert p["n_picks"] == 100 and p["loan"] == 2000
    assert p["deck_win"] == {"A": 100, "B": 100, "C": 50, "D": 50}
    assert task.net_per_block({}) == {"A": -250, "B": -250, "C": 250, "D": 250}
    assert task.DISPLAY_NAME == "Cards" and task.VERSION == "1.0.0"


def test_same_seed_same_decks_different_seed_different() -> None:
    a = task.make_schedule({}, 1)
    assert a == task.make_schedule({}, 1)
    assert a != task.make_schedule({}, 2)


def _deck(cards: tuple[task.DeckCard, ...], deck: str) -> list[task.DeckCard]:
    return [c for c in cards if c.deck == deck]


@pytest.mark.parametrize("seed", [0, 1, 99])
def test_every_ten_cards_follow_bechara_structure(seed: int) -> None:
    cards = task.make_schedule({}, seed)
    expected = {
        "A": (100, [150, 200, 250, 300, 350], -250),
        "B": (100, [1250], -250),
        "C": (50, [25, 50, 50, 50, 75], 250),
        "D": (50, [250], 250),
    }
    for deck, (win, losses, net) in expected.items():
        deck_cards = _deck(cards, deck)
        assert len(deck_cards) == 100
        assert [c.position for c in deck_cards] == list(range(100))
        for start in range(0, 100, 10):
            block = deck_cards[start : start + 10]
            assert all(c.win == win for c in block)
            assert sorted(c.loss for c in block if c.loss) == losses
            assert sum(c.win - c.loss for c in block) == net


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
        ({"deck_losses": {"A": [0], "B": [1], "C": [1], "D": [1]}}, "'deck_losses'"),
        ({"cards_per_block": 2}, "'deck_losses'"),  # A has five losses per block
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
    # Ten B cards net -250; two more pay 100 each unless they carry the loss.
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


def test_bot_learning_rate_increases_good_deck_choices() -> None:
    rng = np.random.default_rng(7)
    rates = np.linspace(0.01, 0.6, 40)
    good = []
    for i, rate in enumerate(rates):
        # inverse temperature held at 2: otherwise its spread hides the learning rate's
        params = replace(
            bot.BotParams.sample(rng), learning_rate=float(rate), inverse_temperature=2.0
        )
        table = task.trial_table(bot.simulate({}, params, seed=i))
        good.append(table["advantageous"].mean())
    rho = spearmanr(rates, good).statistic
    assert rho > 0.3, rho


def test_bot_inverse_temperature_increases_good_deck_choices() -> None:
    rng = np.random.default_rng(8)
    betas = np.linspace(0.05, 4.0, 40)
    good = []
    for i, beta in enumerate(betas):
        params = replace(
            bot.BotParams.sample(rng), inverse_temperature=float(beta), learning_rate=0.2
        )
        table = task.trial_table(bot.simulate({}, params, seed=100 + i))
        good.append(table["advantageous"].mean())
    rho = spearmanr(betas, good).statistic
    assert rho > 0.4, rho


def test_docstring_documents_every_column_and_event_kind() -> None:
    doc = task.__doc__ or ""
    assert all(f"``{name}``" in doc for name in task.COLUMNS)
    events = bot.simulate({}, bot.BotParams(), 1)
    assert all(f"``{kind}``" in doc for kind in {e.kind for e in events})
    for event in events:
        assert all(f"``{field}``" in doc for field in event.payload), event
