"""Reversal view: a bot plays the real widget through real clicks and keys."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from games.engine.qt.view import Stage
from games.reversal import bot, task
from games.reversal.view import ReversalView
from tests.games.ui.bot_play import (
    check_pause,
    check_stamps,
    check_trial_table,
    drive,
    make_view,
    play_to_end,
    save_screenshot,
    screenshot_when,
)
from tests.games.ui.screens import go_on

SHORT = {
    "n_trials": 12,
    "n_practice": 1,
    "criterion_window": 4,
    "criterion_correct": 3,
    "min_phase_trials": 4,
    "max_phase_trials": 6,
}
FAST_BOT = bot.BotParams(rt_mean_s=0.6)


def _bot(seed: int = 3) -> bot.Bot:
    return bot.Bot(FAST_BOT, np.random.default_rng(seed))


@pytest.mark.slow
def test_bot_plays_a_whole_game(qtbot, artefacts: Path) -> None:
    played = make_view(qtbot, ReversalView, task, SHORT, iti_ms=300)
    shot = screenshot_when(
        played,
        artefacts,
        "reversal",
        lambda v: v.task.trials_done >= 2 and v.task.trial_running and not v.awaiting_onset,
    )
    seconds = play_to_end(qtbot, played, _bot(), speed=0.05, timeout_ms=30_000)
    summary = played.summaries[0]
    assert summary.completed and summary.trials_done == summary.trials_planned == 13
    table = check_trial_table(played, task)
    assert table["practice"].tolist() == [True] + [False] * 12
    assert table["phase"][-1] >= 1  # at most 6 trials per phase: reversals happened
    # The clicked option is the one recorded, whichever side it was on.
    responses = played.of("response")
    starts = {e.trial_index: e for e in played.of("trial_start")}
    for r in responses:
        left = starts[r.trial_index].payload["left"]
        assert (r.payload["option"] == left) == (r.payload["side"] == "left")
    assert summary.extra["total"] == 10 * int(table["reward"][1:].sum())
    check_stamps(played)
    assert shot and shot[0].exists()
    assert seconds < 25


@pytest.mark.slow
def test_arrow_keys_choose_by_side_and_pause_swallows_them(qtbot) -> None:
    played = make_view(qtbot, ReversalView, task, SHORT)
    view = played.view
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: view.task.trial_running and not view.awaiting_onset, timeout=5000)
    check_pause(qtbot, played, lambda: QTest.keyClick(view.canvas, Qt.Key.Key_Left))
    QTest.keyClick(view.canvas, Qt.Key.Key_Up)  # not a choice key: unused
    assert view.task.trial_running
    right = view.task.current_trial
    QTest.keyClick(view.canvas, Qt.Key.Key_Right)
    assert not view.task.trial_running
    response = played.of("response")[-1]
    assert response.payload["side"] == "right"
    assert response.payload["option"] != right.left
    check_stamps(played)


@pytest.mark.slow
def test_interrupt_keeps_only_complete_trials_in_german(qtbot, artefacts: Path) -> None:
    played = make_view(qtbot, ReversalView, task, SHORT, language="de", size=(720, 900))
    view = played.view
    drive(played, _bot(), speed=0.05)
    qtbot.waitUntil(lambda: view.task.trials_done >= 3 and view.task.trial_running, timeout=15_000)
    save_screenshot(played, artefacts, "reversal_de")
    view.interrupt()
    qtbot.waitUntil(lambda: played.finished, timeout=1000)
    assert not played.summaries[0].completed
    assert view.stage is Stage.DONE
    table = check_trial_table(played, task)
    assert len(table["choice"]) == 3
    assert played.of("game_interrupted") and played.of("frame_stats")
