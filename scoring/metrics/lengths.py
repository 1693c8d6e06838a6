"""Lengths (Probabilistic Reward Task): response bias and discriminability, EZ.

Contract: ``score(table, *, bootstrap=True, seed=0, planned_trials=None)`` takes the
game's trial table (columns of :data:`games.lengths.task.COLUMNS`; used:
``practice``, ``block``, ``rich``, ``correct_side``, ``response_side``, ``correct``,
``timeout``, ``rt_ms``) and returns a :class:`~scoring.metrics.types.GameScores`.
Practice trials (block 0) are left out.

Metrics (primary: ``log_b``), following Pizzagalli, Jahn & O'Shea (2005) via
:func:`scoring.prt.response_bias` (0.5 added to every cell):

* ``log_b`` – response bias towards the rich (more often rewarded) stimulus,
  ½·log10[(Rc·Li)/(Ri·Lc)], over all scored trials; ``log_b_block<k>`` per block.
* ``log_d`` – discriminability, ½·log10[(Rc·Lc)/(Ri·Li)]; ``log_d_block<k>``.
* ``accuracy_rich`` / ``accuracy_lean`` – proportion correct per stimulus type.
* ``ez_drift``, ``ez_boundary``, ``ez_nondecision`` – EZ-diffusion fitted
  separately to rich and lean trials with a response, averaged with their trial
  counts as weights (the reward asymmetry makes the two stimuli differ in
  accuracy and speed; one fit over both would mix two RT distributions).

Counts use trials with a response; time-outs are left out of the signal-detection
cells (they are neither response) and raise the ``omissions`` flag when frequent.
The default design's blocks 1–3 are always reported (NaN when absent).

CIs: bootstrap over trials within block × stimulus type (rich/lean).  Split
halves: alternate trials within the same cells.  Flags: ``no_trials``,
``incomplete``, ``omissions``, ``anticipations``, ``constant_rts``, ``side_bias``,
``ceiling`` / ``floor`` on overall accuracy.

Source:
    Pizzagalli, D. A., Jahn, A. L., & O'Shea, J. P. (2005). Toward an objective
    characterization of an anhedonic phenotype: A signal-detection approach.
    Biological Psychiatry, 57(4), 319–327.
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
    TrialTable,
    add_ez_metrics,
    code_sums,
    mean_of,
    quiet,
    silenced,
)
from scoring.metrics.quality import accuracy_flags, completeness_flags, rt_flags, side_bias_flags
from scoring.metrics.types import GameScores
from scoring.prt import response_bias

__all__ = ["DEFAULT_BLOCKS", "GAME_ID", "PRIMARY", "score"]

GAME_ID = "lengths"
PRIMARY = "log_b"
#: Main blocks of the default design (3 × 100 trials).
DEFAULT_BLOCKS = (1, 2, 3)
_COLUMNS: Mapping[str, Kind] = {
    "block": "float",
    "rich": "bool",
    "correct_side": "str",
    "response_side": "str",
    "correct": "bool",
    "timeout": "bool",
    "rt_ms": "float",
}


def _log10_half(count: NDArray[np.float64]) -> NDArray[np.float64]:
    logs: NDArray[np.float64] = np.log10(count + 0.5)
    return logs


@silenced
def score(
    table: Mapping[str, Any],
    *,
    bootstrap: bool = True,
    seed: int = 0,
    planned_trials: int | None = None,
    halves: bool = True,
) -> GameScores:
    """Score one Lengths run; see the module docstring."""
    trials = TrialTable(table, _COLUMNS)
    block = trials.float("block")
    rich = trials.bool("rich")
    correct = trials.bool("correct")
    rt = trials.float("rt_ms")
    responded = ~trials.bool("timeout") & np.isfinite(rt)
    hit = responded & correct
    miss = responded & ~correct
    cells = np.char.add(np.where(rich, "rich:", "lean:"), block.astype(np.str_))
    card = Scorecard(GAME_ID, trials.n_rows, cells, bootstrap=bootstrap, seed=seed, halves=halves)

    # Each trial's response cell: rich correct, rich incorrect, lean correct, lean
    # incorrect (0-3; -1 without a response), and its block's cells (4 per block).
    cell = np.select([hit & rich, miss & rich, hit & ~rich, miss & ~rich], [0, 1, 2, 3], -1)
    whole_blocks = block[np.isfinite(block) & (block >= 1) & (block == np.round(block))]
    blocks = sorted(set(DEFAULT_BLOCKS) | {int(b) for b in whole_blocks})
    position = {float(number): j for j, number in enumerate(blocks)}
    block_position = np.array([position.get(b, -1) for b in block.tolist()], dtype=np.intp)
    block_cell = np.where((cell >= 0) & (block_position >= 0), 4 * block_position + cell, -1)

    def add_bias_metrics(
        suffix: str, where: str, codes: NDArray[np.intp], k: int, offset: int
    ) -> None:
        """Add log b and log d over the trials whose response cells are ``codes``
        ``offset`` to ``offset + 3`` (of ``k``)."""
        counts = code_sums(card.whole, codes, k)[0, offset : offset + 4].tolist()
        fit = response_bias(*counts)
        n_scope = int(sum(counts))

        def cell_logs(sample: Sample) -> tuple[NDArray[np.float64], ...]:
            def compute() -> tuple[NDArray[np.float64], ...]:
                logs = _log10_half(code_sums(sample, codes, k)[:, offset : offset + 4])
                return tuple(logs[:, c] for c in range(4))

            logs: tuple[NDArray[np.float64], ...] = sample.memo(("prt", suffix), compute)
            return logs

        def log_b(sample: Sample) -> NDArray[np.float64]:
            rc, ri, lc, li = cell_logs(sample)
            return np.asarray(0.5 * (rc + li - ri - lc), dtype=np.float64)

        def log_d(sample: Sample) -> NDArray[np.float64]:
            rc, ri, lc, li = cell_logs(sample)
            return np.asarray(0.5 * (rc + lc - ri - li), dtype=np.float64)

        card.add(
            f"log_b{suffix}",
            unit="log10 ratio",
            description=(
                f"How much your answers{where} leaned towards the mouth that was rewarded "
                "more often (0 means no lean)."
            ),
            n=n_scope,
            value=fit.log_b,
            statistic=log_b,
            flags=fit.flags,
        )
        card.add(
            f"log_d{suffix}",
            unit="log10 ratio",
            description=f"How well you told the short and the long mouth apart{where}.",
            n=n_scope,
            value=fit.log_d,
            statistic=log_d,
            flags=fit.flags,
        )

    add_bias_metrics("", "", cell, 4, 0)
    for j, number in enumerate(blocks):
        add_bias_metrics(
            f"_block{number}", f" in block {number}", block_cell, 4 * len(blocks), 4 * j
        )

    hit_float = hit.astype(np.float64)
    for kind, mask in (("rich", rich & responded), ("lean", ~rich & responded)):
        n_kind = int(np.count_nonzero(mask))
        card.add(
            f"accuracy_{kind}",
            unit="proportion of trials",
            description=f"The share of {kind}-mouth trials you answered correctly.",
            n=n_kind,
            statistic=mean_of(hit_float, mask),
        )
    add_ez_metrics(
        card,
        correct,
        rt,
        responded,
        what="mouth-length",
        conditions=np.where(rich, "rich", "lean"),
    )
    with quiet():
        overall = float(np.mean(hit[responded])) if np.any(responded) else float("nan")
    flags = [
        *trials.flags,
        *completeness_flags(trials.n_rows, planned_trials),
        *rt_flags(rt, responded),
        *side_bias_flags(trials.str("response_side"), trials.str("correct_side")),
        *accuracy_flags(overall, int(np.count_nonzero(responded)), chance=0.5),
    ]
    return card.finish(PRIMARY, flags, trials.n_rows)
