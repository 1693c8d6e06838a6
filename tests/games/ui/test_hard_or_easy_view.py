"""Hard or Easy through the real widget: choice screen, press task, result."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtTest import QTest

from games.engine.qt.view import Stage
from games.hard_or_easy import task
from games.hard_or_easy.bot import Bot, BotParams
from games.hard_or_easy.view import HardOrEasyView
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

SHORT = FAST["hard_or_easy"].params
SPEED = 0.5  # choices after about 0.75 s, presses at about 10-12 per second


def bot(seed: int = 1, **params: float) -> Bot:
    return Bot(BotParams(**params), np.random.default_rng(seed))


@pytest.mark.slow
def test_bot_chooses_and_presses_to_the_end(qtbot, artefacts) -> None:
    view, sink = make_view(qtbot, HardOrEasyView, task, SHORT, seed=5)
    shots = shoot_when(
        view,
        sink,
        artefacts / "games" / "hard_or_easy.png",
        lambda e: e.kind == "stimulus_onset" and e.trial_index == 1,
    )
    press_shots = shoot_when(
        view,
        sink,
        artefacts / "games" / "hard_or_easy-press.png",
        lambda e: e.kind == "press" and e.payload["n"] == 3,
    )
    summary = play(qtbot, view, bot(effort_willingness=0.5), speed=SPEED)
    events = sink.events
    assert summary.trials_done == 3
    assert shots and press_shots
    table = task.trial_table(events)
    assert table["practice"].tolist() == [True, False, False]
    assert_frame_stamped(events, ("task_onset",))

    # Choices from stamped keys after the stamped choice screen; all tasks completed.
    assert not table["choice_assigned"].any()
    assert np.all((table["choice_rt_ms"] > 100) & (table["choice_rt_ms"] < 3000))
    assert table["completed"].all()
    assert np.all(table["presses"] == table["required_presses"])
    assert np.all(table["completion_ms"] < table["time_limit_ms"])
    # Winnings: main trials only, what the feedback said.
    feedback = of_kind(events, "feedback")
    assert len(feedback) == 3
    assert summary.extra["total_winnings"] == round(float(table["winnings"].sum()), 2)
    # Each screen after "get ready" came on the first frame at or after ready_ms: at
    # least ready_ms after the choice (press screen) or after the trial's start.
    refresh_ns = view.frames.refresh_ns
    starts = {e.trial_index: e.t_ns for e in of_kind(events, "trial_start")}
    choices = {e.trial_index: e.t_ns for e in of_kind(events, "choice")}
    for onset in of_kind(events, "stimulus_onset"):
        assert onset.t_ns - starts[onset.trial_index] >= 300_000_000 - 1_000_000
    for onset in of_kind(events, "task_onset"):
        waited = onset.t_ns - choices[onset.trial_index]
        assert 300_000_000 - 1_000_000 <= waited <= 300_000_000 + 4 * refresh_ns


@pytest.mark.slow
def test_no_choice_assigns_a_task_and_slow_pressing_runs_out_of_time(qtbot) -> None:
    params = {**SHORT, "n_practice": 0, "n_trials": 1, "choice_time_ms": 600}
    view, sink = make_view(qtbot, HardOrEasyView, task, params, seed=2)
    summary = play(qtbot, view, bot(p_no_choice=1.0, press_rate_hz=1.0), speed=1.0)
    assert summary.completed
    table = task.trial_table(sink.events)
    assert table["choice_assigned"].tolist() == [True]
    assert np.isnan(table["choice_rt_ms"][0])
    assert table["chosen"][0] == view.task.schedule[0].random_choice
    assert table["completed"].tolist() == [False] and table["won"].tolist() == [False]
    # The choice timed out on the first frame at or after its deadline, likewise the task.
    refresh_ns = view.frames.refresh_ns
    screen = of_kind(sink.events, "stimulus_onset")[0]
    choice = of_kind(sink.events, "choice")[0]
    assert first_frame_at_or_after(
        view.frames.presented_ns, refresh_ns, choice.t_ns, screen.t_ns + 600_000_000
    )
    onset = of_kind(sink.events, "task_onset")[0]
    end = of_kind(sink.events, "trial_end")[0]
    limit_ns = int(onset.payload["time_limit_ms"]) * 1_000_000
    assert 0 <= end.t_ns - (onset.t_ns + limit_ns) <= 4 * refresh_ns


@pytest.mark.slow
def test_cards_are_clickable_and_keys_press(qtbot) -> None:
    view, sink = make_view(qtbot, HardOrEasyView, task, {**SHORT, "n_practice": 0})
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: view.task.phase is task.Phase.CHOICE, timeout=5000)
    cards = view.cards(QRectF(view.canvas.rect()))
    assert QRectF(view.canvas.rect()).contains(cards["easy"].united(cards["hard"]))
    QTest.mouseClick(
        view.canvas,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        cards["hard"].center().toPoint(),
    )
    choice = of_kind(sink.events, "choice")[0]
    assert choice.payload["choice"] == "hard" and choice.payload["input"] == "hard"
    qtbot.waitUntil(lambda: view.task.phase is task.Phase.PRESSING, timeout=5000)
    QTest.keyClick(view.canvas, Qt.Key.Key_J)  # the easy task's key: wrong here
    QTest.keyClick(view.canvas, Qt.Key.Key_A)
    assert view.task.presses == 1
    assert of_kind(sink.events, "ignored_input")[-1].payload["reason"] == "wrong_key"


def test_instructions_name_keys_counts_and_reward(qtbot) -> None:
    view, _ = make_view(qtbot, HardOrEasyView, task, {})
    text = view.texts.get("hard_or_easy", "instructions", **view.instruction_values())
    assert "press J 30 times within 7 seconds, for $1.00" in text
    assert "press A 100 times within 21 seconds" in text
    assert "F for easy, J for hard" in text


def test_same_seed_same_schedule(qtbot) -> None:
    first, _ = make_view(qtbot, HardOrEasyView, task, SHORT, seed=3)
    again, _ = make_view(qtbot, HardOrEasyView, task, SHORT, seed=3)
    assert first.task.schedule == again.task.schedule


@pytest.mark.slow
def test_pause_swallows_inputs_and_resume_continues(qtbot) -> None:
    view, sink = make_view(qtbot, HardOrEasyView, task, {**SHORT, "n_practice": 0})
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: view.task.phase is task.Phase.CHOICE, timeout=5000)
    view.pause()
    assert view.stage is Stage.PAUSED
    QTest.keyClick(view.canvas, Qt.Key.Key_F)
    assert not of_kind(sink.events, "choice")
    view.resume()
    QTest.keyClick(view.canvas, Qt.Key.Key_F)
    assert of_kind(sink.events, "choice")[0].payload["choice"] == "easy"
