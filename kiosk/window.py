"""The main window: a stack of screens opened by name from the registry."""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QStackedWidget

from kiosk.screens import SCREENS, Screen, ShellContext, load_all
from kiosk.store import Store
from kiosk.style import STYLESHEET
from kiosk.worker import BackgroundRunner

__all__ = ["MainWindow"]


class MainWindow(QMainWindow):
    def __init__(self, store: Store) -> None:
        super().__init__()
        load_all()
        self.setStyleSheet(STYLESHEET)
        self.runner = BackgroundRunner(self)
        self.context = ShellContext(store=store, runner=self.runner, open_screen=self.open)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self._screens: dict[str, Screen] = {}
        self.resize(1024, 720)
        self.setMinimumSize(800, 600)

    def open(self, name: str) -> Screen:
        """Bring the named screen to the front, building it on first use."""
        if name not in self._screens:
            try:
                cls = SCREENS[name]
            except KeyError:
                raise KeyError(f"no screen named {name!r}; known: {sorted(SCREENS)}") from None
            self._screens[name] = cls(self.context)
            self.stack.addWidget(self._screens[name])
        current = self._screens[name]
        self.stack.setCurrentWidget(current)
        self.setWindowTitle(f"Kiosk — {current.title}")
        current.on_show()
        return current

    def current_screen(self) -> Screen:
        widget = self.stack.currentWidget()
        assert isinstance(widget, Screen)
        return widget

    def closeEvent(self, event: QCloseEvent) -> None:
        self.runner.shutdown()
        super().closeEvent(event)
