"""Stop-signal reaction time by the integration method with go-omission replacement.

Contract: ``integration_ssrt(go_rt, signal_respond, ssd)`` takes, in
milliseconds, every go trial's RT (NaN for an omission), whether each stop
trial was answered, and each stop trial's stop-signal delay, and returns a
frozen :class:`SSRTResult`.  The steps are those recommended by the consensus
guide (Verbruggen et al. 2019, "Recommendation 7" and its R code):

1. p(respond | signal) = the proportion of stop trials with a response.
2. Go omissions are replaced by the maximum go RT of the same data, and *all*
   go trials (responses, replaced omissions, including choice errors) form the
   go RT distribution.
3. The nth RT is the p(respond | signal) quantile of that distribution.  Rule:
   R's ``quantile(x, probs = p, type = 6)``, as in the guide's own R script
   (``nthRT <- quantile(nosignal$rt, probs = presp, type = 6)``).  With the
   N sorted RTs x₁ ≤ … ≤ x_N (1-based) and h = (N + 1)·p:
   nth RT = x₁ if h < 1, x_N if h ≥ N, otherwise
   x_⌊h⌋ + (h − ⌊h⌋)·(x_⌊h⌋₊₁ − x_⌊h⌋)  (linear interpolation between
   neighbours; identical to ``numpy.quantile(..., method="weibull")``).
4. SSRT = nth RT − mean SSD.

The guide advises against estimating SSRT when the independent race model is
clearly violated or the tracking failed.  Following the battery's design
(SCIENCE.md) the estimate is then withheld (``ssrt`` NaN) and flagged:

* ``"p_respond_out_of_range"`` – p(respond | signal) outside [.25, .75];
* ``"signal_respond_rt_exceeds_go_rt"`` – mean signal-respond RT (only known if
  ``signal_respond_rt`` is given) above the mean RT of go trials with a
  response.

The other components (``nth_rt``, ``mean_ssd`` …) are still reported, so a
researcher can see what was withheld.  Informational flags that do not
withhold the estimate: ``"few_stop_trials"`` (fewer than 50 stop trials, the
guide's recommended minimum), ``"go_omissions_replaced"``,
``"missing_ssd"`` (non-finite SSDs left out of the mean).  ``"numeric_overflow"``
marks an SSRT beyond the float range (RTs near 1e308).  Degenerate input
gives NaN and says why: ``"no_go_trials"``, ``"no_go_responses"``,
``"no_stop_trials"``; with no finite SSD at all, ``mean_ssd`` and ``ssrt`` are
NaN and ``"missing_ssd"`` is set.  Means that overflow a float are NaN.

Source:
    Verbruggen, F., Aron, A. R., Band, G. P. H., et al. (2019). A consensus
    guide to capturing the ability to inhibit actions and impulsive behaviors
    in the stop-signal task. eLife, 8, e46323. doi:10.7554/eLife.46323
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scoring._checks import bool_vector, finite_mean, float_vector, same_length

__all__ = [
    "MIN_STOP_TRIALS",
    "P_RESPOND_RANGE",
    "SSRTResult",
    "integration_ssrt",
    "nth_rt_type6",
]

_NAN = float("nan")

#: The consensus guide recommends at least this many stop trials per estimate.
MIN_STOP_TRIALS = 50
#: SSRT is not estimated when p(respond | signal) falls outside this range.
P_RESPOND_RANGE = (0.25, 0.75)


@dataclass(frozen=True, slots=True)
class SSRTResult:
    """SSRT and its ingredients; all times in milliseconds.

    ``go_rt_mean`` is the mean RT of go trials with a response (omissions not
    replaced), the comparison value for ``signal_respond_rt_mean``.
    """

    ssrt: float
    p_respond: float
    mean_ssd: float
    nth_rt: float
    go_rt_mean: float
    signal_respond_rt_mean: float
    n_go: int
    n_stop: int
    n_go_omissions: int
    flags: tuple[str, ...] = ()


def nth_rt_type6(sorted_rts: NDArray[np.float64], p: float) -> float:
    """The p-quantile of ascending ``sorted_rts`` by R's type-6 rule (see module doc).

    NaN for an empty array or a p that is NaN; p is clipped to [0, 1].
    """
    count = int(sorted_rts.shape[0])
    if count == 0 or math.isnan(p):
        return _NAN
    h = (count + 1) * min(max(float(p), 0.0), 1.0)
    if h < 1.0:
        return float(sorted_rts[0])
    if h >= count:
        return float(sorted_rts[-1])
    lower = math.floor(h)  # 1-based index of the lower neighbour
    below = float(sorted_rts[lower - 1])
    above = float(sorted_rts[lower])
    return below + (h - lower) * (above - below)


def integration_ssrt(
    go_rt: ArrayLike,
    signal_respond: ArrayLike,
    ssd: ArrayLike,
    *,
    signal_respond_rt: ArrayLike | None = None,
) -> SSRTResult:
    """SSRT (ms) by the integration method with replacement of go omissions.

    Args:
        go_rt: RT of every go trial in ms; NaN (or any non-finite value) marks
            an omission.
        signal_respond: per stop trial, True if a response was made.
        ssd: per stop trial, the stop-signal delay in ms.
        signal_respond_rt: optional, per stop trial, the RT in ms (NaN where
            no response); enables the race-model check.

    Returns an :class:`SSRTResult`; see the module docstring for the rule and
    the flags.  Raises ``ValueError`` if an array is not 1-D or the per-stop-
    trial arrays differ in length, ``TypeError`` if they do not hold numbers.
    """
    go = float_vector(go_rt, "go_rt")
    responded = bool_vector(signal_respond, "signal_respond")
    delays = float_vector(ssd, "ssd")
    same_length("signal_respond", responded, "ssd", delays)
    stop_rts: NDArray[np.float64] | None = None
    if signal_respond_rt is not None:
        stop_rts = float_vector(signal_respond_rt, "signal_respond_rt")
        same_length("signal_respond", responded, "signal_respond_rt", stop_rts)

    flags: list[str] = []
    n_go = go.shape[0]
    n_stop = responded.shape[0]

    # Go distribution: responses, then omissions replaced by the maximum go RT.
    answered = np.isfinite(go)
    go_responses = go[answered]
    n_omissions = n_go - go_responses.shape[0]
    if n_go == 0:
        flags.append("no_go_trials")
    elif go_responses.shape[0] == 0:
        flags.append("no_go_responses")
    elif n_omissions:
        flags.append("go_omissions_replaced")
    go_rt_mean = finite_mean(go_responses)
    go_distribution = np.sort(np.where(answered, go, np.max(go_responses, initial=-np.inf)))
    if not go_responses.size:
        go_distribution = go_distribution[:0]

    # Stop trials.
    if n_stop == 0:
        flags.append("no_stop_trials")
        p_respond = _NAN
    else:
        p_respond = float(np.mean(responded))
        if n_stop < MIN_STOP_TRIALS:
            flags.append("few_stop_trials")
    finite_ssd = delays[np.isfinite(delays)]
    if finite_ssd.shape[0] < n_stop:
        flags.append("missing_ssd")
    mean_ssd = finite_mean(finite_ssd)

    signal_respond_rt_mean = _NAN
    if stop_rts is not None:
        signal_respond_rt_mean = finite_mean(stop_rts[responded & np.isfinite(stop_rts)])

    nth_rt = nth_rt_type6(go_distribution, p_respond)
    withhold = False
    low, high = P_RESPOND_RANGE
    if not math.isnan(p_respond) and not (low <= p_respond <= high):
        flags.append("p_respond_out_of_range")
        withhold = True
    if signal_respond_rt_mean > go_rt_mean:  # False whenever either is NaN
        flags.append("signal_respond_rt_exceeds_go_rt")
        withhold = True
    ssrt = _NAN if withhold else nth_rt - mean_ssd
    if math.isinf(ssrt):  # only with RTs near the float limit (~1e308)
        flags.append("numeric_overflow")
        ssrt = _NAN
    return SSRTResult(
        ssrt=ssrt,
        p_respond=p_respond,
        mean_ssd=mean_ssd,
        nth_rt=nth_rt,
        go_rt_mean=go_rt_mean,
        signal_respond_rt_mean=signal_respond_rt_mean,
        n_go=n_go,
        n_stop=n_stop,
        n_go_omissions=n_omissions,
        flags=tuple(flags),
    )
