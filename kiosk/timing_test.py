"""``kiosk timing-test``: what this station's software adds to timing, measured.

Three measurements, all inside the running Qt event loop:

- **timer jitter**: a precise 5-ms ``QTimer``; the error of each interval;
- **frame intervals**: the games' own canvas drawing for a few seconds; intervals
  between presented frames, and dropped frames (> 1.5 × the refresh period);
- **input to stamp**: a synthetic key press posted to a widget at a known
  ``perf_counter_ns``; the latency until the application's input stamper stamps it.

What it cannot see: the keyboard's own scan and USB delay (typically 4–25 ms) and the
display's input lag; those need external hardware (a photodiode, a robot key
presser). The result is stored for the station so reports can cite it.
"""

from __future__ import annotations

import platform
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QElapsedTimer, QEvent, QEventLoop, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QKeyEvent, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from games.engine.qt.canvas import make_canvas, refresh_period_ns
from games.engine.qt.timing import FrameStats, StampedInput, install_stamper

__all__ = ["TimingResult", "run_timing_test"]


def _summary(values: np.ndarray, scale: float) -> dict[str, float]:
    if values.size == 0:
        return {"n": 0}
    v = values / scale
    return {
        "n": int(v.size),
        "median": float(np.median(v)),
        "p95": float(np.percentile(v, 95)),
        "p99": float(np.percentile(v, 99)),
        "max": float(v.max()),
    }


@dataclass(frozen=True)
class TimingResult:
    platform: str
    qt_platform: str
    canvas_method: str
    refresh_hz: float
    timer_error_ms: dict[str, float]
    frame_interval_ms: dict[str, float]
    dropped_frames: int
    frames: int
    input_to_stamp_us: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _run_for(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


class _Probe(QWidget):
    """Receives stamped inputs and remembers their stamps."""

    def __init__(self) -> None:
        super().__init__()
        self.stamps: list[int] = []
        self.resize(200, 120)

    def handle_input(self, event: StampedInput) -> bool:
        self.stamps.append(event.t_ns)
        return True


class _FrameOwner:
    def __init__(self, refresh_ns: int) -> None:
        self.stats = FrameStats(refresh_ns=refresh_ns)
        self.method = ""
        self.n = 0

    def paint(self, painter: QPainter, rect: QRectF) -> None:
        self.n += 1
        painter.fillRect(rect, QColor("#f4f6f8"))
        # Something that changes every frame, like a moving stimulus.
        x = (self.n * 7) % max(1, int(rect.width()) - 40)
        painter.fillRect(QRectF(x, rect.height() / 2 - 20, 40, 40), QColor("#0072b2"))

    def frame_presented(self, t_ns: int, method: str) -> None:
        self.method = method
        self.stats.add(t_ns)


def measure_timer(seconds: float) -> np.ndarray:
    period_ms = 5
    ticks: list[int] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter_ns()))
    timer.start(period_ms)
    _run_for(int(seconds * 1000))
    timer.stop()
    return np.diff(np.asarray(ticks, dtype=np.int64)) - period_ms * 1_000_000


def measure_frames(seconds: float) -> tuple[_FrameOwner, int]:
    window = QWidget()
    window.resize(640, 400)
    owner = _FrameOwner(refresh_period_ns(window))
    canvas = make_canvas(owner, window)
    canvas.resize(640, 400)
    window.show()
    canvas.start()
    _run_for(int(seconds * 1000))
    canvas.stop()
    window.close()
    return owner, owner.stats.refresh_ns


def measure_input(samples: int) -> np.ndarray:
    stamper = install_stamper()
    probe = _Probe()
    probe.show()
    posted: list[int] = []
    clock = QElapsedTimer()
    clock.start()

    def post() -> None:
        if len(posted) >= samples:
            return
        event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
        posted.append(time.perf_counter_ns())
        QApplication.postEvent(probe, event)

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(post)
    timer.start(3)
    deadline = time.monotonic() + max(5.0, samples * 0.01)
    while len(probe.stamps) < samples and time.monotonic() < deadline:
        _run_for(50)
    timer.stop()
    probe.close()
    n = min(len(posted), len(probe.stamps))
    del stamper
    return np.asarray(probe.stamps[:n], dtype=np.int64) - np.asarray(posted[:n], dtype=np.int64)


def run_timing_test(seconds: float = 2.0, samples: int = 500) -> TimingResult:
    timer_error = measure_timer(seconds / 2)
    frames, refresh_ns = measure_frames(seconds)
    latency = measure_input(samples)
    summary = frames.stats.summary()
    intervals = np.diff(np.asarray(frames.stats.presented_ns, dtype=np.int64))
    return TimingResult(
        platform=f"{platform.system()} {platform.release()}",
        qt_platform=QGuiApplication.platformName(),
        canvas_method=frames.method,
        refresh_hz=round(1e9 / refresh_ns, 2),
        timer_error_ms=_summary(np.abs(timer_error), 1e6),
        frame_interval_ms=_summary(intervals, 1e6),
        dropped_frames=int(summary["dropped"]),
        frames=int(summary["frames"]),
        input_to_stamp_us=_summary(latency, 1e3),
    )


def format_result(result: TimingResult, station: str) -> str:
    lines = [
        f"Timing test on station {station!r}: {result.platform}, Qt platform "
        f"{result.qt_platform}, onsets stamped at {result.canvas_method}, "
        f"refresh {result.refresh_hz:g} Hz",
        "",
        f"{'measure':<28}{'n':>6}{'median':>10}{'p95':>10}{'p99':>10}{'max':>10}",
    ]
    for label, stats in (
        ("timer interval error (ms)", result.timer_error_ms),
        ("frame interval (ms)", result.frame_interval_ms),
        ("input to stamp (µs)", result.input_to_stamp_us),
    ):
        if not stats.get("n"):
            lines.append(f"{label:<28}{0:>6}  (no samples)")
            continue
        lines.append(
            f"{label:<28}{stats['n']:>6}{stats['median']:>10.3f}{stats['p95']:>10.3f}"
            f"{stats['p99']:>10.3f}{stats['max']:>10.3f}"
        )
    share = result.dropped_frames / max(1, result.frames - 1)
    lines += [
        "",
        f"dropped frames: {result.dropped_frames} of {result.frames} ({share:.1%}; "
        "an interval over 1.5 x the refresh period)",
        "Not measured: keyboard scan/USB delay and display lag (they need external hardware).",
    ]
    return "\n".join(lines)
