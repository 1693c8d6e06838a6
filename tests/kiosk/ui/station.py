"""A station for proctor-path tests: a tiny battery, an admin with a PIN, helpers that
act as a person would (the unlock chord, clicks on the console)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from games.catalog import TaskGame
from games.engine.qt.view import Stage
from kiosk import services
from kiosk.access import auth
from kiosk.store.models import AssessmentSession, Role

TINY = """
[battery]
name = "tiny"
version = "1"

[[games]]
id = "balloons"
params = { n_balloons = 3, n_practice = 0 }

[[games]]
id = "cards"
params = { n_picks = 14 }
"""
CHORD = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.ShiftModifier
)
ADMIN = auth.Actor(None, "ada", Role.ADMIN)


def sampled_bot(game_id: str, rng: np.random.Generator):
    bot = TaskGame(game_id).bot
    return bot.Bot(bot.BotParams.sample(rng), rng)


def checked_in(window) -> str:
    store = window.context.store
    candidate = services.create_candidate(store, ADMIN)
    sid = services.schedule_session(store, ADMIN, candidate.id, window.battery)
    with store.reader() as s:
        code = s.get(AssessmentSession, sid).checkin_code
    assert services.check_in(store, code) == sid
    window.context.state.session_id = sid
    window.set_candidate_mode(True)
    return sid


def playing(qtbot, window) -> str:
    sid = checked_in(window)
    play = window.open("play")
    qtbot.waitUntil(lambda: play.host is not None and play.host.view is not None, timeout=10_000)
    qtbot.waitUntil(lambda: play.host.view.stage is Stage.RUNNING, timeout=10_000)
    return sid


def chord(window) -> None:
    target = window.current_screen()
    for kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
        QApplication.sendEvent(target, QKeyEvent(kind, Qt.Key.Key_U, CHORD))


def unlock(qtbot, window, pin: str = "1234") -> None:
    chord(window)
    screen = window.current_screen()
    assert screen.name == "unlock"
    screen.username.setText("ada")
    screen.pin.setText(pin)
    qtbot.mouseClick(screen.unlock, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_screen().name == "console", timeout=10_000)


def select_session(qtbot, console, sid: str) -> None:
    qtbot.waitUntil(lambda: any(s.id == sid for s in console.sessions), timeout=10_000)
    row = next(i for i, s in enumerate(console.sessions) if s.id == sid)
    console.table.selectRow(row)
