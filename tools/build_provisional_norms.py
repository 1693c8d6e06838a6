"""Build the provisional norm table from a population of simulated players.

Usage (from the repository root)::

    python -m tools.build_provisional_norms [--candidates 300] [--number 0.2] [--seed 2026]
                                            [--battery standard]

writes ``resources/norms/provisional-<number>.json``, a :class:`scoring.norms.NormTable`
with version ``"<number>-provisional"`` and ``provisional = True``.

Why simulated players.  Before the kiosk has scored real candidates there is no
human norm sample.  A provisional table lets reports work end to end and keeps
trait scores on a sensible scale, but it describes *bots*, not people: the report
must say the norms are provisional (the table says so in ``provisional`` and in
its provenance), and admins should rebuild norms from their own completed sessions
as soon as they have enough (``scoring.norms.build_norms``, at least 50 sessions).

The population.  Each simulated candidate plays the standard battery: all twelve
games with the designs ``resources/batteries/standard.toml`` gives them (not the
short demo battery), so that metric distributions and reliabilities match the
sessions they will be compared with.  For every game a fresh player is drawn with
that game's ``BotParams.sample(rng)``, whose documented distributions come from the
literature (each ``games/<id>/bot.py`` cites its sources), e.g.

* balloons: ``pump_target ~ Normal(35, 12)`` clipped to 5..100 (Lejuez et al. 2002);
* exchange_trust: ``trust ~ Beta(2, 2)``, ``reciprocity ~ Beta(1.5, 2.5)`` (Berg et al. 1995);
* exchange_split: ``offer_share ~ Normal(0.42, 0.08)``, ``min_acceptable_share ~
  Beta(2.5, 6)``, ``dictator_share ~ Beta(1, 2.2)`` (Camerer 2003; Engel 2011);
* keypresses: ``tap_rate_hz ~ Normal(5.0, 0.6)`` (Halstead–Reitan norms);
* arrows, lengths, stop: diffusion parameters ``drift``, ``boundary``,
  ``nondecision`` uniform over typical EZ fits; flanker interference, switch cost,
  reward bias, SSRT ``~ Normal(220, 35)`` (Verbruggen et al. 2019);
* faces: ``recognition ~ U(1, 8)`` and per-emotion ease;
* hard_or_easy: ``effort_willingness ~ Normal(0, 1.2)``, ``probability_sensitivity
  ~ U(0, 4)`` (Treadway et al. 2009);
* digits: ``span ~ Normal(6.5, 1.1)``, backward about 1.5 digits lower;
* cards: ``learning_rate ~ Beta(2, 6)``, ``inverse_temperature ~ LogNormal(log 1.5,
  0.6)``, ``loss_aversion ~ LogNormal(log 1.5, 0.4)``;
* towers: ``planning_skill ~ Beta(8, 2)``.

The games' parameters are drawn independently of one another, so the provisional
table says nothing about how traits correlate in people.  Sessions are scored
without bootstrap (the norm table needs values and split halves, not CIs).

Everything is seeded: the same ``--seed`` and ``--candidates`` give the same table
(apart from the ``created`` date).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from games.catalog import TaskGame
from kiosk.battery import load_battery
from scoring.metrics import GAME_IDS, SCORERS
from scoring.metrics.types import GameScores
from scoring.norms import build_norms, norms_to_json

ROOT = Path(__file__).resolve().parent.parent
NORMS_DIR = ROOT / "resources" / "norms"

PROVENANCE = (
    "PROVISIONAL: built from {n} simulated players, not from people. Each simulated "
    "candidate played the {battery} battery (all twelve games, its designs) with "
    "behavioural parameters drawn per game from the documented population "
    "distributions in games/<id>/bot.py (BotParams.sample), seed {seed}; generator "
    "tools/build_provisional_norms.py. Percentiles against this table place a "
    "candidate among simulated players only; rebuild the norms from real completed "
    "sessions as soon as at least 50 exist."
)


def simulate_tables(
    candidate: int, seed: int, params: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, dict[str, np.ndarray]]:
    """One simulated candidate's trial tables for the whole battery.

    ``params`` optionally overrides a game's design (``{game_id: {...}}``); the
    default is every game's default design.
    """
    tables: dict[str, dict[str, np.ndarray]] = {}
    for position, game_id in enumerate(GAME_IDS):
        game = TaskGame(game_id)
        task, bot = game.task, game.bot
        rng = np.random.default_rng([seed, candidate, position])
        player = bot.BotParams.sample(rng)
        schedule_seed = int(rng.integers(0, 2**31 - 1))
        events = bot.simulate(dict((params or {}).get(game_id, {})), player, schedule_seed)
        tables[game_id] = task.trial_table(events)
    return tables


def score_tables(tables: Mapping[str, Mapping[str, np.ndarray]]) -> dict[str, GameScores]:
    """Every game's scores without bootstrap (values and split halves only)."""
    return {game_id: SCORERS[game_id](table, bootstrap=False) for game_id, table in tables.items()}


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(prog="python -m tools.build_provisional_norms")
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--number", default="0.2", help="table number; version is N-provisional")
    parser.add_argument("--battery", default="standard", help="battery name or file played")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=None, help="output file (default: resources)")
    args = parser.parse_args(argv)

    designs = load_battery(args.battery).params_by_game()
    started = time.perf_counter()
    sessions = []
    for candidate in range(args.candidates):
        sessions.append(score_tables(simulate_tables(candidate, args.seed, designs)))
        if (candidate + 1) % 50 == 0:
            elapsed = time.perf_counter() - started
            print(f"{candidate + 1} candidates simulated and scored ({elapsed:.1f} s)")
    table = build_norms(
        sessions,
        version=f"{args.number}-provisional",
        provenance=PROVENANCE.format(n=args.candidates, seed=args.seed, battery=args.battery),
        provisional=True,
    )
    out = args.out or NORMS_DIR / f"provisional-{args.number}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(norms_to_json(table), encoding="utf-8")
    print(
        f"wrote {out} ({len(table.metrics)} metrics, {len(table.traits)} traits) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return out


if __name__ == "__main__":
    main()
