"""Qt fixtures: only tests under this folder import Qt."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def flush_deferred_deletes(qapp) -> Iterator[None]:
    yield
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def window(qtbot, store):
    from kiosk.app import create_application
    from kiosk.window import MainWindow

    create_application()
    main = MainWindow(store)
    qtbot.addWidget(main)
    main.show()
    yield main
    main.close()
