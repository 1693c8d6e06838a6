"""Shell benchmark: cold start to the station home, and peak memory through a battery.

Each measurement runs in a fresh process. Baseline in the same run: a bare Qt
application that shows one label (start) and stays idle (memory), so the ratios show
what the kiosk adds to Qt itself.

Memory is measured through the *short* battery played by bots (``kiosk demo``): the
standard battery takes about 20 minutes of real time per candidate even with bots.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import print_table, write_results

BARE_QT = """
import sys, time
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv)
label = QLabel("hello"); label.show(); app.processEvents()
print(time.perf_counter())
"""

KIOSK_HOME = """
import sys, time
from kiosk.shell.app import create_application
from kiosk.store import open_store
from kiosk.shell.window import MainWindow
app = create_application()
store = open_store(sys.argv[1])
window = MainWindow(store); home = window.open("home"); window.show()
while home.health_label.property("state") == "pending":
    app.processEvents(); time.sleep(0.001)
print(time.perf_counter())
"""


def _start_seconds(code: str, *args: str) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    )
    del out
    return time.perf_counter() - t0


def _peak_rss_mb(argv: list[str]) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(argv, capture_output=True, env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(after, before) / 1024  # Linux reports KiB


def main(quick: bool = False) -> dict[str, Any]:
    rounds = 3 if quick else 7
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        store = Path(tmp) / "k.db"
        subprocess.run(
            [sys.executable, "-m", "kiosk", "store", "info", "--store", str(store)],
            capture_output=True,
        )
        _start_seconds(KIOSK_HOME, str(store))  # creates and migrates the store once
        bare = sorted(_start_seconds(BARE_QT) for _ in range(rounds))[rounds // 2]
        home = sorted(_start_seconds(KIOSK_HOME, str(store)) for _ in range(rounds))[rounds // 2]
        bare_mb = _peak_rss_mb([sys.executable, "-c", BARE_QT])
        demo_mb = _peak_rss_mb(
            [
                sys.executable,
                "-m",
                "kiosk",
                "demo",
                "--store",
                str(Path(tmp) / "demo.db"),
                "--battery",
                "short",
                "--json",
            ]
        )
    result = {
        "bare_qt_start_s": bare,
        "home_start_s": home,
        "start_vs_bare": home / bare,
        "bare_qt_peak_mb": bare_mb,
        "short_battery_peak_mb": demo_mb,
        "memory_vs_bare": demo_mb / bare_mb,
    }
    print_table(
        "Shell: cold start and peak memory (ratios against a bare Qt app, same run)",
        [
            ("measure", "value", "aim / note"),
            ("bare Qt app to first paint (median)", f"{bare:.2f} s", "baseline"),
            (
                "kiosk to station home with health (median)",
                f"{home:.2f} s",
                f"{home / bare:.1f}x baseline; aim <= 1.5 s",
            ),
            ("bare Qt app peak RSS", f"{bare_mb:.0f} MB", "baseline"),
            (
                "station through the short battery (bots)",
                f"{demo_mb:.0f} MB",
                f"{demo_mb / bare_mb:.1f}x baseline; aim <= 400 MB",
            ),
        ],
    )
    print(f"written: {write_results('shell', [result])}")
    return result


if __name__ == "__main__":
    main()
