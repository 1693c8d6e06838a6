"""Playing a game view with its bot, and the checks every view test makes.

A test builds the view with :func:`make_view`, lets a :class:`BotDriver` play it and
waits for ``finished``; :class:`Played` keeps what the run produced (events, the
summary, every stamp the input stamper handed the view) for the shared assertions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from games.api import EventRecord, GameConfig, GameSummary, ListSink, completed_trials
from games.engine.qt.driver import BotDriver
from games.engine.qt.timing import StampedInput
from games.engine.qt.view import GameView, Stage

RESPONSE_KINDS = ("response", "illegal_move", "lift", "put_back", "amount_changed")


@dataclass
class Played:
    view: GameView
    sink: ListSink
    inputs: list[StampedInput] = field(default_factory=list)
    summaries: list[GameSummary] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # interstitials, as dismissed
    # Screenshots still to take: (condition on the view, action saving it).
    wanted: list[tuple[Callable[[GameView], bool], Callable[[], None]]] = field(
        default_factory=list
    )

    @property
    def events(self) -> list[EventRecord]:
        return self.sink.events

    @property
    def finished(self) -> bool:
        return bool(self.summaries)

    def of(self, kind: str) -> list[EventRecord]:
        return [e for e in self.events if e.kind == kind]


def make_view(
    qtbot: Any,
    view_class: type[GameView],
    task: ModuleType,
    params: Mapping[str, Any],
    seed: int = 7,
    iti_ms: int | None = None,
    language: str = "en",
    size: tuple[int, int] = (1024, 720),
) -> Played:
    """A shown view (1024 x 720 by default) whose stamped inputs and summary are recorded.

    ``iti_ms`` shortens the view's interval between trials to keep a test quick; the
    flow is the same.
    """
    sink = ListSink()
    config = GameConfig(view_class.game_id, seed, task.validate_params(params), language)
    view = view_class(config, sink)
    if iti_ms is not None:
        view.iti_ms = iti_ms  # type: ignore[misc]
    return record(qtbot, view, sink, size)


def record(
    qtbot: Any, view: GameView, sink: ListSink, size: tuple[int, int] = (1024, 720)
) -> Played:
    """Show a built ``view`` writing to ``sink``, recording its stamped inputs and summary."""
    qtbot.addWidget(view)
    played = Played(view, sink)
    handle = view.handle_input

    def recording(event: StampedInput) -> bool:
        played.inputs.append(event)
        if view.stage is Stage.MESSAGE:
            played.messages.append(view._message)
        for wanted in list(played.wanted):
            condition, take = wanted
            if view.stage is Stage.RUNNING and condition(view):
                played.wanted.remove(wanted)
                take()  # the screen as the candidate saw it when giving this input
        return handle(event)

    view.handle_input = recording  # type: ignore[method-assign]
    view.finished.connect(played.summaries.append)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return played


def drive(played: Played, bot: Any, speed: float) -> BotDriver:
    return BotDriver(played.view, bot, speed=speed)


def wait_until(qtbot: Any, condition: Callable[[], bool], timeout_ms: int) -> None:
    qtbot.waitUntil(condition, timeout=timeout_ms)


def play_to_end(qtbot: Any, played: Played, bot: Any, speed: float, timeout_ms: int) -> float:
    """Let the bot play the whole game; returns the wall time it took (s)."""
    t0 = time.perf_counter()
    drive(played, bot, speed)
    qtbot.waitUntil(lambda: played.finished, timeout=timeout_ms)
    return time.perf_counter() - t0


def check_trial_table(played: Played, task: ModuleType) -> dict[str, np.ndarray]:
    """One row per completed trial, exactly the task's columns."""
    table = task.trial_table(played.events)
    assert list(table) == list(task.COLUMNS)
    n_done = len(completed_trials(played.events))
    assert all(len(column) == n_done for column in table.values())
    return table


def check_stamps(played: Played, kinds: tuple[str, ...] = RESPONSE_KINDS) -> None:
    """Onsets come from painted frames; inputs carry the stamper's own stamps.

    Every response (and illegal move; any event of ``kinds``) has the t_ns of an input
    the stamper handed the view, and comes at or after the latest stimulus onset of its
    trial before it.
    """
    onsets = played.of("stimulus_onset")
    assert onsets, "no stimulus onsets recorded"
    assert all(e.payload["method"] == "paint_end" for e in onsets)
    assert all(e.payload["refresh_ns"] > 0 for e in onsets)
    stamps = {event.t_ns for event in played.inputs}
    responses = [e for e in played.events if e.kind in kinds]
    assert responses, "no responses recorded"
    for response in responses:
        assert response.t_ns in stamps, f"{response} was not stamped by the input stamper"
        before = [
            e.t_ns for e in onsets if e.trial_index == response.trial_index and e.seq < response.seq
        ]
        assert before, f"{response} came before any onset of its trial"
        assert response.t_ns >= max(before)
    for ignored in played.of("ignored_input"):
        assert ignored.t_ns in stamps


def check_pause(qtbot: Any, played: Played, press: Callable[[], None]) -> None:
    """Pausing shows the pause stage and swallows inputs; resuming restores the stage."""
    view = played.view
    before = view.stage
    n_events = len(played.events)
    view.pause()
    assert view.stage is Stage.PAUSED
    assert played.of("pause")
    press()
    qtbot.wait(50)
    new = [e.kind for e in played.events[n_events:]]
    assert new == ["pause"], f"inputs during the pause reached the task: {new}"
    view.resume()
    assert view.stage is before
    assert played.events[-1].kind == "resume"


def save_screenshot(played: Played, artefacts: Path, name: str) -> Path:
    folder = artefacts / "games"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    assert played.view.grab().save(str(path))
    return path


def screenshot_when(
    played: Played, artefacts: Path, name: str, condition: Callable[[GameView], bool]
) -> list[Path]:
    """Save one screenshot at the first input that arrives while ``condition(view)`` holds.

    Taken just before the input is handled, the screenshot shows the screen the input
    answered. The returned list receives the path once the screenshot is saved.
    """
    shots: list[Path] = []
    played.wanted.append(
        (condition, lambda: shots.append(save_screenshot(played, artefacts, name)))
    )
    return shots
