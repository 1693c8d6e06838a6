"""Quality flags shared by the games: names, thresholds and the checks behind them.

Contract: each check takes plain numpy arrays and returns a tuple of flag names
(empty when nothing is wrong).  A flag is data, never an exception: scoring goes on
and the report shows the flag next to the scores.  The vocabulary (SCIENCE.md,
"quality flags"):

=========================  ==============================================================
flag                       raised when
=========================  ==============================================================
``no_trials``              the table has no scored (non-practice) rows
``incomplete``             fewer scored rows than ``planned_trials`` (when given)
``omissions``              more than :data:`OMISSION_LIMIT` of the trials had no response
``anticipations``          more than :data:`ANTICIPATION_LIMIT` of the responses came
                           faster than :data:`ANTICIPATION_MS` after the stimulus
                           (:data:`SIMPLE_ANTICIPATION_MS` for a simple reaction)
``constant_rts``           :data:`MIN_RTS_FOR_SPREAD` or more RTs whose coefficient of
                           variation is below :data:`CONSTANT_RT_CV` (human RTs vary
                           by 15–40%; near-constant RTs suggest a stuck key or a script)
``side_bias``              :data:`MIN_SIDED_RESPONSES` or more left/right responses of
                           which at least :data:`SIDE_BIAS_LIMIT` went to one side while
                           the correct sides were balanced
``ceiling`` / ``floor``    accuracy (or score) at the top or at chance level of the
                           game's scale: the metric cannot tell people apart there
``race_model_violation``   Stop: signal-respond RT not faster than go RT
``missing_column:<c>``     the table lacks a column the game needs: every metric is NaN
``bad_column:<c>``         a needed column is not 1-D or cannot be read as its type
``invalid_values:<c>``     some values of a column could not be used (NaN booleans ...)
``ragged_table``           columns differ in length: the shortest length is used
=========================  ==============================================================

Thresholds are conventions, not laws; they are constants here so that a reader can
find and question them.  The 150-ms anticipation bound is SCIENCE.md's; the
omission and anticipation limits of 10% follow common exclusion practice for
choice-RT tasks (e.g. Verbruggen et al. 2019 on go omissions).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "ANTICIPATION_LIMIT",
    "ANTICIPATION_MS",
    "CONSTANT_RT_CV",
    "MIN_RTS_FOR_SPREAD",
    "MIN_SIDED_RESPONSES",
    "OMISSION_LIMIT",
    "SIDE_BIAS_LIMIT",
    "SIMPLE_ANTICIPATION_MS",
    "accuracy_flags",
    "completeness_flags",
    "rt_flags",
    "side_bias_flags",
]

#: Responses faster than this (ms after the stimulus) are anticipations.
ANTICIPATION_MS = 150.0
#: The bound for simple reactions (one possible response, e.g. the first tap after GO).
SIMPLE_ANTICIPATION_MS = 100.0
#: Share of responses that may be anticipations before the game is flagged.
ANTICIPATION_LIMIT = 0.10
#: Share of trials that may lack a response before the game is flagged.
OMISSION_LIMIT = 0.10
#: RTs whose SD / mean is below this are "suspiciously constant".
CONSTANT_RT_CV = 0.05
#: The constant-RT check needs at least this many RTs.
MIN_RTS_FOR_SPREAD = 10
#: Share of left/right responses on one side that counts as a side bias.
SIDE_BIAS_LIMIT = 0.85
#: The side-bias check needs at least this many left/right responses.
MIN_SIDED_RESPONSES = 20


def completeness_flags(n_rows: int, planned_trials: int | None) -> tuple[str, ...]:
    """``no_trials`` for an empty game, ``incomplete`` when fewer rows than planned."""
    flags: list[str] = []
    if n_rows == 0:
        flags.append("no_trials")
    if planned_trials is not None and n_rows < planned_trials:
        flags.append("incomplete")
    return tuple(flags)


def rt_flags(
    rt_ms: NDArray[np.float64],
    responded: NDArray[np.bool_],
    *,
    anticipation_ms: float = ANTICIPATION_MS,
) -> tuple[str, ...]:
    """Omissions, anticipations and constant RTs from per-trial RTs and responses.

    ``rt_ms`` is NaN where there was no response; ``responded`` marks the trials
    that had one.  ``anticipation_ms`` is the anticipation bound (150 ms for
    choice RTs; a simple reaction such as the first tap after GO uses 100 ms, the
    usual simple-RT bound, since simple RTs of 150 ms are ordinary).
    """
    flags: list[str] = []
    n_trials = int(rt_ms.shape[0])
    if n_trials == 0:
        return ()
    if 1.0 - float(np.count_nonzero(responded)) / n_trials > OMISSION_LIMIT:
        flags.append("omissions")
    rts = rt_ms[responded & np.isfinite(rt_ms)]
    if rts.shape[0]:
        if float(np.count_nonzero(rts < anticipation_ms)) / rts.shape[0] > ANTICIPATION_LIMIT:
            flags.append("anticipations")
        if rts.shape[0] >= MIN_RTS_FOR_SPREAD:
            mean = float(np.mean(rts))
            if mean > 0 and float(np.std(rts, ddof=1)) / mean < CONSTANT_RT_CV:
                flags.append("constant_rts")
    return tuple(flags)


def side_bias_flags(
    response_side: NDArray[np.str_], correct_side: NDArray[np.str_]
) -> tuple[str, ...]:
    """``side_bias`` when one key takes most responses although both were needed."""
    sided = (response_side == "left") | (response_side == "right")
    n_sided = int(np.count_nonzero(sided))
    if n_sided < MIN_SIDED_RESPONSES:
        return ()
    left_share = float(np.count_nonzero(response_side[sided] == "left")) / n_sided
    needed_left = float(np.count_nonzero(correct_side[sided] == "left")) / n_sided
    if max(left_share, 1.0 - left_share) >= SIDE_BIAS_LIMIT and 0.25 <= needed_left <= 0.75:
        return ("side_bias",)
    return ()


def accuracy_flags(
    accuracy: float, n_trials: int, *, chance: float, ceiling: float = 0.98
) -> tuple[str, ...]:
    """``ceiling`` at ≥ ``ceiling`` accuracy, ``floor`` at or below chance + 0.1.

    Needs at least 10 trials; NaN accuracy gives no flag (the metric is flagged).
    """
    if n_trials < 10 or not np.isfinite(accuracy):
        return ()
    if accuracy >= ceiling:
        return ("ceiling",)
    if accuracy <= chance + 0.1:
        return ("floor",)
    return ()
