"""Suite-wide setup: Qt runs offscreen, and every test gets its own store folder.

``QT_QPA_PLATFORM`` is set here, before anything can create a ``QApplication``.
Tests that need Qt use the fixtures in ``tests/kiosk/ui/conftest.py``; the rest of
the suite never imports Qt.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Station keys live outside every test's store folder (and outside the user's own config);
# one folder per test process, inherited by the processes tests start.
os.environ["KIOSK_KEY_DIR"] = tempfile.mkdtemp(prefix="kiosk-test-keys-")
atexit.register(shutil.rmtree, os.environ["KIOSK_KEY_DIR"], ignore_errors=True)
os.environ.pop("KIOSK_KEY_SOURCE", None)

ARTEFACTS = Path(__file__).resolve().parent.parent / "artefacts"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "kiosk.db"


@pytest.fixture
def store(store_path: Path) -> Iterator[object]:
    from kiosk.store import open_store

    opened = open_store(store_path)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def artefacts() -> Path:
    """Where tests save screenshots and rendered pages for people to look at."""
    ARTEFACTS.mkdir(exist_ok=True)
    return ARTEFACTS
