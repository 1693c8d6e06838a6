"""Tests for scoring.fit: cross-validated role-fit models, de-biasing, versions, shadow runs.

Reference values and where they come from:

* The DeLong variance is checked against its definition computed the slow way: the
  n_pos × n_neg matrix of ψ(X, Y) = 1 if X > Y, ½ if equal, 0 otherwise, whose row
  and column means are the structural components V10 and V01 (DeLong, DeLong &
  Clarke-Pearson 1988, Biometrics 44:837, section 2); the AUC against
  ``sklearn.metrics.roc_auc_score``.
* The true AUC of a known signal is computed from the generating model on a sample of
  200,000 (Monte-Carlo error below 0.002).
* Scoring from a record is checked against scikit-learn's own pipeline
  (``SimpleImputer(strategy="median")``, ``StandardScaler``, ``LogisticRegression``),
  which is what the record's numbers describe.
* Cohen's kappa against ``sklearn.metrics.cohen_kappa_score``; Spearman against
  ``scipy.stats.spearmanr``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import stats
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from scoring import fit

NAMES = ("signal", "noise_1", "noise_2", "noise_3")


def _signal_data(
    n: int, seed: int, beta: float = 1.5
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, len(NAMES)))
    p = 1.0 / (1.0 + np.exp(-(beta * x[:, 0] - 1.0)))
    y = (rng.random(n) < p).astype(np.int64)
    return x, y


def _true_auc(beta: float = 1.5) -> float:
    x, y = _signal_data(200_000, 12345, beta)
    return float(roc_auc_score(y, x[:, 0]))


# --------------------------------------------------------------------------- AUC and CI


def test_delong_matches_its_definition_with_ties() -> None:
    rng = np.random.default_rng(3)
    scores = np.round(rng.standard_normal(70), 1)  # rounded: many ties
    labels = (rng.random(70) < 0.4).astype(int)
    auc, se = fit.delong_auc(scores, labels)
    pos, neg = scores[labels == 1], scores[labels == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    variance = v10.var(ddof=1) / pos.size + v01.var(ddof=1) / neg.size
    assert auc == pytest.approx(psi.mean(), abs=1e-12)
    assert auc == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    assert se == pytest.approx(math.sqrt(variance), rel=1e-10)


def test_delong_needs_two_of_each_class_for_a_variance() -> None:
    auc, se = fit.delong_auc([0.1, 0.9, 0.5], [0, 1, 0])
    assert auc == 1.0 and math.isnan(se)
    assert all(math.isnan(v) for v in fit.delong_auc([0.1, 0.2], [0, 0]))


@pytest.mark.slow
def test_a_known_signal_is_found_with_an_honest_auc() -> None:
    x, y = _signal_data(800, 1)
    result = fit.fit_role_model(x, y, NAMES)
    cv = result.cv
    truth = _true_auc()
    assert 0.75 < truth < 0.9
    assert cv.auc_ci_low <= truth <= cv.auc_ci_high
    assert cv.auc_ci_high - cv.auc_ci_low < 0.1
    assert len(cv.fold_aucs) == 5 and all(0.65 < a < 0.95 for a in cv.fold_aucs)
    weights = result.params.weights
    assert max(weights, key=lambda k: abs(weights[k])) == "signal"
    assert weights["signal"] > 1.0
    assert all(abs(weights[k]) < 0.25 for k in NAMES[1:])
    # Out-of-fold probabilities of a well-specified model are calibrated.
    gaps = np.abs(np.subtract(cv.calibration_predicted, cv.calibration_observed))
    assert len(cv.calibration_predicted) == 10 and float(gaps.max()) < 0.15


@pytest.mark.slow
def test_on_noise_the_auc_is_about_one_half() -> None:
    aucs = []
    for seed in range(5):
        rng = np.random.default_rng(100 + seed)
        x = rng.standard_normal((400, 4))
        y = (rng.random(400) < 0.3).astype(int)
        cv = fit.fit_role_model(x, y, NAMES, seed=seed).cv
        assert cv.auc_ci_low <= 0.5 <= cv.auc_ci_high or abs(cv.auc - 0.5) < 0.1
        aucs.append(cv.auc)
    assert abs(float(np.mean(aucs)) - 0.5) < 0.05


@pytest.mark.slow
def test_the_default_threshold_passes_the_incumbents_share() -> None:
    x, y = _signal_data(500, 2)
    result = fit.fit_role_model(x, y, NAMES)
    assert result.params.threshold_rule == "incumbent_share"
    assert result.cv.pass_rate == pytest.approx(y.mean(), abs=1 / 500)
    fixed = fit.fit_role_model(x, y, NAMES, threshold=0.5)
    assert fixed.params.threshold == 0.5 and fixed.params.threshold_rule == "fixed"
    assert fixed.cv.pass_rate == pytest.approx(np.mean(fixed.oof_probability >= 0.5))


# --------------------------------------------------------------------------- scoring


def _with_missing(x: NDArray[np.float64], seed: int) -> NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    holes = x.copy()
    holes[rng.random(x.shape) < 0.1] = np.nan
    return holes


@pytest.mark.slow
def test_scoring_from_the_record_equals_sklearns_pipeline() -> None:
    x, y = _signal_data(600, 4)
    x = _with_missing(x, 5)
    x[:, 2] = x[:, 2] * 1000 + 50  # scale matters only through standardising
    result = fit.fit_role_model(x, y, NAMES)
    version = fit.make_version(
        "analyst", result, ids=[str(i) for i in range(600)], labels=y,
        created_at="2026-12-04T00:00:00+00:00", baseline="station",
    )  # fmt: skip
    reread = fit.version_from_json(version.to_json())
    pipeline = make_pipeline(
        SimpleImputer(strategy="median"),
        StandardScaler(),
        LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000, tol=1e-8),
    ).fit(x, y)
    fresh = _with_missing(_signal_data(200, 6)[0], 7)
    expected = pipeline.predict_proba(fresh)[:, 1]
    assert np.allclose(fit.score_rows(reread, fresh), expected, atol=1e-6)
    row = dict(zip(NAMES, fresh[0], strict=True))
    one = fit.score_version(reread, {k: (None if math.isnan(v) else v) for k, v in row.items()})
    assert one.probability == pytest.approx(expected[0], abs=1e-6)
    assert one.passes == (one.probability >= reread.params.threshold)
    assert set(one.imputed) == {k for k, v in row.items() if math.isnan(v)}
    # A feature the candidate lacks entirely is imputed with the training median.
    nothing = fit.score_version(reread, {})
    assert nothing.imputed == NAMES
    medians = np.nanmedian(x, axis=0)
    assert nothing.probability == pytest.approx(
        pipeline.predict_proba(medians[None, :])[0, 1], abs=1e-6
    )


# --------------------------------------------------------------------------- versions


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        if not value:
            yield path, value
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        if not value:
            yield path, value
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    else:
        yield path, value


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if value is None:
        return 0
    if isinstance(value, list):
        return [0]
    return {"x": 0}


def _small_version(seed: int = 8) -> tuple[fit.ModelVersion, NDArray[np.float64], Any]:
    x, y = _signal_data(60, seed)
    rng = np.random.default_rng(seed)
    groups = {"gender": list(rng.choice(["a", "b"], 60))}
    result = fit.debias(x, y, NAMES, groups, min_group_size=5)
    version = fit.make_version(
        "analyst", result, ids=[f"s{i}" for i in range(60)], labels=y,
        created_at="2026-12-04T00:00:00+00:00", baseline="station",
    )  # fmt: skip
    return version, x, y


@pytest.mark.slow
def test_the_content_hash_is_stable_and_covers_every_field() -> None:
    version, _, _ = _small_version()
    again, _, _ = _small_version()
    assert version.content_hash == again.content_hash
    assert len(version.content_hash) == 64
    assert fit.version_from_json(version.to_json()).content_hash == version.content_hash
    document = json.loads(version.to_json())
    leaves = list(_leaves(document["record"]))
    assert len(leaves) > 100
    for path, value in leaves:
        forged = json.loads(version.to_json())
        target = forged["record"]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = _changed(value)
        # The format field is checked before the hash; every other field by the hash.
        with pytest.raises(ValueError, match=r"record altered|not a kiosk-fit/1"):
            fit.version_from_json(json.dumps(forged))


def test_the_hash_covers_the_training_manifest_and_names_nobody() -> None:
    x, y = _signal_data(60, 8)
    result = fit.fit_role_model(x, y, NAMES)
    made = [
        fit.make_version(
            "analyst", result, ids=ids, labels=y, created_at="t", baseline="station"
        ).content_hash
        for ids in ([f"s{i}" for i in range(60)], [f"s{i}" for i in range(1, 61)])
    ]
    assert made[0] != made[1]
    text = fit.make_version(
        "analyst", result, ids=[f"s{i}" for i in range(60)], labels=y, created_at="t",
        baseline="station",
    ).to_json()  # fmt: skip
    assert '"s1"' not in text and "s1" not in json.loads(text)["record"]["training"][0]["id"]


# --------------------------------------------------------------------------- shadow


@pytest.mark.slow
def test_shadow_of_a_version_with_itself_agrees_fully() -> None:
    version, x, _ = _small_version()
    rows = [dict(zip(NAMES, r, strict=True)) for r in x]
    groups = {"gender": ["a", "b"] * 30}
    same = fit.shadow_compare(version, version, rows, groups, min_group_size=5)
    assert same.agreement == 1.0 and same.kappa == pytest.approx(1.0)
    assert same.spearman == pytest.approx(1.0)
    assert same.audits_a == same.audits_b


@pytest.mark.slow
def test_shadow_figures_match_sklearn_and_scipy() -> None:
    x, y = _signal_data(300, 9)
    ids = [str(i) for i in range(300)]
    a = fit.make_version(
        "r", fit.fit_role_model(x, y, NAMES), ids=ids, labels=y, created_at="t", baseline="s"
    )
    rng = np.random.default_rng(10)
    shuffled = rng.permutation(y)
    b = fit.make_version(
        "r", fit.fit_role_model(x, shuffled, NAMES), ids=ids, labels=shuffled, created_at="t",
        baseline="s",
    )  # fmt: skip
    rows = [dict(zip(NAMES, r, strict=True)) for r in x]
    groups = {"gender": list(rng.choice(["a", "b"], 300))}
    result = fit.shadow_compare(a, b, rows, groups)
    pa, pb = fit.score_rows(a, x), fit.score_rows(b, x)
    da, db = pa >= a.params.threshold, pb >= b.params.threshold
    assert result.n == 300
    assert result.agreement == pytest.approx(np.mean(da == db))
    assert result.kappa == pytest.approx(cohen_kappa_score(da, db))
    assert result.spearman == pytest.approx(stats.spearmanr(pa, pb).statistic)
    assert result.agreement < 0.9  # a model of shuffled labels is another model
    assert result.audits_a[0].audit.n_total == result.audits_b[0].audit.n_total


@pytest.mark.slow
def test_shadow_kappa_is_nan_when_both_decide_the_same_for_everyone() -> None:
    version, x, _ = _small_version()
    p = version.params
    everyone = fit.ModelVersion(
        version.content_hash,
        {**version.record, "model": {**version.record["model"], "threshold": 1e-300}},
    )
    assert everyone.params.threshold != p.threshold
    rows = [dict(zip(NAMES, r, strict=True)) for r in x]
    result = fit.shadow_compare(everyone, everyone, rows, {"g": ["a", "b"] * 30})
    assert result.agreement == 1.0 and math.isnan(result.kappa)
    with pytest.raises(ValueError, match="no candidates"):
        fit.shadow_compare(version, version, [], {"g": []})


# --------------------------------------------------------------------------- de-biasing


def _biased_data(
    n: int = 600, seed: int = 11
) -> tuple[NDArray[np.float64], NDArray[np.int64], list[str]]:
    """``proxy`` is group-correlated (group a is 1.2 SD higher); ``skill`` is not."""
    rng = np.random.default_rng(seed)
    group = np.array(["a", "b"] * (n // 2))
    skill = rng.standard_normal(n)
    proxy = rng.standard_normal(n) + np.where(group == "a", 1.2, 0.0)
    other = rng.standard_normal(n)
    merit = 1.2 * skill + 1.0 * proxy + rng.normal(0, 0.7, n)
    y = (merit >= np.quantile(merit, 0.7)).astype(np.int64)
    return np.column_stack([skill, proxy, other]), y, list(group)


@pytest.mark.slow
def test_debias_removes_the_group_correlated_feature_and_records_each_step() -> None:
    x, y, group = _biased_data()
    result = fit.debias(x, y, ("skill", "proxy", "other"), {"group": group})
    assert result.status == "passed"
    first, last = result.history
    assert first.verdict == "fail" and "four_fifths" in first.failed_rules["group"]
    assert first.impact_ratio < 0.8 and first.removed == "proxy"
    # The rule: the largest w·d (Cohen's d of the standardised feature, high over low group).
    assert max(first.contributions, key=lambda k: first.contributions[k]) == "proxy"
    assert first.contributions["proxy"] > 0.3 > abs(first.contributions["other"])
    assert last.verdict == "pass" and last.removed is None and last.impact_ratio >= 0.8
    assert last.features == ("skill", "other") == result.fit.params.feature_names
    assert last.auc < first.auc and last.auc > 0.65
    assert result.audits == last.audits
    version = fit.make_version(
        "r", result, ids=[str(i) for i in range(600)], labels=y, created_at="t", baseline="s"
    )
    steps = version.record["debiasing"]["steps"]
    assert [s["verdict"] for s in steps] == ["fail", "pass"]
    assert [s["removed"] for s in steps] == ["proxy", None]
    assert version.audit_verdict == "pass"


def test_debias_without_bias_keeps_every_feature() -> None:
    x, y = _signal_data(600, 12)
    group = ["a", "b"] * 300
    result = fit.debias(x, y, NAMES, {"group": group})
    assert result.status == "passed" and len(result.history) == 1
    assert result.history[0].removed is None and result.fit.params.feature_names == NAMES


def test_debias_fails_when_the_last_feature_is_the_biased_one() -> None:
    x, y, group = _biased_data()
    result = fit.debias(x[:, 1:2], y, ("proxy",), {"group": group})
    assert result.status == "failed" and len(result.history) == 1
    assert result.history[0].verdict == "fail" and result.history[0].removed is None


@pytest.mark.slow
def test_groups_too_small_stop_debiasing_and_never_pass() -> None:
    x, y, group = _biased_data()
    few = [g if i < 40 else None for i, g in enumerate(group)]  # 20 per group
    result = fit.debias(x, y, ("skill", "proxy", "other"), {"group": few})
    assert result.status == "too_few_to_judge" and len(result.history) == 1
    assert result.history[0].verdict == "too_few_to_judge"
    assert result.audits[0].audit.small_groups == ("a", "b")
    nobody = fit.debias(x, y, ("skill", "proxy", "other"), {"group": [None] * 600})
    assert nobody.status == "too_few_to_judge"
    assert nobody.audits[0].audit.verdict == "too_few_to_judge"


@pytest.mark.slow
def test_every_attribute_must_pass() -> None:
    x, y, group = _biased_data()
    fine = ["c", "c", "d", "d"] * 150  # independent of group
    result = fit.debias(x, y, ("skill", "proxy", "other"), {"fine": fine, "group": group})
    first = result.history[0]
    assert first.verdict == "fail" and first.removed == "proxy"
    assert first.failed_rules["fine"] == () and first.failed_rules["group"]


# --------------------------------------------------------------------------- degenerate input


@pytest.mark.parametrize(
    ("x", "y", "names", "message"),
    [
        (np.zeros((0, 2)), [], ("a", "b"), "no rows"),
        (np.zeros((10, 0)), [0, 1] * 5, (), "no features"),
        (np.ones((10, 2)), [1] * 10, ("a", "b"), "only one class: there are no baseline"),
        (np.ones((10, 2)), [0] * 10, ("a", "b"), "only one class: there are no incumbents"),
        (np.ones((10, 2)), [0, 2] * 5, ("a", "b"), "row 1 has 2"),
        (np.ones((10, 2)), [0] * 7 + [1] * 3, ("a", "b"), "the smaller class has 3"),
        (np.ones((10, 2)), [0, 1] * 5, ("a", "a"), "'a' appears twice"),
        (np.ones((10, 2)), [0, 1] * 5, ("a",), "2 columns but 1 feature names"),
        (np.array([[np.inf, 1.0]] + [[1.0, 1.0]] * 9), [0, 1] * 5, ("a", "b"), "'a' is infinite"),
        (np.column_stack([np.full(10, np.nan), np.ones(10)]), [0, 1] * 5, ("a", "b"),
         "feature 'a' has no value"),
    ],
)  # fmt: skip
def test_degenerate_input_raises_naming_the_problem(
    x: NDArray[np.float64], y: list[int], names: tuple[str, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        fit.fit_role_model(x, y, names)


@pytest.mark.slow
def test_constant_features_get_no_weight() -> None:
    x, y = _signal_data(200, 13)
    x[:, 1] = 7.0
    result = fit.fit_role_model(x, y, NAMES)
    assert result.params.weights["noise_1"] == 0.0 and result.params.scales[1] == 1.0
    everything_constant = fit.fit_role_model(np.ones((20, 2)), [0, 1] * 10, ("a", "b"))
    assert everything_constant.cv.auc == 0.5
    assert all(w == 0.0 for w in everything_constant.params.coefficients)


def test_audit_needs_groups_and_matching_lengths() -> None:
    with pytest.raises(ValueError, match="no group attribute"):
        fit.audit_decisions([True, False], {})
    with pytest.raises(ValueError, match="'g' has 1 labels for 2 candidates"):
        fit.audit_decisions([True, False], {"g": ["a"]})
    (one,) = fit.audit_decisions([True] * 40, {"g": ["a"] * 40})
    assert one.audit.verdict == "too_few_to_judge"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(0, 30),
    p=st.integers(1, 4),
    seed=st.integers(0, 2**31 - 1),
    nan_share=st.sampled_from([0.0, 0.3, 1.0]),
    constant=st.booleans(),
)
@pytest.mark.slow
def test_fit_is_total_value_error_or_a_sane_result(
    n: int, p: int, seed: int, nan_share: float, constant: bool
) -> None:
    rng = np.random.default_rng(seed)
    x = np.full((n, p), 3.0) if constant else rng.standard_normal((n, p))
    x[rng.random((n, p)) < nan_share] = np.nan
    y = rng.integers(0, 2, n)
    groups = {"g": [str(g) if g < 2 else None for g in rng.integers(0, 3, n)]}
    names = tuple(f"f{i}" for i in range(p))
    try:
        result = fit.debias(x, y, names, groups, min_group_size=3, folds=2)
    except ValueError as error:
        assert str(error)
        return
    assert result.status in ("passed", "too_few_to_judge", "failed")
    cv = result.fit.cv
    assert 0.0 <= cv.auc <= 1.0
    assert np.all((result.fit.oof_probability >= 0) & (result.fit.oof_probability <= 1))
    assert result.history[-1].features == result.fit.params.feature_names
