"""Iowa Gambling Task: net scores overall and per block, deck proportions.

Contract: ``net_scores(decks, block_size=20)`` takes the deck of every pick in
order and returns a frozen :class:`IGTNetScores`.  Decks are the labels
``"A"``–``"D"`` (either case) or the integers 0–3 meaning A–D.  Following
Bechara et al. (1994) and the convention of reporting the task in blocks of
20 picks, the net score is

    net = (C + D) − (A + B)

the number of picks from the advantageous decks C and D minus those from the
disadvantageous decks A and B, over all picks (``overall``) and over each
consecutive block of ``block_size`` picks (``per_block``).  A final block
shorter than ``block_size`` is included and flagged ``"partial_last_block"``.

Total: no picks give ``overall`` NaN, empty ``per_block``, NaN proportions and
the flag ``"no_picks"``.  A label outside A–D / 0–3, or a ``block_size`` that
is not a positive integer, raises ``ValueError``: labels come from the game's
trial table, so a bad one is a bug to surface, not behaviour to score.

Source:
    Bechara, A., Damasio, A. R., Damasio, H., & Anderson, S. W. (1994).
    Insensitivity to future consequences following damage to human prefrontal
    cortex. Cognition, 50(1–3), 7–15.  doi:10.1016/0010-0277(94)90018-3
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["DECKS", "IGTNetScores", "net_scores"]

#: Deck labels in index order; C and D are the advantageous decks.
DECKS = ("A", "B", "C", "D")
# +1 for a pick from an advantageous deck, −1 for a disadvantageous one.
_NET_SIGN = np.array([-1, -1, 1, 1])


@dataclass(frozen=True, slots=True)
class IGTNetScores:
    """Net scores and deck use; proportions are in the order A, B, C, D."""

    overall: float
    per_block: tuple[float, ...]
    deck_counts: tuple[int, int, int, int]
    deck_proportions: tuple[float, float, float, float]
    n_picks: int
    flags: tuple[str, ...] = ()


def _deck_index(label: object, position: int) -> int:
    if isinstance(label, str) and label.upper() in DECKS:
        return DECKS.index(label.upper())
    if isinstance(label, np.integer):
        label = int(label)
    if isinstance(label, int) and not isinstance(label, bool) and 0 <= label <= 3:
        return label
    raise ValueError(f"pick {position}: deck must be one of 'A'-'D' or 0-3, got {label!r}")


def net_scores(decks: Iterable[object], block_size: int = 20) -> IGTNetScores:
    """(C + D) − (A + B) overall and per block of ``block_size`` picks."""
    if (
        isinstance(block_size, bool)
        or not isinstance(block_size, int | np.integer)
        or block_size < 1
    ):
        raise ValueError(f"block_size must be a positive integer, got {block_size!r}")
    if isinstance(decks, str):
        raise ValueError("decks must be a sequence of labels, not one string")
    picks: NDArray[np.int64] = np.array(
        [_deck_index(label, position) for position, label in enumerate(decks)],
        dtype=np.int64,
    )
    n_picks = int(picks.shape[0])
    counts = np.bincount(picks, minlength=4)
    deck_counts = (int(counts[0]), int(counts[1]), int(counts[2]), int(counts[3]))
    if n_picks == 0:
        nan = float("nan")
        return IGTNetScores(nan, (), deck_counts, (nan, nan, nan, nan), 0, ("no_picks",))

    signs = _NET_SIGN[picks]
    size = int(block_size)
    per_block = tuple(
        float(np.sum(signs[start : start + size])) for start in range(0, n_picks, size)
    )
    flags = ("partial_last_block",) if n_picks % size else ()
    proportions = counts / n_picks
    return IGTNetScores(
        overall=float(np.sum(signs)),
        per_block=per_block,
        deck_counts=deck_counts,
        deck_proportions=(
            float(proportions[0]),
            float(proportions[1]),
            float(proportions[2]),
            float(proportions[3]),
        ),
        n_picks=n_picks,
        flags=flags,
    )
