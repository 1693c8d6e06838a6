"""Reversal (probabilistic reversal learning): win-stay, lose-shift, perseveration, RL model.

Contract: ``score(table, *, bootstrap=True, seed=0, planned_trials=None)`` takes the
game's trial table (columns of :data:`games.reversal.task.COLUMNS`; used:
``practice``, ``choice``, ``correct``, ``reward``, ``phase``, ``correct_option``) and returns a
:class:`~scoring.metrics.types.GameScores`.  Practice rows are left out; rows whose
``choice`` is not 0 or 1 are left out and flagged ``invalid_values:choice``.

Metric names (published for the trait layer; primary ``learning_rate``):

``learning_rate``
    Rescorla–Wagner learning rate α (0–1), fitted per candidate by maximum a
    posteriori (MAP) under the empirical prior :data:`NORM_PRIOR`.  The model: values
    ``Q_A = Q_B = 0.5`` at the start; ``P(B) = sigmoid(β · (Q_B − Q_A))``; after each
    trial the chosen option's value moves ``Q += α · (r − Q)`` with ``r`` 1 for a win,
    0 otherwise.  Fitted on ``logit α`` and ``log β`` with Gaussian priors, as
    Waltmann et al. (2022) fit their models with empirical priors from their own
    sample.  No bootstrap CI (trials of a learner are not exchangeable; flag
    ``no_bootstrap_ci``); the split halves are the first and second half of the game,
    fitted separately.  Flag ``too_few_trials`` below :data:`MIN_FIT_TRIALS` trials.
``inverse_temperature``
    The softmax inverse temperature β of the same fit (choice consistency).
``win_stay``
    Share of trials after a win on which the same option was chosen again.
``lose_shift``
    Share of trials after a non-win on which the other option was chosen.
``perseverative_errors``
    Per reversal, the number of consecutive choices of the previously correct option
    from the first trial after the reversal on (mean over the reversals met).
``accuracy``
    Share of choices of the correct option.
``reversals``
    Number of reversals the candidate's performance reached (count; no CI).

CIs (other than the model's): bootstrap over trials within phases; split halves
alternate trials within phases.

The empirical prior.  :data:`NORM_PRIOR` holds the means and SDs of ``logit α`` and
``log β`` across a norm sample; :func:`empirical_prior` computes them from a norm
sample's maximum-likelihood fits (the first step of Waltmann et al.'s procedure), and
is what an admin's norm rebuild should call.  The values here come from the
provisional norm sample: 400 simulated candidates of the population in
:mod:`games.reversal.bot` playing the default design, fitted by maximum likelihood
with α and β bounded (0.01–0.99, 0.1–30) and SDs floored at 0.3.  Rebuild them from
real candidates when norms from real sessions exist.

Sources:
    Waltmann, M., Schlagenhauf, F., & Deserno, L. (2022). Sufficient reliability of
    the behavioral and computational readouts of a probabilistic reversal learning
    task. Behavior Research Methods, 54, 2993–3014.
    Rescorla, R. A., & Wagner, A. R. (1972). A theory of Pavlovian conditioning.
    In Black & Prokasy (Eds.), Classical Conditioning II (pp. 64–99).
    den Ouden, H. E. M., et al. (2013). Dissociable effects of dopamine and
    serotonin on reversal learning. Neuron, 80, 1090–1100.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from scoring.metrics._engine import Kind, Sample, Scorecard, TrialTable, mean_of
from scoring.metrics._engine import silenced as _silenced
from scoring.metrics.quality import completeness_flags
from scoring.metrics.types import GameScores

__all__ = [
    "GAME_ID",
    "MIN_FIT_TRIALS",
    "NORM_PRIOR",
    "PRIMARY",
    "RLFit",
    "RLPrior",
    "empirical_prior",
    "fit_rl",
    "rl_log_likelihood",
    "score",
]

GAME_ID = "reversal"
PRIMARY = "learning_rate"
#: Fewer scored trials than this give no model fit (NaN, flag ``too_few_trials``).
MIN_FIT_TRIALS = 20
_COLUMNS: Mapping[str, Kind] = {
    "choice": "float",
    "correct": "bool",
    "reward": "bool",
    "phase": "float",
    "correct_option": "float",
}
_ALPHA_BOUNDS = (1e-3, 1.0 - 1e-3)
_BETA_BOUNDS = (1e-2, 50.0)


@dataclass(frozen=True, slots=True)
class RLPrior:
    """Gaussian priors on ``logit α`` and ``log β``."""

    logit_alpha_mean: float
    logit_alpha_sd: float
    log_beta_mean: float
    log_beta_sd: float


#: The empirical prior from the provisional norm sample (see the module docstring).
NORM_PRIOR = RLPrior(
    logit_alpha_mean=-0.52, logit_alpha_sd=1.11, log_beta_mean=1.62, log_beta_sd=0.55
)


@dataclass(frozen=True, slots=True)
class RLFit:
    """A Rescorla–Wagner / softmax fit: α, β and the log likelihood at them."""

    learning_rate: float
    inverse_temperature: float
    log_likelihood: float
    n_trials: int


def _to_params(theta: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(alpha, beta)`` arrays from an ``(n, 2)`` array of ``(logit α, log β)``."""
    alpha = 1.0 / (1.0 + np.exp(-theta[:, 0]))
    beta = np.exp(theta[:, 1])
    return (
        np.clip(alpha, *_ALPHA_BOUNDS).astype(np.float64),
        np.clip(beta, *_BETA_BOUNDS).astype(np.float64),
    )


def rl_log_likelihood(
    choices: NDArray[Any],
    rewards: NDArray[Any],
    alpha: NDArray[np.float64] | float,
    beta: NDArray[np.float64] | float,
) -> NDArray[np.float64]:
    """Log likelihood of ``choices`` (0/1) under the Rescorla–Wagner / softmax model.

    ``alpha`` and ``beta`` may be arrays of equal shape (one value per candidate
    parameter pair); the result has that shape.  ``rewards`` are 0/1 per trial.
    """
    a = np.atleast_1d(np.asarray(alpha, dtype=np.float64))
    b = np.atleast_1d(np.asarray(beta, dtype=np.float64))
    c = np.asarray(choices, dtype=np.int64)
    r = np.asarray(rewards, dtype=np.float64)
    q = np.full((2, a.shape[0]), 0.5)
    total = np.zeros(a.shape[0])
    for t in range(c.shape[0]):
        z = b * (q[1] - q[0])
        # log sigmoid(z) for B, log sigmoid(-z) for A, computed stably
        signed = z if c[t] == 1 else -z
        total -= np.logaddexp(0.0, -signed)
        q[c[t]] += a * (r[t] - q[c[t]])
    return total


def _neg_log_posterior(
    theta: NDArray[np.float64], choices: NDArray[Any], rewards: NDArray[Any], prior: RLPrior | None
) -> NDArray[np.float64]:
    alpha, beta = _to_params(theta)
    value = -rl_log_likelihood(choices, rewards, alpha, beta)
    if prior is not None:
        value += 0.5 * ((theta[:, 0] - prior.logit_alpha_mean) / prior.logit_alpha_sd) ** 2
        value += 0.5 * ((theta[:, 1] - prior.log_beta_mean) / prior.log_beta_sd) ** 2
    return value


def fit_rl(
    choices: NDArray[Any], rewards: NDArray[Any], prior: RLPrior | None = NORM_PRIOR
) -> RLFit:
    """MAP fit of α and β (maximum likelihood when ``prior`` is ``None``).

    A coarse grid over ``logit α`` (−4..4) and ``log β`` (−2..3.5) finds the start;
    Nelder–Mead refines it (bounded: α 0.0015–0.9985, β 0.011–49).  Deterministic.
    """
    c = np.asarray(choices, dtype=np.int64)
    r = np.asarray(rewards, dtype=np.float64)
    grid_a = np.linspace(-4.0, 4.0, 13)
    grid_b = np.linspace(-2.0, 3.5, 10)
    mesh = np.array([(x, y) for x in grid_a for y in grid_b], dtype=np.float64)
    values = _neg_log_posterior(mesh, c, r, prior)
    start = mesh[int(np.argmin(values))]

    pairs = list(zip(c.tolist(), r.tolist(), strict=True))

    def objective(theta: NDArray[np.float64]) -> float:
        # One parameter pair: a plain float loop is much faster than numpy here.
        x, y = float(theta[0]), float(theta[1])
        alpha = min(max(1.0 / (1.0 + math.exp(-x)), _ALPHA_BOUNDS[0]), _ALPHA_BOUNDS[1])
        beta = min(max(math.exp(y), _BETA_BOUNDS[0]), _BETA_BOUNDS[1])
        q_a = q_b = 0.5
        total = 0.0
        for choice, outcome in pairs:
            z = beta * (q_b - q_a)
            signed = z if choice == 1 else -z
            # -log sigmoid(signed), stably
            total += math.log1p(math.exp(-signed)) if signed > -30.0 else -signed
            if choice == 1:
                q_b += alpha * (outcome - q_b)
            else:
                q_a += alpha * (outcome - q_a)
        if prior is not None:
            total += 0.5 * ((x - prior.logit_alpha_mean) / prior.logit_alpha_sd) ** 2
            total += 0.5 * ((y - prior.log_beta_mean) / prior.log_beta_sd) ** 2
        return total

    result = minimize(
        objective,
        start,
        method="Nelder-Mead",
        bounds=[(-6.5, 6.5), (-4.5, 3.9)],
        options={"xatol": 1e-4, "fatol": 1e-6},
    )
    best = result.x if result.fun <= float(values.min()) else start
    alpha, beta = _to_params(np.asarray(best, dtype=np.float64)[np.newaxis, :])
    loglik = float(rl_log_likelihood(c, r, alpha, beta)[0])
    return RLFit(float(alpha[0]), float(beta[0]), loglik, int(c.shape[0]))


def empirical_prior(fits: Sequence[RLFit], min_sd: float = 0.3) -> RLPrior:
    """The empirical prior from a norm sample's (maximum-likelihood) fits.

    Means and SDs of ``logit α`` and ``log β`` over the fits; each SD is at least
    ``min_sd`` so that a homogeneous sample cannot pin every later fit to its mean.
    """
    if len(fits) < 2:
        raise ValueError("an empirical prior needs at least two fits")
    alpha = np.clip([f.learning_rate for f in fits], *_ALPHA_BOUNDS)
    logit = np.log(alpha / (1.0 - alpha))
    log_beta = np.log(np.clip([f.inverse_temperature for f in fits], *_BETA_BOUNDS))
    return RLPrior(
        float(np.mean(logit)),
        max(min_sd, float(np.std(logit, ddof=1))),
        float(np.mean(log_beta)),
        max(min_sd, float(np.std(log_beta, ddof=1))),
    )


def _perseverative(
    choice: NDArray[np.int64], phase: NDArray[np.int64], correct_option: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Trials that continue an unbroken run of the old correct option after a reversal."""
    marks = np.zeros(choice.shape[0], dtype=np.bool_)
    for start in np.flatnonzero(np.diff(phase) > 0) + 1:
        old = correct_option[start - 1]  # the option that was correct before the reversal
        k = int(start)
        while k < choice.shape[0] and phase[k] == phase[start] and choice[k] == old:
            marks[k] = True
            k += 1
    return marks


@_silenced
def score(
    table: Mapping[str, Any],
    *,
    bootstrap: bool = True,
    seed: int = 0,
    planned_trials: int | None = None,
) -> GameScores:
    """Score one Reversal run; see the module docstring."""
    trials = TrialTable(table, _COLUMNS)
    raw_choice = trials.float("choice")
    raw_phase = trials.float("phase")
    valid = np.isin(raw_choice, (0.0, 1.0)) & np.isfinite(raw_phase) & (raw_phase >= 0)
    valid &= raw_phase < 1e6
    flags = [*trials.flags, *completeness_flags(trials.n_rows, planned_trials)]
    if not np.all(valid):
        flags.append("invalid_values:choice")
    choice = raw_choice[valid].astype(np.int64)
    phase = raw_phase[valid].astype(np.int64)
    if phase.shape[0] and np.any(np.diff(phase) < 0):
        flags.append("invalid_values:phase")
    correct = trials.bool("correct")[valid]
    reward = trials.bool("reward")[valid]
    n = int(choice.shape[0])
    card = Scorecard(GAME_ID, n, phase, bootstrap=bootstrap, seed=seed)

    fit_flags: tuple[str, ...] = () if n >= MIN_FIT_TRIALS else ("too_few_trials",)
    whole = fit_rl(choice, reward) if not fit_flags else None
    half = n // 2
    halves = (np.arange(half, dtype=np.intp), np.arange(half, n, dtype=np.intp))

    def fitted(attribute: str) -> Any:
        def statistic(sample: Sample) -> NDArray[np.float64]:
            def compute() -> list[RLFit | None]:
                out: list[RLFit | None] = []
                for row in sample.indices:
                    ordered = np.sort(row)
                    ok = ordered.shape[0] >= MIN_FIT_TRIALS // 2
                    out.append(fit_rl(choice[ordered], reward[ordered]) if ok else None)
                return out

            fits: list[RLFit | None] = sample.memo(("rl_fit",), compute)
            return np.array(
                [math.nan if f is None else getattr(f, attribute) for f in fits],
                dtype=np.float64,
            )

        return statistic

    for name, attribute, unit, description in (
        (
            "learning_rate",
            "learning_rate",
            "proportion",
            "How far each outcome moved your expectation of an option, from a "
            "learning model fitted to your choices (0 to 1).",
        ),
        (
            "inverse_temperature",
            "inverse_temperature",
            "1/value",
            "How consistently your choices followed what you had learnt, from the same "
            "learning model.",
        ),
    ):
        card.add(
            name,
            unit=unit,
            description=description,
            n=n,
            value=math.nan if whole is None else float(getattr(whole, attribute)),
            statistic=fitted(attribute),
            flags=fit_flags,
            ci=False,
            split=halves,
        )

    # Consecutive pairs: the outcome of trial t and whether trial t + 1 repeated it.
    stay = np.full(n, np.nan)
    if n >= 2:
        stay[:-1] = (choice[1:] == choice[:-1]).astype(np.float64)
    shift = 1.0 - stay
    card.add(
        "win_stay",
        unit="proportion",
        description="After a win, the share of next choices that picked the same option again.",
        n=int(np.count_nonzero(reward[: max(n - 1, 0)])),
        statistic=mean_of(stay, reward),
    )
    card.add(
        "lose_shift",
        unit="proportion",
        description="After no win, the share of next choices that picked the other option.",
        n=int(np.count_nonzero(~reward[: max(n - 1, 0)])),
        statistic=mean_of(shift, ~reward),
    )
    persev = _perseverative(choice, phase, trials.float("correct_option")[valid]).astype(np.float64)
    met = int(np.count_nonzero(np.diff(phase) > 0)) if n else 0

    def perseverative(sample: Sample) -> NDArray[np.float64]:
        counts: NDArray[np.float64] = sample.take(persev).sum(axis=1) / met
        return counts

    card.add(
        "perseverative_errors",
        unit="choices per reversal",
        description=(
            "After the better option changed, how many times in a row you still chose the "
            "option that had been better, averaged over the changes."
        ),
        n=met,
        value=math.nan if met == 0 else float(persev.sum() / met),
        statistic=perseverative if met else None,
        flags=() if met else ("no_reversal",),
    )
    card.add(
        "accuracy",
        unit="proportion",
        description="The share of your choices that picked the option that was better then.",
        n=n,
        statistic=mean_of(correct.astype(np.float64)),
    )
    card.add(
        "reversals",
        unit="reversals",
        description="How many times the better option changed, which follows your performance.",
        n=n,
        value=float(met) if n else math.nan,
        ci=False,
        split=False,
    )
    return card.finish(PRIMARY, flags, trials.n_rows)
