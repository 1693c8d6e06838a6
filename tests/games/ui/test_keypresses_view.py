"""Keypresses through the real widget: GO on the frame grid, every tap stamped."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from games.engine.qt.view import Stage
from games.keypresses import task
from games.keypresses.bot import Bot, BotParams
from games.keypresses.view import KeypressesView
from tests.games.ui.screens import go_on
from tests.games.ui.test_view_contract import FAST
from tests.games.ui.timed_games import (
    make_view,
    of_kind,
    play,
    shoot_when,
)

SHORT = FAST["keypresses"].params


def bot(seed: int = 1) -> Bot:
    return Bot(BotParams(), np.random.default_rng(seed))


@pytest.mark.slow
def test_bot_taps_to_the_end_and_windows_follow_the_frames(qtbot, artefacts) -> None:
    view, sink = make_view(qtbot, KeypressesView, task, SHORT, seed=4)  # even: right first
    shots = shoot_when(
        view,
        sink,
        artefacts / "games" / "keypresses.png",
        lambda e: e.kind == "tap" and e.trial_index == 1 and e.payload["n"] == 5,
    )
    summary = play(qtbot, view, bot(), speed=1.0)  # real tapping rates
    events = sink.events
    assert summary.trials_done == 3
    assert summary.extra["first_hand"] == "right"
    assert shots
    table = task.trial_table(events)
    assert table["practice"].tolist() == [True, False, False]
    assert table["hand"].tolist() == ["right", "right", "left"]

    # About 5 taps a second, every one stamped inside its window, none on the wrong key.
    main = ~table["practice"]
    assert np.all((table["taps"][main] >= 4) & (table["taps"][main] <= 16))
    assert np.all(table["wrong_key_taps"] == 0)
    assert np.all(table["first_tap_ms"] > 50)
    for tap in of_kind(events, "tap"):
        assert 0 < tap.payload["t_ms"] <= 2000 and tap.payload["valid"]

    refresh_ns = view.frames.refresh_ns
    onsets = {e.trial_index: e for e in of_kind(events, "stimulus_onset")}
    starts = {e.trial_index: e for e in of_kind(events, "trial_start")}
    for end in of_kind(events, "trial_end"):
        onset = onsets[end.trial_index]
        duration_ns = int(starts[end.trial_index].payload["duration_ms"]) * 1_000_000
        # The window closed on the first frame at or after its deadline (or a late tap).
        assert 0 <= end.t_ns - (onset.t_ns + duration_ns) <= 4 * refresh_ns
        # GO came ready_ms after the "get ready" frame: at least that after trial start.
        assert onset.t_ns - starts[end.trial_index].t_ns >= 400_000_000 - 1_000_000


@pytest.mark.slow
def test_wrong_hand_taps_count_apart_and_false_starts_are_ignored(qtbot) -> None:
    view, sink = make_view(
        qtbot,
        KeypressesView,
        task,
        {**SHORT, "n_practice": 0, "ready_ms": 1500, "first_hand": "left"},
    )
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: view.task.phase is task.Phase.READY, timeout=5000)
    QTest.keyClick(view.canvas, Qt.Key.Key_F)  # before GO
    assert of_kind(sink.events, "ignored_input")[-1].payload == {
        "key": "f",
        "reason": "before_onset",
    }
    qtbot.waitUntil(lambda: view.task.phase is task.Phase.TAPPING, timeout=5000)
    for key in (Qt.Key.Key_F, Qt.Key.Key_F, Qt.Key.Key_J):
        QTest.keyClick(view.canvas, key)
    taps = of_kind(sink.events, "tap")
    assert [t.payload["valid"] for t in taps] == [True, True, False]
    assert view.task.taps == 2
    assert view.input_for("j") == ("key", Qt.Key.Key_J)


def test_instructions_name_the_keys_and_duration(qtbot) -> None:
    view, _ = make_view(qtbot, KeypressesView, task, {**SHORT, "trial_ms": 3000})
    text = view.texts.get("keypresses", "instructions", **view.instruction_values())
    assert "for 3 seconds" in text and "left hand on F, right hand on J" in text


def test_same_seed_same_schedule(qtbot) -> None:
    first, _ = make_view(qtbot, KeypressesView, task, SHORT, seed=3)
    again, _ = make_view(qtbot, KeypressesView, task, SHORT, seed=3)
    assert first.task.schedule == again.task.schedule


@pytest.mark.slow
def test_pause_swallows_taps_and_resume_continues(qtbot) -> None:
    view, sink = make_view(
        qtbot,
        KeypressesView,
        task,
        {**SHORT, "n_practice": 0, "trial_ms": 5000, "first_hand": "right"},
    )
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: view.task.phase is task.Phase.TAPPING, timeout=5000)
    view.pause()
    assert view.stage is Stage.PAUSED
    QTest.keyClick(view.canvas, Qt.Key.Key_J)
    assert not of_kind(sink.events, "tap")
    view.resume()
    QTest.keyClick(view.canvas, Qt.Key.Key_J)
    assert len(of_kind(sink.events, "tap")) == 1 and view.task.taps == 1
