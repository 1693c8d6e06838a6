"""`kiosk timing-test` runs headless, prints its figures and stores them for the station."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.store import open_store
from kiosk.store.models import TimingTest


@pytest.mark.slow
def test_timing_test_runs_headless_and_stores_the_result(tmp_path: Path) -> None:
    store = tmp_path / "k.db"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    args = [sys.executable, "-m", "kiosk", "timing-test", "--store", str(store)]
    result = subprocess.run(
        [*args, "--seconds", "0.6", "--samples", "200"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "input to stamp (µs)" in out and "frame interval (ms)" in out
    assert "onsets stamped at paint_end" in out and "No display" in out
    assert "keyboard scan/USB delay and display lag" in out
    with open_store(store) as opened, opened.reader() as s:
        (row,) = s.scalars(select(TimingTest)).all()
    latency = row.results["input_to_stamp_us"]
    assert latency["n"] == 200
    # What the software adds between an input arriving and its stamp: well under 1 ms
    # even on a loaded machine (the aim is p99 <= 1 ms).
    assert 0 < latency["median"] < 1000
    assert row.results["frames"] > 10


@pytest.mark.slow
def test_timing_test_json_output(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "timing-test",
            "--store",
            str(tmp_path / "k.db"),
            "--seconds",
            "0.3",
            "--samples",
            "20",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["canvas_method"] == "paint_end" and doc["input_to_stamp_us"]["n"] == 20


@pytest.mark.slow
def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "timing-test",
            "--store",
            str(tmp_path / "k.db"),
            "--samples",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--samples" in result.stderr
