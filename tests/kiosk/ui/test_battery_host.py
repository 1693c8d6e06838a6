"""Playing a battery into the real store: game runs, chained events, trial tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from games.catalog import TaskGame
from kiosk.battery import load_battery
from kiosk.battery_host import BatteryHost, game_seed
from kiosk.recorder import Recorder
from kiosk.store.check import check_store
from kiosk.store.events import events_for_run
from kiosk.store.models import GameRun
from kiosk.worker import BackgroundRunner
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
