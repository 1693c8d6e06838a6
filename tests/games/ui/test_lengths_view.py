"""Lengths through the real widget: a 100-ms mouth on the frame grid, counterbalanced keys."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from games.engine.qt.view import Stage
from games.lengths import task
from games.lengths.bot import Bot, BotParams
from games.lengths.view import LengthsView
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

SHORT = {**FAST["lengths"].params, "mouth_ms": 100}
SPEED = 0.6  # RTs of about 350-500 ms: after the mouth's offset, inside the window


def bot(seed: int = 1) -> Bot:
    return Bot(BotParams(drift=0.3), np.random.default_rng(seed))


@pytest.mark.slow
def test_bot_plays_to_the_end_and_the_mouth_shows_for_100_ms(qtbot, artefacts) -> None:
    view, sink = make_view(qtbot, LengthsView, task, SHORT, seed=6)
    shots = shoot_when(
        view,
        sink,
        artefacts / "games" / "lengths.png",
        lambda e: e.kind == "stimulus_onset" and e.trial_index == 3,
        delay_ms=20,
    )
    summary = play(qtbot, view, bot(), speed=SPEED)
    events = sink.events
    assert summary.trials_done == 8
    assert shots
    table = task.trial_table(events)
    assert table["practice"].tolist() == [True] * 2 + [False] * 6
    assert_frame_stamped(events, ("stimulus_offset",))

    rts = table["rt_ms"][~table["timeout"]]
    assert rts.size >= 6 and np.all(rts > 100) and np.all(rts < 1500)

    # The mouth went on the frame nearest 100 ms after its onset.
    refresh_ns = view.frames.refresh_ns
    shown = table["mouth_shown_ms"]
    assert np.all(np.isfinite(shown))
    assert np.all(shown >= 100 - 1)
    assert np.all(shown <= 100 + 3 * refresh_ns / 1e6)  # a couple of frames, under load
    assert np.median(shown) <= 100 + 1.5 * refresh_ns / 1e6
    for onset, offset in zip(
        of_kind(events, "stimulus_onset"), of_kind(events, "stimulus_offset"), strict=True
    ):
        assert onset.trial_index == offset.trial_index
        assert first_frame_at_or_after(
            view.frames.presented_ns, refresh_ns, offset.t_ns, onset.t_ns + 100_000_000
        )
    # Practice feedback on both practice trials; rewards only on main trials.
    feedback = of_kind(events, "feedback")
    assert {f.trial_index for f in feedback if f.payload["message"] != "reward"} == {0, 1}
    assert table["rewarded"][:2].tolist() == [False, False]
    assert summary.extra["total_cents"] == int(table["reward_cents"].sum())


def test_keys_follow_the_counterbalancing(qtbot) -> None:
    for seed, short_key in ((0, "Z"), (1, "M")):
        view, _ = make_view(qtbot, LengthsView, task, SHORT, seed=seed)
        values = view.instruction_values()
        assert values["short_key"] == short_key and values["cents"] == 5
        text = view.texts.get("lengths", "instructions", **values)
        assert f"Press {short_key} for a short mouth" in text


def test_same_seed_same_schedule(qtbot) -> None:
    first, _ = make_view(qtbot, LengthsView, task, SHORT, seed=3)
    again, _ = make_view(qtbot, LengthsView, task, SHORT, seed=3)
    assert first.task.schedule == again.task.schedule


@pytest.mark.slow
def test_pause_swallows_inputs_and_resume_continues(qtbot) -> None:
    view, sink = make_view(qtbot, LengthsView, task, {**SHORT, "response_window_ms": 5000})
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: view.task.phase is task.Phase.RESPONSE, timeout=5000)
    view.pause()
    assert view.stage is Stage.PAUSED
    QTest.keyClick(view.canvas, Qt.Key.Key_Z)
    assert not of_kind(sink.events, "response") and view.task.trial_running
    view.resume()
    QTest.keyClick(view.canvas, Qt.Key.Key_Z)
    assert of_kind(sink.events, "response")[0].payload["key"] == "z"
    kinds = [e.kind for e in sink.events]
    assert kinds.index("pause") < kinds.index("resume")
