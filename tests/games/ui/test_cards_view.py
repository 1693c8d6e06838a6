"""Cards view: a bot plays the real widget through real clicks and keys."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from games.cards import bot, task
from games.cards.view import CardsView
from tests.games.ui.bot_play import (
    check_pause,
    check_stamps,
    make_view,
    play_to_end,
    screenshot_when,
)
from tests.games.ui.screens import go_on
from tests.games.ui.test_view_contract import FAST

SHORT = FAST["cards"].params
FAST_BOT = bot.BotParams(rt_mean_s=1.0)


def _bot(seed: int = 3) -> bot.Bot:
    return bot.Bot(FAST_BOT, np.random.default_rng(seed))


@pytest.mark.slow
def test_bot_plays_a_whole_game(qtbot, artefacts: Path) -> None:
    played = make_view(qtbot, CardsView, task, SHORT)
    shot = screenshot_when(
        played,
        artefacts,
        "cards",
        lambda v: v.task.trials_done >= 2 and v.task.trial_running and not v.awaiting_onset,
    )
    seconds = play_to_end(qtbot, played, _bot(), speed=0.05, timeout_ms=20_000)

    summary = played.summaries[0]
    assert summary.trials_done == 5
    table = task.trial_table(played.events)
    assert len(table["trial_index"]) == 5
    assert table["practice"].tolist() == [True, False, False, False, False]
    assert table["block"].tolist() == [0, 1, 1, 2, 2]
    # The bank follows the main picks' outcomes from the loan.
    main = ~table["practice"]
    assert table["bank"][-1] == 2000 + table["net"][main].sum()
    assert shot and shot[0].exists()
    assert seconds < 15


def test_every_seed_same_decks(qtbot) -> None:
    a = make_view(qtbot, CardsView, task, SHORT, seed=11).view.task
    b = make_view(qtbot, CardsView, task, SHORT, seed=12).view.task
    assert a._cards == b._cards  # the decks' card orders: one schedule for everyone
    assert task.make_schedule(SHORT, 11) == task.make_schedule(SHORT, 12)


@pytest.mark.slow
def test_keys_choose_decks_and_pause_swallows_them(qtbot) -> None:
    played = make_view(qtbot, CardsView, task, SHORT)
    view = played.view
    go_on(qtbot, view)  # instructions done
    qtbot.waitUntil(lambda: view.task.trial_running and not view.awaiting_onset, timeout=5000)
    check_pause(qtbot, played, lambda: QTest.keyClick(view.canvas, Qt.Key.Key_2))
    QTest.keyClick(view.canvas, Qt.Key.Key_5)  # not a deck key: unused
    assert view.task.trial_running
    QTest.keyClick(view.canvas, Qt.Key.Key_3)
    assert not view.task.trial_running
    response = played.of("response")[-1]
    assert response.payload["deck"] == "C"
    check_stamps(played)
