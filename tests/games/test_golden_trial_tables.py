"""Golden files: every game's schedule, simulated events and trial table, per seed.

For each game in :data:`games.catalog.GAME_IDS` and each of three seeds, a default
simulated player plays the game with default parameters on the bot's simulated
clock; the schedule, the first events (kind, trial, stamp, payload), a digest of all
events and the whole trial table are compared with ``tests/games/golden/<game>.json``.
A change to a game's rules, schedule, events or table shows here as a difference.

Regenerate after an intended change: ``KIOSK_GOLDEN_UPDATE=1 pytest <this file>``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import math
import os
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from games.catalog import GAME_IDS

GOLDEN = Path(__file__).parent / "golden"
SEEDS = (1, 7, 2024)
FIRST_EVENTS = 40


def _plain(value: Any) -> Any:
    """A JSON-ready copy: floats rounded to 9 places, NaN as the string ``"nan"``."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return round(value, 9)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _record(game_id: str, seed: int) -> dict[str, Any]:
    task = importlib.import_module(f"games.{game_id}.task")
    bot = importlib.import_module(f"games.{game_id}.bot")
    params = dict(task.DEFAULT_PARAMS)
    events = bot.simulate(params, bot.BotParams(), seed)
    rows = [[e.seq, e.t_ns, e.kind, e.trial_index, _plain(e.payload)] for e in events]
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()
    return {
        "schedule": _plain(task.make_schedule(params, seed)),
        "n_events": len(events),
        "kinds": sorted({e.kind for e in events}),
        "first_events": rows[:FIRST_EVENTS],
        "events_sha256": digest,
        "trial_table": _plain(task.trial_table(events)),
    }


def _golden(game_id: str) -> dict[str, Any]:
    return {str(seed): _record(game_id, seed) for seed in SEEDS}


@pytest.mark.slow
@pytest.mark.parametrize("game_id", GAME_IDS)
def test_game_matches_its_golden_file(game_id: str) -> None:
    path = GOLDEN / f"{game_id}.json"
    current = _golden(game_id)
    if os.environ.get("KIOSK_GOLDEN_UPDATE") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(current, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert set(stored) == {str(s) for s in SEEDS}
    for seed in map(str, SEEDS):
        want, got = stored[seed], current[seed]
        for part in ("schedule", "n_events", "kinds", "first_events", "trial_table"):
            assert got[part] == want[part], f"{game_id} seed {seed}: {part} differs"
        assert got["events_sha256"] == want["events_sha256"], (
            f"{game_id} seed {seed}: a later event differs"
        )


def test_golden_records_tell_seeds_apart() -> None:
    """The record is fine enough to see a change: two seeds give different schedules."""
    for game_id in ("arrows", "reversal"):
        stored = json.loads((GOLDEN / f"{game_id}.json").read_text(encoding="utf-8"))
        assert stored["1"]["schedule"] != stored["7"]["schedule"]
        assert stored["1"]["events_sha256"] != stored["7"]["events_sha256"]
