"""Qt fixtures: only tests under this folder import Qt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def flush_deferred_deletes(qapp) -> Iterator[None]:
    yield
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def window(qtbot, store):
    from kiosk.shell.app import create_application
    from kiosk.shell.window import MainWindow

    create_application()
    main = MainWindow(store)
    qtbot.addWidget(main)
    main.show()
    yield main
    main.close()


@pytest.fixture
def station(qtbot, store, tmp_path: Path):
    from kiosk.access import auth
    from kiosk.battery import load_battery
    from kiosk.shell.app import create_application
    from kiosk.shell.window import MainWindow
    from kiosk.store.models import Role
    from tests.kiosk.ui.station import TINY, sampled_bot

    create_application()
    auth.create_user(store, auth.SYSTEM, "ada", "correct horse", Role.ADMIN, pin="1234")
    (tmp_path / "tiny.toml").write_text(TINY)
    window = MainWindow(store, bot_factory=sampled_bot)
    window.battery = load_battery(tmp_path / "tiny.toml")
    qtbot.addWidget(window)
    window.show()
    yield window
    window.context.state.candidate_mode = False
    window.close()
