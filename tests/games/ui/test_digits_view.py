"""Digits view: frame-timed digits, a keypad the bot clicks, keys, pause and interrupt."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from games.digits import bot, task
from games.digits.view import DigitsView
from tests.games.ui.bot_play import (
    check_pause,
    check_stamps,
    make_view,
    play_to_end,
    screenshot_when,
)
from tests.games.ui.screens import go_on
from tests.games.ui.test_view_contract import FAST

INTERVAL_MS = 300
SHORT = FAST["digits"].params
ITI_MS = 800  # shorter than the real 1.2 s to keep the test quick; the flow is the same
SKILLED = bot.BotParams(span=9.0, backward_span=9.0, lapse=0.0, first_entry_s=0.5)


def _bot(seed: int = 3) -> bot.Bot:
    return bot.Bot(SKILLED, np.random.default_rng(seed))


def _recall_shown(view: DigitsView) -> bool:
    return view.task.phase == "recall" and not view.awaiting_onset


@pytest.mark.slow
def test_bot_plays_both_directions(qtbot, artefacts: Path) -> None:
    played = make_view(qtbot, DigitsView, task, SHORT, seed=5, iti_ms=ITI_MS)
    shot = screenshot_when(
        played,
        artefacts,
        "digits",
        lambda v: v.task.trials_done >= 1 and _recall_shown(v) and len(v.task.answer) == 1,
    )
    seconds = play_to_end(qtbot, played, _bot(), speed=0.05, timeout_ms=25_000)

    summary = played.summaries[0]
    assert summary.trials_done == 4
    table = task.trial_table(played.events)
    assert table["direction"].tolist() == ["forward"] * 2 + ["backward"] * 2
    assert table["practice"].tolist() == [True, False, True, False]
    assert table["correct"].all()
    assert table["n_entered"].tolist() == [2, 2, 2, 2]
    # Each digit was drawn on its own frame about one interval after the one before.
    assert np.all(np.abs(table["mean_digit_interval_ms"] - INTERVAL_MS) < 50)
    onsets = played.of("stimulus_onset")
    assert [e.payload["stimulus"] for e in onsets[:3]] == ["digit", "digit", "recall"]
    # Feedback followed the practice trials only (the default "practice" mode).
    assert [e.trial_index for e in played.of("feedback")] == [0, 2]
    # The seeded schedule decided every sequence shown.
    shown = [tuple(e.payload["digits"]) for e in played.of("trial_start")]
    assert shown == [t.digits for t in task.make_schedule(SHORT, 5)]
    # Practice over, the backward part announced, its practice over too.
    texts = played.view.texts
    practice_over = texts.get("common", "practice_over")
    assert played.messages == [practice_over, texts.get("digits", "backward_part"), practice_over]
    assert shot and shot[0].exists()
    assert seconds < 15


def test_same_seed_same_sequences(qtbot) -> None:
    a = make_view(qtbot, DigitsView, task, SHORT, seed=5).view.task
    b = make_view(qtbot, DigitsView, task, SHORT, seed=5).view.task
    assert a.current_trial == b.current_trial
    assert task.make_schedule(SHORT, 5) == task.make_schedule(SHORT, 5)
    assert task.make_schedule(SHORT, 5) != task.make_schedule(SHORT, 6)


@pytest.mark.slow
def test_keys_enter_delete_submit_and_pause(qtbot) -> None:
    played = make_view(qtbot, DigitsView, task, SHORT)
    view = played.view
    canvas = view.canvas
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: view.task.trial_running, timeout=5000)
    QTest.keyClick(canvas, Qt.Key.Key_5)  # during the digits: not given to the task
    assert played.of("ignored_input")[-1].payload["reason"] == "before_onset"
    qtbot.waitUntil(lambda: _recall_shown(view), timeout=5000)
    check_pause(qtbot, played, lambda: QTest.keyClick(canvas, Qt.Key.Key_1))
    QTest.keyClick(canvas, Qt.Key.Key_7)
    QTest.keyClick(canvas, Qt.Key.Key_Backspace)
    assert view.task.answer == ()
    QTest.keyClick(canvas, Qt.Key.Key_4)
    QTest.keyClick(canvas, Qt.Key.Key_Return)  # submit early: one digit of two
    assert not view.task.trial_running
    inputs = [e.payload["input"] for e in played.of("response")]
    assert inputs == ["digit", "delete", "digit", "submit"]
    assert played.of("trial_end")[-1].payload["answer"] == [4]
    check_stamps(played)


@pytest.mark.slow
def test_pause_during_digits_keeps_their_spacing(qtbot) -> None:
    played = make_view(qtbot, DigitsView, task, {**SHORT, "practice_length": 3})
    view = played.view
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: len(played.of("stimulus_onset")) == 1, timeout=5000)
    view.pause()
    qtbot.wait(400)  # longer than the digit interval
    assert len(played.of("stimulus_onset")) == 1
    view.resume()
    qtbot.waitUntil(lambda: _recall_shown(view), timeout=5000)
    onsets = [e.t_ns for e in played.of("stimulus_onset")]
    pause = played.of("pause")[0].t_ns
    resume = played.of("resume")[0].t_ns
    # The second digit came one interval after the first, counting the pause out.
    gap_ms = (onsets[1] - onsets[0] - (resume - pause)) / 1e6
    assert abs(gap_ms - INTERVAL_MS) < 50
    assert abs((onsets[2] - onsets[1]) / 1e6 - INTERVAL_MS) < 50
