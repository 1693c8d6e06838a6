"""Build the provisional norm tables from a population of simulated players.

Usage (from the repository root)::

    python -m tools.build_provisional_norms [--candidates 300] [--number 0.3] [--seed 2026]
                                            [--battery standard] [--jobs 2]

writes ``resources/norms/provisional-<number>.json`` for the standard battery and
``resources/norms/provisional-<battery>-<number>.json`` for any other, a
:class:`scoring.norms.NormTable` with version ``"<number>-provisional"`` (``"<number>-
<battery>-provisional"``) and ``provisional = True``.  Older tables stay: sessions
scored against them can be rescored and compared.  ``--battery all`` builds the
standard and the short battery in one run.

Why simulated players.  Before the kiosk has scored real candidates there is no
human norm sample.  A provisional table lets reports work end to end and keeps
scores on a sensible scale, but it describes *bots*, not people: the report says
the norms are provisional (the table says so in ``provisional`` and in its
provenance), and admins should rebuild norms from their own completed sessions as
soon as they have enough (``scoring.norm_building.build_norms``, at least
:data:`scoring.norms.MIN_NORM_SESSIONS` = 200 sessions).

The design.  Each simulated candidate plays the named battery: its games with the
designs the battery file gives them, so that metric distributions and
reliabilities match the sessions they are compared with.  The table records the
battery and a fingerprint of every game's design
(:func:`kiosk.scoring_service.battery_design`); sessions of another design are
flagged when scored against it.

The population.  For every game a fresh player is drawn with that game's
``BotParams.sample(rng)``, whose documented distributions come from the literature
(each ``games/<id>/bot.py`` cites its sources).  The games' parameters are drawn
independently of one another, so the provisional table says nothing about how
traits correlate in people: covariances between components of different games are
near zero by construction, within a game they are real.  Simulated players have no
age, so provisional tables carry no age band.

Retest.  Every simulated candidate plays the battery twice: the same player
parameters, other schedule and response-noise seeds.  The second session gives each
metric's retest reliability (:mod:`scoring.norms`); the first is the norm sample.
Split-half reliabilities of sequential tasks (staircases, learning, puzzle series)
overstate retest reliability, so both are stored and reported under their own names.

Sessions are scored without bootstrap (the table needs values and split halves, not
CIs).  ``--jobs`` runs candidates in that many processes.  Everything is seeded: the
same ``--seed`` and ``--candidates`` give the same table (apart from ``created``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from games.catalog import TaskGame
from kiosk.battery import load_battery
from kiosk.scoring_service import battery_design
from scoring.metrics import GAME_IDS, SCORERS
from scoring.metrics.types import GameScores
from scoring.norm_building import build_norms
from scoring.norms import norms_to_json

ROOT = Path(__file__).resolve().parent.parent
NORMS_DIR = ROOT / "resources" / "norms"

PROVENANCE = (
    "PROVISIONAL: built from {n} simulated players, not from people. Each simulated "
    "candidate played the {battery} battery (version {version}: {games}) twice with "
    "behavioural parameters drawn per game from the documented population "
    "distributions in games/<id>/bot.py (BotParams.sample), seed {seed}; the first "
    "session is the norm sample, the second gives retest reliabilities. Generator "
    "tools/build_provisional_norms.py. No age bands (simulated players have no age). "
    "Percentiles against this table place a candidate among simulated players only; "
    "rebuild the norms from real completed sessions as soon as at least 200 exist."
)


def simulate_tables(
    candidate: int,
    seed: int,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    games: Sequence[str] | None = None,
    occasion: int = 0,
) -> dict[str, dict[str, np.ndarray]]:
    """One simulated candidate's trial tables for a battery.

    ``params`` optionally overrides a game's design (``{game_id: {...}}``); ``games``
    lists the games played (default: every scored game).  ``occasion`` 0 is the
    first session; another occasion keeps the same player parameters and draws new
    schedule and response-noise seeds (a retest).
    """
    tables: dict[str, dict[str, np.ndarray]] = {}
    for position, game_id in enumerate(games or GAME_IDS):
        game = TaskGame(game_id)
        task, bot = game.task, game.bot
        rng = np.random.default_rng([seed, candidate, position])
        player = bot.BotParams.sample(rng)
        schedule_seed = int(rng.integers(0, 2**31 - 1))
        if occasion:
            again = np.random.default_rng([seed, candidate, position, occasion])
            schedule_seed = int(again.integers(0, 2**31 - 1))
        events = bot.simulate(dict((params or {}).get(game_id, {})), player, schedule_seed)
        tables[game_id] = task.trial_table(events)
    return tables


def score_tables(tables: Mapping[str, Mapping[str, np.ndarray]]) -> dict[str, GameScores]:
    """Every game's scores without bootstrap (values and split halves only)."""
    return {
        game_id: SCORERS[game_id](table, bootstrap=False)
        for game_id, table in tables.items()
        if game_id in SCORERS
    }


def _pair(
    job: tuple[int, int, dict[str, Mapping[str, Any]], tuple[str, ...]],
) -> tuple[dict[str, GameScores], dict[str, GameScores]]:
    candidate, seed, designs, games = job
    first = score_tables(simulate_tables(candidate, seed, designs, games=games))
    second = score_tables(simulate_tables(candidate, seed, designs, games=games, occasion=1))
    return first, second


def build(
    battery_name: str, candidates: int, number: str, seed: int, jobs: int, out: Path | None
) -> Path:
    """Simulate, score and write one battery's table; returns its path."""
    battery = load_battery(battery_name)
    designs = {game_id: dict(p) for game_id, p in battery.params_by_game().items()}
    games = tuple(g.game_id for g in battery.games if g.game_id in SCORERS)
    started = time.perf_counter()
    work = [(candidate, seed, designs, games) for candidate in range(candidates)]
    sessions: list[dict[str, GameScores]] = []
    retests: list[dict[str, GameScores]] = []
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        for index, (first, second) in enumerate(pool.map(_pair, work, chunksize=4), start=1):
            sessions.append(first)
            retests.append(second)
            if index % 50 == 0:
                elapsed = time.perf_counter() - started
                print(f"{battery.name}: {index} candidates simulated twice ({elapsed:.0f} s)")
    standard = battery.name == "standard"
    version = f"{number}-provisional" if standard else f"{number}-{battery.name}-provisional"
    table = build_norms(
        sessions,
        version=version,
        provenance=PROVENANCE.format(
            n=candidates,
            seed=seed,
            battery=battery.name,
            version=battery.version,
            games=", ".join(games),
        ),
        retest_sessions=retests,
        design=battery_design(battery),
        provisional=True,
    )
    name = f"provisional-{number}.json" if standard else f"provisional-{battery.name}-{number}.json"
    path = out or NORMS_DIR / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(norms_to_json(table), encoding="utf-8")
    print(
        f"wrote {path} ({len(table.metrics)} metrics, {len(table.traits)} traits) "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return path


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(prog="python -m tools.build_provisional_norms")
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--number", default="0.3", help="table number; version is N-provisional")
    parser.add_argument(
        "--battery", default="standard", help="battery name or file played, or 'all'"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--jobs", type=int, default=2, help="processes")
    parser.add_argument("--out", type=Path, default=None, help="output file (one battery only)")
    args = parser.parse_args(argv)
    batteries = ["standard", "short"] if args.battery == "all" else [args.battery]
    return [
        build(name, args.candidates, args.number, args.seed, args.jobs, args.out)
        for name in batteries
    ]


if __name__ == "__main__":
    main()
