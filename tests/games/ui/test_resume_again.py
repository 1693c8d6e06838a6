"""A game continued after a crash can crash again, any number of times, and go on.

Each continuation replays only the calls that built committed state: a dead
attempt's calls after its last committed trial are never replayed again.
"""

from __future__ import annotations

import numpy as np
import pytest

from games.api import EventRecord, GameConfig, ListSink
from games.balloons import bot, task
from games.balloons.view import BalloonsView
from games.engine.qt.driver import BotDriver
from games.engine.resume import committed_calls


def stored_after(previous: list[EventRecord], sink: ListSink) -> list[EventRecord]:
    """What the store holds: earlier attempts' events, then this attempt's, renumbered."""
    start = previous[-1].seq if previous else 0
    return previous + [
        EventRecord(start + i, e.t_ns, e.kind, e.trial_index, e.payload)
        for i, e in enumerate(sink.events, start=1)
    ]


def attempt(qtbot, params, stored: list[EventRecord]) -> tuple[BalloonsView, ListSink]:
    sink = ListSink()
    view = BalloonsView(GameConfig("balloons", 21, params), sink, resume_events=stored or None)
    qtbot.addWidget(view)
    view.resize(1024, 720)
    view.show()
    return view, sink


def crash_mid_trial(qtbot, view: BalloonsView, trials_done: int) -> None:
    """Play until ``trials_done`` balloons are over and the next has pumps, then die."""
    driver = BotDriver(view, bot.Bot(bot.BotParams(pump_target=5), np.random.default_rng(3)))
    qtbot.waitUntil(
        lambda: view.task.trials_done == trials_done and view.task.pumps >= 1, timeout=20_000
    )
    driver.stop()
    view.canvas.stop()


@pytest.mark.slow
@pytest.mark.long(15)
@pytest.mark.parametrize("crashes", [3])  # three crashes: the second continuation too
def test_balloons_survive_repeated_crashes_mid_trial(qtbot, crashes: int) -> None:
    params = task.validate_params({"n_balloons": crashes + 2, "n_practice": 0})
    reference_view, reference_sink = attempt(qtbot, params, [])
    done: list[object] = []
    reference_view.finished.connect(done.append)
    BotDriver(reference_view, bot.Bot(bot.BotParams(pump_target=5), np.random.default_rng(3)))
    qtbot.waitUntil(lambda: bool(done), timeout=30_000)
    reference = task.trial_table(reference_sink.events)

    stored: list[EventRecord] = []
    for n in range(crashes):
        view, sink = attempt(qtbot, params, stored)
        if n:
            # The continuation starts after the last committed balloon of all attempts.
            assert view.task.trials_done == n and not view.task.trial_running
        crash_mid_trial(qtbot, view, trials_done=n + 1)
        stored = stored_after(stored, sink)

    final, sink = attempt(qtbot, params, stored)
    assert final.task.trials_done == crashes
    finished: list[object] = []
    final.finished.connect(finished.append)
    BotDriver(final, bot.Bot(bot.BotParams(pump_target=5), np.random.default_rng(3)))
    qtbot.waitUntil(lambda: bool(finished), timeout=30_000)
    table = task.trial_table(stored_after(stored, sink))
    assert table["trial_index"].tolist() == list(range(crashes + 2))
    assert table["explosion_point"].tolist() == reference["explosion_point"].tolist()
    assert table["total_cents"].tolist() == table["earned_cents"].cumsum().tolist()


def _call(seq: int, method: str) -> EventRecord:
    return EventRecord(seq, seq, "task_call", None, {"method": method, "args": [], "kwargs": {}})


def test_committed_calls_drop_each_dead_attempts_tail() -> None:
    events = [
        _call(1, "start_trial"),
        _call(2, "respond"),
        EventRecord(3, 3, "trial_end", 0, {}),
        _call(4, "start_trial"),  # attempt 1 dies mid-trial
        EventRecord(5, 5, "clock_anchor", None, {"reason": "game_resume"}),
        EventRecord(6, 6, "resume_gap", None, {}),
        _call(7, "start_trial"),
        _call(8, "respond"),
        EventRecord(9, 9, "trial_end", 1, {}),
        _call(10, "start_trial"),  # attempt 2 dies mid-trial
        EventRecord(11, 11, "resume_gap", None, {}),  # attempt 3 died before its anchor
        _call(12, "start_trial"),
        EventRecord(13, 13, "clock_anchor", None, {"reason": "game_resume"}),
        EventRecord(14, 14, "resume_gap", None, {}),
    ]
    assert [e.seq for e in committed_calls(events, until_seq=10)] == [1, 2, 7, 8]
    assert [e.seq for e in committed_calls(events, until_seq=100)] == [1, 2, 7, 8]
