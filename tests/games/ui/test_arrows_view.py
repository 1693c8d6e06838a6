"""Arrows through the real widget: cue, then arrows on a later frame, keys F / J."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from games.arrows import task
from games.arrows.bot import Bot, BotParams
from games.arrows.view import ArrowsView
from games.engine.qt.view import Stage
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

SHORT = {**FAST["arrows"].params, "main_feedback": "all"}
SPEED = 0.6  # bot delays x 0.6: RTs of about 300-500 ms, well inside the window


def bot(seed: int = 1) -> Bot:
    return Bot(BotParams(), np.random.default_rng(seed))


@pytest.mark.slow
def test_bot_plays_to_the_end_with_frame_stamped_cue_and_arrows(qtbot, artefacts) -> None:
    view, sink = make_view(qtbot, ArrowsView, task, SHORT, seed=7)
    shots = shoot_when(
        view,
        sink,
        artefacts / "games" / "arrows.png",
        lambda e: e.kind == "stimulus_onset" and e.trial_index == 3,
    )
    summary = play(qtbot, view, bot(), speed=SPEED)
    events = sink.events
    assert summary.trials_done == 8
    assert shots, "no screenshot was taken"

    table = task.trial_table(events)
    assert table["practice"].tolist() == [True] * 2 + [False] * 6
    assert_frame_stamped(events, ("cue_onset",))

    # RTs from stamped inputs minus stamped onsets: positive, plausible, in the window.
    rts = table["rt_ms"][~table["timeout"]]
    assert rts.size >= 6
    assert np.all(rts > 100) and np.all(rts < 1500)
    # The cue-stimulus interval is cue_ms on the frame grid.
    refresh_ms = of_kind(events, "stimulus_onset")[0].payload["refresh_ns"] / 1e6
    presented = view.frames.presented_ns
    refresh_ns = view.frames.refresh_ns
    for cue, onset in zip(
        of_kind(events, "cue_onset"), of_kind(events, "stimulus_onset"), strict=True
    ):
        csi = (onset.t_ns - cue.t_ns) / 1e6
        assert 300 - 1 <= csi <= 300 + 3 * refresh_ms
        assert first_frame_at_or_after(presented, refresh_ns, onset.t_ns, cue.t_ns + 300_000_000)
    # Practice and "all" feedback: one feedback per trial, matching the outcome.
    feedback = of_kind(events, "feedback")
    assert len(feedback) == 8
    assert [f.payload["correct"] for f in feedback] == table["correct"].tolist()


def test_same_seed_same_schedule_and_counterbalanced_colours(qtbot) -> None:
    first, _ = make_view(qtbot, ArrowsView, task, SHORT, seed=4)
    again, _ = make_view(qtbot, ArrowsView, task, SHORT, seed=4)
    other, _ = make_view(qtbot, ArrowsView, task, SHORT, seed=5)
    assert first.task.schedule == again.task.schedule
    assert first.task.colour_left != other.task.colour_left
    # The instructions name each key's colour as the task maps it.
    values = other.instruction_values()
    assert values["left_colour"] == other.task.colour_left
    assert values["left_key"] == "F" and values["right_key"] == "J"


@pytest.mark.slow
def test_keys_map_to_sides_and_inputs_before_the_arrows_are_ignored(qtbot) -> None:
    view, sink = make_view(qtbot, ArrowsView, task, {**SHORT, "cue_ms": 800})
    go_on(qtbot, view)  # leave the instructions
    qtbot.waitUntil(lambda: view.task.cue_onset_ns is not None, timeout=5000)
    QTest.keyClick(view.canvas, Qt.Key.Key_J)  # the cue is up, the arrows are not
    ignored = of_kind(sink.events, "ignored_input")
    assert ignored and ignored[-1].payload == {"key": "j", "reason": "before_onset"}
    qtbot.waitUntil(lambda: view.task.phase is task.Phase.RESPONSE, timeout=5000)
    QTest.keyClick(view.canvas, Qt.Key.Key_F)
    response = of_kind(sink.events, "response")[-1]
    assert response.payload["key"] == "f" and response.payload["side"] == "left"
    assert view.input_for("j") == ("key", Qt.Key.Key_J)


@pytest.mark.slow
def test_pause_swallows_inputs_and_resume_continues(qtbot) -> None:
    view, sink = make_view(qtbot, ArrowsView, task, {**SHORT, "response_window_ms": 5000})
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: view.task.phase is task.Phase.RESPONSE, timeout=5000)
    view.pause()
    assert view.stage is Stage.PAUSED
    QTest.keyClick(view.canvas, Qt.Key.Key_F)
    assert not of_kind(sink.events, "response") and view.task.trial_running
    view.resume()
    assert view.stage is Stage.RUNNING
    QTest.keyClick(view.canvas, Qt.Key.Key_F)
    assert len(of_kind(sink.events, "response")) == 1 and not view.task.trial_running
    kinds = [e.kind for e in sink.events]
    assert kinds.index("pause") < kinds.index("resume")
