"""Balloons (Balloon Analogue Risk Task): adjusted average pumps, explosions, earnings.

Contract: ``score(table, *, bootstrap=True, seed=0, planned_trials=None)`` takes the
game's trial table (columns of :data:`games.balloons.task.COLUMNS`; only
``practice``, ``pumps``, ``exploded`` and ``earned_cents`` are used) and returns a
:class:`~scoring.metrics.types.GameScores`.  Practice balloons are left out.

Metrics (primary: ``adjusted_pumps``):

* ``adjusted_pumps`` – mean pumps over balloons that did not explode, the standard
  BART score (Lejuez et al. 2002), via :func:`scoring.bart.adjusted_pumps`.
* ``explosions`` – number of balloons that burst.
* ``earnings`` – cents banked over the scored balloons.

CIs: bootstrap over balloons.  Split halves: alternate balloons.  Flags:
``no_trials``, ``incomplete`` (fewer balloons than ``planned_trials``), ``floor``
(no balloon was pumped at all: the score cannot show a preference), and the
primitive's ``no_unexploded_balloons`` / ``invalid_pumps`` on the metric.

Source:
    Lejuez, C. W., Read, J. P., Kahler, C. W., et al. (2002). Evaluation of a
    behavioral measure of risk taking: The Balloon Analogue Risk Task (BART).
    Journal of Experimental Psychology: Applied, 8(2), 75–84.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.bart import adjusted_pumps
from scoring.metrics._engine import (
    Kind,
    Sample,
    Scorecard,
    TrialTable,
    count_where,
    mean_of,
    silenced,
)
from scoring.metrics.quality import completeness_flags
from scoring.metrics.types import GameScores

__all__ = ["GAME_ID", "PRIMARY", "score"]

GAME_ID = "balloons"
PRIMARY = "adjusted_pumps"
_COLUMNS: Mapping[str, Kind] = {"pumps": "float", "exploded": "bool", "earned_cents": "float"}


@silenced
def score(
    table: Mapping[str, Any],
    *,
    bootstrap: bool = True,
    seed: int = 0,
    planned_trials: int | None = None,
    halves: bool = True,
) -> GameScores:
    """Score one Balloons run; see the module docstring."""
    trials = TrialTable(table, _COLUMNS)
    pumps = trials.float("pumps")
    exploded = trials.bool("exploded")
    earned = trials.float("earned_cents")
    valid = np.isfinite(pumps) & (pumps >= 0)
    kept_pumps: NDArray[np.float64] = np.where(valid & ~exploded, pumps, np.nan)
    card = Scorecard(GAME_ID, trials.n_rows, bootstrap=bootstrap, seed=seed, halves=halves)

    primary = adjusted_pumps(pumps, exploded)
    card.add(
        PRIMARY,
        unit="pumps",
        description="The average number of pumps on the balloons you cashed in before they burst.",
        n=primary.n_unexploded,
        value=primary.value,
        statistic=mean_of(kept_pumps),
        flags=primary.flags,
    )
    burst = valid & exploded

    def explosions(sample: Sample) -> NDArray[np.float64]:
        return count_where(sample, burst)

    card.add(
        "explosions",
        unit="balloons",
        description="How many balloons burst before you cashed them in.",
        n=primary.n_balloons,
        statistic=explosions,
    )
    finite_earned = np.where(np.isfinite(earned), earned, 0.0)

    def earnings(sample: Sample) -> NDArray[np.float64]:
        totals: NDArray[np.float64] = sample.take(finite_earned).sum(axis=1)
        return totals

    card.add(
        "earnings",
        unit="cents",
        description="The money you banked over all balloons.",
        n=trials.n_rows,
        statistic=earnings,
    )
    flags = [*trials.flags, *completeness_flags(trials.n_rows, planned_trials)]
    if trials.n_rows and not np.any(valid & (pumps > 0)):
        flags.append("floor")
    return card.finish(PRIMARY, flags, trials.n_rows)
