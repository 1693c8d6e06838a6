"""Scoring a whole session: every game's metrics, the nine traits, and the versions used.

Contract: ``score_session(tables, norms, *, bootstrap=True, seed=0,
planned_trials=None)`` takes one trial table per game (``{game_id: table}``, each as
built by ``games.<id>.task.trial_table``) and a :class:`~scoring.norms.NormTable`,
and returns a frozen :class:`SessionScores` with

* ``games`` – each game's :class:`~scoring.metrics.types.GameScores`, whose
  metrics carry the norm sample's split-half reliability (a single session has
  none of its own; see :mod:`scoring.norms`);
* ``traits`` – the nine :class:`~scoring.traits.TraitScores`;
* ``scoring_version`` (:data:`scoring.metrics.SCORING_VERSION`), ``norm_version``
  and ``norm_provisional`` – so that a stored result always says which rules and
  which norms produced it;
* ``flags`` – session-level flags: ``unknown_game:<id>`` for a table no scorer
  knows (it is left out), ``missing_game:<id>`` for a game of the standard battery
  without a table, ``norms_for_other_scoring_version`` when the norm table was built
  with other scoring rules, ``provisional_norms``.

Rescoring is scoring again: :func:`rescore` is :func:`score_session` under the name
an admin looks for, e.g. with a newer norm table; both versions are on the result.
Everything is deterministic for a given ``seed``.  Nothing here raises for bad
table contents (see :mod:`scoring.metrics`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scoring.metrics import GAME_IDS, SCORERS, SCORING_VERSION
from scoring.metrics.types import FrozenMapping, GameScores
from scoring.norms import NormTable
from scoring.traits import TraitScores, score_traits

__all__ = ["SessionScores", "rescore", "score_session"]


@dataclass(frozen=True, slots=True)
class SessionScores:
    """Everything scored for one session; see the module docstring."""

    games: Mapping[str, GameScores]
    traits: TraitScores
    scoring_version: str
    norm_version: str
    norm_provisional: bool
    flags: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN as ``None``) for storage and export."""
        return {
            "scoring_version": self.scoring_version,
            "norm_version": self.norm_version,
            "norm_provisional": self.norm_provisional,
            "flags": list(self.flags),
            "games": {game_id: scores.as_dict() for game_id, scores in self.games.items()},
            "traits": self.traits.as_dict(),
        }


def score_session(
    tables: Mapping[str, Mapping[str, Any]],
    norms: NormTable,
    *,
    bootstrap: bool = True,
    seed: int = 0,
    planned_trials: Mapping[str, int] | None = None,
) -> SessionScores:
    """Score every game's table and the nine traits against ``norms``.

    ``planned_trials`` optionally gives, per game id, the number of scored
    (non-practice) rows the battery planned; fewer raise the game's ``incomplete``
    flag.  ``seed`` fixes every bootstrap.
    """
    flags: list[str] = []
    games: dict[str, GameScores] = {}
    planned = planned_trials or {}
    for game_id, table in tables.items():
        scorer = SCORERS.get(game_id)
        if scorer is None:
            flags.append(f"unknown_game:{game_id}")
            continue
        scores = scorer(table, bootstrap=bootstrap, seed=seed, planned_trials=planned.get(game_id))
        games[game_id] = _with_reliability(scores, norms)
    flags.extend(f"missing_game:{game_id}" for game_id in GAME_IDS if game_id not in games)
    if norms.scoring_version != SCORING_VERSION:
        flags.append("norms_for_other_scoring_version")
    if norms.provisional:
        flags.append("provisional_norms")
    ordered = FrozenMapping((game_id, games[game_id]) for game_id in GAME_IDS if game_id in games)
    return SessionScores(
        games=ordered,
        traits=score_traits(ordered, norms),
        scoring_version=SCORING_VERSION,
        norm_version=norms.version,
        norm_provisional=norms.provisional,
        flags=tuple(flags),
    )


def rescore(
    tables: Mapping[str, Mapping[str, Any]],
    norms: NormTable,
    *,
    bootstrap: bool = True,
    seed: int = 0,
    planned_trials: Mapping[str, int] | None = None,
) -> SessionScores:
    """Score a stored session again (e.g. against a newer norm table): :func:`score_session`."""
    return score_session(
        tables, norms, bootstrap=bootstrap, seed=seed, planned_trials=planned_trials
    )


def _with_reliability(scores: GameScores, norms: NormTable) -> GameScores:
    metrics = {}
    for name, metric in scores.metrics.items():
        norm = norms.metric(scores.game_id, name)
        reliability = float("nan") if norm is None else norm.reliability
        metrics[name] = dataclasses.replace(metric, reliability=reliability)
    return dataclasses.replace(scores, metrics=FrozenMapping(metrics))
