"""Where the store lives: ``--store`` beats ``KIOSK_STORE`` beats the user data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["STORE_ENV", "default_store_path", "resolve_store_path"]

STORE_ENV = "KIOSK_STORE"


def default_store_path() -> Path:
    """The platform's user data folder, e.g. ``~/.local/share/kiosk/kiosk.db`` on Linux."""
    return platformdirs.user_data_path("kiosk", appauthor=False) / "kiosk.db"


def resolve_store_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env).expanduser()
    return default_store_path()
