"""Starting the GUI: the one ``QApplication``, the main window, the home screen."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from kiosk.store import Store
from kiosk.window import MainWindow

__all__ = ["create_application", "run_app"]


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("kiosk")
    app.setOrganizationName("kiosk")
    return app


def run_app(store: Store) -> int:
    app = create_application()
    window = MainWindow(store)
    window.open("home")
    window.show()
    return app.exec()
