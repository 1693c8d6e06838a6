"""One station process per store: a second `kiosk run` or `kiosk demo` is refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.store import open_store
from kiosk.store.lock import StationLock, StoreInUse
from kiosk.store.models import AssessmentSession


def kiosk(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


@pytest.mark.slow
@pytest.mark.parametrize("command", [["run"], ["demo", "--candidates", "1"]])
def test_a_second_station_process_is_refused_and_touches_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    store_path = tmp_path / "k.db"
    with open_store(store_path):
        pass
    with StationLock(store_path, "run"):
        result = kiosk(*command, "--store", str(store_path))
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "in use by another kiosk process" in line and f"pid {os.getpid()}" in line
    with open_store(store_path) as store, store.reader() as s:
        assert s.query(AssessmentSession).count() == 0


@pytest.mark.slow
def test_the_lock_is_released_when_its_holder_is_killed(tmp_path: Path) -> None:
    store_path = tmp_path / "k.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from kiosk.store.lock import StationLock;"
            f"StationLock(Path({str(store_path)!r})).acquire(); print('HELD', flush=True);"
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "HELD"
        with pytest.raises(StoreInUse), StationLock(store_path):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with StationLock(store_path) as lock:
        assert lock.held
    assert (store_path.parent / "k.db.lock").stat().st_mode & 0o077 == 0


def test_the_lock_makes_a_new_data_folder_private(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "data"
    with StationLock(folder / "k.db", "run"):
        pass
    assert (folder.stat().st_mode & 0o777, folder.parent.stat().st_mode & 0o777) == (0o700, 0o700)
