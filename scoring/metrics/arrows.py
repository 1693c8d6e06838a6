"""Arrows (flanker task with cued task switching): flanker effects, switch costs, EZ.

Contract: ``score(table, *, bootstrap=True, seed=0, planned_trials=None)`` takes the
game's trial table (columns of :data:`games.arrows.task.COLUMNS`; used:
``practice``, ``transition``, ``congruent``, ``correct_side``, ``response_side``,
``correct``, ``timeout``, ``rt_ms``) and returns a
:class:`~scoring.metrics.types.GameScores`.  Practice trials (block 0) are left out.

Metrics (primary: ``switch_cost_ms``):

* ``switch_cost_ms`` – correct RT on switch minus repeat trials (Rogers & Monsell
  1995); ``switch_cost_errors`` – the same for error rates.  The first trial of
  each block is neither and is left out, as SCIENCE.md asks.
* ``flanker_effect_ms`` – correct RT on incongruent minus congruent trials
  (Eriksen & Eriksen 1974); ``flanker_effect_errors`` – error rate on incongruent
  minus congruent trials.  All scored trials count (errors include time-outs).
* ``accuracy`` – share of trials answered correctly in time; ``rt_correct_ms`` –
  mean RT of correct responses.
* ``ez_drift``, ``ez_boundary``, ``ez_nondecision`` – EZ-diffusion (Wagenmakers
  et al. 2007) fitted separately in each congruency × transition condition (the
  first trial of a block counts with the repeats) to the trials with a response,
  then averaged with the conditions' trial counts as weights: the conditions
  differ in difficulty, and one fit over all of them would mix their RT
  distributions.

The RT of each condition is the 20% trimmed mean of its correct RTs
(:func:`~scoring.metrics._engine.trimmed_mean_where`; Wilcox 2012): RT
distributions have a long right tail, and the trimmed mean ranks simulated players'
switch costs better than the plain mean (Spearman 0.91–0.94 against 0.90–0.93 at
128 trials) and is not moved by one stray slow answer.  The switch cost is the
primary metric because the design measures it well (ρ ≈ 0.93 in
``tests/scoring/test_recovery.py``); the flanker effect, a small difference
between two noisy RTs, ranks players at only ≈ 0.5–0.7 with the same trials, the
well-known low reliability of conflict effects (Hedge, Powell & Sumner 2018).

CIs: bootstrap over trials within the congruency × transition cells.  Split
halves: alternate trials within the same cells.  Flags: ``no_trials``,
``incomplete``, ``omissions``, ``anticipations``, ``constant_rts``, ``side_bias``,
``ceiling`` (accuracy ≥ 98%) and ``floor`` (accuracy ≤ 60%, near chance).

Sources:
    Eriksen, B. A., & Eriksen, C. W. (1974). Effects of noise letters upon the
    identification of a target letter in a nonsearch task. Perception &
    Psychophysics, 16, 143–149.
    Hedge, C., Powell, G., & Sumner, P. (2018). The reliability paradox: why
    robust cognitive tasks do not produce reliable individual differences.
    Behavior Research Methods, 50, 1166–1186.
    Rogers, R. D., & Monsell, S. (1995). Costs of a predictable switch between
    simple cognitive tasks. Journal of Experimental Psychology: General, 124,
    207–231.
    Wilcox, R. R. (2012). Introduction to Robust Estimation and Hypothesis
    Testing (3rd ed.), ch. 3. Academic Press.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.metrics._engine import (
    Kind,
    Sample,
    Scorecard,
    Statistic,
    TrialTable,
    add_ez_metrics,
    mean_where,
    silenced,
    trimmed_mean_where,
)
from scoring.metrics.quality import accuracy_flags, completeness_flags, rt_flags, side_bias_flags
from scoring.metrics.types import GameScores

__all__ = ["GAME_ID", "PRIMARY", "score"]

GAME_ID = "arrows"
PRIMARY = "switch_cost_ms"
_COLUMNS: Mapping[str, Kind] = {
    "transition": "str",
    "congruent": "bool",
    "correct_side": "str",
    "response_side": "str",
    "correct": "bool",
    "timeout": "bool",
    "rt_ms": "float",
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
    """Score one Arrows run; see the module docstring."""
    trials = TrialTable(table, _COLUMNS)
    transition = trials.str("transition")
    congruent = trials.bool("congruent")
    incongruent = ~congruent
    correct = trials.bool("correct")
    rt = trials.float("rt_ms")
    responded = ~trials.bool("timeout") & np.isfinite(rt)
    correct_rt: NDArray[np.float64] = np.where(correct & responded, rt, np.nan)
    error = (~correct).astype(np.float64)
    switch = transition == "switch"
    repeat = transition == "repeat"
    cells = np.char.add(np.where(congruent, "congruent:", "incongruent:"), transition)
    card = Scorecard(GAME_ID, trials.n_rows, cells, bootstrap=bootstrap, seed=seed, halves=halves)

    def difference(
        values: NDArray[np.float64], first: NDArray[np.bool_], second: NDArray[np.bool_]
    ) -> Statistic:
        return lambda s: mean_where(s, values, first) - mean_where(s, values, second)

    def rt_difference(first: NDArray[np.bool_], second: NDArray[np.bool_]) -> Statistic:
        return lambda s: (
            trimmed_mean_where(s, correct_rt, first) - trimmed_mean_where(s, correct_rt, second)
        )

    n_flanker = int(np.count_nonzero(np.isfinite(correct_rt)))
    both_kinds = bool(np.any(congruent)) and bool(np.any(incongruent))
    card.add(
        "flanker_effect_ms",
        unit="ms",
        description=(
            "How much slower your correct answers were when the neighbouring arrows "
            "disagreed with the middle one."
        ),
        n=n_flanker,
        statistic=rt_difference(incongruent, congruent),
        flags=() if both_kinds else ("missing_condition",),
    )
    card.add(
        "flanker_effect_errors",
        unit="proportion of trials",
        description=(
            "How much more often you erred when the neighbouring arrows disagreed "
            "with the middle one."
        ),
        n=trials.n_rows,
        statistic=difference(error, incongruent, congruent),
        flags=() if both_kinds else ("missing_condition",),
    )
    n_switch = int(np.count_nonzero((switch | repeat) & np.isfinite(correct_rt)))
    both_transitions = bool(np.any(switch)) and bool(np.any(repeat))
    card.add(
        PRIMARY,
        unit="ms",
        description=(
            "How much slower your correct answers were right after the rule changed "
            "than when it stayed the same."
        ),
        n=n_switch,
        statistic=rt_difference(switch, repeat),
        flags=() if both_transitions else ("missing_condition",),
    )
    card.add(
        "switch_cost_errors",
        unit="proportion of trials",
        description="How much more often you erred right after the rule changed.",
        n=int(np.count_nonzero(switch | repeat)),
        statistic=difference(error, switch, repeat),
        flags=() if both_transitions else ("missing_condition",),
    )
    accuracy = card.add(
        "accuracy",
        unit="proportion of trials",
        description="The share of arrows you answered correctly in time.",
        n=trials.n_rows,
        statistic=lambda s: 1.0 - mean_where(s, error),
    )

    def mean_correct_rt(sample: Sample) -> NDArray[np.float64]:
        return mean_where(sample, correct_rt)

    card.add(
        "rt_correct_ms",
        unit="ms",
        description="Your average time to a correct answer.",
        n=n_flanker,
        statistic=mean_correct_rt,
    )
    ez_cells = np.char.add(
        np.where(congruent, "congruent:", "incongruent:"), np.where(switch, "switch", "repeat")
    )
    add_ez_metrics(card, correct, rt, responded, what="arrow", conditions=ez_cells)
    flags = [
        *trials.flags,
        *completeness_flags(trials.n_rows, planned_trials),
        *rt_flags(rt, responded),
        *side_bias_flags(trials.str("response_side"), trials.str("correct_side")),
        *accuracy_flags(accuracy.value, trials.n_rows, chance=0.5),
    ]
    return card.finish(PRIMARY, flags, trials.n_rows)
