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


def _expected_seconds(item: pytest.Item) -> float:
    marker = item.get_closest_marker("long")
    return float(marker.args[0]) if marker is not None else 0.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``long`` first, longest first; the rest keep their order.

    The parallel run hands tests out in this order, so the few that play a battery or
    a crash out in real time start at once on different workers instead of being the
    last ones a run waits for. Every process sorts the same way (the order is part of
    what xdist compares between workers)."""
    items.sort(key=lambda item: -_expected_seconds(item))


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


@pytest.fixture(autouse=True)
def _qt_widgets_live_until_closed(request: pytest.FixtureRequest) -> Iterator[None]:
    """Keep every widget a test gives ``qtbot.addWidget`` alive until pytest-qt closes it.

    pytest-qt holds those widgets weakly. A game view sits in reference cycles, so once
    the test function returns only the garbage collector frees it, at whatever moment
    a collection happens: if that is before pytest-qt has delivered the window's
    pending activation, Qt activates a deleted window and the process dies
    (``QApplicationPrivate::setActiveWindow`` -> ``QWidget::setFocus``; seen as
    "worker crashed" in ``make test-fast``). The widgets are let go at this fixture's
    teardown, after pytest-qt has closed them and processed their events.
    """
    if "qtbot" not in request.fixturenames:
        yield
        return
    qtbot = request.getfixturevalue("qtbot")
    kept: list[object] = []
    add_widget = qtbot.addWidget

    def keep_and_add(widget: object, *args: object, **kwargs: object) -> None:
        kept.append(widget)
        add_widget(widget, *args, **kwargs)

    qtbot.addWidget = keep_and_add
    yield
    kept.clear()
