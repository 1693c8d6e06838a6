"""Starting the GUI: the one ``QApplication``, the main window, the home screen."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from kiosk.shell.window import MainWindow
from kiosk.store import Store

if TYPE_CHECKING:
    from kiosk.sync.service import SyncService

__all__ = ["configure_logging", "create_application", "run_app"]


def configure_logging(store: Store) -> None:
    """Log warnings and errors to stderr and to ``kiosk.log`` beside the store."""
    path = Path(store.path).parent / "kiosk.log"
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    try:
        handlers.append(logging.FileHandler(path, encoding="utf-8"))
    except OSError as exc:
        print(f"kiosk: cannot write the log {path} ({exc.strerror}); logging to stderr only")
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
    )


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("kiosk")
    app.setOrganizationName("kiosk")
    return app


def run_app(store: Store) -> int:
    """The station's window on ``store``; reports go to ``reports/`` beside it.

    The caller holds the store's station lock (:mod:`kiosk.store.lock`).
    """
    from kiosk.outcome.pipeline import default_report_folder

    configure_logging(store)
    app = create_application()
    window = MainWindow(store, report_dir=default_report_folder(store))
    sync = start_sync(store, window)
    window.open("home")
    window.show()
    try:
        return app.exec()
    finally:
        if sync is not None:
            sync.stop()


class _SyncRelay(QObject):
    """Hands moves the centre ordered (made on the sync thread) to the GUI thread."""

    moved = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.moved.connect(self._deliver)

    def _deliver(self, transition: object) -> None:
        self.window.context.signals.changed.emit(transition)


def start_sync(store: Store, window: MainWindow) -> SyncService | None:
    """Sync with the centre in the background, when the station is enrolled."""
    from kiosk.sync.settings import readable_sync_settings

    settings = readable_sync_settings(store)
    if settings is None:
        return None  # not enrolled (or unreadable): the sync machinery is never loaded
    from kiosk.sync.service import start_syncing

    relay = _SyncRelay(window)
    return start_syncing(store, settings, on_transition=relay.moved.emit)
