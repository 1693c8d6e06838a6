"""Signal detection: d′ and criterion c from yes/no counts.

Contract: ``dprime(hits, misses, false_alarms, correct_rejections)`` takes four
counts and returns a frozen :class:`DPrimeResult`.  The log-linear correction
of Hautus (1995) is *always* applied, whatever the counts: 0.5 is added to the
hits and to the false alarms and 1 to the number of signal and of noise trials,

    H = (hits + 0.5) / (hits + misses + 1)
    F = (false_alarms + 0.5) / (false_alarms + correct_rejections + 1)

so that rates of 0 and 1 cannot occur and all cells are treated alike.  Then,
with z the inverse of the standard normal CDF (Macmillan & Creelman 2005;
Stanislaw & Todorov 1999, formulas 1 and 7),

    d′ = z(H) − z(F)          c = −(z(H) + z(F)) / 2

The function is total: counts that are negative, NaN or infinite, or an empty
signal or noise class, give NaN values and name the problem in ``flags``.
Anything that is not a real number raises ``TypeError``.

Sources:
    Hautus, M. J. (1995). Corrections for extreme proportions and their biasing
    effects on estimated values of d′. Behavior Research Methods, Instruments,
    & Computers, 27, 46–51.
    Stanislaw, H., & Todorov, N. (1999). Calculation of signal detection theory
    measures. Behavior Research Methods, Instruments, & Computers, 31, 137–149.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.special import ndtri

from scoring._checks import real_scalar

__all__ = ["DPrimeResult", "dprime"]

_NAN = float("nan")


@dataclass(frozen=True, slots=True)
class DPrimeResult:
    """Sensitivity and bias from one yes/no table.

    ``hit_rate`` and ``false_alarm_rate`` are the *corrected* rates that d′ and c
    were computed from.  ``flags`` is empty when every count was usable.
    """

    d_prime: float
    criterion: float
    hit_rate: float
    false_alarm_rate: float
    n_signal: float
    n_noise: float
    flags: tuple[str, ...] = ()


def dprime(
    hits: float, misses: float, false_alarms: float, correct_rejections: float
) -> DPrimeResult:
    """d′ and criterion c with the log-linear correction (Hautus 1995).

    Counts are usually integers; non-integer (for example weighted) counts are
    accepted as they are.  Flags: ``"invalid_count"`` (a count is negative, NaN
    or infinite), ``"no_signal_trials"`` (hits + misses == 0),
    ``"no_noise_trials"`` (false alarms + correct rejections == 0),
    ``"numeric_overflow"`` (counts so large, ~1e308, that z is not finite).
    With any flag d′ and c are NaN.

    Raises ``TypeError`` if a count is not a real number.
    """
    counts = [
        real_scalar(hits, "hits"),
        real_scalar(misses, "misses"),
        real_scalar(false_alarms, "false_alarms"),
        real_scalar(correct_rejections, "correct_rejections"),
    ]
    n_hit, n_miss, n_fa, n_cr = counts
    n_signal = n_hit + n_miss
    n_noise = n_fa + n_cr

    flags: list[str] = []
    if not all(math.isfinite(count) and count >= 0 for count in counts):
        flags.append("invalid_count")
    else:
        if n_signal == 0:
            flags.append("no_signal_trials")
        if n_noise == 0:
            flags.append("no_noise_trials")
    if flags:
        return DPrimeResult(_NAN, _NAN, _NAN, _NAN, n_signal, n_noise, tuple(flags))

    hit_rate = (n_hit + 0.5) / (n_signal + 1.0)
    false_alarm_rate = (n_fa + 0.5) / (n_noise + 1.0)
    z_hit = _z_of_rate(n_hit + 0.5, n_miss + 0.5, n_signal + 1.0)
    z_false_alarm = _z_of_rate(n_fa + 0.5, n_cr + 0.5, n_noise + 1.0)
    if not (math.isfinite(z_hit) and math.isfinite(z_false_alarm)):
        # Only reachable with counts near the float limit (~1e308).
        return DPrimeResult(
            _NAN, _NAN, hit_rate, false_alarm_rate, n_signal, n_noise, ("numeric_overflow",)
        )
    return DPrimeResult(
        d_prime=z_hit - z_false_alarm,
        criterion=-(z_hit + z_false_alarm) / 2.0,
        hit_rate=hit_rate,
        false_alarm_rate=false_alarm_rate,
        n_signal=n_signal,
        n_noise=n_noise,
    )


def _z_of_rate(numerator: float, complement: float, denominator: float) -> float:
    """z(numerator / denominator), taken from the smaller tail for precision.

    For a rate close to 1, ``1 - rate`` rounds badly in floating point; using
    ``-z(complement / denominator)`` keeps d′ finite for very large counts.
    """
    # ndtri is the inverse standard normal CDF (scipy.stats.norm.ppf without overhead).
    if numerator <= complement:
        return float(ndtri(numerator / denominator))
    return -float(ndtri(complement / denominator))
