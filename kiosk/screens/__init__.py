"""The shell's screens: one module per screen, opened by name through a registry.

A screen is a ``QWidget`` subclass decorated with :func:`screen`; the main window
builds each on first use with the shared :class:`ShellContext` and shows it in its
stack. Screens never check permissions or touch the database on the GUI thread:
they ask the context's runner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from PySide6.QtWidgets import QWidget

from kiosk.store import Store
from kiosk.worker import BackgroundRunner

__all__ = ["SCREENS", "Screen", "ShellContext", "screen"]


@dataclass
class ShellContext:
    store: Store
    runner: BackgroundRunner
    open_screen: Callable[[str], object]


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


def load_all() -> None:
    """Import every screen module so that each registers itself."""
    from kiosk.screens import home  # noqa: F401
