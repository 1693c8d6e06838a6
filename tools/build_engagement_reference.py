"""Build the reference sample of the engagement outlier score from simulated players.

Usage (from the repository root)::

    python -m tools.build_engagement_reference [--candidates 200] [--seed 2026]

writes ``resources/engagement/reference-features.json``: the
:data:`scoring.engagement.FEATURE_NAMES` vectors of ``--candidates`` simulated
candidates playing the standard battery, with the isolation forest's parameters.
:class:`scoring.engagement.OutlierModel` refits the forest from this matrix
(``random_state`` fixed), so the score is reproducible without a pickled model.

The players are drawn exactly as for the provisional norms
(:mod:`tools.build_provisional_norms`: each game's ``BotParams.sample``, the
standard battery's designs), from their own seed, so the reference sample
describes simulated *normal* players; like the provisional norms it should be
rebuilt from real completed sessions once they exist.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import numpy as np

from games.catalog import TaskGame
from kiosk.battery import load_battery
from scoring.engagement import FEATURE_NAMES, EventTrace, quality_features
from scoring.metrics import GAME_IDS

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "engagement" / "reference-features.json"

#: The forest the score refits (Liu, Ting & Zhou 2008 recommend 256 samples per tree
#: and found 100 trees enough; 200 steadies the score of a single session).
FOREST = {"n_estimators": 200, "max_samples": 256, "random_state": 2026}


def simulate_session(candidate: int, seed: int, designs: dict) -> tuple[dict, dict]:
    """One simulated candidate's trial tables and event traces, by game id."""
    tables, traces = {}, {}
    for position, game_id in enumerate(GAME_IDS):
        game = TaskGame(game_id)
        rng = np.random.default_rng([seed, candidate, position])
        player = game.bot.BotParams.sample(rng)
        events = game.bot.simulate(
            dict(designs.get(game_id, {})), player, int(rng.integers(0, 2**31 - 1))
        )
        tables[game_id] = game.task.trial_table(events)
        traces[game_id] = EventTrace.from_events(events)
    return tables, traces


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(prog="python -m tools.build_engagement_reference")
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    designs = load_battery("standard").params_by_game()
    rows = []
    for candidate in range(args.candidates):
        features = quality_features(*simulate_session(candidate, args.seed, designs))
        rows.append([round(float(v), 6) if np.isfinite(v) else None for v in features])
    document = {
        "format": 1,
        "features": list(FEATURE_NAMES),
        "forest": FOREST,
        "provenance": (
            f"PROVISIONAL: {args.candidates} simulated players (standard battery, "
            f"BotParams.sample per game, seed {args.seed}); generator "
            "tools/build_engagement_reference.py. Rebuild from real sessions when they exist."
        ),
        "created": dt.date.today().isoformat(),
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(rows)} sessions)")
    return args.out


if __name__ == "__main__":
    main()
