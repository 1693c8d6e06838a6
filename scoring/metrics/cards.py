"""Cards (Iowa Gambling Task): net score overall and per block, deck proportions.

What the net score is, and is not: a measure of decision making under ambiguity.
It is not a learning rate: it mixes how fast a candidate learns, how consistently
they choose and how they weigh frequent small losses against rare large ones, and
its test-retest reliability over a month is low (about .37; Sullivan-Toole et al.
2022).  Healthy adults often favour deck B (Steingroever et al. 2013),
which lowers the net score without any failure to learn.  The learning rate of this
battery comes from :mod:`scoring.metrics.reversal`.

Contract: ``score(table, *, bootstrap=True, seed=0, planned_trials=None)`` takes the
game's trial table (columns of :data:`games.cards.task.COLUMNS`; used: ``practice``,
``deck``) and returns a :class:`~scoring.metrics.types.GameScores`.  Practice picks
are left out; picks with a deck label outside A–D are left out and flagged
``invalid_values:deck``.

Metrics (primary: ``net_score``), after Bechara et al. (1994) through
:func:`scoring.igt.net_scores`:

* ``net_score`` – picks from the advantageous decks minus picks from the
  disadvantageous ones, (C + D) − (A + B), over all picks.
* ``net_score_block<k>`` – the same per consecutive block of 20 picks; the default
  design's five blocks are always reported (NaN when absent).
* ``net_score_change`` – last block's net score minus the first block's: how far
  choices moved towards the advantageous decks over the game.
* ``deck_<x>_share`` – share of picks from deck A, B, C and D.

CIs: bootstrap over picks within blocks of 20.  The picks of a learner depend on
one another; resampling them treats each block as a set of exchangeable picks,
which describes the spread within a block but not the learning path.  Split halves:
alternate picks within blocks.  Flags: ``no_trials``, ``incomplete``, and the
primitive's ``partial_last_block`` on the block metrics.

Source:
    Bechara, A., Damasio, A. R., Damasio, H., & Anderson, S. W. (1994).
    Insensitivity to future consequences following damage to human prefrontal
    cortex. Cognition, 50(1–3), 7–15.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.igt import DECKS, net_scores
from scoring.metrics._engine import Kind, Sample, Scorecard, TrialTable, mean_of, silenced
from scoring.metrics.quality import completeness_flags
from scoring.metrics.types import GameScores

__all__ = ["BLOCK_SIZE", "DEFAULT_BLOCKS", "GAME_ID", "PRIMARY", "score"]

GAME_ID = "cards"
PRIMARY = "net_score"
#: Picks per block for the block net scores (the IGT convention).
BLOCK_SIZE = 20
#: Blocks of the default design (100 picks).
DEFAULT_BLOCKS = 5
_COLUMNS: Mapping[str, Kind] = {"deck": "str"}


@silenced
def score(
    table: Mapping[str, Any],
    *,
    bootstrap: bool = True,
    seed: int = 0,
    planned_trials: int | None = None,
    halves: bool = True,
) -> GameScores:
    """Score one Cards run; see the module docstring."""
    trials = TrialTable(table, _COLUMNS)
    labels = np.char.upper(np.char.strip(trials.str("deck")))
    valid = np.isin(labels, DECKS)
    decks = labels[valid]
    flags = [*trials.flags, *completeness_flags(trials.n_rows, planned_trials)]
    if not np.all(valid):
        flags.append("invalid_values:deck")
    n_picks = int(decks.shape[0])
    block = np.arange(n_picks) // BLOCK_SIZE
    card = Scorecard(GAME_ID, n_picks, block, bootstrap=bootstrap, seed=seed, halves=halves)
    result = net_scores(decks.tolist(), block_size=BLOCK_SIZE)
    sign = np.where(np.isin(decks, ("C", "D")), 1.0, -1.0)

    def net(sample: Sample) -> NDArray[np.float64]:
        totals: NDArray[np.float64] = sample.take(sign).sum(axis=1)
        return totals

    card.add(
        PRIMARY,
        unit="picks",
        description=(
            "Picks from the two decks that paid off over time minus picks from the two "
            "that lost money over time."
        ),
        n=n_picks,
        value=result.overall,
        statistic=net,
        flags=result.flags,
    )
    n_blocks = max(DEFAULT_BLOCKS, len(result.per_block))
    partial = "partial_last_block" in result.flags
    block_values: list[float] = []
    for number in range(1, n_blocks + 1):
        in_block = block == number - 1
        value = result.per_block[number - 1] if number <= len(result.per_block) else np.nan
        block_values.append(float(value))
        last = number == len(result.per_block)
        block_flags = ("partial_last_block",) if (partial and last) else ()
        n_in_block = int(np.count_nonzero(in_block))

        def block_net(sample: Sample, mask: NDArray[np.bool_] = in_block) -> NDArray[np.float64]:
            totals: NDArray[np.float64] = np.where(sample.take(mask), sample.take(sign), 0.0).sum(
                axis=1
            )
            present = sample.take(mask).any(axis=1)
            return np.where(present, totals, np.nan)

        card.add(
            f"net_score_block{number}",
            unit="picks",
            description=(
                f"In block {number} ({BLOCK_SIZE} picks each): picks from the decks that "
                "paid off minus picks from the decks that lost."
            ),
            n=n_in_block,
            value=float(value),
            statistic=block_net,
            flags=block_flags if n_in_block else ("block_not_played",),
        )
    n_played = len(result.per_block)
    first_block = block == 0
    last_block = block == n_played - 1

    def change(sample: Sample) -> NDArray[np.float64]:
        taken = sample.take(sign)
        early = np.where(sample.take(first_block), taken, 0.0).sum(axis=1)
        late = np.where(sample.take(last_block), taken, 0.0).sum(axis=1)
        result_: NDArray[np.float64] = late - early
        return result_

    card.add(
        "net_score_change",
        unit="picks",
        description=(
            "How much more your last block of picks favoured the decks that paid off "
            "than your first block did (a change in choices, not a learning rate)."
        ),
        n=n_picks,
        value=block_values[n_played - 1] - block_values[0] if n_played >= 2 else np.nan,
        statistic=change,
        flags=() if n_played >= 2 else ("fewer_than_two_blocks",),
    )
    for position, deck in enumerate(DECKS):
        picked = (decks == deck).astype(np.float64)
        card.add(
            f"deck_{deck.lower()}_share",
            unit="proportion of picks",
            description=f"The share of your picks taken from deck {deck}.",
            n=n_picks,
            value=result.deck_proportions[position],
            statistic=mean_of(picked),
        )
    return card.finish(PRIMARY, flags, trials.n_rows)
