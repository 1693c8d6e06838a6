"""A Wiener diffusion sampler for simulated two-choice players.

Model (Ratcliff 1978; parametrised as in EZ-diffusion, Wagenmakers, van der Maas &
Grasman 2007): evidence starts at ``start * boundary`` and moves with mean rate
``drift`` per second and Gaussian noise of ``s`` per square-root second until it
reaches ``boundary`` (the *correct* response) or 0 (the error). The response time is
the first-passage time plus ``nondecision``. Units are seconds with the conventional
``s = 0.1``, so typical values are ``drift`` 0.1-0.4, ``boundary`` 0.08-0.2 and
``nondecision`` 0.2-0.5 s.

The path is simulated with Euler steps of ``dt`` seconds, drawn in chunks so that
numpy does the work. A path watched only at discrete steps overshoots the boundary
before it is seen, which biases accuracy and latency by a term of order ``sqrt(dt)``;
the standard continuity correction (Siegmund 1979; Broadie, Glasserman & Kou 1997)
removes it by moving both absorbing barriers inwards by ``0.5826 * s * sqrt(dt)``.
With ``start = 0.5`` the results then match the closed forms
``P(correct) = 1 / (1 + exp(-boundary * drift / s**2))`` and
``mean decision time = boundary / (2 drift) * tanh(boundary * drift / (2 s**2))``.

A path that has not been absorbed after ``max_decision_s`` stops there: the response is
the boundary it is nearer to and the decision time is ``max_decision_s``. With the
default (30 s) and plausible parameters this essentially never happens.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["response_key", "sample_diffusion", "sample_diffusion_batch"]

_CHUNK = 256  # Euler steps drawn at once per path
_SHIFT = 0.5826  # continuity correction for discretely monitored barriers, in s*sqrt(dt)


def _check(s: float, dt: float, max_decision_s: float) -> None:
    if not s > 0:
        raise ValueError(f"s must be > 0, got {s!r}")
    if not dt > 0:
        raise ValueError(f"dt must be > 0, got {dt!r}")
    if not max_decision_s > 0:
        raise ValueError(f"max_decision_s must be > 0, got {max_decision_s!r}")


def sample_diffusion(
    drift: float,
    boundary: float,
    nondecision: float,
    rng: np.random.Generator,
    s: float = 0.1,
    dt: float = 0.001,
    *,
    start: float = 0.5,
    max_decision_s: float = 30.0,
) -> tuple[bool, float]:
    """One trial: ``(correct, rt_s)``; ``correct`` is True when the upper boundary won.

    ``start`` is the relative starting point ``z / boundary`` in (0, 1); above 0.5 it
    favours the correct (upper) response.
    """
    _check(s, dt, max_decision_s)
    if not boundary > 0:
        raise ValueError(f"boundary must be > 0, got {boundary!r}")
    if not nondecision >= 0:
        raise ValueError(f"nondecision must be >= 0, got {nondecision!r}")
    if not 0.0 < start < 1.0:
        raise ValueError(f"start must be in (0, 1), got {start!r}")
    x = start * boundary
    mean_step = drift * dt
    sd_step = s * math.sqrt(dt)
    low = min(_SHIFT * sd_step, x / 2.0)
    high = max(boundary - _SHIFT * sd_step, (x + boundary) / 2.0)
    max_steps = max(1, math.ceil(max_decision_s / dt))
    steps = 0
    while steps < max_steps:
        n = min(_CHUNK, max_steps - steps)
        path = x + np.cumsum(mean_step + sd_step * rng.standard_normal(n))
        hit = (path >= high) | (path <= low)
        if hit.any():
            i = int(np.argmax(hit))
            return bool(path[i] >= high), nondecision + (steps + i + 1) * dt
        x = float(path[-1])
        steps += n
    return bool(x >= boundary / 2.0), nondecision + max_steps * dt


def sample_diffusion_batch(
    drift: ArrayLike,
    boundary: ArrayLike,
    nondecision: ArrayLike,
    rng: np.random.Generator,
    s: float = 0.1,
    dt: float = 0.001,
    *,
    start: ArrayLike = 0.5,
    size: int | tuple[int, ...] | None = None,
    max_decision_s: float = 30.0,
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Many independent trials at once: ``(correct, rt_s)`` arrays.

    The parameters broadcast against each other (and against ``size`` when given), so
    one call can simulate a whole design or a population of players.
    """
    _check(s, dt, max_decision_s)
    arrays = np.broadcast_arrays(
        np.asarray(drift, dtype=np.float64),
        np.asarray(boundary, dtype=np.float64),
        np.asarray(nondecision, dtype=np.float64),
        np.asarray(start, dtype=np.float64),
    )
    shape = (
        arrays[0].shape
        if size is None
        else np.broadcast_shapes(arrays[0].shape, (size,) if isinstance(size, int) else tuple(size))
    )
    v, a, t0, z = (np.broadcast_to(arr, shape).ravel() for arr in arrays)
    if np.any(~(a > 0)):
        raise ValueError("boundary must be > 0")
    if np.any(~(t0 >= 0)):
        raise ValueError("nondecision must be >= 0")
    if np.any(~((z > 0) & (z < 1))):
        raise ValueError("start must be in (0, 1)")
    n_total = v.size
    correct = np.zeros(n_total, dtype=np.bool_)
    decision = np.full(n_total, np.nan)
    x = z * a
    active = np.arange(n_total)
    sd_step = s * math.sqrt(dt)
    low = np.minimum(_SHIFT * sd_step, x / 2.0)
    high = np.maximum(a - _SHIFT * sd_step, (x + a) / 2.0)
    max_steps = max(1, math.ceil(max_decision_s / dt))
    steps = 0
    while active.size and steps < max_steps:
        n = min(_CHUNK, max_steps - steps)
        increments = v[active, None] * dt + sd_step * rng.standard_normal((active.size, n))
        paths = x[active, None] + np.cumsum(increments, axis=1)
        upper = paths >= high[active, None]
        hit = upper | (paths <= low[active, None])
        done = hit.any(axis=1)
        first = np.argmax(hit, axis=1)
        rows = np.flatnonzero(done)
        idx = active[rows]
        correct[idx] = upper[rows, first[rows]]
        decision[idx] = (steps + first[rows] + 1) * dt
        x[active] = paths[:, -1]
        active = active[~done]
        steps += n
    if active.size:
        correct[active] = x[active] >= a[active] / 2.0
        decision[active] = max_steps * dt
    rt = decision + t0
    return correct.reshape(shape), rt.reshape(shape)


def response_key(params: Mapping[str, Any], correct_side: str, correct: bool) -> str:
    """The key a two-choice response presses: ``key_left`` or ``key_right`` of ``params``.

    The key of ``correct_side`` when the diffusion reached the correct boundary, else
    the key of the other side.
    """
    side = correct_side if correct else ("left" if correct_side == "right" else "right")
    return str(params[f"key_{side}"])
