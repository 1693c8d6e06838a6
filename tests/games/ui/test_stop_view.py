"""Stop through the real widget: the stop signal is drawn on the frame due at the SSD."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from games.api import ConfigError
from games.engine.qt.driver import BotDriver
from games.engine.qt.view import Stage
from games.stop import task
from games.stop.bot import Bot, BotParams
from games.stop.view import StopView
from tests.games.ui.screens import go_on
from tests.games.ui.test_view_contract import FAST
from tests.games.ui.timed_games import (
    assert_frame_stamped,
    first_frame_at_or_after,
    make_view,
    of_kind,
    play,
    shoot_when,
)

SHORT = {**FAST["stop"].params, "p_stop": 0.5}


def bot(seed: int = 1) -> Bot:
    return Bot(BotParams(), np.random.default_rng(seed))


@pytest.mark.slow
def test_bot_plays_and_stop_signals_follow_the_arrow_by_the_ssd(qtbot, artefacts) -> None:
    view, sink = make_view(qtbot, StopView, task, SHORT, seed=8)
    shots = shoot_when(
        view,
        sink,
        artefacts / "games" / "stop.png",
        lambda e: e.kind == "stop_signal_onset",
        delay_ms=20,
    )
    summary = play(qtbot, view, bot(), speed=1.0)
    events = sink.events
    assert summary.trials_done == 8
    assert shots
    table = task.trial_table(events)
    assert table["practice"].tolist() == [True] * 2 + [False] * 6
    assert_frame_stamped(events, ("stop_signal_onset",))

    # Go RTs: stamped key minus stamped arrow, positive and inside max_rt.
    go = ~table["stop"] & table["responded"]
    assert go.sum() >= 2
    assert np.all(table["rt_ms"][go] > 150) and np.all(table["rt_ms"][go] < 900)

    # Each stop signal was drawn on the first frame due at arrow onset + SSD.
    onsets = {e.trial_index: e for e in of_kind(events, "stimulus_onset")}
    signals = of_kind(events, "stop_signal_onset")
    assert len(signals) >= 2
    refresh_ns = view.frames.refresh_ns
    for signal in signals:
        onset = onsets[signal.trial_index]
        late_ms = signal.payload["ssd_actual_ms"] - signal.payload["ssd_ms"]
        assert late_ms == pytest.approx((signal.t_ns - onset.t_ns) / 1e6 - signal.payload["ssd_ms"])
        assert -1 <= late_ms <= 3 * refresh_ns / 1e6
        target = onset.t_ns + signal.payload["ssd_ms"] * 1_000_000
        assert first_frame_at_or_after(view.frames.presented_ns, refresh_ns, signal.t_ns, target)

    # The staircase: up 50 ms after a stop, down 50 after a failed stop.
    ends = [e.payload for e in of_kind(events, "trial_end") if e.payload["stop"]]
    for end in ends:
        step = 50 if end["stopped"] else -50
        assert end["next_ssd_ms"] == max(0, min(800, end["ssd_ms"] + step))
    assert any(end["stopped"] for end in ends)


def test_auditory_signal_is_refused(qtbot) -> None:
    with pytest.raises(ConfigError, match="visual"):
        make_view(qtbot, StopView, task, {**SHORT, "stop_signal": "auditory"})


def test_same_seed_same_schedule(qtbot) -> None:
    first, _ = make_view(qtbot, StopView, task, SHORT, seed=2)
    again, _ = make_view(qtbot, StopView, task, SHORT, seed=2)
    assert first.task.schedule == again.task.schedule


def test_pause_swallows_inputs_and_resume_continues(qtbot) -> None:
    view, sink = make_view(qtbot, StopView, task, {**SHORT, "max_rt_ms": 3000})
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: view.task.phase is task.Phase.RESPONSE, timeout=5000)
    view.pause()
    assert view.stage is Stage.PAUSED
    QTest.keyClick(view.canvas, Qt.Key.Key_Left)
    assert not of_kind(sink.events, "response") and view.task.trial_running
    view.resume()
    QTest.keyClick(view.canvas, Qt.Key.Key_Left)
    assert of_kind(sink.events, "response")[0].payload["key"] == "left"
    assert view.input_for("right") == ("key", Qt.Key.Key_Right)


@pytest.mark.slow
def test_a_crashed_run_continues_with_the_staircase_where_it_was(qtbot) -> None:
    """Replayed task calls rebuild the SSD tracker; the timed view continues the game."""
    view, sink = make_view(qtbot, StopView, task, SHORT, seed=8)
    driver = BotDriver(view, bot(3), speed=1.0)
    qtbot.waitUntil(lambda: view.task.trials_done >= 4 and view.task.trial_running, timeout=15_000)
    driver.stop()
    view.canvas.stop()
    stored = list(sink.events)  # what reached the store before the "crash"
    last_end = of_kind(stored, "trial_end")[-1]

    resumed, resumed_sink = make_view(qtbot, StopView, task, SHORT, seed=8, resume_events=stored)
    assert resumed.task.ssd_ms == last_end.payload["next_ssd_ms"]
    play(qtbot, resumed, bot(4), speed=1.0)
    stops = [e.payload for e in of_kind(resumed_sink.events, "trial_start") if e.payload["stop"]]
    if stops:  # the first stop trial after the crash uses the tracker from before it
        assert stops[0]["ssd_ms"] == last_end.payload["next_ssd_ms"]
