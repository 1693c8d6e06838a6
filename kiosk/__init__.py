"""The assessment kiosk application: Qt shell and screens, store, recorder, CLI.

Nothing here creates a ``QApplication`` at import time; :func:`kiosk.cli.main` does,
and only for commands that show a window.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
