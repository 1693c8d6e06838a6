"""The window's side: the admin screen enrols, centre moves reach the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from kiosk.access import auth
from kiosk.sessions.machine import Move, Transition
from kiosk.shell.app import start_sync
from kiosk.store.models import SessionStatus
from kiosk.sync.enrolment import sync_settings
from kiosk.sync.service import start_if_enrolled
from tests.helpers import ADMIN, ADMIN_PASSWORD, ensure_admin
from tests.kiosk.sync.fake_server import CODE


@pytest.fixture(autouse=True)
def flush_deferred_deletes(qapp) -> Iterator[None]:
    yield
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def admin_window(qtbot, store):
    from kiosk.shell.app import create_application
    from kiosk.shell.window import MainWindow

    create_application()
    ensure_admin(store)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    window.context.state.actor = auth.authenticate(store, ADMIN, ADMIN_PASSWORD)
    yield window
    window.close()


@pytest.mark.slow
def test_the_admin_screen_enrols_the_station(qtbot, admin_window, store, centre) -> None:
    server, url = centre
    admin = admin_window.open("admin")
    panel = admin.sync_panel
    qtbot.waitUntil(lambda: panel.state.text().startswith("Not enrolled"), timeout=10_000)
    panel.url.setText(url)
    panel.code.setText("WRNG-CODE-0000")
    panel.enrol.click()
    qtbot.waitUntil(lambda: "refused the code" in panel.result.text(), timeout=10_000)
    assert sync_settings(store) is None and panel.enrol.isEnabled()
    panel.code.setText(CODE)
    panel.enrol.click()
    qtbot.waitUntil(lambda: panel.state.text().startswith("Enrolled with"), timeout=10_000)
    assert "North Centre" in panel.result.text() and panel.code.text() == ""
    assert sync_settings(store).station_id == server.station_id


@pytest.mark.slow
def test_centre_moves_reach_the_shell_on_the_gui_thread(qtbot, admin_window) -> None:
    from kiosk.shell.app import _SyncRelay

    relay = _SyncRelay(admin_window)
    heard: list[tuple[Transition, bool]] = []
    gui = threading.get_ident()
    admin_window.context.signals.changed.connect(
        lambda t: heard.append((t, threading.get_ident() == gui))
    )
    move = Transition("s-1", Move.PAUSE, SessionStatus.IN_PROGRESS, SessionStatus.PAUSED)
    worker = threading.Thread(target=relay.moved.emit, args=(move,))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(heard), timeout=5_000)
    assert heard == [(move, True)]


@pytest.mark.slow
def test_no_sync_thread_before_enrolment(store) -> None:
    assert start_if_enrolled(store) is None


def test_damaged_sync_settings_leave_the_station_working_offline(store, caplog) -> None:
    from sqlalchemy import select

    from kiosk.store.models import Station

    with store.writer() as s, s.begin():
        station = s.scalars(select(Station)).first()
        station.settings = {**station.settings, "sync": {"station_id": "x", "heartbeat_s": "?"}}
    assert start_if_enrolled(store) is None
    assert "could not start" in caplog.text
    caplog.clear()
    # the station window's own way in reads the settings once, just as carefully
    assert start_sync(store, None) is None  # type: ignore[arg-type]
    assert "could not start" in caplog.text
