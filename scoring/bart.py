"""Balloon Analogue Risk Task: adjusted average pumps.

Contract: ``adjusted_pumps(pumps, exploded)`` takes, per balloon, the number of
pumps and whether the balloon exploded, and returns a frozen
:class:`AdjustedPumps`.  The score is the standard one of Lejuez et al. (2002):
the mean number of pumps on balloons that did *not* explode.  Exploded
balloons are left out because their pump count is censored by the explosion
point, not chosen by the player.

Total: no unexploded balloon gives ``value`` NaN and ``"no_unexploded_balloons"``;
no balloon at all gives ``"no_balloons"``; balloons whose pump count is NaN,
infinite or negative are left out and flagged ``"invalid_pumps"``.  Arrays of
the wrong shape or length raise ``ValueError``, non-numbers ``TypeError``.

Source:
    Lejuez, C. W., Read, J. P., Kahler, C. W., et al. (2002). Evaluation of a
    behavioral measure of risk taking: The Balloon Analogue Risk Task (BART).
    Journal of Experimental Psychology: Applied, 8(2), 75–84.
    doi:10.1037/1076-898X.8.2.75
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from scoring._checks import bool_vector, finite_mean, float_vector, same_length

__all__ = ["AdjustedPumps", "adjusted_pumps"]


@dataclass(frozen=True, slots=True)
class AdjustedPumps:
    """Adjusted average pumps and the counts behind it.

    ``explosions`` counts exploded balloons among the valid ones;
    ``n_balloons`` is the number of valid balloons.
    """

    value: float
    n_unexploded: int
    explosions: int
    n_balloons: int
    flags: tuple[str, ...] = ()


def adjusted_pumps(pumps: ArrayLike, exploded: ArrayLike) -> AdjustedPumps:
    """Mean pumps over balloons that did not explode (Lejuez et al. 2002)."""
    pump_counts = float_vector(pumps, "pumps")
    popped = bool_vector(exploded, "exploded")
    same_length("pumps", pump_counts, "exploded", popped)

    flags: list[str] = []
    valid = np.isfinite(pump_counts) & (pump_counts >= 0)
    if not np.all(valid):
        flags.append("invalid_pumps")
    n_balloons = int(np.count_nonzero(valid))
    kept = valid & ~popped
    n_unexploded = int(np.count_nonzero(kept))
    if pump_counts.shape[0] == 0:
        flags.append("no_balloons")
    elif n_unexploded == 0:
        flags.append("no_unexploded_balloons")
    return AdjustedPumps(
        value=finite_mean(pump_counts[kept]),
        n_unexploded=n_unexploded,
        explosions=n_balloons - n_unexploded,
        n_balloons=n_balloons,
        flags=tuple(flags),
    )
