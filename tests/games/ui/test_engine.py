"""The shared game engine: stamped inputs, frame-stamped onsets, flow, pause, interrupt.

Balloons is the vehicle: its bot plays the real widget through real input events.
"""

from __future__ import annotations

import gc
import time
import weakref

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from games.api import GameConfig, ListSink
from games.balloons import bot, task
from games.balloons.view import BalloonsView
from games.engine.qt.driver import BotDriver
from games.engine.qt.view import Stage
from tests.games.ui.screens import go_on


def make_view(qtbot, n_balloons=3, n_practice=1, seed=11, language="en"):
    sink = ListSink()
    params = task.validate_params({"n_balloons": n_balloons, "n_practice": n_practice})
    view = BalloonsView(GameConfig("balloons", seed, params, language), sink)
    qtbot.addWidget(view)
    view.resize(1024, 720)
    view.show()
    return view, sink


def play(qtbot, view, pump_target=6, timeout=20_000):
    done = []
    view.finished.connect(done.append)
    BotDriver(view, bot.Bot(bot.BotParams(pump_target=pump_target), np.random.default_rng(3)))
    qtbot.waitUntil(lambda: bool(done), timeout=timeout)
    return done[0]


@pytest.mark.slow
def test_bot_plays_the_widget_to_the_end_one_onset_a_balloon(qtbot) -> None:
    # The contract every view keeps (flow, stamps, table) is test_view_contract's.
    view, sink = make_view(qtbot)
    summary = play(qtbot, view)
    assert summary.trials_done == 4
    table = task.trial_table(sink.events)
    assert table["practice"].tolist() == [True, False, False, False]
    assert len([e for e in sink.events if e.kind == "stimulus_onset"]) == 4


@pytest.mark.slow
def test_same_seed_same_schedule_through_the_widget(qtbot) -> None:
    points = []
    for _ in range(2):
        view, sink = make_view(qtbot, seed=5)
        play(qtbot, view)
        points.append(task.trial_table(sink.events)["explosion_point"].tolist())
    assert points[0] == points[1]


@pytest.mark.slow
def test_practice_is_followed_by_a_message_before_main_trials(qtbot) -> None:
    view, _sink = make_view(qtbot, n_balloons=1, n_practice=1)
    go_on(qtbot, view)  # instructions -> practice
    qtbot.waitUntil(lambda: view.task.trial_running and not view.awaiting_onset, timeout=5000)
    assert view.current_is_practice()
    QTest.keyClick(view.canvas, Qt.Key.Key_Return)  # collect the practice balloon
    qtbot.waitUntil(lambda: view.stage is Stage.MESSAGE, timeout=5000)
    assert view.task.trials_done == 1 and not view.task.trial_running
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: view.task.trial_running, timeout=5000)
    assert not view.current_is_practice()


@pytest.mark.slow
def test_inputs_are_stamped_before_the_handler_runs(qtbot, monkeypatch) -> None:
    view, sink = make_view(qtbot, n_practice=0)
    go_on(qtbot, view)  # leave the instructions
    qtbot.waitUntil(lambda: view.task.trial_running and not view.awaiting_onset, timeout=5000)
    handled_at = []
    real = view.trial_input

    def spy(event):
        handled_at.append((event.t_ns, time.perf_counter_ns()))
        return real(event)

    monkeypatch.setattr(view, "trial_input", spy)
    before = time.perf_counter_ns()
    QTest.mouseClick(
        view.canvas,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        view.input_for("pump")[1].toPoint(),
    )
    ((stamp, handler_time),) = handled_at
    assert before <= stamp <= handler_time
    pump = [e for e in sink.events if e.kind == "response"][-1]
    assert pump.t_ns == stamp and pump.payload["input"] == "pump"


@pytest.mark.slow
def test_clicks_outside_buttons_do_nothing(qtbot) -> None:
    view, _sink = make_view(qtbot, n_practice=0)
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: view.task.trial_running and not view.awaiting_onset, timeout=5000)
    QTest.mouseClick(
        view.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(5, 5)
    )
    assert view.task.pumps == 0


@pytest.mark.slow
def test_pause_swallows_inputs_and_resume_continues(qtbot) -> None:
    view, sink = make_view(qtbot, n_practice=0)
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: view.task.trial_running and not view.awaiting_onset, timeout=5000)
    view.pause()
    assert view.stage is Stage.PAUSED
    QTest.keyClick(view.canvas, Qt.Key.Key_Space)
    assert view.task.pumps == 0
    view.resume()
    QTest.keyClick(view.canvas, Qt.Key.Key_Space)
    assert view.task.pumps == 1
    kinds = [e.kind for e in sink.events]
    assert kinds.index("pause") < kinds.index("resume")
    assert next(e for e in sink.events if e.kind == "pause").payload["during_trial"] is True


def test_german_texts_show(qtbot, artefacts) -> None:
    view, _ = make_view(qtbot, language="de")
    assert view.title == "Ballons"
    assert view.texts.get("common", "practice") == "Übung"
    (artefacts / "games").mkdir(exist_ok=True)
    view.grab().save(str(artefacts / "games" / "balloons-instructions-de.png"))


@pytest.mark.parametrize("size", [(800, 600), (1920, 1080)])
def test_view_scales_with_the_window(qtbot, size) -> None:
    view, _ = make_view(qtbot)
    view.resize(*size)
    qtbot.waitUntil(lambda: view.canvas.width() == size[0], timeout=2000)
    pump, collect = view._buttons(view.canvas.rect().toRectF())
    assert view.canvas.rect().toRectF().contains(pump) and view.canvas.rect().toRectF().contains(
        collect
    )
    assert pump.width() == pytest.approx(min(size) / 40 * 10)


@pytest.mark.slow
def test_a_crashed_game_continues_from_the_first_uncommitted_trial(qtbot) -> None:
    """Replaying logged task calls rebuilds the task; the game goes on where it broke."""
    full_view, full_sink = make_view(qtbot, n_balloons=4, n_practice=0, seed=21)
    play(qtbot, full_view, pump_target=5)
    reference = task.trial_table(full_sink.events)

    view, sink = make_view(qtbot, n_balloons=4, n_practice=0, seed=21)
    driver = BotDriver(view, bot.Bot(bot.BotParams(pump_target=5), np.random.default_rng(3)))
    qtbot.waitUntil(lambda: view.task.trials_done == 2 and view.task.pumps >= 2, timeout=15_000)
    driver.stop()
    view.canvas.stop()
    stored = list(sink.events)  # what reached the store before the "crash"

    resumed_sink = ListSink()
    resumed = BalloonsView(
        GameConfig("balloons", 21, view.config.params), resumed_sink, resume_events=stored
    )
    qtbot.addWidget(resumed)
    resumed.resize(1024, 720)
    resumed.show()
    assert resumed_sink.events[0].payload["last_committed_trial"] == 1
    play(qtbot, resumed, pump_target=5)

    # Stored events plus the continuation: four whole balloons, same schedule, and the
    # bank carried over from before the crash.
    merged = stored + [
        type(e)(e.seq + len(stored) + 1, e.t_ns, e.kind, e.trial_index, e.payload)
        for e in resumed_sink.events
    ]
    table = task.trial_table(merged)
    assert table["trial_index"].tolist() == [0, 1, 2, 3]
    assert table["explosion_point"].tolist() == reference["explosion_point"].tolist()
    earned = table["earned_cents"].cumsum().tolist()
    assert table["total_cents"].tolist() == earned


def test_a_widget_given_to_qtbot_lives_until_pytest_qt_closes_it(qtbot) -> None:
    """A view dropped by the test must not be collected before pytest-qt closes it
    (tests/conftest.py: collected with its window's activation pending, Qt crashes)."""
    view, _ = make_view(qtbot)
    alive = weakref.ref(view)
    del view
    gc.collect()
    assert alive() is not None
