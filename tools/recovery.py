"""Parameter recovery: do the metrics rank simulated players as their parameters do?

Usage (from the repository root)::

    python -m tools.recovery [--battery standard] [--players 60] [--seed 1000]

For every case below, ``--players`` simulated players play one game with one
behavioural parameter spread evenly over its range (the population range of
``BotParams.sample`` in the game's ``bot.py``) and every other parameter at its
default; the table gives the Spearman correlation between the true parameter and
the metric.  Without ``--battery`` each game plays its default design (the task's
``DEFAULT_PARAMS``, which follow SCIENCE.md); with it, the design that battery file
gives the game, which shows what a shorter battery costs.

``tests/scoring/test_recovery.py`` runs the default designs and holds each case to
its ``aim``.  The cases whose aim is below 0.9 are not primary metrics, or (cards)
are a documented limit of the paradigm; the test's docstring gives the reasons.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.stats import spearmanr

from games.catalog import TaskGame
from scoring.metrics import PRIMARY_METRICS, SCORERS

__all__ = ["CASES", "Case", "design_params", "recover"]


@dataclass(frozen=True)
class Case:
    """One recovery check: a game, a bot parameter and its range, a metric, an aim."""

    game_id: str
    parameter: str
    low: float
    high: float
    metric: str | None = None  # None: the game's primary metric
    aim: float = 0.9

    @property
    def metric_name(self) -> str:
        return self.metric or PRIMARY_METRICS[self.game_id]

    @property
    def label(self) -> str:
        return f"{self.game_id}-{self.parameter}"


CASES: tuple[Case, ...] = (
    Case("balloons", "pump_target", 5.0, 100.0),
    Case("exchange_trust", "trust", 0.0, 1.0),
    Case("exchange_split", "offer_share", 0.05, 0.6),
    Case("keypresses", "tap_rate_hz", 2.5, 7.5),
    Case("arrows", "switch_cost_ms", 50.0, 300.0),
    Case("lengths", "reward_bias", 0.0, 0.35),
    Case("faces", "recognition", 1.0, 8.0),
    Case("hard_or_easy", "effort_willingness", -2.4, 2.4),
    Case("stop", "ssrt_ms", 120.0, 380.0),
    Case("digits", "span", 3.0, 9.5),
    Case("cards", "learning_rate", 0.01, 0.6, aim=0.7),
    Case("towers", "planning_skill", 0.3, 1.0),
    Case("reversal", "learning_rate", 0.1, 0.8, aim=0.85),
    # Secondary metrics with their own parameters.
    Case("arrows", "flanker_interference", 0.0, 0.15, "flanker_effect_ms", aim=0.5),
    Case("exchange_trust", "reciprocity", 0.0, 1.0, "reciprocity"),
    Case("exchange_split", "min_acceptable_share", 0.0, 0.6, "min_acceptable_offer"),
    Case("exchange_split", "dictator_share", 0.0, 0.6, "dictator_share"),
    Case("lengths", "drift", 0.06, 0.30, "log_d"),
)


def recover(
    case: Case,
    *,
    players: int = 60,
    seed: int = 1000,
    params: Mapping[str, Any] | None = None,
) -> float:
    """Spearman ρ between the true parameter and the metric over ``players`` bots.

    Player ``k`` plays with schedule seed ``seed + k``.  A player whose metric is
    NaN raises :class:`ValueError` naming the case: a recovery figure that silently
    drops players would overstate the metric.
    """
    game = TaskGame(case.game_id)
    task: Any = game.task
    bot: Any = game.bot
    truth = np.linspace(case.low, case.high, players)
    found = []
    for player, value in enumerate(truth):
        bot_params = replace(bot.BotParams(), **{case.parameter: float(value)})
        table = task.trial_table(bot.simulate(dict(params or {}), bot_params, seed + player))
        found.append(SCORERS[case.game_id](table, bootstrap=False).value(case.metric_name))
    estimates = np.array(found)
    missing = np.flatnonzero(~np.isfinite(estimates))
    if missing.size:
        raise ValueError(f"{case.label}: {case.metric_name} is NaN for players {missing.tolist()}")
    return float(spearmanr(truth, estimates).statistic)


def design_params(battery: str | None) -> dict[str, Mapping[str, Any]]:
    """Each game's design: ``{}`` (defaults) without a battery, else the battery's."""
    if battery is None:
        return {}
    from kiosk.battery import load_battery

    return load_battery(battery).params_by_game()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.recovery", description=__doc__)
    parser.add_argument("--battery", help="battery name or file (default: default designs)")
    parser.add_argument("--players", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1000)
    args = parser.parse_args(argv)
    designs = design_params(args.battery)
    print(f"design: {args.battery or 'default designs'}; {args.players} players per case")
    print(f"{'game':<15} {'parameter':<22} {'metric':<22} {'rho':>6} {'aim':>5}")
    below = 0
    for case in CASES:
        if args.battery is not None and case.game_id not in designs:
            continue
        rho = recover(case, players=args.players, seed=args.seed, params=designs.get(case.game_id))
        reached = rho >= case.aim
        below += not reached
        mark = "" if reached else "  below aim"
        print(
            f"{case.game_id:<15} {case.parameter:<22} {case.metric_name:<22} "
            f"{rho:6.3f} {case.aim:5.2f}{mark}"
        )
    return 1 if below else 0


if __name__ == "__main__":
    raise SystemExit(main())
