"""The wheel is the whole station: built, installed into a clean venv, it runs a demo.

Slow (minutes): building takes ~20 s, installing the dependencies into the new venv
~2 min from pip's cache, the demo ~1 min of CPU.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"

pytestmark = pytest.mark.slow


def _resource_files() -> set[str]:
    """Every file under resources/, as the wheel names it (kiosk_resources/...)."""
    return {
        "kiosk_resources/" + p.relative_to(RESOURCES).as_posix()
        for p in RESOURCES.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
        timeout=600,
    )
    (built,) = out.glob("kiosk-*.whl")
    return built


def test_the_wheel_holds_every_resource_file_and_the_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert _resource_files() - names == set()
    assert {
        "kiosk/store/migrations/env.py",
        "kiosk/store/migrations/script.py.mako",
        "server/db/migrations/env.py",
        "server/PROTOCOL.md",
    } <= names
    ours = ("kiosk/store/migrations/versions/", "server/db/migrations/versions/")
    for folder in ours:
        assert any(n.startswith(folder) and n.endswith(".py") for n in names), folder


@pytest.mark.soak
def test_the_installed_wheel_runs_a_demo_and_writes_a_report(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        timeout=1200,
    )
    work = tmp_path / "work"
    work.mkdir()
    keys = tmp_path / "keys"
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KIOSK_STORE", "VIRTUAL_ENV")
    }
    env |= {"QT_QPA_PLATFORM": "offscreen", "KIOSK_KEY_DIR": str(keys)}
    # The installed package, not the work tree: nothing of the repository on sys.path.
    located = subprocess.run(
        [
            str(python),
            "-c",
            "import kiosk, kiosk_resources; print(kiosk.__file__); "
            "print(kiosk_resources.path('norms'))",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(Path(p).is_relative_to(env_dir) for p in located), located

    result = subprocess.run(
        [
            str(env_dir / "bin" / "kiosk"),
            "demo",
            "--candidates",
            "1",
            "--battery",
            "short",
            "--store",
            str(work / "store" / "kiosk.db"),
            "--out",
            "out",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    reports = list((work / "out").glob("*.pdf"))
    assert len(reports) == 1, sorted(p.name for p in (work / "out").iterdir())
    assert reports[0].read_bytes().startswith(b"%PDF")
    assert (work / "out" / "demo.json").is_file()
