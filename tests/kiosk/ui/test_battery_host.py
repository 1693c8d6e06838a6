"""Playing a battery into the real store: game runs, chained events, trial tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from games.catalog import TaskGame
from kiosk.battery import load_battery
from kiosk.recorder import Recorder
from kiosk.shell.battery_host import BatteryHost, game_seed
from kiosk.shell.worker import BackgroundRunner
from kiosk.store.check import check_store
from kiosk.store.events import events_for_run
from kiosk.store.models import GameRun
from tests.helpers import new_session


def sampled_bot(game_id: str, rng: np.random.Generator):
    bot = TaskGame(game_id).bot
    return bot.Bot(bot.BotParams.sample(rng), rng)


def play_battery(qtbot, store, battery, timeout_ms: int):
    (sid,) = new_session(store)
    recorder = Recorder(store)
    runner = BackgroundRunner()
    host = BatteryHost(store, recorder, runner, sid, battery, bot_factory=sampled_bot)
    qtbot.addWidget(host)
    host.resize(1024, 720)
    host.show()
    summaries: list = []
    host.finished.connect(summaries.extend)
    host.failed.connect(lambda exc: pytest.fail(f"battery host failed: {exc!r}"))
    host.start()
    qtbot.waitUntil(lambda: bool(summaries), timeout=timeout_ms)
    recorder.close()
    runner.shutdown()
    return sid, summaries


@pytest.mark.slow
def test_two_games_play_into_the_store_and_rebuild_their_tables(qtbot, store, tmp_path: Path):
    path = tmp_path / "two.toml"
    path.write_text(
        '[battery]\nname = "two"\nversion = "1"\n'
        '[[games]]\nid = "balloons"\nparams = { n_balloons = 2 }\n'
        '[[games]]\nid = "balloons"\nparams = { n_balloons = 1, n_practice = 1 }\n'
    )
    battery = load_battery(path)
    sid, summaries = play_battery(qtbot, store, battery, 30_000)
    assert [s.completed for s in summaries] == [True, True]
    with store.reader() as s:
        runs = s.scalars(
            select(GameRun).where(GameRun.session_id == sid).order_by(GameRun.position)
        ).all()
    assert [r.status for r in runs] == ["completed", "completed"]
    assert [r.seed for r in runs] == [game_seed(sid, i, "balloons") for i in range(2)]
    for run, planned in zip(runs, (2, 2), strict=True):
        events = events_for_run(store, run.id)
        table = TaskGame("balloons").trial_table(events)
        assert len(table["trial_index"]) == planned
        assert events[0].kind == "clock_anchor" and events[-1].kind == "frame_stats"
    assert check_store(store).ok


@pytest.mark.slow
def test_the_break_turns_away_a_held_space_on_record_and_games_get_larger_text(
    qtbot, store, tmp_path: Path
):
    """Space held from the game before cannot skip the break: the press is recorded as
    gated; the candidate's larger text reaches the next game."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from kiosk.store.events import events_for_session

    path = tmp_path / "two.toml"
    path.write_text(
        '[battery]\nname = "two"\nversion = "1"\n'
        '[[games]]\nid = "balloons"\nparams = { n_balloons = 1, n_practice = 0 }\n'
        '[[games]]\nid = "balloons"\nparams = { n_balloons = 1, n_practice = 0 }\n'
    )
    (sid,) = new_session(store)
    recorder = Recorder(store)
    runner = BackgroundRunner()
    host = BatteryHost(
        store,
        recorder,
        runner,
        sid,
        load_battery(path),
        bot_factory=sampled_bot,
        break_ms=600_000,  # the bot never leaves the break: the test does
        text_scale=1.3,
    )
    qtbot.addWidget(host)
    host.resize(1024, 720)
    host.show()
    host.start()
    qtbot.waitUntil(
        lambda: host.position == 1 and host.currentWidget() is host.breaks, timeout=30_000
    )
    # A Space auto-repeating from the last pump, right as the break appears.
    for _ in range(3):
        QApplication.sendEvent(
            host.breaks,
            QKeyEvent(
                QEvent.Type.KeyPress, Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier, " ", True
            ),
        )
    qtbot.wait(200)
    assert host.currentWidget() is host.breaks  # still on the break
    host._after_break()
    qtbot.waitUntil(lambda: host.view is not None, timeout=10_000)
    assert host.view.config.text_scale == 1.3
    recorder.flush()
    gated = [e for e in events_for_session(store, sid) if e.kind == "input_gated"]
    assert len(gated) == 3 and {e.payload["stage"] for e in gated} == {"break"}
    host.interrupt("test over")
    qtbot.waitUntil(lambda: host.view is None, timeout=10_000)
    recorder.close()
    runner.shutdown()
