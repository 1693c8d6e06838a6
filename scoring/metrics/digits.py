"""Digits (forward and backward digit span): longest span and total correct per direction.

Contract: ``score(table, *, bootstrap=True, seed=0, planned_trials=None)`` takes the
game's trial table (columns of :data:`games.digits.task.COLUMNS`; used:
``practice``, ``direction``, ``length``, ``rep``, ``correct``) and returns a
:class:`~scoring.metrics.types.GameScores`.  Practice trials are left out.

Metrics (primary: ``longest_span_forward``), as in the Wechsler Digit Span subtest:

* ``longest_span_<direction>`` – the longest sequence recalled correctly (digits);
  0 when trials were given but none was recalled (flag ``none_correct``), NaN when
  the direction was not played.
* ``total_correct_<direction>`` – number of sequences recalled correctly.

Directions are ``forward`` and ``backward`` (always reported), plus any other
found in the data.

No bootstrap CI: the lengths adapt (a direction stops after two failures at one
length), so trials are not exchangeable and resampling them would describe a test
that was not given; the metrics carry ``no_bootstrap_ci`` when a bootstrap was
asked for.  A score's uncertainty is instead judged from the norm table's
reliability.  Split halves: the first and the second trial at each length (``rep``
odd vs even), the classic trial-1/trial-2 split of the Wechsler subtest.

Flags: ``no_trials``, ``incomplete``, ``floor`` (no correct trial in a direction
played), ``ceiling`` (a direction ended without a failure at its longest length,
so the span may be longer than measured).

Source:
    Wechsler, D. (2008). Wechsler Adult Intelligence Scale – Fourth Edition.
    San Antonio, TX: Pearson (Digit Span subtest); open implementation: Mueller, S. T.,
    & Piper, B. J. (2014). The Psychology Experiment Building Language (PEBL) and
    PEBL Test Battery. Journal of Neuroscience Methods, 222, 250–259.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.metrics._engine import Kind, Sample, Scorecard, TrialTable, quiet, silenced
from scoring.metrics.quality import completeness_flags
from scoring.metrics.types import GameScores

__all__ = ["DIRECTIONS", "GAME_ID", "PRIMARY", "score"]

GAME_ID = "digits"
PRIMARY = "longest_span_forward"
#: Directions always reported.
DIRECTIONS = ("forward", "backward")
_COLUMNS: Mapping[str, Kind] = {
    "direction": "str",
    "length": "float",
    "rep": "float",
    "correct": "bool",
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
    """Score one Digits run; see the module docstring."""
    trials = TrialTable(table, _COLUMNS)
    direction = trials.str("direction")
    length = trials.float("length")
    rep = trials.float("rep")
    correct = trials.bool("correct") & np.isfinite(length)
    odd = np.isfinite(rep) & (np.mod(rep, 2) == 1)
    rep_halves = (np.flatnonzero(odd), np.flatnonzero(~odd))
    card = Scorecard(
        GAME_ID, trials.n_rows, direction, bootstrap=bootstrap, seed=seed, halves=halves
    )
    flags = [*trials.flags, *completeness_flags(trials.n_rows, planned_trials)]

    played = sorted(set(direction.tolist()) - set(DIRECTIONS))
    for name in (*DIRECTIONS, *played):
        in_direction = direction == name
        n_direction = int(np.count_nonzero(in_direction))
        recalled = correct & in_direction
        lengths_recalled: NDArray[np.float64] = np.where(recalled, length, -np.inf)

        def longest(
            sample: Sample,
            given: NDArray[np.bool_] = in_direction,
            spans: NDArray[np.float64] = lengths_recalled,
        ) -> NDArray[np.float64]:
            present = sample.take(given).any(axis=1)
            with quiet():
                best = np.max(sample.take(spans), axis=1, initial=-np.inf)
            values: NDArray[np.float64] = np.where(
                present, np.where(np.isfinite(best), best, 0.0), np.nan
            )
            return values

        def total(
            sample: Sample,
            given: NDArray[np.bool_] = in_direction,
            hits: NDArray[np.bool_] = recalled,
        ) -> NDArray[np.float64]:
            present = sample.take(given).any(axis=1)
            counts = sample.take(hits).sum(axis=1).astype(np.float64)
            values: NDArray[np.float64] = np.where(present, counts, np.nan)
            return values

        none_correct = n_direction > 0 and not np.any(recalled)
        metric_flags = ("none_correct",) if none_correct else ()
        if n_direction == 0:
            metric_flags = (f"no_{name}_trials",)
        card.add(
            f"longest_span_{name}",
            unit="digits",
            description=f"The longest list of digits you repeated correctly in {name} order.",
            n=n_direction,
            statistic=longest,
            flags=metric_flags,
            ci=False,
            split=rep_halves,
        )
        card.add(
            f"total_correct_{name}",
            unit="lists",
            description=f"How many digit lists you repeated correctly in {name} order.",
            n=n_direction,
            statistic=total,
            flags=() if n_direction else (f"no_{name}_trials",),
            ci=False,
            split=rep_halves,
        )
        if none_correct:
            flags.append("floor")
        if n_direction and np.any(np.isfinite(length[in_direction])):
            lengths = length[in_direction]
            top = float(np.max(lengths[np.isfinite(lengths)]))
            at_top = in_direction & (length == top)
            if np.all(correct[at_top]):
                flags.append("ceiling")
    return card.finish(PRIMARY, flags, trials.n_rows)
