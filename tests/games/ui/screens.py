"""Going on from a game's continue screens (instructions, interstitials, end) in tests.

A continue screen takes a press only once it has been on for the gate's minimum time
(:mod:`games.engine.gate`); a test goes on the way a reader would, when it is ready.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def go_on(qtbot: Any, view: Any, key: Qt.Key = Qt.Key.Key_Space, timeout_ms: int = 5000) -> None:
    """Press ``key`` on the view's continue screen as soon as the screen takes it."""
    qtbot.waitUntil(view.continue_ready, timeout=timeout_ms)
    QTest.keyClick(view.canvas, key)
