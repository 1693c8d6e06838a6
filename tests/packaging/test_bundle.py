"""The one-folder station bundle (packaging/kiosk.spec) starts and opens a new store.

Slow: PyInstaller takes minutes on two cores, so the bundle is built once, for one
test (or taken from ``KIOSK_BUNDLE_DIR``, a folder holding the ``kiosk`` executable,
e.g. ``dist/kiosk`` after ``make bundle``).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import __version__

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "kiosk.spec"

# Minutes of PyInstaller: the soak lane (make soak, run by CI), like the wheel's test.
pytestmark = [pytest.mark.slow, pytest.mark.soak]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("KIOSK_BUNDLE_DIR")
    if given:
        return Path(given)
    if importlib.util.find_spec("PyInstaller") is None:
        if os.environ.get("CI"):
            pytest.fail("PyInstaller is missing: the dev install takes the bundle extra")
        pytest.skip("PyInstaller is not installed (pip install -e '.[bundle]')")
    out = tmp_path_factory.mktemp("bundle")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "build"),
            str(SPEC),
        ],
        cwd=ROOT,
        check=True,
        timeout=1800,
    )
    return out / "dist" / "kiosk"


def _run(bundle: Path, *args: str, tmp: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KIOSK_STORE")}
    env |= {"QT_QPA_PLATFORM": "offscreen", "KIOSK_KEY_DIR": str(tmp / "keys")}
    return subprocess.run(
        [str(bundle / "kiosk"), *args],
        cwd=tmp,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_bundle_starts_creates_a_store_and_finds_it_whole(bundle: Path, tmp_path: Path) -> None:
    # One test, so that the parallel workers never build the bundle twice.
    version = _run(bundle, "--version", tmp=tmp_path)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"kiosk {__version__}"

    listed = _run(bundle, "battery", "list", tmp=tmp_path)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "short" in listed.stdout and "standard" in listed.stdout

    store = tmp_path / "store" / "kiosk.db"
    # A new store: its migrations run from the bundle, its first admin is added.
    added = _run(
        bundle,
        "users",
        "add",
        "admin",
        "--role",
        "admin",
        "--store",
        str(store),
        tmp=tmp_path,
        stdin="a long passphrase\na long passphrase\n1234\n",
    )
    assert added.returncode == 0, added.stdout + added.stderr
    checked = _run(bundle, "store", "check", "--store", str(store), tmp=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "result:   all holds" in checked.stdout
