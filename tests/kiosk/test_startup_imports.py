"""Start-up stays light: what a station loads before its first screen.

Every ``kiosk`` command builds the whole parser and most open the store, and every
``kiosk run`` opens the window whether or not the station syncs. Role-fit models
(scikit-learn) and the sync client (httpx) took seconds to import; they load only
when a command or an enrolled station needs them. A fresh interpreter is used so
modules other tests imported do not hide an eager import. Alembic (a quarter of a
second) loads only to upgrade a store whose schema is not current.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

HEAVY = ("sklearn", "httpx", "kiosk.fit_models", "kiosk.sync.service")


def _loaded_after(
    code: str, key_dir: Path | None = None, heavy: tuple[str, ...] = HEAVY
) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {heavy!r} if m in sys.modules))\n"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            **({"KIOSK_KEY_DIR": str(key_dir)} if key_dir else {}),
        },
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


@pytest.mark.slow
def test_building_the_command_parser_loads_no_model_or_http_library() -> None:
    assert _loaded_after("from kiosk.cli import build_parser\nbuild_parser()") == set()


@pytest.mark.slow
def test_a_station_that_is_not_enrolled_never_loads_the_sync_client(tmp_path: Path) -> None:
    code = (
        "from pathlib import Path\n"
        "from kiosk.shell.app import start_sync\n"
        "from kiosk.store import open_store\n"
        f"with open_store(Path({str(tmp_path / 'k.db')!r}), create=True) as store:\n"
        "    assert start_sync(store, None) is None\n"
    )
    assert _loaded_after(code, tmp_path / "keys") == set()


@pytest.mark.slow
def test_opening_a_current_store_does_not_load_alembic(tmp_path: Path) -> None:
    store = tmp_path / "k.db"
    code = (
        "from kiosk.store import open_store\n"
        f"with open_store({str(store)!r}) as store:\n"
        "    assert store.schema_version() is not None\n"
    )
    # the first open creates the store and runs the migrations through alembic
    assert _loaded_after(code, heavy=("alembic",)) == {"alembic"}
    assert _loaded_after(code, heavy=("alembic",)) == set()
    assert (
        _loaded_after(
            code.replace("open_store(", "open_store(read_only=True, path="), heavy=("alembic",)
        )
        == set()
    )


@pytest.mark.slow
def test_checking_a_store_does_not_load_the_pdf_builder() -> None:
    """``kiosk store check`` verifies signatures (cryptography), it builds no PDF."""
    loaded = _loaded_after("import kiosk.trust.checking", heavy=("reportlab", "alembic"))
    assert loaded == set()
