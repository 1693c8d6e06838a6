"""How long a battery's games take to play, measured on simulated candidates.

Usage (from the repository root)::

    python -m tools.battery_duration [--battery standard] [--candidates 5] [--seed 7]

Each simulated candidate plays every game of the battery with that battery's design
and behavioural parameters drawn from ``BotParams.sample`` (the documented
population).  The bots answer with realistic response times on the task's own
simulated clock, so the time from a game's first to its last event is the time a
candidate spends playing it.  Instruction screens, practice explanations and breaks
between games are not included: add about half a minute per game for those.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np

from games.catalog import TaskGame
from kiosk.battery import load_battery

__all__ = ["GameDuration", "measure"]


@dataclass(frozen=True)
class GameDuration:
    """Mean and range of one game's playing time over the simulated candidates (min)."""

    game_id: str
    mean_min: float
    low_min: float
    high_min: float


def measure(battery: str, *, candidates: int = 5, seed: int = 7) -> list[GameDuration]:
    """Playing time of every game in ``battery`` (a name or a file)."""
    durations = []
    for game in load_battery(battery).games:
        bot = TaskGame(game.game_id).bot
        minutes = []
        for candidate in range(candidates):
            rng = np.random.default_rng([seed, game.position, candidate])
            player = bot.BotParams.sample(rng)
            events = bot.simulate(dict(game.params), player, int(rng.integers(0, 2**31 - 1)))
            stamps = [event.t_ns for event in events]
            minutes.append((max(stamps) - min(stamps)) / 60e9)
        durations.append(
            GameDuration(game.game_id, float(np.mean(minutes)), min(minutes), max(minutes))
        )
    return durations


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.battery_duration", description=__doc__)
    parser.add_argument("--battery", default="standard", help="battery name or file")
    parser.add_argument("--candidates", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rows = measure(args.battery, candidates=args.candidates, seed=args.seed)
    print(f"{args.battery}: playing time per game over {args.candidates} simulated candidates")
    for row in rows:
        print(
            f"  {row.game_id:<15} {row.mean_min:5.1f} min  ({row.low_min:.1f}-{row.high_min:.1f})"
        )
    total = sum(row.mean_min for row in rows)
    print(f"  {'total':<15} {total:5.1f} min of play, about {total + 0.5 * len(rows):.0f} min "
          "with instructions")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
