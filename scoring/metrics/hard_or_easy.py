"""Hard or Easy (EEfRT): hard-task choices overall, by probability, and their sensitivity.

Contract: ``score(table, *, bootstrap=True, seed=0, planned_trials=None)`` takes the
game's trial table (columns of :data:`games.hard_or_easy.task.COLUMNS`; used:
``practice``, ``probability``, ``reward_hard``, ``reward_easy``, ``chosen``,
``choice_assigned``, ``completed``) and returns a
:class:`~scoring.metrics.types.GameScores`.  Practice trials are left out.  A
``probability`` outside 0..1 (or NaN) leaves its trial out of the per-probability
metrics and the slope, flagged ``invalid_values:probability``.

Metrics (primary: ``proportion_hard``), after Treadway et al. (2009):

* ``proportion_hard`` – share of the candidate's own choices that went to the hard
  task; trials where the choice time ran out and a task was assigned at random are
  not choices and are left out (flag ``choices_assigned``).
* ``proportion_hard_p<q>`` – the same at each win probability (q in percent); the
  default design's 12, 50 and 88% are always reported.
* ``reward_sensitivity`` – slope of a logistic regression of choosing hard on the
  expected extra reward of the hard task, x = probability × (hard reward − easy
  reward), in log-odds per currency unit.  Fitted by Firth's (1993) penalised
  likelihood, which keeps the estimate finite when the choices are perfectly
  separated by x (common with 24 trials and a consistent chooser); such data are
  flagged ``separation``.  No variation in the choices (all hard or all easy) or in
  x gives NaN (``no_choice_variation`` / ``no_predictor_variation``); a fit that
  does not converge gives NaN and ``fit_failed``.
* ``hard_completion_rate`` – share of hard tasks (chosen or assigned) completed in
  time: whether the hard task was within reach.

CIs: bootstrap over trials within probability level.  Split halves: alternate
trials within probability level.  Flags: ``no_trials``, ``incomplete``,
``choices_assigned`` (any choice assigned at random), ``tasks_not_completed`` (a
chosen task was not completed: SCIENCE.md asks for these trials to be flagged).

Sources:
    Treadway, M. T., Buckholtz, J. W., Schwartzman, A. N., Lambert, W. E., & Zald,
    D. H. (2009). Worth the 'EEfRT'? The effort expenditure for rewards task as an
    objective measure of motivation and anhedonia. PLoS ONE, 4(8), e6598.
    Firth, D. (1993). Bias reduction of maximum likelihood estimates.
    Biometrika, 80(1), 27–38.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from scoring.metrics._engine import Kind, Sample, Scorecard, TrialTable, mean_of, quiet, silenced
from scoring.metrics.quality import completeness_flags
from scoring.metrics.types import GameScores

__all__ = [
    "DEFAULT_PROBABILITIES",
    "GAME_ID",
    "PRIMARY",
    "firth_logistic_slope",
    "score",
]

GAME_ID = "hard_or_easy"
PRIMARY = "proportion_hard"
#: Win probabilities of the default design.
DEFAULT_PROBABILITIES = (0.12, 0.50, 0.88)
_MAX_ITERATIONS = 100
_TOLERANCE = 1e-8
_MAX_STEP = 5.0  # cap on a Newton step (log-odds units) to keep early steps stable
#: One replicate of at most this many trials is fitted with plain floats.
_SCALAR_MAX_TRIALS = 64
#: Up to this many rows (the whole table, split halves) each is fitted with floats.
_SCALAR_MAX_ROWS = 4
_COLUMNS: Mapping[str, Kind] = {
    "probability": "float",
    "reward_hard": "float",
    "reward_easy": "float",
    "chosen": "str",
    "choice_assigned": "bool",
    "completed": "bool",
}


def firth_logistic_slope(
    x: NDArray[np.float64], y: NDArray[np.bool_], used: NDArray[np.bool_]
) -> NDArray[np.float64]:
    """Firth-penalised logistic slope of ``y`` on ``x``, one fit per row.

    ``x``, ``y`` and ``used`` are replicate × trial matrices; trials outside
    ``used`` are ignored.  Newton–Raphson on Firth's modified score
    U*(β) = Σ (yᵢ − pᵢ + hᵢ(½ − pᵢ)) xᵢ, with hᵢ the diagonal of the weighted hat
    matrix, from β = 0, steps capped at 5.  Rows with no variation in y or x, or that
    do not converge in 100 iterations, give NaN.
    """
    rows = x.shape[0]
    if rows <= _SCALAR_MAX_ROWS and x.shape[1] <= _SCALAR_MAX_TRIALS:
        return np.array(
            [_firth_slope_one(x[row], y[row], used[row]) for row in range(rows)],
            dtype=np.float64,
        )
    weight = used.astype(np.float64)
    xs = np.where(used, x, 0.0)
    ys = np.where(used, y, False).astype(np.float64)
    n_used = weight.sum(axis=1)
    y_sum = ys.sum(axis=1)
    with quiet():
        x_mean = xs.sum(axis=1) / n_used
        x_spread = np.where(used, (x - x_mean[:, np.newaxis]) ** 2, 0.0).sum(axis=1)
    fittable = (n_used >= 2) & (y_sum > 0) & (y_sum < n_used) & (x_spread > 1e-12)
    intercept = np.zeros(rows)
    slope = np.zeros(rows)
    converged = np.zeros(rows, dtype=np.bool_)
    active = np.flatnonzero(fittable)
    with quiet():
        for _ in range(_MAX_ITERATIONS):
            if active.shape[0] == 0:
                break
            xa, wa, ya = xs[active], weight[active], ys[active]
            p = expit(intercept[active, np.newaxis] + slope[active, np.newaxis] * xa)
            w = wa * p * (1.0 - p)
            i00 = w.sum(axis=1)
            i01 = (w * xa).sum(axis=1)
            i11 = (w * xa * xa).sum(axis=1)
            det = i00 * i11 - i01 * i01
            inv00, inv01, inv11 = i11 / det, -i01 / det, i00 / det
            # hat diagonal h_i = w_i [1, x_i] I^-1 [1, x_i]^T
            h = w * (
                inv00[:, np.newaxis]
                + 2.0 * inv01[:, np.newaxis] * xa
                + inv11[:, np.newaxis] * xa * xa
            )
            residual = wa * (ya - p + h * (0.5 - p))
            u0 = residual.sum(axis=1)
            u1 = (residual * xa).sum(axis=1)
            step0 = inv00 * u0 + inv01 * u1
            step1 = inv01 * u0 + inv11 * u1
            largest = np.maximum(np.abs(step0), np.abs(step1))
            ok = np.isfinite(largest)
            scale = np.where(largest > _MAX_STEP, _MAX_STEP / largest, 1.0)
            intercept[active] += np.where(ok, scale * step0, 0.0)
            slope[active] += np.where(ok, scale * step1, 0.0)
            done = ok & (largest < _TOLERANCE)
            converged[active[done]] = True
            active = active[ok & ~done]
    estimates: NDArray[np.float64] = np.where(fittable & converged, slope, np.nan)
    return estimates


def _firth_slope_one(
    x: NDArray[np.float64], y: NDArray[np.bool_], used: NDArray[np.bool_]
) -> float:
    """:func:`firth_logistic_slope` of one replicate, with plain floats.

    The same iteration, start, step cap and stopping rule; for a few dozen trials a
    float loop costs a fraction of numpy's per-call overhead.
    """
    xs = [float(v) for v, u in zip(x.tolist(), used.tolist(), strict=True) if u]
    ys = [1.0 if bool(v) else 0.0 for v, u in zip(y.tolist(), used.tolist(), strict=True) if u]
    n_used = len(xs)
    y_sum = sum(ys)
    if n_used < 2 or not 0.0 < y_sum < n_used:
        return math.nan
    x_mean = sum(xs) / n_used
    # d * d, not d ** 2: a float power raises OverflowError where a product gives inf
    if not sum((v - x_mean) * (v - x_mean) for v in xs) > 1e-12:
        return math.nan
    intercept = slope = 0.0
    for _ in range(_MAX_ITERATIONS):
        probabilities: list[float] = []
        weights: list[float] = []
        i00 = i01 = i11 = 0.0
        for v in xs:
            z = intercept + slope * v
            if z >= 0.0:
                p = 1.0 / (1.0 + math.exp(-z))
            else:
                e = math.exp(z)
                p = e / (1.0 + e)
            w = p * (1.0 - p)
            probabilities.append(p)
            weights.append(w)
            i00 += w
            i01 += w * v
            i11 += w * v * v
        det = i00 * i11 - i01 * i01
        if det == 0.0 or not math.isfinite(det):
            return math.nan
        inv00, inv01, inv11 = i11 / det, -i01 / det, i00 / det
        u0 = u1 = 0.0
        for v, observed, p, w in zip(xs, ys, probabilities, weights, strict=True):
            h = w * (inv00 + 2.0 * inv01 * v + inv11 * v * v)
            residual = observed - p + h * (0.5 - p)
            u0 += residual
            u1 += residual * v
        step0 = inv00 * u0 + inv01 * u1
        step1 = inv01 * u0 + inv11 * u1
        largest = max(abs(step0), abs(step1))
        if not math.isfinite(largest):
            return math.nan
        scale = _MAX_STEP / largest if largest > _MAX_STEP else 1.0
        intercept += scale * step0
        slope += scale * step1
        if largest < _TOLERANCE:
            return slope
    return math.nan


def _separated(x: NDArray[np.float64], y: NDArray[np.bool_]) -> bool:
    """True when a threshold on x splits the choices (complete or quasi-complete)."""
    if not (np.any(y) and np.any(~y)):
        return False
    return bool(np.max(x[~y]) <= np.min(x[y]) or np.max(x[y]) <= np.min(x[~y]))


@silenced
def score(
    table: Mapping[str, Any],
    *,
    bootstrap: bool = True,
    seed: int = 0,
    planned_trials: int | None = None,
    halves: bool = True,
) -> GameScores:
    """Score one Hard or Easy run; see the module docstring."""
    trials = TrialTable(table, _COLUMNS)
    probability = trials.float("probability")
    chosen = trials.str("chosen")
    assigned = trials.bool("choice_assigned")
    completed = trials.bool("completed")
    hard = chosen == "hard"
    chose = ~assigned & ((chosen == "hard") | (chosen == "easy"))
    valid_probability = (probability >= 0.0) & (probability <= 1.0)
    level = np.where(valid_probability, np.round(probability, 4), -1.0)
    card = Scorecard(GAME_ID, trials.n_rows, level, bootstrap=bootstrap, seed=seed, halves=halves)

    hard_float = hard.astype(np.float64)
    n_choices = int(np.count_nonzero(chose))
    card.add(
        PRIMARY,
        unit="proportion of choices",
        description="The share of your choices that went to the harder, better-paid task.",
        n=n_choices,
        statistic=mean_of(hard_float, chose),
    )
    levels = sorted({round(p, 4) for p in DEFAULT_PROBABILITIES} | set(level[chose].tolist()))
    for value in levels:
        if value < 0:
            continue
        at_level = chose & (level == value)
        n_level = int(np.count_nonzero(at_level))
        card.add(
            f"proportion_hard_p{round(value * 100)}",
            unit="proportion of choices",
            description=(
                f"The share of your choices that went to the harder task when the chance "
                f"of winning was {round(value * 100)}%."
            ),
            n=n_level,
            statistic=mean_of(hard_float, at_level),
            flags=() if n_level else ("level_not_offered",),
        )

    extra = np.where(
        valid_probability,
        probability * (trials.float("reward_hard") - trials.float("reward_easy")),
        np.nan,
    )
    in_fit = chose & np.isfinite(extra)

    def sensitivity(sample: Sample) -> NDArray[np.float64]:
        return firth_logistic_slope(sample.take(extra), sample.take(hard), sample.take(in_fit))

    slope_flags: list[str] = []
    if not (np.any(hard & in_fit) and np.any(~hard & in_fit)):
        slope_flags.append("no_choice_variation")
    elif np.ptp(extra[in_fit]) <= 1e-12:
        slope_flags.append("no_predictor_variation")
    elif _separated(extra[in_fit], hard[in_fit]):
        slope_flags.append("separation")
    slope = card.add(
        "reward_sensitivity",
        unit="log-odds per currency unit",
        description=(
            "How strongly your choice of the harder task followed its expected extra "
            "reward (chance of winning times extra pay)."
        ),
        n=int(np.count_nonzero(in_fit)),
        statistic=sensitivity,
        flags=slope_flags,
    )
    if not slope_flags and not np.isfinite(slope.value):
        card.add(
            "reward_sensitivity",
            unit=slope.unit,
            description=slope.description,
            n=slope.n,
            statistic=sensitivity,
            flags=("fit_failed",),
        )
    completed_float = completed.astype(np.float64)
    n_hard = int(np.count_nonzero(hard))
    card.add(
        "hard_completion_rate",
        unit="proportion of hard tasks",
        description="The share of the harder tasks you took on that you finished in time.",
        n=n_hard,
        statistic=mean_of(completed_float, hard),
        flags=() if n_hard else ("no_hard_tasks",),
    )
    flags = [*trials.flags, *completeness_flags(trials.n_rows, planned_trials)]
    if not np.all(valid_probability):
        flags.append("invalid_values:probability")
    if np.any(assigned):
        flags.append("choices_assigned")
    if np.any(~completed):
        flags.append("tasks_not_completed")
    return card.finish(PRIMARY, flags, trials.n_rows)
