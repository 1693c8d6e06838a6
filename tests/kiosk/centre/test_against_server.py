"""The console against the centre server itself: uvicorn on a loopback port, two
simulated stations heartbeating to it, a proctor pausing one from the window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from kiosk.centre import CentreApi, ReconnectPolicy
from tests.kiosk.centre.real_server import (
    CENTRE,
    PASSWORD,
    PROCTOR,
    Served,
    SimulatedStation,
    live_session,
    running_server,
)


@pytest.fixture(autouse=True)
def flush_deferred_deletes(qapp) -> Iterator[None]:
    yield
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with running_server(tmp_path, heartbeat_s=0.5) as server:
        yield server


@pytest.mark.slow  # the server starts and migrates its database first
def test_the_console_follows_real_stations_and_pauses_one(qtbot, served: Served) -> None:
    from kiosk.shell.centre_console import COL, STALE, CentreConsole

    room1 = SimulatedStation(served, "Room 1", live_session("s-1", "P-7QK2"))
    room2 = SimulatedStation(served, "Room 2", live_session("s-2", "P-M3XD", game="arrows"))
    api = CentreApi(served.url)
    try:
        token = api.sign_in(PROCTOR, PASSWORD, CENTRE)
        window = CentreConsole(api, token, policy=ReconnectPolicy(0.05, 0.2, 0.02))
        qtbot.addWidget(window)
        window.show()
        window.start()

        def cell(name: str, column: str) -> str:
            for row in range(window.table.rowCount()):
                if window.table.item(row, COL["Station"]).text() == name:
                    return window.table.item(row, COL[column]).text()
            return ""

        qtbot.waitUntil(lambda: window.table.rowCount() == 2, timeout=10_000)
        assert cell("Room 1", "State") == "in progress"
        assert cell("Room 2", "Game") == "arrows"

        window.select_station(room1.id)
        window.pause_button.click()
        qtbot.waitUntil(lambda: cell("Room 1", "State") == "paused", timeout=10_000)
        assert [c["kind"] for c in room1.applied] == ["pause"]
        assert room1.applied[0]["issued_by"] == PROCTOR
        qtbot.waitUntil(lambda: cell("Room 1", "Command") == "", timeout=5000)

        room2.beating = False  # Room 2 falls silent
        qtbot.waitUntil(lambda: cell("Room 2", "State") == STALE, timeout=10_000)
        assert cell("Room 1", "State") == "paused"
        window.close()
    finally:
        room1.close()
        room2.close()
        api.close()


@pytest.mark.slow
def test_kiosk_consoles_entry_point_signs_in_and_shows_the_centre(qtbot, served: Served) -> None:
    """run_centre_console as `kiosk console` calls it: the sign-in dialog, then the
    window, live; closing it returns 0."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.shell.centre_console import CentreConsole, run_centre_console
    from kiosk.shell.centre_signin import CentreSignIn

    room = SimulatedStation(served, "Room 1", live_session("s-1", "P-7QK2"))
    seen: list[str] = []

    def drive() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, CentreSignIn) and modal.submit.isEnabled() and not seen:
            seen.append(f"dialog for {modal.centre.text()} as {modal.username.text()}")
            modal.password.setText(PASSWORD)
            modal.submit.click()
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, CentreConsole) and widget.live and widget.board.entries:
                seen.append(f"live with {[s.name for s in widget.board.stations()]}")
                widget.close()

    driver = QTimer()
    driver.timeout.connect(drive)
    driver.start(50)
    try:
        assert run_centre_console(served.url, PROCTOR, CENTRE) == 0
    finally:
        driver.stop()
        room.close()
    assert seen[0] == f"dialog for {CENTRE} as {PROCTOR}"
    assert seen[1] == "live with ['Room 1']"
