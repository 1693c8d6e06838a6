"""Shared helpers of the timed games' widget tests (arrows, lengths, faces, stop,
keypresses, hard_or_easy): build a view, play it with its bot, take a screenshot at
a chosen moment, and check stamps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QTimer

from games.api import EventRecord, GameConfig, ListSink
from games.engine.qt.driver import BotDriver
from games.engine.qt.view import GameView

SIZE = (1024, 720)


@dataclass
class WatchedSink(ListSink):
    """A ListSink that tells ``watchers`` about every event as it is emitted."""

    watchers: list[Callable[[EventRecord], None]] = field(default_factory=list)

    def emit(
        self,
        kind: str,
        payload: Mapping[str, Any] | None = None,
        *,
        trial_index: int | None = None,
        t_ns: int | None = None,
    ) -> None:
        super().emit(kind, payload, trial_index=trial_index, t_ns=t_ns)
        for watcher in list(self.watchers):
            watcher(self.events[-1])


def make_view(
    qtbot,
    view_class: type[GameView],
    task_module: Any,
    params: Mapping[str, Any],
    seed: int = 7,
    language: str = "en",
    resume_events: list[EventRecord] | None = None,
) -> tuple[Any, WatchedSink]:
    sink = WatchedSink()
    config = GameConfig(view_class.game_id, seed, task_module.validate_params(params), language)
    view = view_class(config, sink, resume_events=resume_events)
    qtbot.addWidget(view)
    view.resize(*SIZE)
    view.show()
    return view, sink


def play(
    qtbot,
    view: GameView,
    bot: Any,
    *,
    speed: float,
    timeout_ms: int = 20_000,
    driver_class: type[BotDriver] = BotDriver,
) -> Any:
    """Let ``bot`` play ``view`` to the end; returns the summary."""
    done: list[Any] = []
    view.finished.connect(done.append)
    driver_class(view, bot, speed=speed)
    qtbot.waitUntil(lambda: bool(done), timeout=timeout_ms)
    return done[0]


def shoot_when(
    view: GameView,
    sink: WatchedSink,
    path: Path,
    wanted: Callable[[EventRecord], bool],
    delay_ms: int = 30,
) -> list[Path]:
    """Save a screenshot ``delay_ms`` after the first event for which ``wanted`` is true.

    The grab is taken from the event loop (not inside the frame callback that emitted
    the event), while the screen the event announced is still showing.
    """
    saved: list[Path] = []
    path.parent.mkdir(parents=True, exist_ok=True)

    def grab() -> None:
        if not saved:
            view.grab().save(str(path))
            saved.append(path)

    def watch(event: EventRecord) -> None:
        if wanted(event) and watch in sink.watchers:
            sink.watchers.remove(watch)
            QTimer.singleShot(delay_ms, grab)

    sink.watchers.append(watch)
    return saved


def of_kind(events: list[EventRecord], kind: str) -> list[EventRecord]:
    return [e for e in events if e.kind == kind]


def assert_frame_stamped(events: list[EventRecord], kinds: tuple[str, ...]) -> None:
    """Every onset-like event was stamped at the end of a paint, with the refresh period."""
    stamped = [e for e in events if e.kind in kinds]
    assert stamped
    for event in stamped:
        assert event.payload["method"] == "paint_end", event
        assert event.payload["refresh_ns"] > 0, event


def assert_complete_table(
    table: Mapping[str, np.ndarray], columns: Mapping[str, str], events: list[EventRecord]
) -> None:
    """One row per trial_end, exactly the task's columns."""
    assert list(table) == list(columns)
    n_ends = len(of_kind(events, "trial_end"))
    assert all(len(values) == n_ends for values in table.values())


def first_frame_at_or_after(
    presented: list[int], refresh_ns: int, shown_ns: int, target_ns: int
) -> bool:
    """``shown_ns`` is the first presented frame at or after ``target_ns``.

    The view makes a change at the start of the first paint at or after its target
    (1 ms of slack); a raster frame's stamp is taken when its paint ends. So the frame
    that shows the change is stamped no earlier than the target less 1 ms, and the
    frame before it was painted before the target (its stamp, taken at the end of its
    paint, is at most a paint's duration - here half a frame - after the target).
    """
    if shown_ns not in presented or shown_ns < target_ns - 1_000_000:
        return False
    i = presented.index(shown_ns)
    return i == 0 or presented[i - 1] < target_ns + refresh_ns // 2
