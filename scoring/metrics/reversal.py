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

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

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


def _value_differences(
    choices: NDArray[np.int64], rewards: NDArray[np.float64], alpha: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``Q_B − Q_A`` before each trial (columns), for each learning rate (rows).

    An option's value after its ``k``-th choice is ``y_k = (1 − α) y_{k−1} + α r_k``
    with ``y_0 = 0.5``: a linear recurrence, computed for every α at once by a
    doubling scan (``y_k += (1 − α)^s y_{k−s}`` for ``s`` = 1, 2, 4, …).
    """
    keep = 1.0 - alpha
    out = np.zeros((alpha.shape[0], choices.shape[0]))
    for chosen, sign in ((choices == 1, 1.0), (choices != 1, -1.0)):
        values = np.empty((alpha.shape[0], int(np.count_nonzero(chosen)) + 1))
        values[:, 0] = 0.5
        scan = values[:, 1:]
        scan[:] = alpha[:, np.newaxis] * rewards[chosen][np.newaxis, :]
        if scan.shape[1]:
            scan[:, 0] += keep * 0.5
        power, shift = keep, 1
        while shift < scan.shape[1]:
            scan[:, shift:] = scan[:, shift:] + power[:, np.newaxis] * scan[:, :-shift]
            power, shift = power * power, 2 * shift
        # before each trial: the value after this option's earlier choices
        earlier = np.cumsum(chosen) - chosen
        out += sign * values[:, earlier]
    return out


def _grid_value_differences(
    choices: NDArray[np.int64], rewards: NDArray[np.float64]
) -> NDArray[np.float64]:
    """:func:`_value_differences` for the start grid's learning rates, in closed form.

    ``y_k = (1 − α)^k (0.5 + α Σ_{j ≤ k} r_j (1 − α)^−j)``: one cumulative sum instead
    of the doubling scan, exact to about 1e-14, which is all the start grid needs.  The
    powers stay finite while an option is chosen fewer than :data:`_GRID_CLOSED_FORM`
    times; beyond that the scan does it.
    """
    chose_b = choices == 1
    if max(int(np.count_nonzero(chose_b)), int(np.count_nonzero(~chose_b))) > _GRID_CLOSED_FORM:
        return _value_differences(choices, rewards, _GRID_ALPHA)
    out = np.zeros((_GRID_ALPHA.shape[0], choices.shape[0]))
    for chosen, sign in ((chose_b, 1.0), (~chose_b, -1.0)):
        m = int(np.count_nonzero(chosen))
        powers = np.power(_GRID_KEEP[:, np.newaxis], np.arange(m + 1))
        values = 0.5 * powers
        values[:, 1:] += (
            _GRID_ALPHA[:, np.newaxis]
            * powers[:, 1:]
            * np.cumsum(rewards[chosen] / powers[:, 1:], axis=1)
        )
        earlier = np.cumsum(chosen) - chosen
        out += sign * values[:, earlier]
    return out


def _option_values(rewards: Sequence[float], alpha: float) -> NDArray[np.float64]:
    """One option's value and its first and second derivatives in α, before each of its
    choices and after the last (three rows, one longer than ``rewards``).

    The value follows ``q ← q + α (r − q)`` on the option's own outcomes ``r``, so its
    derivatives follow ``q′ ← (1 − α) q′ + (r − q)`` and ``q″ ← (1 − α) q″ − 2 q′``
    (old ``q``, ``q′``).
    """
    keep = 1.0 - alpha
    q, d, e = 0.5, 0.0, 0.0
    values, first, second = [q], [d], [e]
    for outcome in rewards:
        delta = outcome - q
        e = keep * e - 2.0 * d
        d = keep * d + delta
        q += alpha * delta
        values.append(q)
        first.append(d)
        second.append(e)
    width = len(values)
    rows: NDArray[np.float64] = np.fromiter(
        itertools.chain(values, first, second), np.float64, 3 * width
    ).reshape(3, width)
    return rows


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
    sign = np.where(c == 1, 1.0, -1.0)
    unique, where = np.unique(a, return_inverse=True)
    diffs = _value_differences(c, r, unique)
    # log sigmoid(z) for B, log sigmoid(-z) for A, computed stably
    signed = b[:, np.newaxis] * diffs[where.reshape(-1)] * sign
    total: NDArray[np.float64] = 0.0 - np.logaddexp(0.0, -signed).sum(axis=1)
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


#: The box the fit searches, on ``logit α`` and ``log β``: α 0.0015–0.9985, β
#: 0.011–49, inside :data:`_ALPHA_BOUNDS` and :data:`_BETA_BOUNDS`, so that the
#: clipping of :func:`_to_params` never flattens the objective inside it.
_LOWER = (-6.5, -4.5)
_UPPER = (6.5, 3.9)
#: The start grid over ``logit α`` and ``log β``.
_GRID_X = np.linspace(-4.0, 4.0, 13)
_GRID_Y = np.linspace(-2.0, 3.5, 10)
_GRID_ALPHA = 1.0 / (1.0 + np.exp(-_GRID_X))
_GRID_KEEP = 1.0 - _GRID_ALPHA
#: Choices of one option up to which :func:`_grid_value_differences` uses the closed
#: form: ``(1 − α)^−k`` of the grid's largest α stays below 1e300.
_GRID_CLOSED_FORM = int(300.0 / -np.log10(float(_GRID_KEEP.min())))
_GRID_BETA = np.exp(_GRID_Y)
#: Terms per product in :func:`_grid_nll` (a power of two: products are taken by halving).
_BLOCK = 16
#: Newton stops when a step moves neither parameter by more than this (on the logit
#: and log scales) or the projected gradient is below :data:`_GRADIENT_TOL`.
_STEP_TOL = 1e-10
_GRADIENT_TOL = 1e-9
_MAX_NEWTON = 100
#: Relative rounding of the objective (a sum of a few hundred terms).
_ROUNDING = 1e-13


def _grid_nll(signed: NDArray[np.float64], beta: NDArray[np.float64]) -> NDArray[np.float64]:
    """``Σ_t log(1 + exp(−β_j s_it))`` for every row ``i`` of ``signed`` and every ``β_j``.

    As the log of products of ``1 + exp(−β s)`` over blocks of :data:`_BLOCK` trials:
    one exponential per term and one logarithm per block, a third of the time of
    ``logaddexp`` per term.  The rounding of each product costs about 1e-15 (absolute)
    per block, nothing next to the differences between the grid points it ranks.
    Where a block's product could overflow it falls back to ``logaddexp``.
    """
    rows, n = signed.shape
    largest = float(np.max(np.abs(signed), initial=0.0)) * float(np.max(beta))
    if largest * _BLOCK > 700.0:
        z = signed[:, np.newaxis, :] * -beta[np.newaxis, :, np.newaxis]
        sums: NDArray[np.float64] = np.logaddexp(0.0, z).sum(axis=-1)
        return sums
    # trials in blocks of _BLOCK, laid out position in block by block (padding: +inf,
    # whose term exp(-inf) = 0 gives a factor 1), so that halving products and the
    # elementwise steps run over long contiguous stretches
    blocks = -(-n // _BLOCK)
    padded = np.full((rows, blocks * _BLOCK), np.inf)
    padded[:, :n] = signed
    lanes = np.ascontiguousarray(padded.reshape(rows, blocks, _BLOCK).transpose(0, 2, 1))
    terms = lanes.reshape(rows, 1, -1) * -beta[np.newaxis, :, np.newaxis]
    np.exp(terms, out=terms)
    terms += 1.0
    terms = terms.reshape(rows, beta.shape[0], _BLOCK, blocks)
    while terms.shape[2] > 1:
        terms = terms[:, :, : terms.shape[2] // 2] * terms[:, :, terms.shape[2] // 2 :]
    sums = np.log(terms[:, :, 0]).sum(axis=-1)
    return sums


class _Posterior:
    """The negative log posterior of one run, with its gradient and Hessian.

    On ``θ = (logit α, log β)``.  With ``D_t`` the value difference ``Q_B − Q_A`` before
    trial ``t`` and ``s_t = ±β D_t`` (+ when B was chosen), the negative log likelihood
    is ``Σ log(1 + exp(−s_t))``; its derivatives follow from those of ``D_t`` in α
    (:func:`_option_values`) and ``dα/dx = α(1 − α)``, ``dβ/dy = β``.
    """

    def __init__(
        self, choices: NDArray[np.int64], rewards: NDArray[np.float64], prior: RLPrior | None
    ) -> None:
        self.choice_array, self.reward_array = choices, rewards
        chose_b = choices == 1
        # per option: its outcomes, and per trial how many times it was chosen before
        self.rewards_b, self.rewards_a = rewards[chose_b].tolist(), rewards[~chose_b].tolist()
        self.earlier_b = np.cumsum(chose_b) - chose_b
        self.earlier_a = np.cumsum(~chose_b) - ~chose_b
        self.sign = np.where(chose_b, 1.0, -1.0)
        self.prior = prior

    def start(self) -> tuple[float, float]:
        """The best point of the start grid (the first one on a tie)."""
        diffs = _grid_value_differences(self.choice_array, self.reward_array)
        values = _grid_nll(diffs * self.sign, _GRID_BETA)
        if self.prior is not None:
            p = self.prior
            values += 0.5 * ((_GRID_X[:, np.newaxis] - p.logit_alpha_mean) / p.logit_alpha_sd) ** 2
            values += 0.5 * ((_GRID_Y[np.newaxis, :] - p.log_beta_mean) / p.log_beta_sd) ** 2
        best = int(np.argmin(values))
        return float(_GRID_X[best // _GRID_Y.shape[0]]), float(_GRID_Y[best % _GRID_Y.shape[0]])

    def evaluate(
        self, x: float, y: float
    ) -> tuple[float, float, tuple[float, float], tuple[float, float, float]]:
        """``(value, log likelihood, gradient, Hessian (xx, xy, yy))`` at ``(x, y)``."""
        alpha = 1.0 / (1.0 + math.exp(-x))
        beta = math.exp(y)
        # rows: D, dD/dα, d²D/dα² before each trial, each signed (+ where B was chosen)
        rows = _option_values(self.rewards_b, alpha)[:, self.earlier_b]
        rows -= _option_values(self.rewards_a, alpha)[:, self.earlier_a]
        rows *= self.sign
        signed = beta * rows[0]
        nll_terms = np.logaddexp(0.0, -signed)
        # sigmoid(−s) = exp(−s − log(1 + exp(−s))); sigmoid(s) sigmoid(−s) its slope
        miss = np.exp(-signed - nll_terms)
        weight = miss * np.exp(-nll_terms)
        nll = float(nll_terms.sum())
        m_diff, m_first, m_second = (miss @ rows.T).tolist()
        (w_dd, w_df), (_, w_ff) = ((rows[:2] * weight) @ rows[:2].T).tolist()
        f_a = -beta * m_first
        f_b = -m_diff
        f_aa = beta * beta * w_ff - beta * m_second
        f_ab = beta * w_df - m_first
        f_bb = w_dd
        slope = alpha * (1.0 - alpha)
        value = nll
        g_x = f_a * slope
        g_y = f_b * beta
        h_xx = f_aa * slope * slope + f_a * slope * (1.0 - 2.0 * alpha)
        h_xy = f_ab * slope * beta
        h_yy = f_bb * beta * beta + f_b * beta
        if self.prior is not None:
            p = self.prior
            zx = (x - p.logit_alpha_mean) / p.logit_alpha_sd
            zy = (y - p.log_beta_mean) / p.log_beta_sd
            value += 0.5 * zx * zx + 0.5 * zy * zy
            g_x += zx / p.logit_alpha_sd
            g_y += zy / p.log_beta_sd
            h_xx += 1.0 / p.logit_alpha_sd**2
            h_yy += 1.0 / p.log_beta_sd**2
        return value, 0.0 - nll, (g_x, g_y), (h_xx, h_xy, h_yy)


def _newton_direction(
    gradient: tuple[float, float], hessian: tuple[float, float, float], free: tuple[bool, bool]
) -> tuple[float, float]:
    """A descent direction (Bertsekas 1982): Newton's on the free parameters, the
    gradient scaled by the Hessian's diagonal on the others; the Hessian is shifted
    (Levenberg–Marquardt) until it is positive definite."""
    g_x, g_y = gradient
    h_xx, h_xy, h_yy = hessian
    if not (free[0] and free[1]):
        h_xy = 0.0
    shift = 0.0
    scale = max(abs(h_xx), abs(h_yy), abs(h_xy), 1e-12)
    for _ in range(60):
        a, c = h_xx + shift, h_yy + shift
        det = a * c - h_xy * h_xy
        if a > 0.0 and c > 0.0 and det > 1e-12 * scale * scale:
            return (-(c * g_x - h_xy * g_y) / det, -(a * g_y - h_xy * g_x) / det)
        shift = max(2.0 * shift, 1e-6 * scale)
    return -g_x, -g_y


def _clip(value: float, axis: int) -> float:
    return min(max(value, _LOWER[axis]), _UPPER[axis])


def _minimise(posterior: _Posterior, x: float, y: float) -> tuple[float, float, float]:
    """Projected Newton with backtracking in the box; returns ``(x, y, log likelihood)``."""
    value, loglik, gradient, hessian = posterior.evaluate(x, y)
    for _ in range(_MAX_NEWTON):
        # the projected gradient step: zero at a point that satisfies the KKT conditions
        moves = (x - _clip(x - gradient[0], 0), y - _clip(y - gradient[1], 1))
        if max(abs(moves[0]), abs(moves[1])) < _GRADIENT_TOL:
            break
        # a parameter within epsilon of a bound its gradient pushes it against is held
        epsilon = min(1e-3, math.hypot(*moves))
        free = (
            not (
                (x <= _LOWER[0] + epsilon and gradient[0] > 0.0)
                or (x >= _UPPER[0] - epsilon and gradient[0] < 0.0)
            ),
            not (
                (y <= _LOWER[1] + epsilon and gradient[1] > 0.0)
                or (y >= _UPPER[1] - epsilon and gradient[1] < 0.0)
            ),
        )
        step_x, step_y = _newton_direction(gradient, hessian, free)
        length = 1.0
        moved = False
        while length > 1e-12:
            new_x, new_y = _clip(x + length * step_x, 0), _clip(y + length * step_y, 1)
            trial = posterior.evaluate(new_x, new_y)
            decrease = gradient[0] * (new_x - x) + gradient[1] * (new_y - y)
            # Armijo's sufficient decrease, with room for the rounding of the value
            # itself: near the optimum the decrease falls below it
            if trial[0] <= value + 1e-4 * min(decrease, 0.0) + _ROUNDING * abs(value):
                moved = max(abs(new_x - x), abs(new_y - y)) > _STEP_TOL
                x, y = new_x, new_y
                value, loglik, gradient, hessian = trial
                break
            length *= 0.5
        if not moved:
            break
    return x, y, loglik


def fit_rl(
    choices: NDArray[Any],
    rewards: NDArray[Any],
    prior: RLPrior | None = NORM_PRIOR,
    start: RLFit | None = None,
) -> RLFit:
    """MAP fit of α and β (maximum likelihood when ``prior`` is ``None``).

    A coarse grid over ``logit α`` (−4..4) and ``log β`` (−2..3.5) finds the start,
    unless ``start`` gives one (a fit of the whole run starting the fits of its
    halves: over 600 simulated halves they reached the grid start's optimum within
    4e-10 on both scales, in about 60% of the time);
    Newton's method with the exact gradient and Hessian refines it, projected onto the
    box α 0.0015–0.9985, β 0.011–49 and with a backtracking line search, until the
    projected gradient is below 1e-9 or a step moves less than 1e-10.  Deterministic.
    """
    c = np.asarray(choices, dtype=np.int64)
    r = np.asarray(rewards, dtype=np.float64)
    posterior = _Posterior(c, r, prior)
    if start is None:
        x, y = posterior.start()
    else:
        alpha_0, beta_0 = start.learning_rate, start.inverse_temperature
        x = _clip(math.log(alpha_0 / (1.0 - alpha_0)), 0)
        y = _clip(math.log(beta_0), 1)
    x, y, loglik = _minimise(posterior, x, y)
    alpha, beta = _to_params(np.array([[x, y]], dtype=np.float64))
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
    halves: bool = True,
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
    card = Scorecard(GAME_ID, n, phase, bootstrap=bootstrap, seed=seed, halves=halves)

    fit_flags: tuple[str, ...] = () if n >= MIN_FIT_TRIALS else ("too_few_trials",)
    whole = fit_rl(choice, reward) if not fit_flags else None
    half = n // 2
    game_halves = (np.arange(half, dtype=np.intp), np.arange(half, n, dtype=np.intp))

    def fitted(attribute: str) -> Any:
        def statistic(sample: Sample) -> NDArray[np.float64]:
            def compute() -> list[RLFit | None]:
                out: list[RLFit | None] = []
                for row in sample.indices:
                    ordered = np.sort(row)
                    ok = ordered.shape[0] >= MIN_FIT_TRIALS // 2
                    fit = fit_rl(choice[ordered], reward[ordered], start=whole) if ok else None
                    out.append(fit)
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
            split=game_halves,
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
