"""Per-game metrics: one module per game, each with ``score(table, ...) -> GameScores``.

Contract: for every game id of the battery, ``SCORERS[game_id]`` (or the module
``scoring.metrics.<game_id>``) is a function

    score(table, *, bootstrap=True, seed=0, planned_trials=None, halves=True) -> GameScores

taking the game's trial table – a mapping of column name to 1-D numpy array, as
built by ``games.<game_id>.task.trial_table`` (scoring never imports games; the
columns are read by name) – and returning every metric of that game with a 95%
bootstrap CI (NaN when ``bootstrap=False``), the metric on two split halves (NaN
when ``halves=False``: only norm building uses them), and quality flags.  Rows
whose ``practice`` column is true are left out.  ``planned_trials`` is the number
of scored (non-practice) rows the battery planned; fewer rows raise the
``incomplete`` flag.

Every ``score`` is total over its input's *contents*: empty tables, one trial,
missing or unreadable columns, NaN, absurd values all give NaN metrics and flags,
never an exception.  Only an argument that is not a mapping at all raises
``TypeError``.

The metrics of each game, its primary metric and the methods behind them are
documented in the game's module (the sources are cited there); the quality flags
in :mod:`scoring.metrics.quality`; the result types in
:mod:`scoring.metrics.types`.  EZ-diffusion parameters (Wagenmakers et al. 2007)
are reported for every two-choice RT game: ``arrows``, ``lengths`` and the go
trials of ``stop``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from scoring.metrics import (
    arrows,
    balloons,
    cards,
    digits,
    exchange_split,
    exchange_trust,
    faces,
    hard_or_easy,
    keypresses,
    lengths,
    reversal,
    stop,
    towers,
)
from scoring.metrics.types import FrozenMapping, GameScores, LabelledMatrix, Metric
from scoring.version import SCORING_VERSION  # re-exported: where callers have found it

__all__ = [
    "GAME_IDS",
    "PRIMARY_METRICS",
    "SCORERS",
    "SCORING_VERSION",
    "FrozenMapping",
    "GameScorer",
    "GameScores",
    "LabelledMatrix",
    "Metric",
    "score_game",
]


class GameScorer(Protocol):
    """The signature every game's ``score`` function has."""

    def __call__(
        self,
        table: Mapping[str, Any],
        *,
        bootstrap: bool = True,
        seed: int = 0,
        planned_trials: int | None = None,
        halves: bool = True,
    ) -> GameScores: ...


_MODULES = (
    balloons,
    exchange_trust,
    exchange_split,
    keypresses,
    arrows,
    lengths,
    faces,
    hard_or_easy,
    stop,
    digits,
    cards,
    towers,
    reversal,
)

#: Every game's scorer by game id, in the standard battery's order.
SCORERS: Mapping[str, GameScorer] = FrozenMapping(
    (module.GAME_ID, module.score) for module in _MODULES
)
#: Game ids in the standard battery's order.
GAME_IDS: tuple[str, ...] = tuple(SCORERS)
#: Each game's primary metric.
PRIMARY_METRICS: Mapping[str, str] = FrozenMapping(
    (module.GAME_ID, module.PRIMARY) for module in _MODULES
)


def score_game(
    game_id: str,
    table: Mapping[str, Any],
    *,
    bootstrap: bool = True,
    seed: int = 0,
    planned_trials: int | None = None,
) -> GameScores:
    """Score one game's trial table; raises ``KeyError`` for an unknown game id."""
    try:
        scorer = SCORERS[game_id]
    except KeyError:
        raise KeyError(f"no scorer for game {game_id!r}; known: {', '.join(GAME_IDS)}") from None
    return scorer(table, bootstrap=bootstrap, seed=seed, planned_trials=planned_trials)
