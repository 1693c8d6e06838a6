"""Scoring a whole session: every game's metrics, the nine traits, and the versions used.

Contract: ``score_session(tables, norms, *, bootstrap=True, seed=0,
planned_trials=None, design=None, halves=True)`` takes one trial table per game
(``{game_id: table}``, each as built by ``games.<id>.task.trial_table``) and a
:class:`~scoring.norms.NormTable`, and returns a frozen :class:`SessionScores` with

* ``games`` – each game's :class:`~scoring.metrics.types.GameScores`, whose
  metrics carry the norm sample's split-half (``reliability``) and retest
  (``retest_reliability``) reliability (a single session has none of its own; see
  :mod:`scoring.norms`) and their ``percentile``: the mid-rank percentile rank in
  the norm sample, withheld (NaN, ``percentile_withheld`` says why) for a metric
  that is ``pinned`` by the design, has ``low_data``, is undefined, or has no norm;
  metrics marked of low reliability in the score table, or with a retest
  reliability below :data:`LOW_RETEST` in the norm sample, get ``low_reliability``;
* ``traits`` – the styles and abilities (:class:`~scoring.traits.TraitScores`);
* ``scoring_version`` (:data:`scoring.metrics.SCORING_VERSION`), ``norm_version``
  and ``norm_provisional`` – so that a stored result always says which rules and
  which norms produced it;
* ``flags`` – session-level flags: ``unknown_game:<id>`` for a table no scorer
  knows (it is left out), ``missing_game:<id>`` for a game of the standard battery
  without a table, ``norms_for_other_scoring_version`` when the norm table was built
  with other scoring rules, ``provisional_norms``, and ``norms_other_design:<id>``
  for every game whose design (``design``, the session's
  :class:`~scoring.norms.NormDesign`) differs from the norm sample's (the game's
  own flags get ``norms_other_design`` too, and so does every trait using it);
  ``norms_design_unknown`` when the norm table records no design to compare with.

``halves=False`` skips every metric's split halves (``split_half`` NaN): they
serve norm building only, and a caller that keeps a candidate's scores and not
the halves (the station's scoring service) saves about a third of the time.

Rescoring is scoring again: :func:`rescore` is :func:`score_session` under the name
an admin looks for, e.g. with a newer norm table; both versions are on the result.
Everything is deterministic for a given ``seed``.  Nothing here raises for bad
table contents (see :mod:`scoring.metrics`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scoring.metrics import GAME_IDS, SCORERS, SCORING_VERSION
from scoring.metrics.types import FrozenMapping, GameScores, Metric
from scoring.norms import MetricNorm, NormDesign, NormTable
from scoring.traits import TRAITS, TraitScores, score_traits

__all__ = ["LOW_RETEST", "MIN_PERCENTILE_SAMPLE", "SessionScores", "rescore", "score_session"]


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
    design: NormDesign | None = None,
    halves: bool = True,
) -> SessionScores:
    """Score every game's table and the styles and abilities against ``norms``.

    ``planned_trials`` optionally gives, per game id, the number of scored
    (non-practice) rows the battery planned; fewer raise the game's ``incomplete``
    flag.  ``seed`` fixes every bootstrap.  ``design`` is the battery design the
    session was played on; games whose design the norms were not built on are
    flagged (module docstring).  ``halves=False`` skips the split halves.
    """
    flags: list[str] = []
    games: dict[str, GameScores] = {}
    planned = planned_trials or {}
    other_design: tuple[str, ...] = ()
    if design is not None:
        if norms.design is None:
            flags.append("norms_design_unknown")
        else:
            other_design = norms.design.mismatched_games(design)
            flags.extend(f"norms_other_design:{game_id}" for game_id in other_design)
    for game_id, table in tables.items():
        scorer = SCORERS.get(game_id)
        if scorer is None:
            flags.append(f"unknown_game:{game_id}")
            continue
        scores = scorer(
            table,
            bootstrap=bootstrap,
            seed=seed,
            planned_trials=planned.get(game_id),
            halves=halves,
        )
        games[game_id] = _with_norms(scores, norms, game_id in other_design)
    flags.extend(f"missing_game:{game_id}" for game_id in GAME_IDS if game_id not in games)
    if norms.scoring_version != SCORING_VERSION:
        flags.append("norms_for_other_scoring_version")
    if norms.provisional:
        flags.append("provisional_norms")
    ordered = FrozenMapping((game_id, games[game_id]) for game_id in GAME_IDS if game_id in games)
    return SessionScores(
        games=ordered,
        traits=score_traits(ordered, norms, other_design_games=other_design),
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
    design: NormDesign | None = None,
    halves: bool = True,
) -> SessionScores:
    """Score a stored session again (e.g. against a newer norm table): :func:`score_session`."""
    return score_session(
        tables,
        norms,
        bootstrap=bootstrap,
        seed=seed,
        planned_trials=planned_trials,
        design=design,
        halves=halves,
    )


#: Norm samples smaller than this give no metric percentile.
MIN_PERCENTILE_SAMPLE = 100
#: A retest reliability below this marks a metric ``low_reliability``.
LOW_RETEST = 0.5
_NAN = float("nan")
#: Metrics the score table marks as of low reliability (e.g. the Cards net score,
#: retest r about .37 in people; Sullivan-Toole et al. 2022).
_MARKED = frozenset(
    part.key for trait in TRAITS for part in trait.components if part.low_reliability
)


def _withheld(metric: Metric, norm: MetricNorm | None) -> str:
    """Why ``metric`` gets no percentile ("" when it gets one)."""
    if metric.pinned:
        return "pinned"
    if not math.isfinite(metric.value):
        return "undefined"
    if "low_data" in metric.flags:
        return "low_data"
    if norm is None or not (math.isfinite(norm.sd) and norm.sd > 0):
        return "no_norm"
    if norm.n < MIN_PERCENTILE_SAMPLE:
        return "small_norm_sample"
    return ""


def _with_norms(scores: GameScores, norms: NormTable, other_design: bool) -> GameScores:
    metrics = {}
    for name, metric in scores.metrics.items():
        norm = norms.metric(scores.game_id, name)
        withheld = _withheld(metric, norm)
        percentile = norm.percentile(metric.value) if norm is not None and not withheld else _NAN
        marked = f"{scores.game_id}.{name}" in _MARKED or (
            norm is not None and math.isfinite(norm.retest) and norm.retest < LOW_RETEST
        )
        metrics[name] = metric.with_norm(
            reliability=_NAN if norm is None else norm.reliability,
            retest_reliability=_NAN if norm is None else norm.retest,
            percentile=percentile,
            percentile_withheld=withheld,
            flags=(*metric.flags, "low_reliability") if marked else metric.flags,
        )
    flags = (*scores.flags, "norms_other_design") if other_design else scores.flags
    return dataclasses.replace(scores, metrics=FrozenMapping(metrics), flags=flags)
