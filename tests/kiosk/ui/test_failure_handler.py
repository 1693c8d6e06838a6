"""An unexpected failure on the GUI thread is logged and shown, never a blank screen."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.kiosk.ui.station import checked_in


@pytest.mark.slow
def test_a_failure_in_candidate_mode_asks_for_the_proctor_and_is_logged(
    qtbot, station, monkeypatch, caplog
) -> None:
    import kiosk.shell.screens.play as play_module

    def broken(store, session_id):
        raise RuntimeError("the plan could not be read")

    monkeypatch.setattr(play_module, "play_plan", broken)
    checked_in(station)
    with caplog.at_level(logging.ERROR), qtbot.capture_exceptions() as raised:
        station.open("play")
        qtbot.waitUntil(lambda: station.findChild(QMessageBox, "failure-message") is not None)
        box = station.findChild(QMessageBox, "failure-message")
        qtbot.waitUntil(box.isVisible)
    assert "call your proctor" in box.text() and "nothing you did is lost" in box.text()
    assert [type(e[1]) for e in raised] == [RuntimeError]  # the hook still hears of it
    assert any("unhandled failure" in r.message for r in caplog.records)
    box.close()


@pytest.mark.slow
def test_a_failure_for_a_proctor_says_what_failed(qtbot, station) -> None:
    with qtbot.capture_exceptions() as raised:
        station.report_failure(OSError(28, "No space left on device"))
    box = station.findChild(QMessageBox, "failure-message")
    assert box is not None and "No space left on device" in box.text()
    assert len(raised) == 1
    box.close()
