"""Towers (Tower of London): attempt score, excess moves, planning time.

Contract: ``score(table, *, bootstrap=True, seed=0, planned_trials=None)`` takes the
game's trial table (columns of :data:`games.towers.task.COLUMNS`; used:
``practice``, ``min_moves``, ``solved_attempt``, ``score``, ``excess_moves``,
``planning_time_ms``) and returns a :class:`~scoring.metrics.types.GameScores`.
Practice problems are left out.

Metrics (primary: ``total_score``):

* ``total_score`` – sum over problems of 3/2/1/0 points for success on the
  first/second/third attempt or none (Krikorian, Bartok & Gay 1994); the task
  records each problem's score, so another ``max_attempts`` is scored the same way.
* ``solved_first_attempt`` – share of problems solved on the first attempt.
* ``solved_in_minimum`` – share of problems whose first attempt reached the goal in
  the minimum number of moves (Shallice 1982 counted problems solved in the minimum);
  an attempt may take a few moves more than the minimum (the task's
  ``extra_moves``), so this is stricter than ``solved_first_attempt``.
* ``excess_moves`` – mean moves beyond the minimum in the successful attempt, over
  solved problems.
* ``planning_time_ms`` – mean time from a problem's first display to its first
  move.

Since version 2 of the game every candidate plays the same problems (the Shallice
1982 set, one start position, minimum moves known per problem and checked by
breadth-first search over the 36 states), so these means are taken over the same
problems for everyone and are comparable between candidates of one design.

CIs: bootstrap over problems within minimum-move levels.  Split halves: alternate
problems within levels.  Flags: ``no_trials``, ``incomplete``, ``ceiling`` (every
problem solved on the first attempt), ``floor`` (no problem solved).

Sources:
    Shallice, T. (1982). Specific impairments of planning. Philosophical
    Transactions of the Royal Society of London B, 298, 199–209.
    Krikorian, R., Bartok, J., & Gay, N. (1994). Tower of London procedure: A
    standard method and developmental data. Journal of Clinical and Experimental
    Neuropsychology, 16(6), 840–850.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.metrics._engine import Kind, Sample, Scorecard, TrialTable, mean_of, silenced
from scoring.metrics.quality import completeness_flags
from scoring.metrics.types import GameScores

__all__ = ["GAME_ID", "PRIMARY", "score"]

GAME_ID = "towers"
PRIMARY = "total_score"
_COLUMNS: Mapping[str, Kind] = {
    "min_moves": "float",
    "solved_attempt": "float",
    "score": "float",
    "excess_moves": "float",
    "planning_time_ms": "float",
}


@silenced
def score(
    table: Mapping[str, Any],
    *,
    bootstrap: bool = True,
    seed: int = 0,
    planned_trials: int | None = None,
    halves: bool = True,
) -> GameScores:
    """Score one Towers run; see the module docstring."""
    trials = TrialTable(table, _COLUMNS)
    points = trials.float("score")
    solved_attempt = trials.float("solved_attempt")
    excess = trials.float("excess_moves")
    planning = trials.float("planning_time_ms")
    min_moves = trials.float("min_moves")
    card = Scorecard(
        GAME_ID, trials.n_rows, min_moves, bootstrap=bootstrap, seed=seed, halves=halves
    )

    finite_points = np.where(np.isfinite(points), points, 0.0)

    def total(sample: Sample) -> NDArray[np.float64]:
        totals: NDArray[np.float64] = sample.take(finite_points).sum(axis=1)
        return totals

    n_scored = int(np.count_nonzero(np.isfinite(points)))
    card.add(
        PRIMARY,
        unit="points",
        description=(
            "Points for solving each puzzle: more when solved in fewer attempts, none "
            "when not solved."
        ),
        n=n_scored,
        statistic=total,
        flags=() if n_scored == trials.n_rows else ("invalid_values:score",),
    )
    first = (solved_attempt == 1).astype(np.float64)
    card.add(
        "solved_first_attempt",
        unit="proportion of problems",
        description="The share of puzzles you solved on your first try.",
        n=trials.n_rows,
        statistic=mean_of(first),
    )
    solved = solved_attempt >= 1
    minimum = ((solved_attempt == 1) & (excess == 0)).astype(np.float64)
    card.add(
        "solved_in_minimum",
        unit="proportion of problems",
        description="The share of puzzles you solved on your first try in the fewest "
        "possible moves.",
        n=trials.n_rows,
        statistic=mean_of(minimum),
    )
    card.add(
        "excess_moves",
        unit="moves",
        description="How many moves beyond the fewest possible you used on solved puzzles.",
        n=int(np.count_nonzero(solved & np.isfinite(excess))),
        statistic=mean_of(excess, solved),
    )
    card.add(
        "planning_time_ms",
        unit="ms",
        description="How long you looked at a puzzle before your first move, on average.",
        n=int(np.count_nonzero(np.isfinite(planning))),
        statistic=mean_of(planning),
    )
    flags = [*trials.flags, *completeness_flags(trials.n_rows, planned_trials)]
    if trials.n_rows:
        if bool(np.all(solved_attempt == 1)):
            flags.append("ceiling")
        elif not np.any(solved):
            flags.append("floor")
    return card.finish(PRIMARY, flags, trials.n_rows)
