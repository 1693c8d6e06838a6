"""The shell's screens: one module per screen, opened by name through a registry.

A screen is a ``QWidget`` subclass decorated with :func:`screen`; the main window
builds each on first use with the shared :class:`~kiosk.shell.context.ShellContext`
and shows it in its stack. Screens are widgets only: no SQL, no permission checks, no
audit writes (an import-linter contract keeps them away from the store); they call
services on the context's runner and listen to the shell's signals.
"""

from __future__ import annotations

import importlib
from typing import ClassVar, TypeVar

from PySide6.QtWidgets import QWidget

from kiosk.shell.context import SessionSignals, ShellContext, ShellState

__all__ = ["SCREENS", "Screen", "SessionSignals", "ShellContext", "ShellState", "screen"]


class Screen(QWidget):
    """Base of every screen. ``name`` is the registry key, ``title`` the window title."""

    name: ClassVar[str]
    title: ClassVar[str]

    def __init__(self, context: ShellContext) -> None:
        super().__init__()
        self.context = context
        self.setObjectName(f"screen-{self.name}")

    def on_show(self) -> None:
        """Called each time the screen is brought to the front."""


SCREENS: dict[str, type[Screen]] = {}

S = TypeVar("S", bound=type[Screen])


def screen(cls: S) -> S:
    if cls.name in SCREENS:
        raise ValueError(f"a screen named {cls.name!r} is already registered")
    SCREENS[cls.name] = cls
    return cls


# Where each screen lives: a screen's module is imported the first time it is opened,
# so the station home comes up without loading the games, scoring or exports.
SCREEN_MODULES = {
    name: f"kiosk.shell.screens.{name}"
    for name in (
        "admin",
        "analytics",
        "checkin",
        "complete",
        "console",
        "consent",
        "demographics",
        "first_run",
        "home",
        "play",
        "signin",
        "unlock",
    )
}


def screen_class(name: str) -> type[Screen]:
    """The registered screen ``name``, importing its module on first use."""
    if name not in SCREENS and name in SCREEN_MODULES:
        importlib.import_module(SCREEN_MODULES[name])
    try:
        return SCREENS[name]
    except KeyError:
        raise KeyError(f"no screen named {name!r}; known: {sorted(SCREEN_MODULES)}") from None


def load_all() -> None:
    """Import every screen module so that each registers itself."""
    for module in SCREEN_MODULES.values():
        importlib.import_module(module)
