"""The fewest trials a metric may rest on before it is marked ``low_data``.

Contract: :func:`minimum_trials(game_id, metric)` is the design's minimum for one
metric, counted in the metric's own ``n`` (trials, balloons, decisions, problems
...).  A metric with ``n`` below it carries the flag ``low_data`` and gets no
percentile (:mod:`scoring.session`); its value is still shown.  0 means "no
minimum" (metrics not listed here, e.g. of a game added later).

The numbers follow the sources of each paradigm where they say something, and
otherwise keep the standard battery clear of the flag while the short (demo)
battery falls below it:

* ``stop``: the consensus guide asks for at least 50 stop trials for a stable
  SSRT (Verbruggen et al. 2019, recommendation 6); the standard battery plans 50
  and scores 48–50 after practice, so fewer than 40 is low data.
* ``balloons``: adjusted pumps rest on unexploded balloons only; Lejuez et al.
  (2002) used 30 balloons, of which typically 10–20 do not burst.
* ``arrows``, ``lengths``: difference scores and EZ fits need tens of trials per
  condition (Wagenmakers et al. 2007 simulate 80+ per condition; Hedge et al. 2018
  show conflict effects are unstable below a few hundred): 40 trials overall, 20
  per block.
* ``faces``: 5 per emotion (the standard design shows 10), 35 overall.
* ``digits``: 6 sequences per direction (three lengths at two trials each).
* ``cards``: net score over at least 60 picks; the change score needs the whole
  game (100 picks, Bechara et al. 1994).
* economic games: the number of decisions the standard design asks for, minus
  a margin; single decisions are always low data.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

__all__ = ["MIN_TRIALS", "minimum_trials"]

#: Per game: ``"*"`` is the game's default, other keys are metric names; a key
#: ending in ``"*"`` matches metric names that start with it.
MIN_TRIALS: Mapping[str, Mapping[str, int]] = {
    "balloons": {"*": 20, "adjusted_pumps": 5},
    "exchange_trust": {"*": 3},
    "exchange_split": {
        "*": 6,
        "offer_share": 3,
        "dictator_share": 2,
        "acceptance_rate_*": 2,
    },
    "keypresses": {"*": 4, "taps_per_10s_left": 2, "taps_per_10s_right": 2},
    "arrows": {"*": 40},
    "lengths": {"*": 60, "log_b_block*": 20, "log_d_block*": 20, "accuracy_*": 30},
    "faces": {"*": 35, "accuracy_*": 5, "unbiased_hit_rate_*": 5, "rt_correct_ms": 10},
    "hard_or_easy": {"*": 8, "proportion_hard_p*": 3, "hard_completion_rate": 3},
    "stop": {"*": 60, "ssrt_ms": 40, "p_respond_signal": 40, "mean_ssd_ms": 40,
             "signal_respond_rt_ms": 10},
    "digits": {"*": 6},
    "cards": {"*": 60, "net_score_block*": 20, "net_score_change": 100},
    "towers": {"*": 6, "excess_moves": 4},
}  # fmt: skip


@functools.cache
def minimum_trials(game_id: str, metric: str) -> int:
    """The minimum ``n`` for ``game_id``'s ``metric`` (0: none); see the module docstring."""
    table = MIN_TRIALS.get(game_id)
    if table is None:
        return 0
    if metric in table:
        return table[metric]
    prefixes = [key for key in table if key.endswith("*") and key != "*"]
    for key in sorted(prefixes, key=len, reverse=True):
        if metric.startswith(key[:-1]):
            return table[key]
    return table.get("*", 0)
