"""Probabilistic Reward Task: response bias (log b) and discriminability (log d).

Contract: ``response_bias(rich_correct, rich_incorrect, lean_correct,
lean_incorrect)`` takes the four response counts of one block (or session) and
returns a frozen :class:`ResponseBias`.  Following Pizzagalli, Jahn & O'Shea
(2005), 0.5 is added to every cell so that no count is zero, then

    log b = ½ · log10[(Rc · Li) / (Ri · Lc)]
    log d = ½ · log10[(Rc · Lc) / (Ri · Li)]

where R/L are rich/lean stimuli and c/i correct/incorrect responses.  Positive
log b is a bias towards the response paired with the rich (more often
rewarded) stimulus; larger log d is better discrimination of the stimuli.

Total: counts that are negative, NaN or infinite give NaN and the flag
``"invalid_count"``; a stimulus class with no trials gives NaN and
``"no_rich_trials"`` / ``"no_lean_trials"``.  Non-numbers raise ``TypeError``.

Source:
    Pizzagalli, D. A., Jahn, A. L., & O'Shea, J. P. (2005). Toward an objective
    characterization of an anhedonic phenotype: A signal-detection approach.
    Biological Psychiatry, 57(4), 319–327.  doi:10.1016/j.biopsych.2004.11.026
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scoring._checks import real_scalar

__all__ = ["ResponseBias", "response_bias"]

_NAN = float("nan")


@dataclass(frozen=True, slots=True)
class ResponseBias:
    """Response bias and discriminability, plus the raw accuracy per stimulus.

    ``rich_accuracy`` and ``lean_accuracy`` are uncorrected proportions correct
    (NaN when that stimulus had no trials).
    """

    log_b: float
    log_d: float
    rich_accuracy: float
    lean_accuracy: float
    n_rich: float
    n_lean: float
    flags: tuple[str, ...] = ()


def response_bias(
    rich_correct: float, rich_incorrect: float, lean_correct: float, lean_incorrect: float
) -> ResponseBias:
    """log b and log d with 0.5 added to every cell (Pizzagalli et al. 2005).

    Raises ``TypeError`` if a count is not a real number.
    """
    counts = [
        real_scalar(rich_correct, "rich_correct"),
        real_scalar(rich_incorrect, "rich_incorrect"),
        real_scalar(lean_correct, "lean_correct"),
        real_scalar(lean_incorrect, "lean_incorrect"),
    ]
    if not all(math.isfinite(count) and count >= 0 for count in counts):
        return ResponseBias(_NAN, _NAN, _NAN, _NAN, _NAN, _NAN, ("invalid_count",))
    rc, ri, lc, li = counts
    n_rich = rc + ri
    n_lean = lc + li
    flags: list[str] = []
    if n_rich == 0:
        flags.append("no_rich_trials")
    if n_lean == 0:
        flags.append("no_lean_trials")
    rich_accuracy = _proportion(rc, ri)
    lean_accuracy = _proportion(lc, li)
    if flags:
        return ResponseBias(_NAN, _NAN, rich_accuracy, lean_accuracy, n_rich, n_lean, tuple(flags))
    # Sums of logs rather than log of products: products of huge counts overflow.
    log_rc, log_ri, log_lc, log_li = (math.log10(count + 0.5) for count in counts)
    return ResponseBias(
        log_b=0.5 * (log_rc + log_li - log_ri - log_lc),
        log_d=0.5 * (log_rc + log_lc - log_ri - log_li),
        rich_accuracy=rich_accuracy,
        lean_accuracy=lean_accuracy,
        n_rich=n_rich,
        n_lean=n_lean,
    )


def _proportion(part: float, rest: float) -> float:
    """part / (part + rest), NaN if both are 0; scaled first so huge counts cannot overflow."""
    largest = max(part, rest)
    if largest == 0:
        return _NAN
    return (part / largest) / (part / largest + rest / largest)
