"""Tests for scoring.fairness: adverse impact, the Dirichlet Bayes factor, Mantel–Haenszel,
Cohen's d and the threshold sweep.

Reference values and where they come from:

* Bayes factor: Albert (2007), *Bayesian Computation with R*, the ``ctable`` example
  ``matrix(c(11, 9, 68, 23, 3, 5), c(2, 3))`` with a prior of ones, BF = 1.662173;
  the LearnBayes ``ctable`` output for ``[[6, 40], [9, 34]]`` quoted by Tsikerdekis
  (2012, "Bayesian test of independence", michael.tsikerdekis.com), BF10 = 0.4660114;
  the docstring example of pymetrics/audit-ai (``crosstab_bayes_factor``),
  ``[[50, 50], [50, 50]]`` → 0.26162148804907587 (there mislabelled as support for
  dependence).  Independently, both marginal likelihoods are integrated numerically:
  Gauss–Legendre quadrature (exact for these polynomial integrands) and Monte Carlo.
* Mantel–Haenszel / Breslow–Day: R ``mantelhaen.test`` and DescTools
  ``BreslowDayTest``, as recorded in statsmodels'
  ``statsmodels/stats/tests/test_contingency_tables.py`` (TestStratified1–3).  The
  first data set is the penicillin-and-rabbits example of R's ``mantelhaen.test``
  help page (Agresti 1990, pp. 231–237).  R corrects for continuity by default, so
  those statistics are compared with ``continuity_correction=True``; the uncorrected
  statistic is computed by hand below.
* Four-fifths rule: Uniform Guidelines Questions and Answers (1979), Q&A 11 (rates
  60, 45, 48 and 51 %: adverse impact for the 45 % group only; 48/60 is exactly 80 %).
* Cohen's d: Borenstein et al. (2009), *Introduction to Meta-Analysis*, ch. 4 worked
  example (means 103 and 100, SDs 5.5 and 4.5, n = 50 each: d = 0.5970,
  V = 0.0418, J = 0.9923, g = 0.5924).
* χ² and Fisher: ``scipy.stats.chi2_contingency(correction=False)`` and
  ``scipy.stats.fisher_exact``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import stats
from scipy.special import gammaln

from scoring.fairness import (
    RULES,
    AdverseImpact,
    adverse_impact,
    bayes_factor,
    log_bayes_factor,
    mantel_haenszel,
    standardized_mean_difference,
    threshold_sweep,
)

# --------------------------------------------------------------------------- helpers


def _legendre(n: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Gauss–Legendre nodes and weights on [0, 1]."""
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return (nodes + 1.0) / 2.0, weights / 2.0


def _multinomial(y: NDArray[np.float64], p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Multinomial probability of counts ``y`` (flat) for each row of cell probabilities."""
    log_coefficient = gammaln(y.sum() + 1.0) - gammaln(y + 1.0).sum()
    with np.errstate(divide="ignore"):
        logs = np.where(y > 0, y * np.log(np.where(p > 0, p, 1.0)), 0.0)
        zero_cell = np.any((p <= 0) & (y > 0), axis=-1)
    values: NDArray[np.float64] = np.exp(log_coefficient + logs.sum(axis=-1))
    return np.where(zero_cell, 0.0, values)


def _quadrature_bf_2x2(table: list[list[int]]) -> float:
    """m₁ / m₀ for a 2×2 table by tensor Gauss–Legendre quadrature.

    m₁ integrates over the 3-simplex (p ~ Dirichlet(1,1,1,1), density 3! = 6) with the
    stick-breaking map p = (u₁, (1−u₁)u₂, (1−u₁)(1−u₂)u₃, (1−u₁)(1−u₂)(1−u₃)),
    Jacobian (1−u₁)²(1−u₂).  m₀ integrates over row and column probabilities
    (α, 1−α) and (β, 1−β), each uniform.  Both integrands are polynomials of degree
    at most N + 2 per variable, so 16 nodes are exact for N ≤ 29.
    """
    y = np.asarray(table, dtype=np.float64).ravel()
    nodes, weights = _legendre(16)
    u1, u2, u3 = np.meshgrid(nodes, nodes, nodes, indexing="ij")
    w = weights[:, None, None] * weights[None, :, None] * weights[None, None, :]
    p = np.stack(
        [
            u1,
            (1 - u1) * u2,
            (1 - u1) * (1 - u2) * u3,
            (1 - u1) * (1 - u2) * (1 - u3),
        ],
        axis=-1,
    )
    jacobian = (1 - u1) ** 2 * (1 - u2)
    m1 = float(np.sum(w * 6.0 * jacobian * _multinomial(y, p)))
    a, b = np.meshgrid(nodes, nodes, indexing="ij")
    w2 = weights[:, None] * weights[None, :]
    q = np.stack([a * b, a * (1 - b), (1 - a) * b, (1 - a) * (1 - b)], axis=-1)
    m0 = float(np.sum(w2 * _multinomial(y, q)))
    return m1 / m0


# --------------------------------------------------------------------------- Bayes factor


def test_bayes_factor_published_values() -> None:
    # Albert (2007), ctable example: 2 × 3 table filled by column in R.
    assert bayes_factor([[11, 68, 3], [9, 23, 5]]) == pytest.approx(1.662173, rel=1e-6)
    # LearnBayes ctable output quoted by Tsikerdekis (2012): BF10 = 0.4660114.
    assert bayes_factor([[6, 40], [9, 34]]) == pytest.approx(0.4660114, rel=1e-6)
    # audit-ai's docstring value for identical rows (same number, opposite label there).
    assert bayes_factor([[50, 50], [50, 50]]) == pytest.approx(0.26162148804907587, rel=1e-12)


@pytest.mark.parametrize(
    "table",
    [[[3, 1], [0, 2]], [[1, 1], [1, 1]], [[5, 0], [0, 5]], [[0, 0], [2, 7]], [[4, 2], [3, 6]]],
)
def test_bayes_factor_matches_quadrature_of_both_marginal_likelihoods(
    table: list[list[int]],
) -> None:
    assert bayes_factor(table) == pytest.approx(_quadrature_bf_2x2(table), rel=1e-9)


def test_bayes_factor_matches_monte_carlo_on_a_2x3_table() -> None:
    y = np.array([[3, 1, 0], [0, 2, 3]], dtype=np.float64)
    rng = np.random.default_rng(20240615)
    draws = 200_000
    flat = y.ravel()
    m1 = float(_multinomial(flat, rng.dirichlet(np.ones(6), draws)).mean())
    rows = rng.dirichlet(np.ones(2), draws)
    columns = rng.dirichlet(np.ones(3), draws)
    cells = (rows[:, :, None] * columns[:, None, :]).reshape(draws, 6)
    m0 = float(_multinomial(flat, cells).mean())
    assert bayes_factor(y) == pytest.approx(m1 / m0, rel=0.05)
    assert bayes_factor(y) == pytest.approx(150 / 13, rel=1e-12)  # exact by hand: 11.538


def test_bayes_factor_direction() -> None:
    # Identical rows: evidence for independence (no group difference), BF < 1.
    assert bayes_factor([[20, 20], [20, 20]]) < 1
    assert bayes_factor([[30, 70], [30, 70], [30, 70]]) < 0.1
    # Very different rows: overwhelming evidence that the groups differ.
    assert bayes_factor([[40, 0], [0, 40]]) > 1e15
    # More difference, more evidence.
    values = [bayes_factor([[50, 50], [50 - k, 50 + k]]) for k in range(0, 41, 10)]
    assert values == sorted(values)


def test_bayes_factor_degenerate_tables() -> None:
    assert bayes_factor([[3, 4, 5]]) == 1.0  # one row: nothing to compare
    assert bayes_factor([[3], [4]]) == 1.0
    assert bayes_factor([[0, 0], [0, 0]]) == 1.0  # no data: no evidence
    # Enormous evidence overflows the float but not its log.
    assert bayes_factor([[100_000, 0], [0, 100_000]]) == math.inf
    assert math.isfinite(log_bayes_factor([[100_000, 0], [0, 100_000]]))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([[1, -1], [2, 3]], "negative"),
        ([[1, float("nan")], [2, 3]], "NaN"),
        ([1, 2, 3], "two-dimensional"),
        (np.zeros((0, 2)), "at least one row"),
    ],
)
def test_bayes_factor_rejects_bad_tables(table: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bayes_factor(table)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda rows: st.integers(1, 4).flatmap(
            lambda cols: st.lists(
                st.lists(st.integers(0, 60), min_size=cols, max_size=cols),
                min_size=rows,
                max_size=rows,
            )
        )
    ),
)
@pytest.mark.slow
def test_bayes_factor_is_symmetric_in_rows_columns_and_transpose(table: list[list[int]]) -> None:
    y = np.asarray(table)
    value = log_bayes_factor(y)
    assert math.isfinite(value)
    rng = np.random.default_rng(len(table))
    shuffled = y[rng.permutation(y.shape[0])][:, rng.permutation(y.shape[1])]
    assert log_bayes_factor(shuffled) == pytest.approx(value, abs=1e-9)
    assert log_bayes_factor(y.T) == pytest.approx(value, abs=1e-9)
    assert bayes_factor(y) == pytest.approx(math.exp(value))


# --------------------------------------------------------------------------- adverse impact


def test_four_fifths_uniform_guidelines_example() -> None:
    # Q&A 11: rates 60 % (highest), 45 %, 48 % and 51 %; group sizes chosen here.
    result = adverse_impact(
        {
            "white": (300, 500),
            "american_indian": (45, 100),
            "hispanic": (48, 100),
            "black": (51, 100),
        }
    )
    assert result.highest_group == "white"
    assert result.lowest_group == "american_indian"
    assert result.impact_ratios == {
        "white": 1.0,
        "american_indian": 0.75,
        "hispanic": 0.8,
        "black": 0.85,
    }
    assert result.impact_ratio == 0.75
    # 48/60 is exactly four fifths: not adverse impact under the rule.
    assert result.below_four_fifths == ("american_indian",)
    assert "four_fifths" in result.failed_rules
    assert result.verdict == "fail"
    assert not result.passes


def test_chi_square_fisher_and_z_against_scipy_and_hand_values() -> None:
    counts = {"a": (60, 100), "b": (40, 100)}
    result = adverse_impact(counts)
    table = np.array([[60, 40], [40, 60]])
    chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
    assert result.chi_square == pytest.approx(chi2, rel=1e-12)
    assert result.chi_square_p == pytest.approx(p, rel=1e-12)
    assert result.chi_square_df == dof == 1
    assert result.fisher_p == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-12)
    # Pooled rate .5, SE = sqrt(.25 · (1/100 + 1/100)) = .0707107, z = .2 / SE = 2.828427.
    assert result.z == pytest.approx(2.8284271247461903, rel=1e-12)
    assert result.z_p == pytest.approx(0.004677734981047177, rel=1e-9)
    # For two groups, the pooled z squared is Pearson's χ² without correction.
    assert result.z**2 == pytest.approx(result.chi_square, rel=1e-12)
    assert result.impact_ratio == pytest.approx(40 / 60)
    assert result.failed_rules == ("four_fifths", "chi_square", "fisher", "z_test")


def test_chi_square_uses_every_group_and_fisher_the_extremes() -> None:
    counts = {"a": (70, 120), "b": (55, 110), "c": (36, 90)}
    result = adverse_impact(counts)
    table = np.array([[70, 50], [55, 55], [36, 54]])
    chi2, p, dof, expected = stats.chi2_contingency(table, correction=False)
    assert (result.chi_square, result.chi_square_p) == pytest.approx((chi2, p), rel=1e-12)
    assert result.chi_square_df == dof == 2
    assert result.smallest_expected == pytest.approx(expected.min())
    assert (result.highest_group, result.lowest_group) == ("a", "c")
    pair = [[70, 50], [36, 54]]
    assert result.fisher_p == pytest.approx(stats.fisher_exact(pair).pvalue, rel=1e-12)
    assert result.bayes_factor == pytest.approx(bayes_factor(table), rel=1e-12)


def test_equal_rates_pass() -> None:
    result = adverse_impact({"a": (25, 50), "b": (50, 100), "c": (40, 80)})
    assert result.impact_ratio == 1.0
    # Ties go to the larger groups, so the tests compare as many people as they can.
    assert (result.highest_group, result.lowest_group) == ("b", "c")
    assert result.failed_rules == ()
    assert result.verdict == "pass"
    assert result.passes and not result.too_few_to_judge
    assert result.bayes_factor < 1


def test_alpha_is_configurable() -> None:
    # p ≈ .026: significant at .05, not at .01; ratio 46/60 fails the four-fifths rule
    # only at the default threshold.
    counts = {"a": (60, 100), "b": (46, 100)}
    at_05 = adverse_impact(counts)
    at_01 = adverse_impact(counts, alpha=0.01, four_fifths=0.75)
    assert 0.01 < at_05.chi_square_p < 0.05
    assert set(at_05.failed_rules) >= {"four_fifths", "chi_square", "z_test"}
    assert at_01.failed_rules == ()
    assert at_01.verdict == "pass"
    assert at_01.alpha == 0.01


def test_bayes_factor_rule_is_optional() -> None:
    counts = {"a": (60, 100), "b": (40, 100)}
    assert "bayes_factor" not in adverse_impact(counts).failed_rules
    strict = adverse_impact(counts, bayes_factor_threshold=3.0)
    assert strict.bayes_factor > 3.0
    assert strict.failed_rules[-1] == "bayes_factor"
    assert strict.failed_rules == tuple(rule for rule in RULES if rule in strict.failed_rules)


def test_small_group_is_too_few_to_judge_never_a_pass() -> None:
    # Same rates in every group, but one group has 12 candidates.
    result = adverse_impact({"a": (50, 100), "b": (6, 12)})
    assert result.failed_rules == ()
    assert result.verdict == "too_few_to_judge"
    assert result.too_few_to_judge and not result.passes
    assert result.small_groups == ("b",)
    assert any("'b' has 12 candidates" in note for note in result.notes)


def test_rules_that_fail_on_small_numbers_are_reported_but_do_not_decide() -> None:
    result = adverse_impact({"a": (20, 25), "b": (5, 25)})
    assert "four_fifths" in result.failed_rules and "fisher" in result.failed_rules
    assert result.verdict == "too_few_to_judge"


def test_rare_passes_are_too_few_to_judge() -> None:
    # 2 passes among 200: expected passes per group are 1, below 5.
    result = adverse_impact({"a": (2, 100), "b": (0, 100)})
    assert result.smallest_expected == pytest.approx(1.0)
    assert result.verdict == "too_few_to_judge"
    assert any("expected count" in note for note in result.notes)
    assert adverse_impact({"a": (2, 100), "b": (0, 100)}, min_expected=0).verdict != "pass"


@pytest.mark.parametrize(
    ("counts", "note"),
    [
        ({"a": (0, 100), "b": (0, 100)}, "nobody passed"),
        ({"a": (100, 100), "b": (50, 50)}, "everybody passed"),
        ({"a": (40, 100), "b": (0, 0)}, "fewer than two groups"),
    ],
)
def test_undefined_audits_are_too_few_to_judge(
    counts: dict[str, tuple[int, int]], note: str
) -> None:
    result = adverse_impact(counts, min_group_size=0, min_expected=0)
    assert result.verdict == "too_few_to_judge"
    assert any(note in text for text in result.notes)


def test_empty_group_takes_no_part_in_the_tests() -> None:
    result = adverse_impact({"a": (60, 100), "b": (40, 100), "c": (0, 0)})
    assert math.isnan(result.selection_rates["c"])
    assert math.isnan(result.impact_ratios["c"])
    assert result.chi_square_df == 1
    two = adverse_impact({"a": (60, 100), "b": (40, 100)})
    assert result.chi_square == two.chi_square
    assert result.bayes_factor == two.bayes_factor
    assert result.verdict == "too_few_to_judge"  # the empty group is too small


@pytest.mark.parametrize(
    ("counts", "error", "message"),
    [
        ({"a": (-1, 10), "b": (1, 10)}, ValueError, r"counts\['a'\] n_pass must not be negative"),
        ({"a": (1, -10), "b": (1, 10)}, ValueError, "n_total must not be negative"),
        ({"a": (11, 10), "b": (1, 10)}, ValueError, r"n_pass \(11\) is greater than n_total"),
        ({"a": (1.5, 10), "b": (1, 10)}, ValueError, "whole number"),
        ({"a": (float("nan"), 10), "b": (1, 10)}, ValueError, "finite"),
        ({"a": (1, 10, 3), "b": (1, 10)}, ValueError, r"counts\['a'\] must be a pair"),
        ({"a": 5, "b": (1, 10)}, ValueError, "must be a pair"),
        ({"a": ("1", 10), "b": (1, 10)}, TypeError, "whole number"),
        ([("a", (1, 10)), ("b", (1, 10))], TypeError, "must map"),
    ],
)
def test_adverse_impact_rejects_bad_counts(
    counts: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        adverse_impact(counts)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"alpha": 0.0}, "alpha"),
        ({"alpha": 1.5}, "alpha"),
        ({"four_fifths": 0.0}, "four_fifths"),
        ({"min_group_size": -1}, "min_group_size"),
        ({"min_expected": float("nan")}, "min_expected"),
    ],
)
def test_adverse_impact_rejects_bad_settings(setting: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        adverse_impact({"a": (1, 10), "b": (2, 10)}, **setting)  # type: ignore[arg-type]


def test_whole_floats_and_numpy_integers_are_counts() -> None:
    counts = {"a": (np.int64(40), 100.0), "b": (np.float32(30), np.uint16(100))}
    result = adverse_impact(counts)  # type: ignore[arg-type]
    assert result.n_pass == {"a": 40, "b": 30}
    assert all(isinstance(n, int) for n in result.n_total.values())


@st.composite
def _group_counts(draw: st.DrawFn) -> dict[str, tuple[int, int]]:
    n_groups = draw(st.integers(2, 5))
    counts: dict[str, tuple[int, int]] = {}
    for i in range(n_groups):
        total = draw(st.integers(0, 400))
        counts[f"g{i}"] = (draw(st.integers(0, total)), total)
    return counts


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(_group_counts())
def test_adverse_impact_is_total_and_consistent(counts: dict[str, tuple[int, int]]) -> None:
    result = adverse_impact(counts)
    assert isinstance(result, AdverseImpact)
    assert result.verdict in ("pass", "fail", "too_few_to_judge")
    assert set(result.failed_rules) <= set(RULES)
    if result.verdict == "pass":
        assert result.failed_rules == ()
        assert all(total >= 30 for _, total in counts.values())
        assert result.smallest_expected >= 5
    if result.verdict == "fail":
        assert result.failed_rules and not result.notes
    if result.small_groups:
        assert result.verdict == "too_few_to_judge"
    if not math.isnan(result.impact_ratio):
        assert 0.0 <= result.impact_ratio <= 1.0
        assert result.highest_group != result.lowest_group
    present = [(p, t - p) for p, t in counts.values() if t > 0]
    table = np.array(present)
    if len(present) >= 2 and table.sum(axis=0).min() > 0:
        chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
        assert result.chi_square == pytest.approx(chi2, rel=1e-9, abs=1e-12)
        assert result.chi_square_p == pytest.approx(p, rel=1e-9, abs=1e-300)
    # The order of the groups changes nothing but the order of the mappings.
    backwards = adverse_impact(dict(reversed(list(counts.items()))))
    assert backwards.verdict == result.verdict
    assert set(backwards.failed_rules) == set(result.failed_rules)
    assert backwards.impact_ratio == pytest.approx(result.impact_ratio, nan_ok=True)
    assert backwards.chi_square == pytest.approx(result.chi_square, nan_ok=True)
    assert backwards.bayes_factor == pytest.approx(result.bayes_factor, nan_ok=True)


# --------------------------------------------------------------------------- Mantel–Haenszel

RABBITS = [[[0, 0], [6, 5]], [[3, 0], [3, 6]], [[6, 2], [0, 4]], [[5, 6], [1, 0]], [[2, 5], [0, 0]]]
STRATIFIED_2 = [
    [[20, 14], [10, 24]],
    [[15, 12], [3, 15]],
    [[3, 2], [3, 2]],
    [[12, 3], [7, 5]],
    [[1, 0], [3, 2]],
]
STRATIFIED_3 = [
    [[313, 512], [19, 89]],
    [[207, 353], [8, 17]],
    [[205, 120], [391, 202]],
    [[278, 139], [244, 131]],
    [[138, 53], [299, 94]],
    [[351, 22], [317, 24]],
]


def test_mantel_haenszel_matches_r_on_the_rabbits_data() -> None:
    corrected = mantel_haenszel(RABBITS, continuity_correction=True)
    assert corrected.odds_ratio == pytest.approx(7.0, rel=1e-12)
    assert corrected.cmh_chi_square == pytest.approx(3.9286, abs=5e-5)
    assert corrected.cmh_p == pytest.approx(0.04747, abs=5e-6)
    assert (corrected.ci_low, corrected.ci_high) == pytest.approx((1.026713, 47.725133), rel=1e-6)
    assert corrected.n_strata == 5 and corrected.n_informative == 3


def test_cmh_without_correction_by_hand() -> None:
    # Informative strata of the rabbits data (n = 12 each):
    #   [[3,0],[3,6]]: E a = 3·6/12 = 1.5, a − E = 1.5, Var = 3·9·6·6/(144·11) = 972/1584
    #   [[6,2],[0,4]]: E a = 8·6/12 = 4,   a − E = 2,   Var = 8·4·6·6/(144·11) = 1152/1584
    #   [[5,6],[1,0]]: E a = 11·6/12 = 5.5, a − E = −.5, Var = 11·1·6·6/(144·11) = 396/1584
    # Σ(a − E) = 3, ΣVar = 2520/1584, CMH = 9 · 1584/2520 = 5.657143 (corrected: 2.5² · …).
    plain = mantel_haenszel(RABBITS)
    assert plain.cmh_chi_square == pytest.approx(9 * 1584 / 2520, rel=1e-12)
    assert plain.cmh_p == pytest.approx(stats.chi2.sf(9 * 1584 / 2520, 1), rel=1e-12)
    assert not plain.continuity_correction
    corrected = mantel_haenszel(RABBITS, continuity_correction=True)
    assert corrected.cmh_chi_square == pytest.approx(6.25 * 1584 / 2520, rel=1e-12)
    # OR_MH = Σad/n / Σbc/n = (18/12 + 24/12) / (6/12) = 7.
    assert plain.odds_ratio == pytest.approx(7.0, rel=1e-12)


@pytest.mark.parametrize(
    ("strata", "expected"),
    [
        (
            STRATIFIED_2,
            dict(
                odds_ratio=3.5912, cmh=11.8852, cmh_p=0.0005658, ci=(1.781135, 7.240633),
                bd=1.8438, bd_p=0.7645, tarone=1.8436, tarone_p=0.7645, df=4,
            ),
        ),
        (
            STRATIFIED_3,
            dict(
                odds_ratio=1.101879, cmh=1.3368, cmh_p=0.2476, ci=(0.9402012, 1.2913602),
                bd=18.83297, bd_p=0.002064786, tarone=18.83297, tarone_p=0.002064786, df=5,
            ),
        ),
    ],
)  # fmt: skip
def test_mantel_haenszel_and_breslow_day_match_r(
    strata: list[list[list[int]]], expected: dict[str, object]
) -> None:
    result = mantel_haenszel(strata, continuity_correction=True)
    assert result.odds_ratio == pytest.approx(expected["odds_ratio"], rel=1e-4)
    assert result.cmh_chi_square == pytest.approx(expected["cmh"], rel=1e-4)
    assert result.cmh_p == pytest.approx(expected["cmh_p"], rel=1e-3)
    assert (result.ci_low, result.ci_high) == pytest.approx(expected["ci"], rel=1e-6)
    assert result.breslow_day == pytest.approx(expected["bd"], rel=1e-4)
    assert result.breslow_day_p == pytest.approx(expected["bd_p"], rel=1e-3)
    assert result.tarone == pytest.approx(expected["tarone"], rel=1e-4)
    assert result.tarone_p == pytest.approx(expected["tarone_p"], rel=1e-3)
    assert result.homogeneity_df == expected["df"]
    assert result.tarone <= result.breslow_day


def test_orientation_swapping_groups_inverts_the_odds_ratio() -> None:
    # Group a passes 60 % and 80 %, group b 40 % and 60 %: a is favoured.
    strata = [[[60, 40], [40, 60]], [[80, 20], [60, 40]]]
    forward = mantel_haenszel(strata)
    assert forward.odds_ratio > 1
    swapped = mantel_haenszel([[row_b, row_a] for row_a, row_b in strata])
    assert swapped.odds_ratio == pytest.approx(1 / forward.odds_ratio, rel=1e-12)
    assert (swapped.ci_low, swapped.ci_high) == pytest.approx(
        (1 / forward.ci_high, 1 / forward.ci_low), rel=1e-12
    )
    assert swapped.cmh_chi_square == pytest.approx(forward.cmh_chi_square, rel=1e-12)
    assert swapped.breslow_day == pytest.approx(forward.breslow_day, rel=1e-9)
    # Stratum odds ratios: (60·60)/(40·40) = 2.25 and (80·40)/(20·60) = 2.667; the
    # common one lies between them.
    assert 2.25 < forward.odds_ratio < 8 / 3


def test_single_stratum_reduces_to_the_2x2_table() -> None:
    table = [[30, 20], [18, 32]]
    result = mantel_haenszel([table])
    assert result.odds_ratio == pytest.approx(30 * 32 / (20 * 18), rel=1e-12)
    # For one stratum, CMH = (n − 1)/n · Pearson χ².
    chi2 = stats.chi2_contingency(np.array(table), correction=False)[0]
    assert result.cmh_chi_square == pytest.approx(99 / 100 * chi2, rel=1e-12)
    assert math.isnan(result.breslow_day)
    assert result.flags == ("single_stratum",)


def test_breslow_day_separates_homogeneous_from_opposite_strata() -> None:
    same = mantel_haenszel([[[60, 40], [40, 60]], [[120, 80], [80, 120]], [[30, 20], [20, 30]]])
    assert same.breslow_day == pytest.approx(0.0, abs=1e-9)
    assert same.breslow_day_p == pytest.approx(1.0)
    opposite = mantel_haenszel([[[70, 30], [30, 70]], [[30, 70], [70, 30]]])
    assert opposite.odds_ratio == pytest.approx(1.0)
    assert opposite.breslow_day > 50 and opposite.breslow_day_p < 1e-10


def test_mantel_haenszel_degenerate_strata() -> None:
    empty = mantel_haenszel([])
    assert math.isnan(empty.odds_ratio) and math.isnan(empty.cmh_chi_square)
    assert empty.flags == ("no_strata", "no_informative_strata")
    assert mantel_haenszel(np.zeros((0, 2, 2))).n_strata == 0
    zeros = mantel_haenszel([[[0, 0], [0, 0]], [[5, 5], [0, 0]]])
    assert zeros.n_informative == 0 and math.isnan(zeros.cmh_p)
    # Group a always passes, group b always fails: the odds ratio is infinite.
    perfect = mantel_haenszel([[[10, 0], [0, 10]], [[8, 0], [0, 7]]])
    assert perfect.odds_ratio == math.inf
    assert "odds_ratio_not_finite" in perfect.flags
    assert math.isnan(perfect.ci_low) and math.isnan(perfect.breslow_day)
    assert perfect.cmh_chi_square > 20


@pytest.mark.parametrize(
    ("strata", "message"),
    [
        ([[[1, 2], [3, 4]], [[1, 2, 3], [4, 5, 6]]], r"stratum 1 must be a 2×2 table"),
        ([[1, 2], [3, 4]], r"stratum 0 must be a 2×2 table.*e\.g\. \[table\]"),
        ([[[1, -2], [3, 4]]], "stratum 0 holds a negative count"),
        ([[[1, 2], [float("nan"), 4]]], "NaN or infinite"),
        (np.ones((3, 2, 3)), "stratum 0 must be a 2×2 table"),
    ],
)
def test_mantel_haenszel_rejects_bad_strata(strata: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        mantel_haenszel(strata)  # type: ignore[arg-type]


_cell = st.integers(0, 80)
_stratum = st.tuples(st.tuples(_cell, _cell), st.tuples(_cell, _cell))


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.lists(_stratum, min_size=0, max_size=6))
def test_mantel_haenszel_is_total_and_orientation_consistent(
    strata: list[tuple[tuple[int, int], tuple[int, int]]],
) -> None:
    tables = [[list(row_a), list(row_b)] for row_a, row_b in strata]
    forward = mantel_haenszel(tables)
    swapped = mantel_haenszel([[row_b, row_a] for row_a, row_b in tables])
    assert forward.cmh_chi_square == pytest.approx(swapped.cmh_chi_square, nan_ok=True)
    if 0 < forward.odds_ratio < math.inf:
        assert swapped.odds_ratio == pytest.approx(1 / forward.odds_ratio, rel=1e-9)
        assert forward.ci_low <= forward.odds_ratio <= forward.ci_high
    if not math.isnan(forward.breslow_day):
        assert forward.breslow_day >= -1e-9
        assert forward.tarone <= forward.breslow_day + 1e-9
        assert 0.0 <= forward.breslow_day_p <= 1.0
        assert forward.breslow_day == pytest.approx(swapped.breslow_day, rel=1e-6, abs=1e-8)


# --------------------------------------------------------------------------- Cohen's d


def _sample(mean: float, sd: float, n: int, seed: int) -> NDArray[np.float64]:
    """n values with exactly this mean and sample SD (ddof = 1)."""
    raw = np.random.default_rng(seed).normal(size=n)
    raw = (raw - raw.mean()) / raw.std(ddof=1)
    values: NDArray[np.float64] = mean + sd * raw
    return values


def test_cohens_d_borenstein_worked_example() -> None:
    a = _sample(103.0, 5.5, 50, seed=1)
    b = _sample(100.0, 4.5, 50, seed=2)
    result = standardized_mean_difference(a, b)
    assert result.sd_pooled == pytest.approx(math.sqrt(25.25), rel=1e-12)  # 5.0249
    assert result.d == pytest.approx(0.5970, abs=5e-5)
    assert result.se**2 == pytest.approx(0.0418, abs=5e-5)
    assert result.hedges_g == pytest.approx(0.5924, abs=5e-5)
    assert result.ci_low == pytest.approx(result.d - 1.959963984540054 * result.se, rel=1e-12)
    assert result.ci_high == pytest.approx(result.d + 1.959963984540054 * result.se, rel=1e-12)
    assert result.flags == ()
    assert result.ci_method == "normal"


def test_cohens_d_noncentral_t_interval() -> None:
    a = _sample(103.0, 5.5, 50, seed=1)
    b = _sample(100.0, 4.5, 50, seed=2)
    exact = standardized_mean_difference(a, b, ci_method="noncentral_t")
    scale = math.sqrt(50 * 50 / 100)
    t_obs = exact.d * scale
    assert stats.nct.cdf(t_obs, 98, exact.ci_low * scale) == pytest.approx(0.975, abs=1e-8)
    assert stats.nct.cdf(t_obs, 98, exact.ci_high * scale) == pytest.approx(0.025, abs=1e-8)
    normal = standardized_mean_difference(a, b)
    assert exact.ci_low == pytest.approx(normal.ci_low, abs=0.01)
    assert exact.ci_high == pytest.approx(normal.ci_high, abs=0.01)


@pytest.mark.parametrize(("shift", "n"), [(-8.0, 10), (20.0, 3), (5.0, 1000)])
def test_noncentral_t_interval_survives_extreme_effects(shift: float, n: int) -> None:
    rng = np.random.default_rng(11)
    a, b = rng.normal(shift, 1.0, n), rng.normal(0.0, 1.0, n)
    result = standardized_mean_difference(a, b, ci_method="noncentral_t")
    assert result.ci_low < result.d < result.ci_high
    assert math.isfinite(result.ci_low) and math.isfinite(result.ci_high)


def test_cohens_d_orientation_and_invariance() -> None:
    a = _sample(10.0, 2.0, 40, seed=3)
    b = _sample(9.0, 3.0, 60, seed=4)
    forward = standardized_mean_difference(a, b)
    assert forward.d > 0  # a scores higher
    backward = standardized_mean_difference(b, a)
    assert backward.d == pytest.approx(-forward.d, rel=1e-12)
    assert (backward.ci_low, backward.ci_high) == pytest.approx(
        (-forward.ci_high, -forward.ci_low), rel=1e-12
    )
    rescaled = standardized_mean_difference(5 * a + 7, 5 * b + 7)
    assert rescaled.d == pytest.approx(forward.d, rel=1e-10)


def test_cohens_d_degenerate_groups() -> None:
    assert standardized_mean_difference([], [1.0, 2.0]).flags[0] == "too_few"
    assert math.isnan(standardized_mean_difference([1.0], [2.0]).d)
    constant = standardized_mean_difference([3.0, 3.0], [3.0, 3.0, 3.0])
    assert math.isnan(constant.d) and constant.flags[0] == "zero_variance"
    huge = standardized_mean_difference([1e308, -1e308, 5e307], [1.5e308, 2e307, 0.0])
    assert math.isfinite(huge.d) and math.isfinite(huge.mean_a)
    assert huge.d == pytest.approx(
        standardized_mean_difference([10.0, -10.0, 5.0], [15.0, 2.0, 0.0]).d, rel=1e-12
    )
    small = standardized_mean_difference([1.0, 2.0, 3.0], [2.0, 3.0, 4.0])
    assert small.d == pytest.approx(-1.0)
    assert "too_few_to_judge" in small.flags


_score = st.floats(-1e6, 1e6, allow_nan=False)


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(st.lists(_score, max_size=40), st.lists(_score, max_size=40))
def test_cohens_d_is_total_and_antisymmetric(a: list[float], b: list[float]) -> None:
    forward = standardized_mean_difference(a, b)
    backward = standardized_mean_difference(b, a)
    if math.isnan(forward.d):
        assert forward.flags and forward.flags[0] in ("too_few", "zero_variance")
        assert math.isnan(backward.d)
    else:
        assert backward.d == pytest.approx(-forward.d, rel=1e-9, abs=1e-12)
        assert forward.ci_low <= forward.d <= forward.ci_high


@pytest.mark.parametrize(
    ("a", "kwargs", "message"),
    [
        ([1.0, float("nan"), 2.0], {}, r"a must be finite: 1 NaN .* index 1"),
        ([1.0, float("inf")], {}, "infinite"),
        ([[1.0, 2.0]], {}, "one-dimensional"),
        ([1.0, 2.0], {"confidence": 1.0}, "confidence"),
        ([1.0, 2.0], {"ci_method": "bootstrap"}, "ci_method"),
    ],
)
def test_cohens_d_rejects_bad_input(a: object, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        standardized_mean_difference(a, [1.0, 2.0, 3.0], **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- threshold sweep


def _two_groups(seed: int = 7) -> tuple[NDArray[np.float64], list[str]]:
    rng = np.random.default_rng(seed)
    scores = np.concatenate([rng.normal(0.0, 1.0, 400), rng.normal(-0.5, 1.0, 300)])
    return scores, ["a"] * 400 + ["b"] * 300


def test_sweep_default_cuts_and_per_cut_audits() -> None:
    scores, groups = _two_groups()
    sweep = threshold_sweep(scores, groups)
    assert len(sweep.points) == 19
    assert [point.percentile for point in sweep.points] == [float(p) for p in range(5, 100, 5)]
    assert sweep.cuts == tuple(np.percentile(scores, np.arange(5, 100, 5)))
    labels = np.array(groups)
    for point in sweep.points:
        passed = scores >= point.cut
        expected = adverse_impact(
            {
                "a": (int(np.sum(passed & (labels == "a"))), 400),
                "b": (int(np.sum(passed & (labels == "b"))), 300),
            }
        )
        assert point.audit == expected
    # The stricter the cut, the fewer pass in every group.
    rates = [point.audit.selection_rates["a"] for point in sweep.points]
    assert rates == sorted(rates, reverse=True)


def test_sweep_direction_is_a_parameter() -> None:
    scores, groups = _two_groups()
    higher = threshold_sweep(scores, groups)
    lower = threshold_sweep(-scores, groups, higher_is_better=False)
    # Negated scores with "lower is better" pass exactly the same people at mirrored cuts.
    for up, down in zip(higher.points, reversed(lower.points), strict=True):
        assert up.audit.n_pass == down.audit.n_pass
    assert not lower.higher_is_better
    rates = [point.audit.selection_rates["b"] for point in lower.points]
    assert rates == sorted(rates)


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.tuples(_score, st.sampled_from(["a", "b", "c"])), min_size=2, max_size=80).filter(
        lambda rows: len({group for _, group in rows}) >= 2
    ),
    st.booleans(),
)
@pytest.mark.slow
def test_sweep_is_total(rows: list[tuple[float, str]], higher_is_better: bool) -> None:
    scores = [score for score, _ in rows]
    groups = [group for _, group in rows]
    sweep = threshold_sweep(scores, groups, higher_is_better=higher_is_better)
    assert len(sweep.points) == 19
    assert list(sweep.cuts) == sorted(sweep.cuts)
    for point in sweep.points:
        assert sum(point.audit.n_total.values()) == len(rows)
        assert point.audit.verdict in ("pass", "fail", "too_few_to_judge")


@pytest.mark.parametrize(
    ("scores", "groups", "kwargs", "message"),
    [
        ([1.0, float("nan"), 2.0, 3.0], ["a", "b", "a", "b"], {}, "scores must be finite"),
        ([1.0, 2.0, 3.0], ["a", "b"], {}, "lengths 3 and 2 differ"),
        ([1.0, 2.0], ["a", "b"], {"percentiles": [50, 120]}, "between 0 and 100"),
        ([1.0, 2.0], ["a", "b"], {"percentiles": []}, "at least one"),
    ],
)
def test_sweep_rejects_bad_input(
    scores: list[float], groups: list[str], kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        threshold_sweep(scores, groups, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- a realistic audit


@pytest.fixture
def station() -> Iterator[tuple[NDArray[np.float64], NDArray[np.str_], NDArray[np.str_]]]:
    """A station's scores: three self-reported groups at two centres.

    Group "c" scores 0.6 SD lower than "a" and "b" at both centres, the kind of gap a
    trait correlated with group membership leaves in a role-fit score.
    """
    rng = np.random.default_rng(2024)
    sizes = {"a": 900, "b": 600, "c": 500}
    shift = {"a": 0.0, "b": -0.05, "c": -0.6}
    scores, groups, centres = [], [], []
    for group, size in sizes.items():
        scores.append(rng.normal(50.0 + 10.0 * shift[group], 10.0, size))
        groups += [group] * size
        centres += list(rng.choice(["north", "south"], size))
    yield np.concatenate(scores), np.array(groups), np.array(centres)


def test_realistic_audit(
    station: tuple[NDArray[np.float64], NDArray[np.str_], NDArray[np.str_]],
) -> None:
    scores, groups, centres = station
    effect = standardized_mean_difference(scores[groups == "a"], scores[groups == "c"])
    assert 0.45 < effect.d < 0.75 and effect.ci_low > 0.3

    sweep = threshold_sweep(scores, groups)
    # A lenient cut (5th percentile: nearly everyone passes) passes the four-fifths rule,
    # a strict one (95th percentile) fails it badly for group c.
    assert "four_fifths" not in sweep.points[0].audit.failed_rules
    assert sweep.points[-1].audit.lowest_group == "c"
    assert sweep.points[-1].audit.impact_ratio < 0.5
    assert sweep.points[-1].audit.verdict == "fail"
    ratios = sweep.impact_ratios
    assert ratios[0] > ratios[-1]
    assert sweep.failing_cuts  # some cuts fail

    # Selecting the top half: c is below four fifths, a and b are not far apart.
    median = sweep.points[9]
    assert median.percentile == 50.0
    audit = median.audit
    assert audit.below_four_fifths == ("c",)
    assert audit.verdict == "fail"
    assert audit.bayes_factor > 1e6  # overwhelming evidence that the groups differ
    assert audit.impact_ratios["b"] > 0.8

    # The same gap, stratified by centre: a over c, consistent across centres.
    cut = median.cut
    strata = []
    for centre in ("north", "south"):
        here = centres == centre
        rows = []
        for group in ("a", "c"):
            mask = here & (groups == group)
            n_pass = int(np.sum(scores[mask] >= cut))
            rows.append([n_pass, int(mask.sum()) - n_pass])
        strata.append(rows)
    pooled = mantel_haenszel(strata)
    assert pooled.odds_ratio > 2 and pooled.ci_low > 1
    assert pooled.cmh_p < 1e-6
    assert pooled.breslow_day_p > 0.01  # no evidence that the centres differ


@pytest.mark.parametrize("counts", [{}, {"a": (1, 10)}, {"a": (40, 100)}, {"a": (0, 0)}])
def test_fewer_than_two_groups_is_too_few_to_judge_never_a_pass(
    counts: dict[str, tuple[int, int]],
) -> None:
    result = adverse_impact(counts)
    assert result.verdict == "too_few_to_judge"
    assert "fewer than two groups have candidates" in result.notes
    assert math.isnan(result.impact_ratio) and result.failed_rules == ()


def test_a_sweep_over_one_group_or_nobody_judges_nothing() -> None:
    one = threshold_sweep([1.0, 2.0, 3.0], ["a", "a", "a"])
    assert one.points and all(p.audit.verdict == "too_few_to_judge" for p in one.points)
    assert threshold_sweep([], []).points == ()
