"""Candidate mode: fullscreen and frameless, refuses to close and common shortcuts, and
only a proctor's PIN leaves it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from kiosk.access import auth
from kiosk.store.models import Role


@pytest.fixture
def locked(qtbot, store):
    from kiosk.shell.app import create_application
    from kiosk.shell.window import MainWindow

    create_application()
    auth.create_user(store, auth.SYSTEM, "ada", "correct horse", Role.ADMIN, pin="1234")
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    window.set_candidate_mode(True)
    window.open("checkin")
    yield window
    window.context.state.candidate_mode = False
    window.close()


def press(window, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    target = window.current_screen()
    for kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
        QApplication.sendEvent(target, QKeyEvent(kind, key, modifiers))


@pytest.mark.slow
def test_candidate_mode_is_fullscreen_frameless_and_on_top(locked) -> None:
    flags = locked.windowFlags()
    assert locked.isFullScreen()
    assert flags & Qt.WindowType.FramelessWindowHint
    assert flags & Qt.WindowType.WindowStaysOnTopHint


@pytest.mark.slow
def test_closing_is_refused(locked) -> None:
    assert locked.close() is False
    assert locked.isVisible()


@pytest.mark.parametrize(
    ("key", "modifiers"),
    [
        (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_Tab, Qt.KeyboardModifier.AltModifier),
    ],
)
@pytest.mark.slow
def test_shortcuts_are_swallowed(locked, key, modifiers) -> None:
    before = locked.lockdown.blocked
    press(locked, key, modifiers)
    assert locked.lockdown.blocked > before
    assert locked.current_screen().name == "checkin"


@pytest.mark.slow
def test_ordinary_typing_still_reaches_the_candidate(locked, qtbot) -> None:
    checkin = locked.current_screen()
    qtbot.keyClicks(checkin.code, "ABC")
    assert checkin.code.text() == "ABC"


@pytest.mark.slow
def test_only_a_proctor_pin_unlocks(locked, qtbot) -> None:
    press(
        locked,
        Qt.Key.Key_U,
        Qt.KeyboardModifier.ControlModifier
        | Qt.KeyboardModifier.AltModifier
        | Qt.KeyboardModifier.ShiftModifier,
    )
    unlock = locked.current_screen()
    assert unlock.name == "unlock" and locked.candidate_mode
    unlock.username.setText("ada")
    unlock.pin.setText("9999")
    unlock.submit()
    qtbot.waitUntil(lambda: unlock.card.message.isVisible(), timeout=10_000)
    assert locked.candidate_mode and locked.current_screen().name == "unlock"
    unlock.cancel.click()
    assert locked.current_screen().name == "checkin"
    press(
        locked,
        Qt.Key.Key_U,
        Qt.KeyboardModifier.ControlModifier
        | Qt.KeyboardModifier.AltModifier
        | Qt.KeyboardModifier.ShiftModifier,
    )
    unlock.username.setText("ada")
    unlock.pin.setText("1234")
    unlock.submit()
    qtbot.waitUntil(lambda: locked.current_screen().name == "console", timeout=10_000)
    assert not locked.candidate_mode and not locked.isFullScreen()
    assert locked.close() is True
