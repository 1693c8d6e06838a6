"""Inputs that measure what the candidate did: continue screens are gated, every click
counts, held keys are not responses, larger text reaches the games.

Driven with real Qt input events: key presses, releases and auto-repeats sent to the
canvas, and mouse clicks injected at the window so that Qt itself turns the second of
two quick clicks into a double click.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from games.api import GameConfig, ListSink
from games.balloons import bot as balloons_bot
from games.balloons import task as balloons
from games.balloons.view import BalloonsView
from games.engine.gate import MIN_SHOWN_MS
from games.engine.qt.driver import BotDriver
from games.engine.qt.view import GameView, Stage
from games.exchange_trust import task as trust
from games.exchange_trust.view import TrustView
from games.keypresses import task as keypresses
from games.keypresses.view import KeypressesView
from kiosk.shell.break_screen import BreakScreen
from tests.games.ui.screens import go_on

SPACE, RETURN = Qt.Key.Key_Space, Qt.Key.Key_Return
MIN_NS = MIN_SHOWN_MS * 1_000_000


def balloons_view(qtbot, *, n_balloons=1, n_practice=0, seed=1, text_scale=1.0):
    """A shown Balloons view; seed 1 puts the first balloon's explosion at pump 61."""
    sink = ListSink()
    params = balloons.validate_params({"n_balloons": n_balloons, "n_practice": n_practice})
    config = GameConfig("balloons", seed, params, "en", text_scale)
    view = BalloonsView(config, sink)
    view.iti_ms = 300  # type: ignore[misc]
    qtbot.addWidget(view)
    view.resize(1024, 720)
    view.show()
    qtbot.waitExposed(view)
    return view, sink


def of_kind(sink: ListSink, kind: str):
    return [e for e in sink.events if e.kind == kind]


def shown_ns(qtbot, view: GameView) -> int:
    """The presentation stamp of the frame that first showed the current continue screen."""
    qtbot.waitUntil(lambda: view.continue_gate.shown_ns is not None, timeout=5000)
    shown = view.continue_gate.shown_ns
    assert shown is not None
    return shown


def wait_past(qtbot, since_ns: int, ms: float) -> None:
    while time.perf_counter_ns() - since_ns < ms * 1e6:
        qtbot.wait(5)


def send_key(widget: QWidget, kind: QEvent.Type, key: Qt.Key, *, auto_repeat: bool) -> None:
    text = " " if key == SPACE else ""
    event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text, auto_repeat)
    QApplication.sendEvent(widget, event)


def send_repeat(widget: QWidget, key: Qt.Key) -> None:
    """One auto-repeat of a held key, as X11 sends it (release and press, both flagged)."""
    send_key(widget, QEvent.Type.KeyRelease, key, auto_repeat=True)
    send_key(widget, QEvent.Type.KeyPress, key, auto_repeat=True)


def keep_repeating(widget: QWidget, key: Qt.Key, every_ms: int = 33) -> QTimer:
    """Auto-repeats of ``key`` every ``every_ms`` (about 30 a second, as keyboards do)."""
    timer = QTimer(widget)
    timer.timeout.connect(lambda: send_repeat(widget, key))
    timer.start(every_ms)
    return timer


def start_trial(qtbot, view: GameView) -> None:
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: view.task.trial_running and not view.awaiting_onset, timeout=20_000)


# -- continue screens -----------------------------------------------------------------


def test_instructions_do_not_close_from_a_press_130_ms_after_they_appear(qtbot) -> None:
    view, sink = balloons_view(qtbot)
    shown = shown_ns(qtbot, view)
    wait_past(qtbot, shown, 130)
    QTest.keyClick(view.canvas, SPACE)
    assert view.stage is Stage.INSTRUCTIONS
    assert not of_kind(sink, "instructions_done")
    (gated,) = of_kind(sink, "input_gated")
    assert gated.payload["reason"] == "too_soon"
    assert gated.payload["stage"] == "instructions"
    assert gated.payload["device"] == "key" and gated.payload["key"] == int(SPACE)
    assert 130 <= gated.payload["ms_since_shown"] < MIN_SHOWN_MS
    assert gated.t_ns - shown == round(gated.payload["ms_since_shown"] * 1e6)

    # A click that soon is turned away too; a fresh press once the screen is ready goes on.
    QTest.mouseClick(
        view.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(500, 300)
    )
    assert view.stage is Stage.INSTRUCTIONS
    assert of_kind(sink, "input_gated")[-1].payload["device"] == "mouse"
    qtbot.waitUntil(view.continue_ready, timeout=5000)
    QTest.keyClick(view.canvas, SPACE)
    assert view.stage is Stage.RUNNING
    (done,) = of_kind(sink, "instructions_done")
    assert done.t_ns - shown >= MIN_NS


@pytest.mark.slow
def test_the_time_counts_from_the_frame_that_showed_the_screen(qtbot) -> None:
    view, sink = balloons_view(qtbot, n_practice=1)
    start_trial(qtbot, view)
    presented = view.frame_presented

    def hold_frames(t_ns: int, method: str) -> None:
        presented(t_ns, method)
        if view.stage is Stage.MESSAGE and view.continue_gate.shown_ns is None:
            view.canvas.stop()  # the message is due; no frame has shown it yet

    view.frame_presented = hold_frames  # type: ignore[method-assign]
    QTest.keyClick(view.canvas, RETURN)  # collect the practice balloon
    qtbot.waitUntil(lambda: view.stage is Stage.MESSAGE, timeout=5000)
    qtbot.wait(MIN_SHOWN_MS + 100)
    assert view.continue_gate.shown_ns is None and not view.continue_ready()
    QTest.keyClick(view.canvas, SPACE)
    assert view.stage is Stage.MESSAGE
    gated = of_kind(sink, "input_gated")[-1]
    assert gated.payload["reason"] == "too_soon" and gated.payload["ms_since_shown"] is None
    view.canvas.start()
    assert shown_ns(qtbot, view) > gated.t_ns


@pytest.mark.slow
def test_space_held_from_the_last_balloon_does_not_pass_the_end_screen(qtbot) -> None:
    view, sink = balloons_view(qtbot)
    finished = []
    view.finished.connect(finished.append)
    start_trial(qtbot, view)
    QTest.keyPress(view.canvas, SPACE)  # one pump, and the key stays down
    assert view.task.pumps == 1
    repeating = keep_repeating(view.canvas, SPACE)
    qtbot.wait(200)
    # A held Space is not a series of pumps.
    assert view.task.pumps == 1
    ignored = [e for e in of_kind(sink, "ignored_input") if e.payload["reason"] == "auto_repeat"]
    assert len(ignored) >= 3
    assert all(e.payload["key"] == int(SPACE) and e.trial_index == 0 for e in ignored)

    # The last balloon is collected with a click while Space keeps repeating.
    collect = view.input_for("collect")[1].toPoint()
    QTest.mouseClick(
        view.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, collect
    )
    qtbot.waitUntil(lambda: view.stage is Stage.END, timeout=5000)
    shown = shown_ns(qtbot, view)
    wait_past(qtbot, shown, MIN_SHOWN_MS + 300)  # well past the minimum time
    repeating.stop()
    assert view.stage is Stage.END and not finished
    gated = [e for e in of_kind(sink, "input_gated") if e.payload["stage"] == "end"]
    assert gated and {e.payload["reason"] for e in gated} == {"held_from_before"}
    # Presses before the first frame showed the screen have no time since shown.
    assert max(e.payload["ms_since_shown"] or 0 for e in gated) > MIN_SHOWN_MS

    QTest.keyRelease(view.canvas, SPACE)
    QTest.keyClick(view.canvas, SPACE)  # a fresh press after the minimum time
    assert view.stage is Stage.DONE and finished and finished[0].completed
    (end,) = of_kind(sink, "trial_end")
    assert end.payload["pumps"] == 1  # the one pump, banked by the click


@pytest.mark.slow
def test_a_key_held_down_before_the_screen_must_be_released_first(qtbot) -> None:
    view, sink = balloons_view(qtbot, n_practice=1)
    start_trial(qtbot, view)
    QTest.keyPress(view.canvas, RETURN)  # collects the practice balloon; Enter stays down
    qtbot.waitUntil(lambda: view.stage is Stage.MESSAGE, timeout=5000)
    shown = shown_ns(qtbot, view)
    qtbot.waitUntil(view.continue_ready, timeout=5000)
    # Some systems repeat a held key as plain presses; others flag the repeats.
    send_key(view.canvas, QEvent.Type.KeyPress, RETURN, auto_repeat=False)
    send_repeat(view.canvas, RETURN)
    assert view.stage is Stage.MESSAGE
    gated = of_kind(sink, "input_gated")[-2:]
    assert [e.payload["reason"] for e in gated] == ["held_from_before"] * 2
    assert all(e.payload["ms_since_shown"] >= MIN_SHOWN_MS for e in gated)
    assert all(e.t_ns - shown >= MIN_NS for e in gated)

    QTest.keyRelease(view.canvas, RETURN)
    QTest.keyClick(view.canvas, RETURN)
    assert view.stage is Stage.RUNNING


def test_a_key_held_on_the_screen_itself_does_not_advance_it_by_repeating(qtbot) -> None:
    view, sink = balloons_view(qtbot)
    shown = shown_ns(qtbot, view)
    QTest.keyPress(view.canvas, SPACE)  # too soon, and held
    wait_past(qtbot, shown, MIN_SHOWN_MS + 50)
    send_repeat(view.canvas, SPACE)
    assert view.stage is Stage.INSTRUCTIONS
    reasons = [e.payload["reason"] for e in of_kind(sink, "input_gated")]
    assert reasons == ["too_soon", "auto_repeat"]
    QTest.keyRelease(view.canvas, SPACE)
    QTest.keyClick(view.canvas, SPACE)
    assert view.stage is Stage.RUNNING


@pytest.mark.slow
def test_bot_waits_for_each_screen_and_is_never_gated(qtbot) -> None:
    view, sink = balloons_view(qtbot, n_balloons=2, n_practice=1)
    done = []
    view.finished.connect(done.append)
    policy = balloons_bot.Bot(balloons_bot.BotParams(pump_target=3), np.random.default_rng(5))
    BotDriver(view, policy)
    qtbot.waitUntil(lambda: bool(done), timeout=20_000)
    assert done[0].completed
    assert not of_kind(sink, "input_gated")
    kinds = [e.kind for e in sink.events]
    assert kinds[0] == "instructions_done" and kinds[-1] == "frame_stats"


# -- every click counts -----------------------------------------------------------------


class DoubleClicks(QObject):
    """Counts the double clicks Qt delivers to a widget (seen before the input stamper)."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.widget = widget
        self.count = 0
        QApplication.instance().installEventFilter(self)  # the last installed runs first

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget and event.type() == QEvent.Type.MouseButtonDblClick:
            self.count += 1
        return False


def click_at_window(qtbot, view: GameView, point: QPoint, interval_ms: int) -> None:
    """A click injected at the window, ``interval_ms`` after the previous one; Qt makes
    the second of two quick clicks a double click, as it does for a real mouse."""
    window = view.window().windowHandle()
    at = view.canvas.mapTo(view.window(), point)
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    # The delays set the events' own timestamps (Qt tells double clicks by them); the
    # waits make the clicks that far apart on the clock too.
    qtbot.wait(interval_ms - 30)
    QTest.mousePress(window, left, none, at, interval_ms - 30)
    qtbot.wait(30)
    QTest.mouseRelease(window, left, none, at, 30)


@pytest.mark.slow
def test_five_clicks_150_ms_apart_are_five_pumps(qtbot) -> None:
    view, sink = balloons_view(qtbot)
    start_trial(qtbot, view)
    doubles = DoubleClicks(view.canvas)
    pump = view.input_for("pump")[1].toPoint()
    for _ in range(5):
        click_at_window(qtbot, view, pump, 150)
    assert doubles.count >= 2  # Qt did deliver clicks as double clicks
    assert view.task.pumps == 5
    pumps = [e for e in of_kind(sink, "response") if e.payload["input"] == "pump"]
    assert len(pumps) == 5
    gaps_ms = np.diff([e.t_ns for e in pumps]) / 1e6
    assert np.all(gaps_ms > 100)  # each pump carries its own click's stamp


def mouse(kind: QEvent.Type, point: QPointF, *, down: bool) -> QMouseEvent:
    buttons = Qt.MouseButton.LeftButton if down else Qt.MouseButton.NoButton
    return QMouseEvent(
        kind, point, point, Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier
    )


@pytest.mark.slow
def test_quick_clicks_on_plus_each_raise_the_amount(qtbot) -> None:
    sink = ListSink()
    params = trust.validate_params({"investor_rounds": 1, "trustee_sends": [4]})
    view = TrustView(GameConfig("exchange_trust", 3, params), sink)
    qtbot.addWidget(view)
    view.resize(1024, 720)
    view.show()
    qtbot.waitExposed(view)
    while not (view.task.trial_running and not view.awaiting_onset):
        if view.continue_ready():  # instructions, the investor's announcement
            QTest.keyClick(view.canvas, SPACE)
        qtbot.wait(20)
    plus = view.amount_input_for(10)[1]
    # What a widget receives for five quick clicks: press, release, double click,
    # release, press, release, double click, release, press, release.
    for i in range(5):
        first = i % 2 == 0
        press = QEvent.Type.MouseButtonPress if first else QEvent.Type.MouseButtonDblClick
        QApplication.sendEvent(view.canvas, mouse(press, plus, down=True))
        QApplication.sendEvent(view.canvas, mouse(QEvent.Type.MouseButtonRelease, plus, down=False))
        qtbot.wait(150)
    assert view.amount == 5
    changes = of_kind(sink, "amount_changed")
    assert [e.payload["amount"] for e in changes] == [1, 2, 3, 4, 5]
    assert {e.payload["via"] for e in changes} == {"button"}


# -- auto-repeat during trials ------------------------------------------------------------


@pytest.mark.slow
def test_a_held_key_is_not_tapping(qtbot) -> None:
    params = keypresses.validate_params(
        {"n_practice": 0, "trials_per_hand": 1, "trial_ms": 3000, "ready_ms": 300}
    )
    sink = ListSink()
    view = KeypressesView(GameConfig("keypresses", 4, params), sink)  # even seed: right
    qtbot.addWidget(view)
    view.resize(1024, 720)
    view.show()
    go_on(qtbot, view)
    qtbot.waitUntil(lambda: view.task.phase is keypresses.Phase.TAPPING, timeout=5000)
    QTest.keyPress(view.canvas, Qt.Key.Key_J)
    for _ in range(10):
        send_repeat(view.canvas, Qt.Key.Key_J)
        qtbot.wait(10)
    QTest.keyRelease(view.canvas, Qt.Key.Key_J)
    QTest.keyClick(view.canvas, Qt.Key.Key_J)
    assert view.task.taps == 2
    assert len(of_kind(sink, "tap")) == 2
    repeats = [e for e in of_kind(sink, "ignored_input") if e.payload["reason"] == "auto_repeat"]
    assert len(repeats) == 10 and all(e.trial_index == 0 for e in repeats)


@pytest.mark.slow
def test_a_held_amount_key_moves_the_amount_but_a_held_enter_does_not_confirm(qtbot) -> None:
    sink = ListSink()
    params = trust.validate_params({"investor_rounds": 2, "trustee_sends": [4]})
    view = TrustView(GameConfig("exchange_trust", 3, params), sink)
    qtbot.addWidget(view)
    view.resize(1024, 720)
    view.show()
    while not (view.task.trial_running and not view.awaiting_onset):
        if view.continue_ready():
            QTest.keyClick(view.canvas, SPACE)
        qtbot.wait(20)
    QTest.keyPress(view.canvas, Qt.Key.Key_Right)
    for _ in range(3):
        send_repeat(view.canvas, Qt.Key.Key_Right)
    QTest.keyRelease(view.canvas, Qt.Key.Key_Right)
    assert view.amount == 4
    vias = [e.payload["via"] for e in of_kind(sink, "amount_changed")]
    assert vias == ["key", "key_repeat", "key_repeat", "key_repeat"]
    QTest.keyPress(view.canvas, RETURN)  # confirms the first round; Enter stays down
    assert view.task.trials_done == 1
    qtbot.waitUntil(lambda: view.task.trial_running and not view.awaiting_onset, timeout=20_000)
    send_repeat(view.canvas, RETURN)
    QTest.keyRelease(view.canvas, RETURN)
    assert view.task.trial_running and view.task.trials_done == 1
    assert of_kind(sink, "ignored_input")[-1].payload["reason"] == "auto_repeat"


# -- larger text -------------------------------------------------------------------------


def test_text_scale_enlarges_the_game_frames_text(qtbot, artefacts: Path) -> None:
    normal, _ = balloons_view(qtbot)
    larger, _ = balloons_view(qtbot, text_scale=1.5)
    rect = normal.canvas.rect().toRectF()
    unit = normal.unit(rect)
    assert larger.text_scale == 1.5 and normal.text_scale == 1.0
    assert normal.make_font(rect, 2.0).pixelSize() == round(unit * 2.0)
    assert larger.make_font(rect, 2.0).pixelSize() == round(unit * 2.0 * 1.5)
    folder = artefacts / "games"
    folder.mkdir(parents=True, exist_ok=True)
    assert larger.grab().save(str(folder / "balloons-instructions-larger-text.png"))


# -- the break between games ---------------------------------------------------------------


def break_screen(qtbot, text_scale: float = 1.0):
    screen = BreakScreen()
    qtbot.addWidget(screen)
    screen.resize(1024, 720)
    proceeded: list[bool] = []
    gated: list = []
    screen.proceed.connect(lambda: proceeded.append(True))
    screen.input_gated.connect(gated.append)
    screen.show()
    qtbot.waitExposed(screen)
    return screen, proceeded, gated


def test_break_screen_takes_a_press_only_after_the_minimum_time(qtbot) -> None:
    screen, proceeded, gated = break_screen(qtbot)
    screen.show_break(2, 5, "Balloons", "en")
    qtbot.waitUntil(lambda: screen.gate.shown_ns is not None, timeout=2000)
    QTest.keyClick(screen, SPACE)
    QTest.mouseClick(screen, Qt.MouseButton.LeftButton)
    assert not proceeded
    assert [g.reason for g in gated] == ["too_soon", "too_soon"]
    assert [g.device for g in gated] == ["key", "mouse"]
    assert gated[0].payload()["key"] == int(SPACE)
    assert 0 <= gated[0].ms_since_shown < MIN_SHOWN_MS
    QTest.keyClick(screen, Qt.Key.Key_A)  # not a continue key: nothing at all
    assert len(gated) == 2
    qtbot.waitUntil(screen.ready, timeout=3000)
    QTest.keyClick(screen, SPACE)
    QTest.keyClick(screen, SPACE)  # the break is over: once is enough
    assert proceeded == [True]


def test_break_screen_refuses_space_held_from_the_game_before(qtbot) -> None:
    screen, proceeded, gated = break_screen(qtbot)
    QTest.keyPress(screen, SPACE)  # down before the break appears
    screen.show_break(1, 3, "Cards", "de", text_scale=1.3)
    repeating = keep_repeating(screen, SPACE)
    qtbot.waitUntil(screen.ready, timeout=3000)
    qtbot.wait(100)
    repeating.stop()
    assert not proceeded
    assert gated and {g.reason for g in gated} == {"held_from_before"}
    QTest.keyRelease(screen, SPACE)
    QTest.keyClick(screen, SPACE)
    assert proceeded == [True]
    assert screen.text_scale == 1.3 and "Cards" in screen.lines[1]


def test_break_screen_counts_a_double_click_as_a_click(qtbot) -> None:
    screen, proceeded, _gated = break_screen(qtbot)
    screen.show_break(1, 2, "Towers", "en")
    qtbot.waitUntil(screen.ready, timeout=3000)
    point = QPointF(300, 300)
    QApplication.sendEvent(screen, mouse(QEvent.Type.MouseButtonDblClick, point, down=True))
    assert proceeded == [True]
