"""Towers view: the bot lifts and drops balls with real clicks; keys, limits, pause."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from games.towers import bot, task
from games.towers.view import TowersView
from tests.games.ui.bot_play import (
    check_pause,
    check_stamps,
    make_view,
    play_to_end,
    screenshot_when,
)
from tests.games.ui.screens import go_on
from tests.games.ui.test_view_contract import FAST

SHORT = FAST["towers"].params
PLAYER = bot.BotParams(planning_skill=0.7, planning_time_s=2.0, move_time_s=1.0)


def _bot(seed: int = 4) -> bot.Bot:
    return bot.Bot(PLAYER, np.random.default_rng(seed))


def _board_up(view: TowersView) -> bool:
    return view.task.trial_running and not view.awaiting_onset


@pytest.mark.slow
def test_bot_plays_every_problem(qtbot, artefacts: Path) -> None:
    played = make_view(qtbot, TowersView, task, SHORT, seed=3)
    shot = screenshot_when(
        played,
        artefacts,
        "towers",
        lambda v: v.task.trials_done >= 1 and _board_up(v) and v._lifted is not None,
    )
    seconds = play_to_end(qtbot, played, _bot(), speed=0.05, timeout_ms=25_000)

    summary = played.summaries[0]
    assert summary.trials_done == 3
    table = task.trial_table(played.events)
    assert table["practice"].tolist() == [True, False, False]
    assert table["min_moves"].tolist() == [2, 2, 3]
    assert np.all(table["attempts"] >= 1)
    # Every applied move was a lift then a drop on screen.
    moves = [e for e in played.of("response") if e.payload["input"] == "move"]
    assert len(played.of("lift")) >= len(moves) == int(table["total_moves"].sum())
    # Each try's board onset was stamped by a painted frame.
    assert len(played.of("stimulus_onset")) == int(table["attempts"].sum())
    # The scheduled problems (practice, then Shallice problems 1 and 3) are the ones played.
    goals = [e.payload["goal"] for e in played.of("trial_start")]
    schedule = task.make_schedule(SHORT, 3)
    assert goals == [[list(peg) for peg in t.goal] for t in schedule]
    assert [e.payload["item"] for e in played.of("trial_start")] == [0, 1, 3]
    assert shot and shot[0].exists()
    assert seconds < 20


def test_every_seed_same_problems(qtbot) -> None:
    a = make_view(qtbot, TowersView, task, SHORT, seed=9).view.task
    b = make_view(qtbot, TowersView, task, SHORT, seed=10).view.task
    assert a.schedule == b.schedule == task.make_schedule(SHORT, 0)


@pytest.mark.slow
def test_keys_lift_put_back_move_and_start_over(qtbot) -> None:
    played = make_view(qtbot, TowersView, task, SHORT)
    view = played.view
    canvas = view.canvas
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: _board_up(view), timeout=5000)
    board = view.task.board
    source = next(p for p in range(3) if board[p])
    empty = next((p for p in range(3) if not board[p]), None)
    if empty is not None:
        QTest.keyClick(canvas, Qt.Key.Key_1 + empty)  # nothing to lift there
        assert played.of("ignored_input")[-1].payload["reason"] == "empty_peg"
    QTest.keyClick(canvas, Qt.Key.Key_1 + source)
    assert view._lifted == source
    check_pause(qtbot, played, lambda: QTest.keyClick(canvas, Qt.Key.Key_1 + source))
    assert view._lifted == source
    QTest.keyClick(canvas, Qt.Key.Key_1 + source)  # the same peg again: put back
    assert view._lifted is None and played.of("put_back")
    target = next(
        p for p, _ in enumerate(task.CAPACITY) if p != source and len(board[p]) < task.CAPACITY[p]
    )
    QTest.keyClick(canvas, Qt.Key.Key_1 + source)
    QTest.keyClick(canvas, Qt.Key.Key_1 + target)
    move = played.of("response")[-1].payload
    assert (move["from_peg"], move["to_peg"]) == (source, target)
    assert view.task.moves_in_attempt == 1
    QTest.keyClick(canvas, Qt.Key.Key_Backspace)  # start over: the try is given up
    assert played.of("attempt_end")[-1].payload["reason"] == "gave_up"
    assert view.awaiting_onset  # the message shows before the board comes back
    qtbot.waitUntil(lambda: _board_up(view), timeout=5000)
    assert view.task.attempt == 2 and view.task.board == view.task.current_trial.start
    check_stamps(played)


@pytest.mark.slow
def test_time_limit_from_frames_and_pause_extends_it(qtbot) -> None:
    played = make_view(qtbot, TowersView, task, {**SHORT, "attempt_time_limit_s": 0.6})
    view = played.view
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: _board_up(view), timeout=5000)
    view.pause()
    qtbot.wait(800)  # longer than the whole time limit
    view.resume()
    qtbot.wait(100)
    assert view.task.attempt == 1 and not played.of("attempt_end")
    extended = played.of("time_limit_extended")
    assert extended and extended[0].payload["by_ns"] > 700_000_000
    qtbot.waitUntil(lambda: bool(played.of("attempt_end")), timeout=3000)
    end = played.of("attempt_end")[0]
    assert end.payload["reason"] == "time_limit"
    onset = played.of("stimulus_onset")[0].t_ns
    limit_ns = 600_000_000 + extended[0].payload["by_ns"]
    # Noticed on the first frame at or after the deadline.
    assert 0 <= end.t_ns - (onset + limit_ns) < 100_000_000
