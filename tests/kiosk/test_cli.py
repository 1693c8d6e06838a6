"""The `kiosk` command as a person meets it: exit codes and what it prints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.recorder import Recorder
from kiosk.store import open_store, schema_head
from tests.helpers import new_session


def kiosk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env if env is not None else dict(os.environ),
    )


@pytest.mark.slow
def test_run_without_a_display_says_so_and_exits_3(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    for args in ([], ["run"]):
        result = kiosk(*args, "--store", str(tmp_path / "k.db"), env=env)
        assert result.returncode == 3
        assert "no display found" in result.stderr and "Traceback" not in result.stderr


def test_store_info_prints_path_schema_and_counts(store_path: Path, capsys) -> None:
    with open_store(store_path) as store:
        (sid,) = new_session(store)
        rec = Recorder(store)
        for _ in range(5):
            rec.emit(sid, "x")
        rec.close()
    assert main(["store", "info", "--store", str(store_path)]) == 0
    out = capsys.readouterr().out
    assert f"store:          {store_path}" in out
    assert f"schema:         {schema_head()} (current)" in out
    assert "sessions:       1" in out and "events:         5" in out
    assert "by status:      scheduled 1" in out


def test_store_flag_may_come_before_the_command(store_path: Path, capsys) -> None:
    with open_store(store_path):
        pass
    assert main(["--store", str(store_path), "store", "check"]) == 0
    assert "all holds" in capsys.readouterr().out


@pytest.mark.slow
def test_kiosk_store_env_chooses_the_store(store_path: Path) -> None:
    with open_store(store_path):
        pass
    result = kiosk("store", "info", env={**os.environ, "KIOSK_STORE": str(store_path)})
    assert result.returncode == 0 and str(store_path) in result.stdout


@pytest.mark.slow
def test_bad_arguments_exit_2_with_usage() -> None:
    result = kiosk("store", "polish")
    assert result.returncode == 2 and "invalid choice: 'polish'" in result.stderr


@pytest.mark.slow
def test_version() -> None:
    result = kiosk("--version")
    assert result.returncode == 0 and result.stdout.startswith("kiosk ")
