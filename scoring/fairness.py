"""Fairness audits: adverse impact, a Bayes factor for independence, Mantel–Haenszel, effect sizes.

Contract (every result is a frozen dataclass; nothing here reads or writes files):

* ``adverse_impact(counts)`` – ``counts`` maps each group to ``(n_pass, n_total)``.
  Returns an :class:`AdverseImpact`: selection rates, the impact ratio (lowest
  rate / highest rate, the four-fifths rule of the Uniform Guidelines, 29 CFR
  1607.4D), Pearson's χ² on the full groups × (pass, fail) table, Fisher's exact
  test and the pooled two-proportion z test between the highest- and the
  lowest-passing group, the Dirichlet Bayes factor of the full table, the rules
  that fail and a verdict: ``"pass"``, ``"fail"`` or ``"too_few_to_judge"``.
* ``bayes_factor(table)`` – BF₁₀ for *dependence* against independence of an
  r × c table of counts under uniform Dirichlet priors (Gunel & Dickey 1974;
  Albert 2007).  ``log_bayes_factor`` returns its natural logarithm.
* ``mantel_haenszel(strata)`` – common odds ratio over 2 × 2 strata (centres,
  periods), the Cochran–Mantel–Haenszel χ² and the Breslow–Day test of equal
  odds ratios, plain and with Tarone's correction.
* ``standardized_mean_difference(a, b)`` – Cohen's d (pooled SD) with a CI, and
  Hedges' g.
* ``threshold_sweep(scores, groups)`` – ``adverse_impact`` at cuts from the 5th to
  the 95th percentile of the pooled scores.

Conventions
-----------
*Orientation.*  Passing is the favourable outcome.  In ``mantel_haenszel`` every
stratum is ``[[pass_a, fail_a], [pass_b, fail_b]]`` and the odds ratio is the odds
of passing in group a over the odds in group b (> 1: a passes more often).
``standardized_mean_difference(a, b)`` is positive when a scores higher.

*Too few to judge.*  A selection procedure is never declared fair on numbers too
small to show unfairness.  ``adverse_impact`` reports ``"too_few_to_judge"`` –
never ``"pass"`` – when a group has fewer than ``min_group_size`` candidates
(default 30), when an expected count of the groups × (pass, fail) table is below
``min_expected`` (default 5, Cochran's rule for χ²), or when a statistic cannot be
computed (nobody, or everybody, passed).  No regulation fixes a minimum size; 30
is a convention (below it one candidate moves a group's rate by more than three
points).  The statistics and the rules that fail
are still reported; a rule that fails on small numbers is information, not a
verdict (UGESP 1607.4D: differences "based on small numbers" may not constitute
adverse impact; smaller differences that are statistically significant may).

*The rules* (``failed_rules``, in this order): ``"four_fifths"`` (a group's rate is
below ``four_fifths`` × the highest rate; compared exactly, so a ratio of exactly
0.8 passes), ``"chi_square"``, ``"fisher"`` and ``"z_test"`` (p < ``alpha``,
default .05), and ``"bayes_factor"`` (BF₁₀ > ``bayes_factor_threshold``; off by
default).  χ² has no continuity correction (the correction makes the test
conservative, which in adverse-impact monitoring lets marginal cases through).

*Input.*  Counts must be whole, finite and non-negative, with ``n_pass <=
n_total``; ``adverse_impact`` needs at least two groups.  Anything else raises
``ValueError`` naming the offending entry (``TypeError`` for values that are not
numbers).  Groups with no candidates are allowed: they have no rate, take no part
in the tests, and make the verdict ``"too_few_to_judge"``.

The Bayes factor
----------------
For an r × c table y with N = Σy, write D(α) = Πᵢ Γ(αᵢ) / Γ(Σᵢ αᵢ) for the
normalising constant of a Dirichlet(α).  Under multinomial sampling of the N
observations:

* dependence (H₁): the rc cell probabilities p ~ Dirichlet(1, …, 1), so
  m₁(y) = C(y) · D(y + 1) / D(1_rc);
* independence (H₀): pᵢⱼ = αᵢ βⱼ with α ~ Dirichlet(1_r), β ~ Dirichlet(1_c), so
  m₀(y) = C(y) · [D(y_i+ + 1) / D(1_r)] · [D(y_+j + 1) / D(1_c)],

with the same multinomial coefficient C(y) in both.  Hence

    BF₁₀ = m₁ / m₀ = D(y + 1) · D(1_r) · D(1_c) / [D(1_rc) · D(y_i+ + 1) · D(y_+j + 1)],

computed in log space with ``gammaln``.  **BF₁₀ > 1 is evidence that the groups
differ** (dependence); BF₁₀ < 1 is evidence that they pass at the same rate.  It
is the quantity of Albert's ``ctable`` with a matrix of ones as prior ("Bayes
factor against independence").  pymetrics' audit-ai computes the same number but
documents it as "the Bayes factor for the hypothesis of independence" with
"BF < 1: support for dependence" – the labels there are backwards.  A row (or
column) of zeros is part of the model's categories and does change the value;
``adverse_impact`` leaves groups with no candidates out of the table.

Mantel–Haenszel and Breslow–Day
-------------------------------
For stratum k with cells a, b (group a passes, fails), c, d (group b) and n:

* OR_MH = Σ(a·d/n) / Σ(b·c/n) (Mantel & Haenszel 1959), with a 95 % CI from the
  variance of log OR_MH of Robins, Breslow & Greenland (1986), as R's
  ``mantelhaen.test`` reports it.
* CMH χ² = [Σ(a − E a)]² / Σ Var a, E a = (a+b)(a+c)/n,
  Var a = (a+b)(c+d)(a+c)(b+d) / (n²(n − 1)), 1 df, *without* continuity
  correction unless ``continuity_correction=True`` (then |Σ(a − E a)| − ½, as R's
  default does when the difference is at least ½).
* Breslow–Day: ã_k is the count that gives stratum k the odds ratio OR_MH with its
  margins fixed; BD = Σ (a − ã)² / Var(ã), Var(ã) = 1 / (1/ã + 1/b̃ + 1/c̃ + 1/d̃),
  on K − 1 df (Breslow & Day 1980, ch. 4).  ``breslow_day`` is this statistic
  without correction; ``tarone`` subtracts [Σ(a − ã)]² / Σ Var(ã) (Tarone 1985),
  which makes it asymptotically χ² because OR_MH is not the maximum-likelihood
  estimate.  Both are reported; they differ little in practice.

Only strata whose four margins are all non-zero carry information; the others
are counted in ``n_strata`` and skipped (K is the number of informative strata).

Standardised mean difference
----------------------------
d = (mean_a − mean_b) / s_pooled, s_pooled² = [(n_a − 1)s_a² + (n_b − 1)s_b²] /
(n_a + n_b − 2).  The CI is by default the large-sample normal approximation
d ± z·SE, SE² = (n_a + n_b)/(n_a n_b) + d² / (2(n_a + n_b)) (Hedges & Olkin 1985;
Borenstein et al. 2009, ch. 4); ``ci_method="noncentral_t"`` inverts the
noncentral t distribution of t = d·√(n_a n_b/(n_a + n_b)) instead (Steiger &
Fouladi 1997), exact for normal scores with equal variances.  Hedges' g = J·d,
J = 1 − 3 / (4(n_a + n_b − 2) − 1).

Sources:
    Uniform Guidelines on Employee Selection Procedures (1978), 29 CFR 1607.4D;
    Questions and Answers (1979), 44 FR 11996, Q&A 11.
    Gunel, E., & Dickey, J. (1974). Bayes factors for independence in contingency
    tables. Biometrika, 61(3), 545–557.
    Albert, J. (2007). Bayesian Computation with R. Springer (test of independence
    in a two-way table; LearnBayes ``ctable``).
    Mantel, N., & Haenszel, W. (1959). JNCI, 22, 719–748.
    Robins, J., Breslow, N., & Greenland, S. (1986). Estimators of the
    Mantel–Haenszel variance consistent in both sparse data and large-strata
    limiting models. Biometrics, 42, 311–323.
    Breslow, N. E., & Day, N. E. (1980). Statistical Methods in Cancer Research,
    Vol. 1. IARC.
    Tarone, R. E. (1985). On heterogeneity tests based on efficient scores.
    Biometrika, 72, 91–95.
    Cochran, W. G. (1954). Some methods for strengthening the common χ² tests.
    Biometrics, 10, 417–451.
    Hedges, L. V., & Olkin, I. (1985). Statistical Methods for Meta-Analysis.
    Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R. (2009).
    Introduction to Meta-Analysis, ch. 4.
    Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation.
    In What If There Were No Significance Tests?, 221–257.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats
from scipy.special import gammaln, ndtri

__all__ = [
    "RULES",
    "AdverseImpact",
    "MantelHaenszel",
    "StandardizedMeanDifference",
    "SweepPoint",
    "ThresholdSweep",
    "Verdict",
    "adverse_impact",
    "bayes_factor",
    "log_bayes_factor",
    "mantel_haenszel",
    "standardized_mean_difference",
    "threshold_sweep",
]

Verdict = Literal["pass", "fail", "too_few_to_judge"]

#: Every rule ``adverse_impact`` can report in ``failed_rules``, in report order.
RULES: tuple[str, ...] = ("four_fifths", "chi_square", "fisher", "z_test", "bayes_factor")

_NAN = float("nan")
_DEFAULT_PERCENTILES: tuple[float, ...] = tuple(float(p) for p in range(5, 100, 5))


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class AdverseImpact:
    """One adverse-impact audit of pass/fail decisions by group.

    Per-group mappings keep the order of ``groups`` (the input order).  A group
    with no candidates has NaN rate and ratio.  ``highest_group`` has the highest
    rate and ``lowest_group`` the lowest among the other groups, so the two differ
    whenever two groups have candidates.  Ties go to the larger group (it gives
    the tests the most power), then to the earlier one in input order; the
    result does not depend on the order of the groups otherwise.

    ``impact_ratio`` is the lowest rate over the highest; ``impact_ratios`` gives
    every group's rate over the highest.  ``fisher_p`` and ``z``/``z_p`` compare
    the highest- with the lowest-passing group (z ≥ 0; two-sided p; Fisher's p is
    scipy's, which loses accuracy for groups beyond about 10⁹ people).
    ``chi_square`` (df = groups − 1) and ``bayes_factor`` (BF₁₀, > 1 favours
    different rates) use every group with candidates.  Statistics that cannot be
    computed are NaN.  ``notes`` says in words why the verdict is
    ``"too_few_to_judge"`` (empty otherwise).
    """

    groups: tuple[str, ...]
    n_pass: Mapping[str, int]
    n_total: Mapping[str, int]
    selection_rates: Mapping[str, float]
    impact_ratios: Mapping[str, float]
    highest_group: str | None
    lowest_group: str | None
    impact_ratio: float
    below_four_fifths: tuple[str, ...]
    chi_square: float
    chi_square_df: int
    chi_square_p: float
    fisher_p: float
    z: float
    z_p: float
    bayes_factor: float
    failed_rules: tuple[str, ...]
    verdict: Verdict
    small_groups: tuple[str, ...]
    smallest_expected: float
    notes: tuple[str, ...]
    alpha: float
    four_fifths: float
    min_group_size: int
    min_expected: float

    @property
    def passes(self) -> bool:
        """True only when every group is large enough and no rule fails."""
        return self.verdict == "pass"

    @property
    def too_few_to_judge(self) -> bool:
        return self.verdict == "too_few_to_judge"


@dataclass(frozen=True, slots=True)
class MantelHaenszel:
    """Common odds ratio of passing, group a over group b, across strata.

    ``odds_ratio`` > 1 means group a passes more often than group b within strata.
    ``ci_low``/``ci_high`` are the 95 % Robins–Breslow–Greenland limits.
    ``cmh_chi_square`` has 1 df and no continuity correction unless
    ``continuity_correction`` is True.  ``breslow_day`` (uncorrected) and
    ``tarone`` (Tarone-corrected) test equal odds ratios on ``homogeneity_df`` =
    informative strata − 1.  Quantities that cannot be computed are NaN and
    ``flags`` says why.
    """

    odds_ratio: float
    ci_low: float
    ci_high: float
    cmh_chi_square: float
    cmh_p: float
    continuity_correction: bool
    breslow_day: float
    breslow_day_p: float
    tarone: float
    tarone_p: float
    homogeneity_df: int
    n_strata: int
    n_informative: int
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StandardizedMeanDifference:
    """Cohen's d of a over b (positive when a scores higher) with its CI.

    ``se`` is the large-sample standard error of d whatever ``ci_method`` is.
    Flags: ``"too_few"`` (d cannot be computed: a group is empty or there are
    fewer than three scores), ``"zero_variance"`` (both groups constant),
    ``"too_few_to_judge"`` (a group has fewer than ``min_group_size`` scores; d
    is computed but should not be relied on).
    """

    d: float
    ci_low: float
    ci_high: float
    se: float
    hedges_g: float
    mean_a: float
    mean_b: float
    sd_pooled: float
    n_a: int
    n_b: int
    confidence: float
    ci_method: Literal["normal", "noncentral_t"]
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SweepPoint:
    """``adverse_impact`` with pass = score on the good side of ``cut``."""

    percentile: float
    cut: float
    audit: AdverseImpact


@dataclass(frozen=True, slots=True)
class ThresholdSweep:
    """Audits at a series of cuts of a continuous score, lowest cut first."""

    points: tuple[SweepPoint, ...]
    higher_is_better: bool

    @property
    def cuts(self) -> tuple[float, ...]:
        return tuple(point.cut for point in self.points)

    @property
    def impact_ratios(self) -> tuple[float, ...]:
        return tuple(point.audit.impact_ratio for point in self.points)

    @property
    def failing_cuts(self) -> tuple[float, ...]:
        """Cuts at which at least one rule fails (whatever the verdict)."""
        return tuple(point.cut for point in self.points if point.audit.failed_rules)


# --------------------------------------------------------------------------- Bayes factor


def _log_dirichlet_norm(alpha: NDArray[np.float64]) -> float:
    """log D(α) = Σ log Γ(αᵢ) − log Γ(Σ αᵢ)."""
    return float(np.sum(gammaln(alpha)) - gammaln(np.sum(alpha)))


def _count_table(table: ArrayLike, name: str) -> NDArray[np.float64]:
    try:
        array = np.asarray(table)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"{name} must be a rectangular table of counts: {error}") from error
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be two-dimensional (rows × columns), got shape {array.shape}"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} must have at least one row and one column, got {array.shape}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold counts (real numbers), got dtype {array.dtype}")
    values = array.astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} holds a count that is NaN or infinite")
    if np.any(values < 0):
        raise ValueError(f"{name} holds a negative count ({float(values.min()):g})")
    return values


def log_bayes_factor(table: ArrayLike) -> float:
    """Natural log of :func:`bayes_factor` (finite even when BF₁₀ overflows)."""
    y = _count_table(table, "table")
    rows, columns = y.shape
    return (
        _log_dirichlet_norm(y.ravel() + 1.0)
        + _log_dirichlet_norm(np.ones(rows))
        + _log_dirichlet_norm(np.ones(columns))
        - _log_dirichlet_norm(np.ones(rows * columns))
        - _log_dirichlet_norm(y.sum(axis=1) + 1.0)
        - _log_dirichlet_norm(y.sum(axis=0) + 1.0)
    )


def bayes_factor(table: ArrayLike) -> float:
    """BF₁₀ for dependence of an r × c table under uniform Dirichlet priors.

    **Values above 1 are evidence that the rows differ** (e.g. groups pass at
    different rates); below 1, evidence that they do not.  See the module
    docstring for the derivation.  Albert's example table
    ``[[11, 68, 3], [9, 23, 5]]`` gives 1.662.  A table with a single row or
    column, or no counts, gives exactly 1 (no evidence either way).

    Counts must be finite and non-negative (they need not be whole).  Raises
    ``ValueError`` otherwise, or for a table that is not two-dimensional.
    """
    log_bf = log_bayes_factor(table)
    try:
        return math.exp(log_bf)
    except OverflowError:
        return math.inf


# --------------------------------------------------------------------------- input checks


def _whole_count(value: object, name: str) -> int:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a whole number, got {type(value).__name__}")
    if isinstance(value, numbers.Integral):
        count = int(value)
    else:
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{name} must be a finite count, got {number}")
        if not number.is_integer():
            raise ValueError(f"{name} must be a whole number, got {number:g}")
        count = int(number)
    if count < 0:
        raise ValueError(f"{name} must not be negative, got {count}")
    return count


def _parse_counts(
    counts: Mapping[str, tuple[int, int]],
) -> tuple[tuple[str, ...], list[int], list[int]]:
    if not isinstance(counts, Mapping):
        raise TypeError(
            f"counts must map each group to (n_pass, n_total), got {type(counts).__name__}"
        )
    groups: list[str] = []
    passes: list[int] = []
    totals: list[int] = []
    for group, value in counts.items():
        try:
            raw_pass, raw_total = value
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"counts[{group!r}] must be a pair (n_pass, n_total), got {value!r}"
            ) from error
        n_pass = _whole_count(raw_pass, f"counts[{group!r}] n_pass")
        n_total = _whole_count(raw_total, f"counts[{group!r}] n_total")
        if n_pass > n_total:
            raise ValueError(
                f"counts[{group!r}]: n_pass ({n_pass}) is greater than n_total ({n_total})"
            )
        groups.append(group)
        passes.append(n_pass)
        totals.append(n_total)
    return tuple(groups), passes, totals


def _check_alpha(alpha: float) -> float:
    value = float(alpha)
    if not 0.0 < value < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}")
    return value


def _check_settings(
    four_fifths: float, min_group_size: int, min_expected: float
) -> tuple[float, int, float]:
    ratio = float(four_fifths)
    if not 0.0 < ratio <= 1.0:
        raise ValueError(f"four_fifths must lie in (0, 1], got {four_fifths}")
    size = _whole_count(min_group_size, "min_group_size")
    expected = float(min_expected)
    if not (math.isfinite(expected) and expected >= 0.0):
        raise ValueError(f"min_expected must be a finite number >= 0, got {min_expected}")
    return ratio, size, expected


# --------------------------------------------------------------------------- adverse impact


def _pearson_chi_square(table: NDArray[np.float64]) -> tuple[float, int, float, float]:
    """χ², df, p and the smallest expected count of a table without empty rows.

    NaN statistic and p when a column is empty (every expected count there is 0).
    """
    rows = table.sum(axis=1)
    columns = table.sum(axis=0)
    total = float(table.sum())
    df = (table.shape[0] - 1) * (table.shape[1] - 1)
    if total <= 0:
        return _NAN, df, _NAN, _NAN
    expected = np.outer(rows, columns) / total
    smallest = float(expected.min())
    if df == 0 or np.any(columns <= 0):
        return _NAN, df, _NAN, smallest
    statistic = float(np.sum((table - expected) ** 2 / expected))
    return statistic, df, float(stats.chi2.sf(statistic, df)), smallest


def _two_proportion_z(pass_1: int, total_1: int, pass_2: int, total_2: int) -> tuple[float, float]:
    """Pooled two-proportion z of rate 1 − rate 2 with its two-sided p."""
    pooled = (pass_1 + pass_2) / (total_1 + total_2)
    variance = pooled * (1.0 - pooled) * (1.0 / total_1 + 1.0 / total_2)
    if variance <= 0.0:
        return _NAN, _NAN
    z = (pass_1 / total_1 - pass_2 / total_2) / math.sqrt(variance)
    return z, float(2.0 * stats.norm.sf(abs(z)))


def adverse_impact(
    counts: Mapping[str, tuple[int, int]],
    *,
    alpha: float = 0.05,
    four_fifths: float = 0.8,
    min_group_size: int = 30,
    min_expected: float = 5.0,
    bayes_factor_threshold: float | None = None,
) -> AdverseImpact:
    """Audit pass/fail decisions by group; see the module docstring for the rules.

    ``counts`` maps each group to ``(n_pass, n_total)``, e.g.
    ``{"women": (30, 100), "men": (48, 120)}``.  The verdict is ``"pass"`` only
    when every group has at least ``min_group_size`` candidates, every expected
    count of the groups × (pass, fail) table is at least ``min_expected``, every
    statistic could be computed and no rule fails; ``"too_few_to_judge"`` when
    one of the first three does not hold (``notes`` says which), and ``"fail"``
    otherwise.  The ratio threshold ``four_fifths`` is compared exactly, read as
    the decimal it prints as (0.8 is 4/5).

    Fewer than two groups (or fewer than two with candidates) is not an error: the
    verdict is ``"too_few_to_judge"``, never a pass. Raises ``ValueError`` for a
    count that is negative, not whole or not finite, ``n_pass > n_total``, or a
    setting out of range.
    """
    groups, passes, totals = _parse_counts(counts)
    alpha = _check_alpha(alpha)
    four_fifths, min_group_size, min_expected = _check_settings(
        four_fifths, min_group_size, min_expected
    )
    threshold = None if bayes_factor_threshold is None else float(bayes_factor_threshold)

    present = [i for i, total in enumerate(totals) if total > 0]
    rates = {g: (passes[i] / totals[i] if totals[i] else _NAN) for i, g in enumerate(groups)}
    ratios: dict[str, float] = dict.fromkeys(groups, _NAN)
    highest: int | None = None
    lowest: int | None = None
    below: list[str] = []
    impact_ratio = _NAN
    if present:
        # Rates compared exactly; ties go to the larger group (the more powerful test).
        highest = max(present, key=lambda i: (Fraction(passes[i], totals[i]), totals[i]))
        others = [i for i in present if i != highest]
        if others:
            lowest = min(others, key=lambda i: (Fraction(passes[i], totals[i]), -totals[i]))
        top_pass, top_total = passes[highest], totals[highest]
        if top_pass > 0:
            limit = Fraction(repr(four_fifths))
            for i in present:
                ratios[groups[i]] = (passes[i] * top_total) / (top_pass * totals[i])
                if Fraction(passes[i] * top_total, top_pass * totals[i]) < limit:
                    below.append(groups[i])
            if lowest is not None:
                impact_ratio = ratios[groups[lowest]]

    table = np.array(
        [[passes[i], totals[i] - passes[i]] for i in present], dtype=np.float64
    ).reshape(len(present), 2)
    chi_square, chi_df, chi_p, smallest_expected = _NAN, max(len(present) - 1, 0), _NAN, _NAN
    fisher_p, z, z_p, bf10 = _NAN, _NAN, _NAN, _NAN
    if len(present) >= 2 and highest is not None and lowest is not None:
        chi_square, chi_df, chi_p, smallest_expected = _pearson_chi_square(table)
        pair = [
            [passes[highest], totals[highest] - passes[highest]],
            [passes[lowest], totals[lowest] - passes[lowest]],
        ]
        with np.errstate(all="ignore"):  # scipy's arithmetic warns on counts beyond ~1e9
            fisher_p = float(stats.fisher_exact(pair, alternative="two-sided").pvalue)
        z, z_p = _two_proportion_z(passes[highest], totals[highest], passes[lowest], totals[lowest])
        bf10 = bayes_factor(table)

    failed: list[str] = []
    if below:
        failed.append("four_fifths")
    if chi_p < alpha:
        failed.append("chi_square")
    if fisher_p < alpha:
        failed.append("fisher")
    if z_p < alpha:
        failed.append("z_test")
    if threshold is not None and bf10 > threshold:
        failed.append("bayes_factor")

    small = tuple(g for g, total in zip(groups, totals, strict=True) if total < min_group_size)
    notes: list[str] = [
        f"group {g!r} has {totals[groups.index(g)]} candidates, fewer than {min_group_size}"
        for g in small
    ]
    if len(present) < 2:
        notes.append("fewer than two groups have candidates")
    else:
        if not smallest_expected >= min_expected:
            notes.append(
                f"the smallest expected count is {smallest_expected:.3g}, below {min_expected:g}"
                " (passes or fails are too rare for the tests)"
            )
        if not all(math.isfinite(v) for v in (impact_ratio, chi_p, fisher_p, z_p)):
            if sum(passes) == 0:
                notes.append("nobody passed: the rates cannot be compared")
            elif sum(passes) == sum(totals):
                notes.append("everybody passed: the tests are undefined")
            else:
                notes.append("a statistic could not be computed")
    verdict: Verdict = "too_few_to_judge" if notes else ("fail" if failed else "pass")
    return AdverseImpact(
        groups=groups,
        n_pass=dict(zip(groups, passes, strict=True)),
        n_total=dict(zip(groups, totals, strict=True)),
        selection_rates=rates,
        impact_ratios=ratios,
        highest_group=None if highest is None else groups[highest],
        lowest_group=None if lowest is None else groups[lowest],
        impact_ratio=impact_ratio,
        below_four_fifths=tuple(below),
        chi_square=chi_square,
        chi_square_df=chi_df,
        chi_square_p=chi_p,
        fisher_p=fisher_p,
        z=z,
        z_p=z_p,
        bayes_factor=bf10,
        failed_rules=tuple(rule for rule in RULES if rule in failed),
        verdict=verdict,
        small_groups=small,
        smallest_expected=smallest_expected,
        notes=tuple(notes),
        alpha=alpha,
        four_fifths=four_fifths,
        min_group_size=min_group_size,
        min_expected=min_expected,
    )


# --------------------------------------------------------------------------- Mantel–Haenszel


def _strata_array(strata: Sequence[ArrayLike] | ArrayLike) -> NDArray[np.float64]:
    if isinstance(strata, np.ndarray):
        items: list[object] = list(strata) if strata.ndim >= 1 else [strata]
    elif isinstance(strata, Sequence) and not isinstance(strata, str | bytes):
        items = list(strata)
    else:
        raise TypeError(f"strata must be a sequence of 2×2 tables, got {type(strata).__name__}")
    tables: list[NDArray[np.float64]] = []
    for k, item in enumerate(items):
        try:
            table = np.asarray(item)
        except (ValueError, OverflowError) as error:
            raise ValueError(f"stratum {k} is not a 2×2 table of counts: {error}") from error
        if table.shape != (2, 2):
            hint = (
                " (pass a list of tables, e.g. [table], for one stratum)" if table.ndim < 2 else ""
            )
            raise ValueError(
                f"stratum {k} must be a 2×2 table [[pass_a, fail_a], [pass_b, fail_b]], "
                f"got shape {table.shape}{hint}"
            )
        if table.dtype.kind not in "biuf":
            raise TypeError(f"stratum {k} must hold counts (real numbers), got dtype {table.dtype}")
        values = table.astype(np.float64)
        if not np.all(np.isfinite(values)):
            raise ValueError(f"stratum {k} holds a count that is NaN or infinite")
        if np.any(values < 0):
            raise ValueError(f"stratum {k} holds a negative count ({float(values.min()):g})")
        tables.append(values)
    if not tables:
        return np.zeros((0, 2, 2), dtype=np.float64)
    return np.stack(tables)


def _expected_under_odds_ratio(n_a: float, n_b: float, m_pass: float, odds_ratio: float) -> float:
    """The count of group a's passes that gives the stratum ``odds_ratio``, margins fixed.

    Solves a·(n_b − m + a) = ψ·(n_a − a)·(m − a) on the open interval allowed by the
    margins, where the left side increases and the right decreases, so the root is
    unique (Breslow & Day 1980).
    """
    low = max(0.0, m_pass - n_b)
    high = min(n_a, m_pass)

    def gap(a: float) -> float:
        return a * (n_b - m_pass + a) - odds_ratio * (n_a - a) * (m_pass - a)

    return float(optimize.brentq(gap, low, high, xtol=1e-13, rtol=4 * np.finfo(float).eps))


def mantel_haenszel(
    strata: Sequence[ArrayLike] | ArrayLike, *, continuity_correction: bool = False
) -> MantelHaenszel:
    """Common odds ratio of passing, **group a over group b**, over 2 × 2 strata.

    Each stratum is ``[[pass_a, fail_a], [pass_b, fail_b]]`` (a centre, a period);
    an array of shape (K, 2, 2) works too.  ``odds_ratio`` > 1 means group a
    passes more often; swapping the rows of every stratum inverts it.  The CMH χ²
    has no continuity correction unless ``continuity_correction=True``.  The
    Breslow–Day statistic is reported both uncorrected (``breslow_day``) and with
    Tarone's correction (``tarone``).  See the module docstring for formulas.

    Flags: ``"no_strata"``, ``"no_informative_strata"`` (no stratum has all four
    margins non-zero), ``"odds_ratio_not_finite"`` (a zero sum in the estimator:
    the CI and Breslow–Day are NaN), ``"single_stratum"`` (no homogeneity test).

    Raises ``ValueError`` for a stratum that is not 2 × 2 or holds a negative,
    NaN or infinite count.  Counts need not be whole.
    """
    tables = _strata_array(strata)
    n_strata = int(tables.shape[0])
    a, b = tables[:, 0, 0], tables[:, 0, 1]
    c, d = tables[:, 1, 0], tables[:, 1, 1]
    n = a + b + c + d
    row_a, row_b, col_pass, col_fail = a + b, c + d, a + c, b + d
    informative = (row_a > 0) & (row_b > 0) & (col_pass > 0) & (col_fail > 0)
    n_informative = int(np.count_nonzero(informative))
    flags: list[str] = []
    if n_strata == 0:
        flags.append("no_strata")
    if n_informative == 0:
        flags.append("no_informative_strata")

    used = n > 0
    safe_n = np.where(used, n, 1.0)
    r_k = np.where(used, a * d / safe_n, 0.0)
    s_k = np.where(used, b * c / safe_n, 0.0)
    r_sum, s_sum = float(r_k.sum()), float(s_k.sum())
    odds_ratio = _NAN
    if s_sum > 0:
        odds_ratio = r_sum / s_sum
    elif r_sum > 0:
        odds_ratio = math.inf
    finite_or = math.isfinite(odds_ratio) and odds_ratio > 0
    if n_informative and not finite_or:
        flags.append("odds_ratio_not_finite")

    ci_low, ci_high = _NAN, _NAN
    if finite_or:
        p_k = np.where(used, (a + d) / safe_n, 0.0)
        q_k = np.where(used, (b + c) / safe_n, 0.0)
        variance = (
            float(np.sum(p_k * r_k)) / (2 * r_sum**2)
            + float(np.sum(p_k * s_k + q_k * r_k)) / (2 * r_sum * s_sum)
            + float(np.sum(q_k * s_k)) / (2 * s_sum**2)
        )
        half = float(ndtri(0.975)) * math.sqrt(variance)
        log_or = math.log(odds_ratio)
        ci_low, ci_high = math.exp(log_or - half), math.exp(log_or + half)

    # CMH: strata of fewer than two people (or with an empty margin) have zero variance.
    several = n > 1
    safe_n1 = np.where(several, n - 1.0, 1.0)
    expected_a = np.where(several, row_a * col_pass / safe_n, a)
    var_a = np.where(several, row_a * row_b * col_pass * col_fail / (safe_n**2 * safe_n1), 0.0)
    delta = float(np.sum(a - expected_a))
    var_sum = float(var_a.sum())
    cmh, cmh_p = _NAN, _NAN
    if var_sum > 0:
        shift = 0.5 if continuity_correction and abs(delta) >= 0.5 else 0.0
        cmh = (abs(delta) - shift) ** 2 / var_sum
        cmh_p = float(stats.chi2.sf(cmh, 1))

    homogeneity_df = max(n_informative - 1, 0)
    bd, bd_p, tarone, tarone_p = _NAN, _NAN, _NAN, _NAN
    if n_informative == 1:
        flags.append("single_stratum")
    if finite_or and n_informative >= 2:
        residuals: list[float] = []
        variances: list[float] = []
        for k in np.flatnonzero(informative):
            fitted = _expected_under_odds_ratio(
                float(row_a[k]), float(row_b[k]), float(col_pass[k]), odds_ratio
            )
            cells = (
                fitted,
                float(row_a[k]) - fitted,
                float(col_pass[k]) - fitted,
                float(row_b[k]) - float(col_pass[k]) + fitted,
            )
            variances.append(1.0 / sum(1.0 / cell for cell in cells))
            residuals.append(float(a[k]) - fitted)
        res = np.asarray(residuals)
        var = np.asarray(variances)
        bd = float(np.sum(res**2 / var))
        tarone = bd - float(res.sum()) ** 2 / float(var.sum())
        bd_p = float(stats.chi2.sf(bd, homogeneity_df))
        tarone_p = float(stats.chi2.sf(tarone, homogeneity_df))

    return MantelHaenszel(
        odds_ratio=odds_ratio,
        ci_low=ci_low,
        ci_high=ci_high,
        cmh_chi_square=cmh,
        cmh_p=cmh_p,
        continuity_correction=continuity_correction,
        breslow_day=bd,
        breslow_day_p=bd_p,
        tarone=tarone,
        tarone_p=tarone_p,
        homogeneity_df=homogeneity_df,
        n_strata=n_strata,
        n_informative=n_informative,
        flags=tuple(flags),
    )


# --------------------------------------------------------------------------- continuous scores


def _finite_scores(values: ArrayLike, name: str) -> NDArray[np.float64]:
    try:
        array = np.asarray(values)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"{name} must be a 1-D sequence of numbers: {error}") from error
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    scores = array.astype(np.float64)
    bad = ~np.isfinite(scores)
    if np.any(bad):
        n_nan = int(np.count_nonzero(np.isnan(scores)))
        n_inf = int(np.count_nonzero(bad)) - n_nan
        raise ValueError(
            f"{name} must be finite: {n_nan} NaN and {n_inf} infinite value(s), first at "
            f"index {int(np.flatnonzero(bad)[0])} (drop missing scores before the audit)"
        )
    return scores


def _noncentral_t_limits(t_obs: float, df: float, confidence: float) -> tuple[float, float]:
    """Noncentrality parameters λ with P(T ≤ t_obs | λ) = 1 − α/2 and α/2.

    P(T ≤ t_obs | λ) falls from 1 to 0 as λ rises.  The search starts within a few
    large-sample SEs of t_obs; where scipy's cdf is not finite far in a tail, the
    tail's limit (1 below t_obs, 0 above) stands in for it.
    """
    tail = (1.0 - confidence) / 2.0
    spread = math.sqrt(1.0 + t_obs * t_obs / (2.0 * df))

    def cdf(lam: float) -> float:
        value = float(stats.nct.cdf(t_obs, df, lam))
        if math.isfinite(value):
            return value
        return 1.0 if lam < t_obs else 0.0

    def solve(target: float) -> float:
        def gap(lam: float) -> float:
            return cdf(lam) - target

        width = 4.0 * spread + 1.0
        low, high = t_obs - width, t_obs + width
        for _ in range(60):  # widen until the root is inside
            if gap(low) > 0 > gap(high):
                break
            width *= 2.0
            low, high = t_obs - width, t_obs + width
        return float(optimize.brentq(gap, low, high, xtol=1e-12))

    return solve(1.0 - tail), solve(tail)


def standardized_mean_difference(
    a: ArrayLike,
    b: ArrayLike,
    *,
    confidence: float = 0.95,
    ci_method: Literal["normal", "noncentral_t"] = "normal",
    min_group_size: int = 30,
) -> StandardizedMeanDifference:
    """Cohen's d of ``a`` over ``b`` with the pooled SD, its CI and Hedges' g.

    d > 0 when group a has the higher mean; swapping a and b negates d and mirrors
    the CI.  ``ci_method="normal"`` (default) is the large-sample approximation
    d ± z·SE; ``"noncentral_t"`` inverts the noncentral t.  Degenerate groups give
    NaN and flags (see :class:`StandardizedMeanDifference`).

    Raises ``ValueError`` for NaN or infinite scores, input that is not 1-D,
    ``confidence`` outside (0, 1) or an unknown ``ci_method``.
    """
    first = _finite_scores(a, "a")
    second = _finite_scores(b, "b")
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    if ci_method not in ("normal", "noncentral_t"):
        raise ValueError(f"ci_method must be 'normal' or 'noncentral_t', got {ci_method!r}")
    minimum = _whole_count(min_group_size, "min_group_size")
    n_a, n_b = int(first.size), int(second.size)
    # d is scale-free: scores near the float limit are scaled by a power of two
    # (exactly) so that sums and squares cannot overflow.
    largest = max(
        float(np.max(np.abs(first))) if n_a else 0.0,
        float(np.max(np.abs(second))) if n_b else 0.0,
    )
    scale = 2.0 ** (math.frexp(largest)[1] - 1) if largest > 1e100 else 1.0
    first, second = first / scale, second / scale
    mean_a = float(first.mean()) if n_a else _NAN
    mean_b = float(second.mean()) if n_b else _NAN
    flags: list[str] = []
    if n_a < minimum or n_b < minimum:
        flags.append("too_few_to_judge")
    df = n_a + n_b - 2
    if n_a == 0 or n_b == 0 or df < 1:
        return StandardizedMeanDifference(
            _NAN, _NAN, _NAN, _NAN, _NAN, mean_a * scale, mean_b * scale, _NAN, n_a, n_b,
            float(confidence), ci_method, ("too_few", *flags),
        )  # fmt: skip
    squares = float(np.sum((first - mean_a) ** 2) + np.sum((second - mean_b) ** 2))
    sd_pooled = math.sqrt(squares / df)
    if sd_pooled == 0.0:
        return StandardizedMeanDifference(
            _NAN, _NAN, _NAN, _NAN, _NAN, mean_a * scale, mean_b * scale, 0.0, n_a, n_b,
            float(confidence), ci_method, ("zero_variance", *flags),
        )  # fmt: skip
    d = (mean_a - mean_b) / sd_pooled
    n_sum = n_a + n_b
    se = math.sqrt(n_sum / (n_a * n_b) + d * d / (2.0 * n_sum))
    if ci_method == "normal":
        half = float(ndtri(0.5 + float(confidence) / 2.0)) * se
        ci_low, ci_high = d - half, d + half
    else:
        scale = math.sqrt(n_a * n_b / n_sum)
        low_lambda, high_lambda = _noncentral_t_limits(d * scale, float(df), float(confidence))
        ci_low, ci_high = low_lambda / scale, high_lambda / scale
    correction = 1.0 - 3.0 / (4.0 * df - 1.0)
    return StandardizedMeanDifference(
        d=d,
        ci_low=ci_low,
        ci_high=ci_high,
        se=se,
        hedges_g=correction * d,
        mean_a=mean_a * scale,
        mean_b=mean_b * scale,
        sd_pooled=sd_pooled * scale,
        n_a=n_a,
        n_b=n_b,
        confidence=float(confidence),
        ci_method=ci_method,
        flags=tuple(flags),
    )


def threshold_sweep(
    scores: ArrayLike,
    groups: Sequence[str] | ArrayLike,
    *,
    percentiles: Sequence[float] | None = None,
    higher_is_better: bool = True,
    alpha: float = 0.05,
    four_fifths: float = 0.8,
    min_group_size: int = 30,
    min_expected: float = 5.0,
    bayes_factor_threshold: float | None = None,
) -> ThresholdSweep:
    """``adverse_impact`` at every cut of a continuous score.

    Cuts are the ``percentiles`` of the pooled scores (numpy's linear
    interpolation), by default 5, 10, …, 95 (19 cuts).  With
    ``higher_is_better`` (default) a candidate passes when score >= cut;
    otherwise when score <= cut.  ``groups`` gives each score's group label
    (labels are compared as strings, in order of first appearance).  The other
    settings are passed to :func:`adverse_impact`.

    Raises ``ValueError`` for NaN or infinite scores, labels that do not match
    the scores one to one, fewer than two groups, or percentiles outside 0–100.
    """
    values = _finite_scores(scores, "scores")
    labels = [str(label) for label in np.asarray(groups, dtype=object).ravel()]
    if np.ndim(np.asarray(groups, dtype=object)) != 1:
        raise ValueError("groups must be one-dimensional: one label per score")
    if len(labels) != values.size:
        raise ValueError(
            f"scores and groups must have one entry per candidate: "
            f"lengths {values.size} and {len(labels)} differ"
        )
    names = tuple(dict.fromkeys(labels))
    chosen = _DEFAULT_PERCENTILES if percentiles is None else tuple(float(p) for p in percentiles)
    if not chosen:
        raise ValueError("percentiles must hold at least one value")
    if not all(0.0 <= p <= 100.0 for p in chosen):
        raise ValueError(f"percentiles must lie between 0 and 100, got {list(chosen)}")
    index = {name: i for i, name in enumerate(names)}
    codes = np.fromiter((index[label] for label in labels), dtype=np.intp, count=len(labels))
    totals = np.bincount(codes, minlength=len(names))
    if values.size == 0:
        # Nobody to cut: no points, rather than an error (an empty station is normal).
        return ThresholdSweep(points=(), higher_is_better=higher_is_better)
    cuts = np.percentile(values, chosen)
    points: list[SweepPoint] = []
    for percentile, cut in zip(chosen, cuts, strict=True):
        passed = values >= cut if higher_is_better else values <= cut
        n_pass = np.bincount(codes[passed], minlength=len(names))
        counts = {name: (int(n_pass[i]), int(totals[i])) for i, name in enumerate(names)}
        audit = adverse_impact(
            counts,
            alpha=alpha,
            four_fifths=four_fifths,
            min_group_size=min_group_size,
            min_expected=min_expected,
            bayes_factor_threshold=bayes_factor_threshold,
        )
        points.append(SweepPoint(percentile=percentile, cut=float(cut), audit=audit))
    return ThresholdSweep(points=tuple(points), higher_is_better=higher_is_better)
