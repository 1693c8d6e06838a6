"""Keypresses (finger tapping): taps per 10 s per hand and inter-tap variability.

Contract: ``score(table, *, bootstrap=True, seed=0, planned_trials=None)`` takes the
game's trial table (columns of :data:`games.keypresses.task.COLUMNS`; used:
``practice``, ``hand``, ``taps_per_10s``, ``iti_cv``, ``first_tap_ms``) and returns
a :class:`~scoring.metrics.types.GameScores`.  Practice trials are left out.

Metrics (primary: ``taps_per_10s``), as in the Halstead–Reitan Finger Tapping Test
(Reitan & Wolfson 1985), where the score is the mean taps per 10-s trial:

* ``taps_per_10s`` – mean valid taps per 10 s over all scored trials (both hands);
  ``taps_per_10s_left`` / ``taps_per_10s_right`` – the same per hand.
* ``iti_cv`` – mean over trials of the inter-tap interval's coefficient of
  variation (SD / mean): how even the tapping rhythm was.

CIs: bootstrap over trials within hand.  Split halves: alternate trials within
hand.  Flags: ``no_trials``, ``incomplete``, ``omissions`` (more than 10% of trials
without a tap), ``anticipations`` (more than 10% of first taps within 100 ms of GO, the
simple-reaction bound),
``floor`` (no tap at all).

Source:
    Reitan, R. M., & Wolfson, D. (1985). The Halstead–Reitan Neuropsychological
    Test Battery. Tucson: Neuropsychology Press.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from scoring.metrics._engine import Kind, Scorecard, TrialTable, mean_of, silenced
from scoring.metrics.quality import SIMPLE_ANTICIPATION_MS, completeness_flags, rt_flags
from scoring.metrics.types import GameScores

__all__ = ["GAME_ID", "PRIMARY", "score"]

GAME_ID = "keypresses"
PRIMARY = "taps_per_10s"
_COLUMNS: Mapping[str, Kind] = {
    "hand": "str",
    "taps_per_10s": "float",
    "iti_cv": "float",
    "first_tap_ms": "float",
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
    """Score one Keypresses run; see the module docstring."""
    trials = TrialTable(table, _COLUMNS)
    hand = trials.str("hand")
    rate = trials.float("taps_per_10s")
    cv = trials.float("iti_cv")
    card = Scorecard(GAME_ID, trials.n_rows, hand, bootstrap=bootstrap, seed=seed, halves=halves)

    n_rate = int(np.count_nonzero(np.isfinite(rate)))
    card.add(
        PRIMARY,
        unit="taps per 10 s",
        description="How many times you tapped the key in 10 seconds, on average.",
        n=n_rate,
        statistic=mean_of(rate),
    )
    for side in ("left", "right"):
        this_hand = hand == side
        n_hand = int(np.count_nonzero(this_hand & np.isfinite(rate)))
        card.add(
            f"taps_per_10s_{side}",
            unit="taps per 10 s",
            description=f"How many times you tapped in 10 seconds with your {side} hand.",
            n=n_hand,
            statistic=mean_of(rate, this_hand),
            flags=() if n_hand else (f"no_{side}_hand_trials",),
        )
    n_cv = int(np.count_nonzero(np.isfinite(cv)))
    card.add(
        "iti_cv",
        unit="ratio",
        description="How much the time between your taps varied, relative to its average.",
        n=n_cv,
        statistic=mean_of(cv),
    )
    first_tap = trials.float("first_tap_ms")
    tapped = np.isfinite(first_tap)
    flags = [
        *trials.flags,
        *completeness_flags(trials.n_rows, planned_trials),
        *(
            f
            for f in rt_flags(first_tap, tapped, anticipation_ms=SIMPLE_ANTICIPATION_MS)
            if f != "constant_rts"
        ),
    ]
    if trials.n_rows and not np.any(np.nan_to_num(rate) > 0):
        flags.append("floor")
    return card.finish(PRIMARY, flags, trials.n_rows)
