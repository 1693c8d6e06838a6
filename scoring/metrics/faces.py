"""Faces (facial emotion recognition): accuracy, unbiased hit rates, confusion matrix.

Contract: ``score(table, *, bootstrap=True, seed=0, planned_trials=None)`` takes the
game's trial table (columns of :data:`games.faces.task.COLUMNS`; used: ``practice``,
``emotion``, ``intensity``, ``choice``, ``correct``, ``timeout``, ``rt_ms``) and
returns a :class:`~scoring.metrics.types.GameScores` whose ``matrices["confusion"]``
is the confusion matrix.  Practice trials are left out.

The confusion matrix counts, for every emotion shown (rows), how often each option
was chosen (columns), plus a last column ``"none"`` for time-outs.  Categories are
the six basic emotions and neutral in a fixed order, then any other label found in
the data.

Metrics (primary: ``unbiased_hit_rate``):

* ``accuracy`` – share of faces labelled correctly (a time-out counts as a miss);
  ``accuracy_<emotion>`` per emotion shown.
* ``unbiased_hit_rate_<emotion>`` – Wagner's (1993) unbiased hit rate
  Hu = n_ii² / (n_i· × n_·i): hits squared over the number of faces of that
  emotion shown (row total, time-outs included) times the number of times its
  label was chosen (column total).  It is the product of the hit rate and of the
  share of that label's uses that were right, so answering "happy" to every face
  no longer earns a perfect score for happiness.  Hu = 0 when the label was never
  chosen; NaN when the emotion was never shown.
* ``unbiased_hit_rate`` – the mean of Hu over the emotions shown.
* ``rt_correct_ms`` – mean RT of correct choices.

Per-emotion metrics of the default design's seven categories are always reported
(NaN when absent).  CIs: bootstrap over trials within emotion × intensity cells.
Split halves: alternate trials within the same cells.  Flags: ``no_trials``,
``incomplete``, ``omissions``, ``anticipations``, ``constant_rts``, ``ceiling``
(accuracy ≥ 98%), ``floor`` (accuracy within 10 points of guessing),
``same_choice`` (one option took half or more of the choices: a multiple-choice
analogue of a side bias).

Source:
    Wagner, H. L. (1993). On measuring performance in category judgment studies of
    nonverbal behavior. Journal of Nonverbal Behavior, 17(1), 3–28.
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
    code_sums,
    mean_of,
    quiet,
    silenced,
)
from scoring.metrics.quality import accuracy_flags, completeness_flags, rt_flags
from scoring.metrics.types import GameScores, LabelledMatrix

__all__ = ["CATEGORIES", "GAME_ID", "PRIMARY", "confusion_matrix", "score", "unbiased_hit_rates"]

GAME_ID = "faces"
PRIMARY = "unbiased_hit_rate"
#: The default design's categories, in report order.
CATEGORIES = ("anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral")
NO_CHOICE = "none"
_COLUMNS: Mapping[str, Kind] = {
    "emotion": "str",
    "intensity": "float",
    "choice": "str",
    "correct": "bool",
    "timeout": "bool",
    "rt_ms": "float",
}


def confusion_matrix(
    emotion: NDArray[np.str_], choice: NDArray[np.str_], categories: tuple[str, ...]
) -> NDArray[np.float64]:
    """Counts: rows = emotion shown, columns = option chosen, last column = no choice."""
    matrix = np.zeros((len(categories), len(categories) + 1))
    index = {label: i for i, label in enumerate(categories)}
    for shown, chosen in zip(emotion.tolist(), choice.tolist(), strict=True):
        row = index.get(shown)
        if row is None:
            continue
        matrix[row, index.get(chosen, len(categories))] += 1
    return matrix


def unbiased_hit_rates(matrix: NDArray[np.float64]) -> NDArray[np.float64]:
    """Wagner's Hu per row of a square-plus-"none" confusion matrix (see module docstring).

    ``matrix[i, j]`` counts faces of category i answered with category j; the last
    column (no choice) adds to the row totals only.
    """
    k = matrix.shape[0]
    hits = np.diagonal(matrix[:, :k])
    shown = matrix.sum(axis=1)
    chosen = matrix[:, :k].sum(axis=0)
    with quiet():
        hu = np.where(chosen > 0, hits**2 / (shown * chosen), 0.0)
    rates: NDArray[np.float64] = np.where(shown > 0, hu, np.nan)
    return rates


def _categories(emotion: NDArray[np.str_], choice: NDArray[np.str_]) -> tuple[str, ...]:
    seen = (set(emotion.tolist()) | set(choice.tolist())) - {"", *CATEGORIES}
    return (*CATEGORIES, *sorted(seen))


@silenced
def score(
    table: Mapping[str, Any],
    *,
    bootstrap: bool = True,
    seed: int = 0,
    planned_trials: int | None = None,
    halves: bool = True,
) -> GameScores:
    """Score one Faces run; see the module docstring."""
    trials = TrialTable(table, _COLUMNS)
    emotion = trials.str("emotion")
    choice = trials.str("choice")
    intensity = trials.float("intensity")
    correct = trials.bool("correct")
    rt = trials.float("rt_ms")
    responded = ~trials.bool("timeout") & (choice != "")
    categories = _categories(emotion, choice)
    cells = np.char.add(np.char.add(emotion, ":"), intensity.astype(np.str_))
    card = Scorecard(GAME_ID, trials.n_rows, cells, bootstrap=bootstrap, seed=seed, halves=halves)

    matrix = confusion_matrix(emotion, np.where(responded, choice, NO_CHOICE), categories)
    card.add_matrix(
        "confusion",
        LabelledMatrix(
            rows=categories,
            columns=(*categories, NO_CHOICE),
            values=tuple(tuple(float(v) for v in row) for row in matrix),
            description="How often each option was chosen (columns) for each emotion shown.",
        ),
    )
    # per trial, the category shown, the category chosen and the category hit (-1: none)
    index = {label: i for i, label in enumerate(categories)}
    k = len(categories)
    shown_code = np.array([index.get(e, -1) for e in emotion.tolist()], dtype=np.intp)
    chosen_code = np.where(
        responded, np.array([index.get(c, -1) for c in choice.tolist()], dtype=np.intp), -1
    )
    hit_code = np.where((shown_code >= 0) & (shown_code == chosen_code), shown_code, -1)

    def hu_per_category(sample: Sample) -> NDArray[np.float64]:
        def compute() -> NDArray[np.float64]:
            hits = code_sums(sample, hit_code, k)
            shown = code_sums(sample, shown_code, k)
            chosen = code_sums(sample, chosen_code, k)
            with quiet():
                hu = np.where(chosen > 0, hits**2 / (shown * chosen), 0.0)
            rates: NDArray[np.float64] = np.where(shown > 0, hu, np.nan)
            return rates

        rates: NDArray[np.float64] = sample.memo("hu", compute)
        return rates

    def category_hu(position: int) -> Statistic:
        return lambda sample: hu_per_category(sample)[:, position]

    def mean_hu(sample: Sample) -> NDArray[np.float64]:
        rates = hu_per_category(sample)
        defined = np.isfinite(rates)
        with quiet():
            means: NDArray[np.float64] = np.where(defined, rates, 0.0).sum(axis=1) / defined.sum(1)
        return means

    presented = int(np.count_nonzero(np.isin(emotion, categories)))
    card.add(
        PRIMARY,
        unit="proportion",
        description=(
            "How often you named each emotion correctly, corrected for how often you "
            "used each label, averaged over the emotions."
        ),
        n=presented,
        statistic=mean_hu,
    )
    hit_float = (correct & responded).astype(np.float64)

    def category_accuracy(position: int) -> Statistic:
        def statistic(sample: Sample) -> NDArray[np.float64]:
            shown = code_sums(sample, shown_code, k)[:, position]
            hits = code_sums(sample, shown_code, k, hit_float)[:, position]
            with quiet():
                rates: NDArray[np.float64] = np.where(shown > 0, hits / shown, np.nan)
            return rates

        return statistic

    accuracy = card.add(
        "accuracy",
        unit="proportion of faces",
        description="The share of faces whose emotion you named correctly.",
        n=trials.n_rows,
        statistic=mean_of(hit_float),
    )
    for position, label in enumerate(categories):
        n_shown = int(np.count_nonzero(shown_code == position))
        flags = () if n_shown else ("emotion_not_shown",)
        card.add(
            f"accuracy_{label}",
            unit="proportion of faces",
            description=f"The share of {label} faces you named correctly.",
            n=n_shown,
            statistic=category_accuracy(position),
            flags=flags,
        )
        card.add(
            f"unbiased_hit_rate_{label}",
            unit="proportion",
            description=(
                f"How often you named {label} correctly, corrected for how often you "
                f"chose the {label} label."
            ),
            n=n_shown,
            statistic=category_hu(position),
            flags=flags,
        )
    correct_rt: NDArray[np.float64] = np.where(correct & responded, rt, np.nan)
    card.add(
        "rt_correct_ms",
        unit="ms",
        description="Your average time to name an emotion correctly.",
        n=int(np.count_nonzero(np.isfinite(correct_rt))),
        statistic=mean_of(correct_rt),
    )
    flags_out = [
        *trials.flags,
        *completeness_flags(trials.n_rows, planned_trials),
        *rt_flags(rt, responded),
    ]
    n_options = len(set(emotion.tolist()) & set(categories)) or len(CATEGORIES)
    flags_out.extend(accuracy_flags(accuracy.value, trials.n_rows, chance=1.0 / n_options))
    answered = choice[responded]
    if answered.shape[0] >= 10:
        _, counts = np.unique(answered, return_counts=True)
        if counts.max() >= 0.5 * answered.shape[0] and n_options > 2:
            flags_out.append("same_choice")
    return card.finish(PRIMARY, flags_out, trials.n_rows)
