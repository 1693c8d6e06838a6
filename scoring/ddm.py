"""EZ-diffusion: drift rate, boundary separation and non-decision time.

Contract: ``ez_diffusion(prop_correct, rt_variance, rt_mean)`` turns three
summary statistics of a two-choice task into the three parameters of the EZ
diffusion model and returns a frozen :class:`EZResult`.  RTs are in seconds;
``rt_variance`` and ``rt_mean`` are the variance and mean of the *correct*
RTs; ``s`` is the diffusion scaling constant (0.1 by convention).  With
``L = logit(Pc)`` the closed forms are (Wagenmakers, van der Maas & Grasman
2007, equations 4, 5 and 9, and their appendix R code):

    v   = sign(Pc − ½) · s · [L · (L·Pc² − L·Pc + Pc − ½) / VRT]^¼
    a   = s² · L / v
    MDT = (a / 2v) · (1 − e^(−va/s²)) / (1 + e^(−va/s²))
    Ter = MRT − MDT

The model is symmetric in Pc ↔ 1 − Pc: below .5 the drift is negative and the
boundary and non-decision time are those of 1 − Pc.  The code computes with
max(Pc, 1 − Pc) and gives the drift the sign of Pc − ½, as the paper does.

Edge correction.  At Pc = 1 the logit is infinite, at Pc = 0.5 the drift is 0
and the boundary is 0/0, at Pc = 0 the logit is −∞.  The paper (section "Edge
correction") proposes replacing such proportions by a value half a trial away.
Given ``n_trials`` = n, the number of trials Pc was computed from, we use

    Pc = 1    →  1 − 1/(2n)
    Pc = 0    →  1/(2n)           (drift then negative, see above)
    Pc = 0.5  →  0.5 + 1/(2n)     (perturbed upwards by half a trial)

and set ``edge_corrected``.  Without ``n_trials`` (or with n < 2, where half a
trial lands on another edge) an edge proportion gives NaN parameters and the
flag ``"edge_needs_n_trials"``.

``simulate_diffusion`` draws trials from the same (Wiener) diffusion process,
vectorised over trials, for bots and parameter-recovery tests.

Source:
    Wagenmakers, E.-J., van der Maas, H. L. J., & Grasman, R. P. P. P. (2007).
    An EZ-diffusion model for response time and accuracy. Psychonomic Bulletin
    & Review, 14(1), 3–22.  doi:10.3758/BF03194023
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scoring._checks import bool_vector, float_vector, real_scalar, same_length

__all__ = [
    "EZResult",
    "ez_diffusion",
    "ez_diffusion_from_trials",
    "simulate_diffusion",
]

_NAN = float("nan")
_EDGES = (0.0, 0.5, 1.0)


@dataclass(frozen=True, slots=True)
class EZResult:
    """EZ-diffusion parameters (units: s = 0.1 scale, seconds).

    ``prop_correct_used`` is the proportion the parameters were computed from
    (after any edge correction).  ``flags`` is empty when all went well; a
    negative non-decision time is kept but flagged ``"negative_nondecision"``.
    """

    drift: float
    boundary: float
    nondecision: float
    mean_decision_time: float
    prop_correct_used: float
    edge_corrected: bool
    flags: tuple[str, ...] = ()


def ez_diffusion(
    prop_correct: float,
    rt_variance: float,
    rt_mean: float,
    *,
    n_trials: int | None = None,
    s: float = 0.1,
) -> EZResult:
    """Drift ``v``, boundary ``a`` and non-decision time ``Ter`` (EZ model).

    Args:
        prop_correct: proportion of correct responses, 0..1.
        rt_variance: variance of the correct RTs, in s².
        rt_mean: mean of the correct RTs, in s.
        n_trials: number of trials behind ``prop_correct``; needed only for the
            edge correction at Pc = 0, 0.5 or 1 (see the module docstring).
        s: diffusion scaling constant.

    Flags (parameters NaN unless noted): ``"invalid_prop_correct"`` (NaN or
    outside 0..1), ``"invalid_rt_variance"`` (NaN, infinite or ≤ 0),
    ``"invalid_rt_mean"`` (NaN or infinite: drift and boundary are still
    computed, non-decision time is NaN), ``"invalid_scale"`` (s NaN or ≤ 0),
    ``"edge_needs_n_trials"``, ``"numeric_failure"`` (Pc within rounding
    error of .5 or 1, or values near the float limits), and
    ``"negative_nondecision"`` (values kept).

    Raises ``TypeError`` if an argument is not a real number.
    """
    pc = real_scalar(prop_correct, "prop_correct")
    variance = real_scalar(rt_variance, "rt_variance")
    mean_rt = real_scalar(rt_mean, "rt_mean")
    scale = real_scalar(s, "s")
    n = None if n_trials is None else real_scalar(n_trials, "n_trials")

    def failed(*flags: str, used: float = _NAN, corrected: bool = False) -> EZResult:
        return EZResult(_NAN, _NAN, _NAN, _NAN, used, corrected, tuple(flags))

    flags: list[str] = []
    if not (0.0 <= pc <= 1.0):  # also false for NaN
        flags.append("invalid_prop_correct")
    if not (math.isfinite(variance) and variance > 0.0):
        flags.append("invalid_rt_variance")
    if not (math.isfinite(scale) and scale > 0.0):
        flags.append("invalid_scale")
    if flags:
        return failed(*flags)

    edge_corrected = False
    if pc in _EDGES:
        if n is None or not (math.isfinite(n) and n >= 2.0):
            return failed("edge_needs_n_trials")
        half_trial = 1.0 / (2.0 * n)
        pc = 1.0 - half_trial if pc == 1.0 else pc + half_trial
        edge_corrected = True

    # Symmetry: compute with the proportion above .5, give the drift its sign.
    sign = 1.0 if pc > 0.5 else -1.0
    p = max(pc, 1.0 - pc)
    try:
        logit = math.log(p / (1.0 - p))
        x = logit * (logit * p * p - logit * p + p - 0.5) / variance
        if not (math.isfinite(x) and x > 0.0):
            # Pc within rounding error of .5 or 1, or a variance near the float limits.
            return failed("numeric_failure", used=pc, corrected=edge_corrected)
        speed = scale * x**0.25
        boundary = scale * scale * logit / speed
        # (1 − e^(−va/s²)) / (1 + e^(−va/s²)) = tanh(va / 2s²), and va/s² = logit.
        decision_time = (boundary / (2.0 * speed)) * math.tanh(logit / 2.0)
    except (OverflowError, ZeroDivisionError, ValueError):
        return failed("numeric_failure", used=pc, corrected=edge_corrected)
    if not all(math.isfinite(value) for value in (speed, boundary, decision_time)):
        return failed("numeric_failure", used=pc, corrected=edge_corrected)

    result_flags: list[str] = []
    if math.isfinite(mean_rt):
        nondecision = mean_rt - decision_time
        if nondecision < 0.0:
            result_flags.append("negative_nondecision")
    else:
        nondecision = _NAN
        result_flags.append("invalid_rt_mean")
    return EZResult(
        drift=sign * speed,
        boundary=boundary,
        nondecision=nondecision,
        mean_decision_time=decision_time,
        prop_correct_used=pc,
        edge_corrected=edge_corrected,
        flags=tuple(result_flags),
    )


def ez_diffusion_from_trials(correct: ArrayLike, rt: ArrayLike, *, s: float = 0.1) -> EZResult:
    """EZ parameters from per-trial data: ``correct`` (bool) and ``rt`` (seconds).

    Pc is the mean of ``correct`` over all trials (``n_trials`` = their number,
    so edges are corrected); the variance (``ddof=1``, as R's ``var`` in the
    paper's code) and the mean are taken over the correct trials with a finite
    RT.  Fewer than two such RTs give ``"invalid_rt_variance"``.

    Raises ``ValueError`` if the arrays are not 1-D or differ in length and
    ``TypeError`` if they do not hold numbers.
    """
    correct_trials = bool_vector(correct, "correct")
    rts = float_vector(rt, "rt")
    same_length("correct", correct_trials, "rt", rts)
    n_trials = correct_trials.shape[0]
    if n_trials == 0:
        return EZResult(_NAN, _NAN, _NAN, _NAN, _NAN, False, ("no_trials",))
    correct_rts = rts[correct_trials & np.isfinite(rts)]
    if correct_rts.shape[0] >= 2:
        with np.errstate(over="ignore", invalid="ignore"):
            variance = float(np.var(correct_rts, ddof=1))
            mean_rt = float(np.mean(correct_rts))
    else:
        variance = mean_rt = _NAN
    return ez_diffusion(float(np.mean(correct_trials)), variance, mean_rt, n_trials=n_trials, s=s)


def simulate_diffusion(
    drift: ArrayLike,
    boundary: ArrayLike,
    nondecision: ArrayLike,
    n: int,
    rng: np.random.Generator | int,
    s: float = 0.1,
    dt: float = 0.001,
    max_time: float = 10.0,
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Simulate ``n`` two-choice trials of an unbiased Wiener diffusion process.

    Evidence starts at ``boundary / 2`` and moves by ``drift·dt + s·√dt·N(0, 1)``
    per Euler step until it leaves (0, boundary); leaving at the top is a correct
    response.  A Brownian-bridge check after every step also catches paths that
    crossed a boundary and came back within the step, which removes most of the
    Euler scheme's bias (it otherwise acts as a wider boundary).  The crossing
    time is taken as the middle of its step; the RT is that time plus
    ``nondecision``.

    ``drift``, ``boundary`` and ``nondecision`` may be scalars or arrays of
    length ``n`` (one value per trial).  ``rng`` is a numpy ``Generator`` or a
    seed.  A trial still undecided after ``max_time`` seconds of decision time
    is returned as incorrect with RT NaN.

    Returns ``(correct, rt_seconds)``: a bool array and a float array, length n.

    Raises ``ValueError`` for n < 0, a boundary that is not positive and finite,
    a drift or non-decision time that is not finite, s < 0, dt ≤ 0, a
    max_time that is not positive and finite, and for arrays that do not
    broadcast to length n.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    count = int(n)
    try:
        drifts = np.broadcast_to(np.asarray(drift, dtype=np.float64), (count,)).copy()
        bounds = np.broadcast_to(np.asarray(boundary, dtype=np.float64), (count,)).copy()
        offsets = np.broadcast_to(np.asarray(nondecision, dtype=np.float64), (count,)).copy()
    except ValueError as error:
        raise ValueError(f"parameters must be scalars or length-{count} arrays: {error}") from error
    if not np.all(np.isfinite(drifts)):
        raise ValueError("drift must be finite")
    if not np.all(np.isfinite(bounds) & (bounds > 0)):
        raise ValueError("boundary must be positive and finite")
    if not np.all(np.isfinite(offsets)):
        raise ValueError("nondecision must be finite")
    if not (math.isfinite(s) and s >= 0):
        raise ValueError(f"s must be a non-negative number, got {s!r}")
    if not (math.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must be positive, got {dt!r}")
    if not (math.isfinite(max_time) and max_time > 0):
        raise ValueError(f"max_time must be positive, got {max_time!r}")
    generator = np.random.default_rng(rng)

    correct = np.zeros(count, dtype=np.bool_)
    decision_time = np.full(count, np.nan)
    active = np.arange(count)
    position = bounds / 2.0
    noise_sd = s * math.sqrt(dt)
    # Brownian bridge: P(max over the step ≥ b | endpoints) = exp(−2(b−x0)(b−x1)/(s²dt)).
    bridge_scale = -2.0 / (s * s * dt) if s > 0 else -math.inf
    n_steps = math.ceil(max_time / dt)
    step = 0
    while active.size and step < n_steps:
        step += 1
        start = position[active]
        top = bounds[active]
        end = start + drifts[active] * dt + noise_sd * generator.standard_normal(active.size)
        hit_top = end >= top
        hit_bottom = end <= 0.0
        inside = ~(hit_top | hit_bottom)
        if s > 0:
            # Paths that already left give exponents > 0 (possibly overflowing);
            # they are masked out by ``inside`` below.
            with np.errstate(under="ignore", over="ignore"):
                p_top = np.exp(bridge_scale * (top - start) * (top - end))
                p_bottom = np.exp(bridge_scale * start * end)
            # Crossing both ways within one step is negligible at small dt;
            # draw one uniform and split it between the two boundaries.
            u = generator.random(active.size)
            hit_top |= inside & (u < p_top)
            hit_bottom |= inside & ~hit_top & (u >= p_top) & (u < p_top + p_bottom)
        done = hit_top | hit_bottom
        finished = active[done]
        correct[finished] = hit_top[done]
        decision_time[finished] = (step - 0.5) * dt
        position[active] = end
        active = active[~done]
    return correct, decision_time + offsets
