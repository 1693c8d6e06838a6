"""Role-fit models: who resembles a role's incumbents, audited for adverse impact.

Contract (pure: numpy, scipy and scikit-learn; no files, no database, no Qt):

* :func:`fit_role_model` fits an L2-regularised logistic regression of label 1
  (incumbents, e.g. a role's top performers) against label 0 (a baseline: the norm
  sample or a station's other candidates) on a feature matrix whose columns are
  metrics and traits by name, and cross-validates it.  Returns a :class:`FitResult`:
  the fitted :class:`ModelParams` (everything scoring needs, as plain numbers), the
  :class:`CrossValidation` figures and the out-of-fold probabilities.
* :func:`debias` fits, audits the out-of-fold pass decisions by self-reported group
  with :func:`scoring.fairness.adverse_impact`, and while the audit fails removes
  the feature that contributes most to the gap and refits.  Returns a
  :class:`Debiasing`: the final fit, its audits and every step.
* :func:`make_version` freezes a fit into a :class:`ModelVersion`, a JSON-serialisable
  record with a content hash; :func:`score_version` / :func:`score_rows` score
  candidates from the record alone (no scikit-learn object), so old versions stay
  usable for rescoring; :func:`shadow_compare` scores the same candidates with two
  versions and reports their agreement and both audits.

The model
---------
*Missing values* are imputed with the median of the training rows (per feature,
NaN ignored); the same medians are stored and used when scoring.  A feature with
no value at all in the training rows cannot be imputed: ``ValueError`` names it.
*Standardising*: after imputation every feature is centred on its training mean
and divided by its training SD (ddof = 0, as scikit-learn's ``StandardScaler``); a
constant feature keeps a scale of 1, so it standardises to 0 and gets no weight.
*Regularisation*: L2 with a fixed ``C`` (default 1.0, scikit-learn's default; the
penalty is ½‖w‖² / C on standardised features, intercept unpenalised).  C is fixed,
not tuned by inner CV, so that one training is one fit per fold plus one: the
figures below are then honest out-of-sample estimates without nested CV, and a
station with a few dozen incumbents does not tune noise.  Pass another ``C`` to
change it; it is stored in the record.
*Weights* are the coefficients on standardised features (log-odds per SD).

Cross-validation
----------------
Stratified k-fold (default 5, shuffled with ``seed``).  Imputation medians and
scaling are learnt inside each training fold.  The out-of-fold probabilities of
every row are pooled and give:

* the AUC with a DeLong CI: the variance of the Mann–Whitney AUC from its
  structural components (DeLong, DeLong & Clarke-Pearson 1988), computed with
  midranks (Sun & Xu 2014); the CI is AUC ± z·SE clipped to [0, 1].  The pooled
  out-of-fold AUC treats the k fold models as one; each fold's own AUC is
  reported too (``fold_aucs``) so their spread can be seen.
* the calibration curve of ``sklearn.calibration.calibration_curve`` on the
  out-of-fold probabilities (``n_bins`` quantile bins).

Threshold and pass decisions
----------------------------
A candidate passes when the predicted probability is ≥ the threshold.  By default
(``threshold=None``) the threshold selects the same share of the training rows as
the incumbents' share of them: it is the (1 − share) quantile of the out-of-fold
probabilities (numpy's "higher" method, so ties do not pass more than that share
by much).  A number in (0, 1) is a fixed cut chosen by an admin.

Audit and de-biasing
--------------------
The audit uses the out-of-fold decisions of the training rows that have a group
(rows without one take no part), with ``adverse_impact``'s defaults except
``min_group_size``.  Several group attributes (e.g. gender and age group) may be
audited at once; the model passes only when every attribute's verdict is
``"pass"``.  A verdict of ``"too_few_to_judge"`` stops de-biasing and blocks
approval: it is never taken as a pass.

*The feature that contributes most to the gap*: for the failing attribute with the
lowest impact ratio, take its highest-passing group h and its lowest-passing group
l; for each feature k, d_k is Cohen's d of the standardised feature between h and l
(:func:`scoring.fairness.standardized_mean_difference`).  The linear predictor's mean
difference between h and l is Σ w_k·(mean_h − mean_l) of the standardised features,
so w_k·Δ_k is feature k's share of the score gap; we rank by w_k·d_k (its share in
pooled-SD units).  The feature with the largest positive w_k·d_k (it pushes h above
l) is removed; if none is positive, the largest |w_k·d_k|.  This needs no refit per
candidate feature (unlike "the removal that most raises the impact ratio"), so a
step costs one cross-validated fit.  De-biasing stops when the audit passes, when
it is too few to judge, or when one feature is left and the audit still fails
(status ``"failed"``).

Degenerate input
----------------
Everything raises ``ValueError`` naming the problem: no rows, labels other than 0
and 1, one class only, fewer rows in a class than folds, no features, a feature
without any value, a non-finite value other than NaN, duplicate feature names,
fewer than two folds.  Groups with too few candidates are not an error: the audit
says ``"too_few_to_judge"``.

Sources:
    DeLong, E. R., DeLong, D. M., & Clarke-Pearson, D. L. (1988). Comparing the areas
    under two or more correlated receiver operating characteristic curves: a
    nonparametric approach. Biometrics, 44(3), 837–845.
    Sun, X., & Xu, W. (2014). Fast implementation of DeLong's algorithm for comparing
    the areas under correlated receiver operating characteristic curves. IEEE
    Signal Processing Letters, 21(11), 1389–1393.
    Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and
    Psychological Measurement, 20(1), 37–46.
    Uniform Guidelines on Employee Selection Procedures (1978), 29 CFR 1607.4D.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from scipy.special import expit, ndtri
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from scoring.fairness import AdverseImpact, adverse_impact, standardized_mean_difference

__all__ = [
    "FORMAT",
    "AttributeAudit",
    "CandidateScore",
    "CrossValidation",
    "DebiasStep",
    "Debiasing",
    "FitResult",
    "ModelParams",
    "ModelVersion",
    "ShadowComparison",
    "audit_decisions",
    "audit_to_json",
    "canonical_json",
    "debias",
    "delong_auc",
    "fit_role_model",
    "make_version",
    "score_rows",
    "score_version",
    "shadow_compare",
    "training_manifest",
    "version_from_json",
]

#: The layout of a model version record; bump when it changes.
FORMAT = "kiosk-fit/1"

Groups = Mapping[str, Sequence[str | None]]
DebiasStatus = Literal["passed", "too_few_to_judge", "failed"]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ModelParams:
    """Everything needed to score: imputation, scaling, coefficients, threshold."""

    feature_names: tuple[str, ...]
    medians: tuple[float, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    coefficients: tuple[float, ...]  # per standardised feature (log-odds per SD)
    intercept: float
    threshold: float
    threshold_rule: str  # "incumbent_share" or "fixed"
    c: float

    @property
    def weights(self) -> dict[str, float]:
        return dict(zip(self.feature_names, self.coefficients, strict=True))


@dataclass(frozen=True, slots=True)
class CrossValidation:
    """Out-of-fold figures of a stratified k-fold cross-validation."""

    folds: int
    seed: int
    n: int
    n_incumbents: int
    auc: float
    auc_ci_low: float
    auc_ci_high: float
    auc_se: float
    fold_aucs: tuple[float, ...]
    calibration_predicted: tuple[float, ...]
    calibration_observed: tuple[float, ...]
    pass_rate: float  # share of rows whose out-of-fold probability passes the threshold


@dataclass(frozen=True, slots=True)
class FitResult:
    params: ModelParams
    cv: CrossValidation
    oof_probability: NDArray[np.float64] = field(repr=False, compare=False)

    @property
    def oof_pass(self) -> NDArray[np.bool_]:
        return np.asarray(self.oof_probability >= self.params.threshold, dtype=np.bool_)


@dataclass(frozen=True, slots=True)
class AttributeAudit:
    """The adverse-impact audit of one group attribute (e.g. gender)."""

    attribute: str
    audit: AdverseImpact


@dataclass(frozen=True, slots=True)
class DebiasStep:
    """One fit during de-biasing: its features, figures, audits and what was removed."""

    features: tuple[str, ...]
    auc: float
    auc_ci_low: float
    auc_ci_high: float
    audits: tuple[AttributeAudit, ...]
    verdict: Literal["pass", "fail", "too_few_to_judge"]
    removed: str | None  # the feature removed after this step (None: the last step)
    contributions: Mapping[str, float]  # w_k·d_k of the failing attribute's gap

    @property
    def impact_ratio(self) -> float:
        """The lowest impact ratio over the audited attributes."""
        ratios = [a.audit.impact_ratio for a in self.audits]
        finite = [r for r in ratios if math.isfinite(r)]
        return min(finite) if finite else math.nan

    @property
    def failed_rules(self) -> dict[str, tuple[str, ...]]:
        return {a.attribute: a.audit.failed_rules for a in self.audits}


@dataclass(frozen=True, slots=True)
class Debiasing:
    fit: FitResult
    audits: tuple[AttributeAudit, ...]
    history: tuple[DebiasStep, ...]
    status: DebiasStatus


@dataclass(frozen=True, slots=True)
class ModelVersion:
    """A frozen, serialisable model version; ``content_hash`` covers every other field.

    ``record`` is the whole record as JSON-ready values (see :func:`make_version`);
    the typed fields below are read from it.
    """

    content_hash: str
    record: Mapping[str, Any] = field(repr=False)

    @property
    def role(self) -> str:
        return str(self.record["role"])

    @property
    def params(self) -> ModelParams:
        model = self.record["model"]
        return ModelParams(
            feature_names=tuple(str(n) for n in model["feature_names"]),
            medians=tuple(float(v) for v in model["medians"]),
            means=tuple(float(v) for v in model["means"]),
            scales=tuple(float(v) for v in model["scales"]),
            coefficients=tuple(float(v) for v in model["coefficients"]),
            intercept=float(model["intercept"]),
            threshold=float(model["threshold"]),
            threshold_rule=str(model["threshold_rule"]),
            c=float(model["c"]),
        )

    @property
    def audit_verdict(self) -> str:
        return str(self.record["audit"]["verdict"])

    def to_json(self) -> str:
        return canonical_json({"content_hash": self.content_hash, "record": self.record})


@dataclass(frozen=True, slots=True)
class CandidateScore:
    probability: float
    passes: bool
    imputed: tuple[str, ...]  # features missing for this candidate, filled with the median


@dataclass(frozen=True, slots=True)
class ShadowComparison:
    """Two versions on the same candidates: how often they agree, and both audits."""

    n: int
    pass_rate_a: float
    pass_rate_b: float
    agreement: float  # share with the same decision
    kappa: float  # Cohen's kappa of the decisions; NaN when both are constant
    spearman: float  # rank correlation of the probabilities; NaN when one is constant
    audits_a: tuple[AttributeAudit, ...]
    audits_b: tuple[AttributeAudit, ...]


# --------------------------------------------------------------------------- checks


def _matrix(features: ArrayLike, names: Sequence[str]) -> NDArray[np.float64]:
    try:
        array = np.asarray(features, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"features must be a matrix of numbers: {error}") from error
    if array.ndim != 2:
        raise ValueError(f"features must be two-dimensional (rows × features), got {array.shape}")
    if array.shape[0] == 0:
        raise ValueError("features has no rows: there is nobody to fit on")
    if array.shape[1] == 0 or not names:
        raise ValueError("there are no features to fit on")
    if array.shape[1] != len(names):
        raise ValueError(
            f"features has {array.shape[1]} columns but {len(names)} feature names are given"
        )
    if len(set(names)) != len(names):
        twice = next(n for i, n in enumerate(names) if n in names[:i])
        raise ValueError(f"feature names must be unique; {twice!r} appears twice")
    if np.any(np.isinf(array)):
        row, column = (int(i) for i in np.argwhere(np.isinf(array))[0])
        raise ValueError(f"feature {names[column]!r} is infinite in row {row}")
    return array


def _labels(labels: ArrayLike, n: int, folds: int) -> NDArray[np.int64]:
    array = np.asarray(labels)
    if array.ndim != 1 or array.size != n:
        raise ValueError(f"labels must hold one label per row ({n}), got shape {array.shape}")
    if array.dtype.kind not in "biuf":
        raise ValueError(f"labels must be 0 (baseline) or 1 (incumbent), got dtype {array.dtype}")
    values = array.astype(np.float64)
    bad = ~np.isin(values, (0.0, 1.0))
    if np.any(bad):
        at = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"labels must be 0 (baseline) or 1 (incumbent); row {at} has {values[at]:g}"
        )
    y = values.astype(np.int64)
    n_pos = int(y.sum())
    if n_pos == 0 or n_pos == n:
        which = "incumbents (label 1)" if n_pos == 0 else "baseline rows (label 0)"
        raise ValueError(f"only one class: there are no {which}; a fit needs both")
    smallest = min(n_pos, n - n_pos)
    if smallest < folds:
        raise ValueError(
            f"{folds}-fold cross-validation needs at least {folds} rows of each class; "
            f"the smaller class has {smallest}"
        )
    return y


def _check_folds(folds: int) -> int:
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise ValueError(f"folds must be a whole number of at least 2, got {folds!r}")
    return folds


def _check_threshold(threshold: float | None) -> float | None:
    if threshold is None:
        return None
    value = float(threshold)
    if not 0.0 < value < 1.0:
        raise ValueError(f"a fixed threshold must lie strictly between 0 and 1, got {threshold}")
    return value


def _check_c(c: float) -> float:
    value = float(c)
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(f"C must be a positive finite number, got {c}")
    return value


# --------------------------------------------------------------------------- the model


def _prepare(
    train: NDArray[np.float64], names: Sequence[str]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Medians, means and scales learnt from the training rows."""
    empty = np.all(np.isnan(train), axis=0)
    if np.any(empty):
        name = names[int(np.flatnonzero(empty)[0])]
        raise ValueError(
            f"feature {name!r} has no value in the training rows; drop it or score more sessions"
        )
    medians = np.nanmedian(train, axis=0)
    filled = np.where(np.isnan(train), medians, train)
    means = filled.mean(axis=0)
    sds = filled.std(axis=0)
    scales = np.where(sds > 0.0, sds, 1.0)
    return medians, means, scales


def _standardise(
    rows: NDArray[np.float64],
    medians: NDArray[np.float64],
    means: NDArray[np.float64],
    scales: NDArray[np.float64],
) -> NDArray[np.float64]:
    filled = np.where(np.isnan(rows), medians, rows)
    return np.asarray((filled - means) / scales, dtype=np.float64)


def _logistic(
    z: NDArray[np.float64], y: NDArray[np.int64], c: float
) -> tuple[NDArray[np.float64], float]:
    """Coefficients and intercept of an L2 logistic regression on standardised columns."""
    model: Any = LogisticRegression(C=c, solver="lbfgs", max_iter=1000, tol=1e-8)
    model.fit(z, y)
    coefficients = np.asarray(model.coef_, dtype=np.float64).reshape(-1)
    intercept = float(np.asarray(model.intercept_, dtype=np.float64).reshape(-1)[0])
    return coefficients, intercept


def _probability(
    rows: NDArray[np.float64],
    medians: NDArray[np.float64],
    means: NDArray[np.float64],
    scales: NDArray[np.float64],
    coefficients: NDArray[np.float64],
    intercept: float,
) -> NDArray[np.float64]:
    z = _standardise(rows, medians, means, scales)
    return np.asarray(expit(z @ coefficients + intercept), dtype=np.float64)


def delong_auc(scores: ArrayLike, labels: ArrayLike) -> tuple[float, float]:
    """The AUC of ``scores`` for ``labels`` (1 positive) and its DeLong standard error.

    With midranks (Sun & Xu 2014): for m positives and n negatives, the structural
    components are V10_i = (R_i − R⁺_i)/n and V01_j = 1 − (R_j − R⁻_j)/m, where R is
    the midrank in the pooled sample and R⁺, R⁻ the midrank within the positives or
    negatives; AUC = mean V10 and Var = s²(V10)/m + s²(V01)/n.  Needs at least two
    of each class for the variance (else NaN).
    """
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels).astype(bool)
    positives, negatives = s[y], s[~y]
    m, n = positives.size, negatives.size
    if m == 0 or n == 0:
        return math.nan, math.nan
    pooled = stats.rankdata(np.concatenate([positives, negatives]))
    v10 = (pooled[:m] - stats.rankdata(positives)) / n
    v01 = 1.0 - (pooled[m:] - stats.rankdata(negatives)) / m
    auc = float(v10.mean())
    if m < 2 or n < 2:
        return auc, math.nan
    variance = float(v10.var(ddof=1)) / m + float(v01.var(ddof=1)) / n
    return auc, math.sqrt(max(variance, 0.0))


def _incumbent_share_threshold(probability: NDArray[np.float64], share: float) -> float:
    cut = float(np.quantile(probability, 1.0 - share, method="higher"))
    # A probability of exactly 0 or 1 cannot be a threshold in (0, 1]; nudge inside.
    return min(max(cut, float(np.nextafter(0.0, 1.0))), 1.0)


def fit_role_model(
    features: ArrayLike,
    labels: ArrayLike,
    feature_names: Sequence[str],
    *,
    folds: int = 5,
    c: float = 1.0,
    threshold: float | None = None,
    seed: int = 0,
    n_bins: int = 10,
) -> FitResult:
    """Fit and cross-validate a role-fit model (see the module docstring).

    ``features`` is rows × features with NaN for a missing value; ``labels`` is 1
    for an incumbent and 0 for a baseline row.  ``threshold=None`` selects the
    incumbents' share; a number in (0, 1) is a fixed cut.
    """
    names = tuple(str(n) for n in feature_names)
    x = _matrix(features, names)
    k = _check_folds(folds)
    y = _labels(labels, x.shape[0], k)
    c_value = _check_c(c)
    fixed = _check_threshold(threshold)
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 2:
        raise ValueError(f"n_bins must be a whole number of at least 2, got {n_bins!r}")

    oof = np.empty(x.shape[0], dtype=np.float64)
    fold_aucs: list[float] = []
    splitter: Any = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    for train_index, test_index in splitter.split(x, y):
        train_rows = x[train_index]
        medians, means, scales = _prepare(train_rows, names)
        coefficients, intercept = _logistic(
            _standardise(train_rows, medians, means, scales), y[train_index], c_value
        )
        oof[test_index] = _probability(
            x[test_index], medians, means, scales, coefficients, intercept
        )
        fold_aucs.append(delong_auc(oof[test_index], y[test_index])[0])

    medians, means, scales = _prepare(x, names)
    coefficients, intercept = _logistic(_standardise(x, medians, means, scales), y, c_value)
    share = float(y.mean())
    cut = fixed if fixed is not None else _incumbent_share_threshold(oof, share)

    auc, se = delong_auc(oof, y)
    half = float(ndtri(0.975)) * se
    predicted_raw: Any
    observed_raw: Any
    observed_raw, predicted_raw = calibration_curve(y, oof, n_bins=n_bins, strategy="quantile")
    params = ModelParams(
        feature_names=names,
        medians=tuple(float(v) for v in medians),
        means=tuple(float(v) for v in means),
        scales=tuple(float(v) for v in scales),
        coefficients=tuple(float(v) for v in coefficients),
        intercept=intercept,
        threshold=cut,
        threshold_rule="incumbent_share" if fixed is None else "fixed",
        c=c_value,
    )
    cv = CrossValidation(
        folds=k,
        seed=int(seed),
        n=int(x.shape[0]),
        n_incumbents=int(y.sum()),
        auc=auc,
        auc_ci_low=max(0.0, auc - half) if math.isfinite(half) else math.nan,
        auc_ci_high=min(1.0, auc + half) if math.isfinite(half) else math.nan,
        auc_se=se,
        fold_aucs=tuple(fold_aucs),
        calibration_predicted=tuple(float(v) for v in np.asarray(predicted_raw, dtype=float)),
        calibration_observed=tuple(float(v) for v in np.asarray(observed_raw, dtype=float)),
        pass_rate=float(np.mean(oof >= cut)),
    )
    return FitResult(params=params, cv=cv, oof_probability=oof)


# --------------------------------------------------------------------------- audits


def _group_labels(groups: Groups, n: int) -> dict[str, list[str | None]]:
    result: dict[str, list[str | None]] = {}
    for attribute, labels in groups.items():
        values = [None if g is None or str(g).strip() == "" else str(g) for g in labels]
        if len(values) != n:
            raise ValueError(
                f"group attribute {attribute!r} has {len(values)} labels for {n} candidates"
            )
        result[str(attribute)] = values
    return result


def audit_decisions(
    passed: ArrayLike, groups: Groups, *, min_group_size: int = 30
) -> tuple[AttributeAudit, ...]:
    """``adverse_impact`` of pass decisions for each group attribute.

    Candidates without a group for an attribute take no part in its audit.  An
    attribute with fewer than two groups among the candidates is audited as two
    groups where the missing one is empty, so the verdict is ``"too_few_to_judge"``
    (one group alone cannot show that nobody else is disadvantaged).
    """
    decisions = np.asarray(passed, dtype=bool).reshape(-1)
    if not groups:
        raise ValueError("no group attribute to audit: the audit needs self-reported groups")
    audits: list[AttributeAudit] = []
    for attribute, labels in _group_labels(groups, decisions.size).items():
        counts: dict[str, tuple[int, int]] = {}
        for label, ok in zip(labels, decisions, strict=True):
            if label is None:
                continue
            n_pass, n_total = counts.get(label, (0, 0))
            counts[label] = (n_pass + int(ok), n_total + 1)
        counts = dict(sorted(counts.items()))
        while len(counts) < 2:
            counts[f"(no other group {len(counts) + 1})"] = (0, 0)
        audits.append(
            AttributeAudit(attribute, adverse_impact(counts, min_group_size=min_group_size))
        )
    return tuple(audits)


def _verdict(audits: Sequence[AttributeAudit]) -> Literal["pass", "fail", "too_few_to_judge"]:
    verdicts = {a.audit.verdict for a in audits}
    if "too_few_to_judge" in verdicts:
        return "too_few_to_judge"
    return "fail" if "fail" in verdicts else "pass"


def _contributions(
    fit: FitResult,
    x: NDArray[np.float64],
    groups: dict[str, list[str | None]],
    audits: Sequence[AttributeAudit],
) -> dict[str, float]:
    """w_k·d_k for the failing attribute with the lowest impact ratio (see the docstring)."""
    failing = [a for a in audits if a.audit.verdict == "fail"]
    worst = min(failing, key=lambda a: a.audit.impact_ratio)
    high, low = worst.audit.highest_group, worst.audit.lowest_group
    labels = np.asarray(groups[worst.attribute], dtype=object)
    p = fit.params
    z = _standardise(x, np.asarray(p.medians), np.asarray(p.means), np.asarray(p.scales))
    result: dict[str, float] = {}
    for k, name in enumerate(p.feature_names):
        d = standardized_mean_difference(z[labels == high, k], z[labels == low, k]).d
        result[name] = p.coefficients[k] * d if math.isfinite(d) else 0.0
    return result


def _pick(contributions: Mapping[str, float]) -> str:
    positive = {n: v for n, v in contributions.items() if v > 0.0}
    pool = positive or {n: abs(v) for n, v in contributions.items()}
    # Ties go to the first feature in the model's order.
    return max(pool, key=lambda n: pool[n])


def debias(
    features: ArrayLike,
    labels: ArrayLike,
    feature_names: Sequence[str],
    groups: Groups,
    *,
    min_group_size: int = 30,
    folds: int = 5,
    c: float = 1.0,
    threshold: float | None = None,
    seed: int = 0,
) -> Debiasing:
    """Fit, audit, and remove the feature that drives a failing audit until it passes.

    ``groups`` maps each attribute (e.g. ``"gender"``) to one label per row, None
    (or an empty string) for a candidate who gave none.  See the module docstring
    for the audit and the rule that picks the feature to remove.
    """
    all_names = tuple(str(n) for n in feature_names)
    x_all = _matrix(features, all_names)
    names = list(all_names)  # the features still in the model
    labels_by_attribute = _group_labels(groups, x_all.shape[0])
    if not labels_by_attribute:
        raise ValueError("no group attribute to audit: the audit needs self-reported groups")
    history: list[DebiasStep] = []
    while True:
        columns = [i for i, n in enumerate(all_names) if n in names]
        x = x_all[:, columns]
        kept = tuple(all_names[i] for i in columns)
        fit = fit_role_model(x, labels, kept, folds=folds, c=c, threshold=threshold, seed=seed)
        audits = audit_decisions(fit.oof_pass, labels_by_attribute, min_group_size=min_group_size)
        verdict = _verdict(audits)
        removed: str | None = None
        contributions: dict[str, float] = {}
        if verdict == "fail":
            contributions = _contributions(fit, x, labels_by_attribute, audits)
            if len(kept) > 1:
                removed = _pick(contributions)
        history.append(
            DebiasStep(
                features=kept,
                auc=fit.cv.auc,
                auc_ci_low=fit.cv.auc_ci_low,
                auc_ci_high=fit.cv.auc_ci_high,
                audits=audits,
                verdict=verdict,
                removed=removed,
                contributions=contributions,
            )
        )
        if removed is None:
            status: DebiasStatus = (
                "passed" if verdict == "pass" else
                "too_few_to_judge" if verdict == "too_few_to_judge" else "failed"
            )  # fmt: skip
            return Debiasing(fit=fit, audits=audits, history=tuple(history), status=status)
        names.remove(removed)


# --------------------------------------------------------------------------- versions


def _json_value(value: Any) -> Any:
    """Plain JSON values: NaN and infinities become None, tuples lists, numpy scalars numbers."""
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{type(value).__name__} cannot go into a model version record")


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text, NaN as null: the text the content hash covers."""
    return json.dumps(
        _json_value(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
        allow_nan=False,
    )  # fmt: skip


def audit_to_json(audit: AdverseImpact) -> dict[str, Any]:
    """An audit's figures as plain JSON values."""
    names = (
        "groups", "n_pass", "n_total", "selection_rates", "impact_ratios", "highest_group",
        "lowest_group", "impact_ratio", "below_four_fifths", "chi_square", "chi_square_df",
        "chi_square_p", "fisher_p", "z", "z_p", "bayes_factor", "failed_rules", "verdict",
        "small_groups", "smallest_expected", "notes", "alpha", "four_fifths",
        "min_group_size", "min_expected",
    )  # fmt: skip
    result: dict[str, Any] = _json_value({name: getattr(audit, name) for name in names})
    return result


def _audits_json(audits: Sequence[AttributeAudit]) -> dict[str, Any]:
    return {
        "verdict": _verdict(audits) if audits else "too_few_to_judge",
        "attributes": {a.attribute: audit_to_json(a.audit) for a in audits},
    }


def training_manifest(ids: Sequence[str], labels: ArrayLike) -> list[dict[str, Any]]:
    """Who the model was trained on: SHA-256 of each id with its label, sorted.

    Ids (pseudonyms or session ids) are hashed so the record names nobody; the
    same training set always gives the same manifest.
    """
    y = np.asarray(labels).reshape(-1)
    if len(ids) != y.size:
        raise ValueError(f"the manifest needs one id per label: {len(ids)} ids, {y.size} labels")
    entries = [
        {"id": hashlib.sha256(str(i).encode("utf-8")).hexdigest(), "label": int(label)}
        for i, label in zip(ids, y, strict=True)
    ]
    return sorted(entries, key=lambda e: (e["id"], e["label"]))


def make_version(
    role: str,
    result: Debiasing | FitResult,
    *,
    ids: Sequence[str],
    labels: ArrayLike,
    created_at: str,
    baseline: str,
    audits: Sequence[AttributeAudit] = (),
    extra: Mapping[str, Any] | None = None,
) -> ModelVersion:
    """Freeze a fit into a version record; its content hash covers every field.

    ``created_at`` is an ISO 8601 text the caller supplies (this module reads no
    clock).  With a :class:`Debiasing`, its final audits and history go into the
    record; with a plain :class:`FitResult`, pass the ``audits`` to record.
    """
    fit = result.fit if isinstance(result, Debiasing) else result
    final_audits = result.audits if isinstance(result, Debiasing) else tuple(audits)
    history = result.history if isinstance(result, Debiasing) else ()
    p = fit.params
    record: dict[str, Any] = {
        "format": FORMAT,
        "role": role,
        "created_at": created_at,
        "baseline": baseline,
        "model": {
            "feature_names": list(p.feature_names),
            "medians": list(p.medians),
            "means": list(p.means),
            "scales": list(p.scales),
            "coefficients": list(p.coefficients),
            "intercept": p.intercept,
            "threshold": p.threshold,
            "threshold_rule": p.threshold_rule,
            "c": p.c,
        },
        "training": training_manifest(ids, labels),
        "cv": {
            "folds": fit.cv.folds,
            "seed": fit.cv.seed,
            "n": fit.cv.n,
            "n_incumbents": fit.cv.n_incumbents,
            "auc": fit.cv.auc,
            "auc_ci_low": fit.cv.auc_ci_low,
            "auc_ci_high": fit.cv.auc_ci_high,
            "auc_se": fit.cv.auc_se,
            "auc_ci_method": "DeLong (pooled out-of-fold probabilities)",
            "fold_aucs": list(fit.cv.fold_aucs),
            "calibration_predicted": list(fit.cv.calibration_predicted),
            "calibration_observed": list(fit.cv.calibration_observed),
            "pass_rate": fit.cv.pass_rate,
        },
        "audit": _audits_json(final_audits),
        "debiasing": {
            "status": result.status if isinstance(result, Debiasing) else None,
            "steps": [
                {
                    "features": list(step.features),
                    "auc": step.auc,
                    "auc_ci_low": step.auc_ci_low,
                    "auc_ci_high": step.auc_ci_high,
                    "impact_ratio": step.impact_ratio,
                    "verdict": step.verdict,
                    "failed_rules": {k: list(v) for k, v in step.failed_rules.items()},
                    "impact_ratios": {a.attribute: a.audit.impact_ratio for a in step.audits},
                    "removed": step.removed,
                    "contributions": dict(step.contributions),
                }
                for step in history
            ],
        },
        "extra": dict(extra or {}),
    }
    plain: dict[str, Any] = json.loads(canonical_json(record))
    return ModelVersion(content_hash=_hash(plain), record=plain)


def _hash(record: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(record).encode("utf-8")).hexdigest()


def version_from_json(text: str) -> ModelVersion:
    """Read a record written by :meth:`ModelVersion.to_json`, checking its hash."""
    try:
        document = json.loads(text)
        record = document["record"]
        stated = str(document["content_hash"])
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"not a model version record: {error}") from error
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} model version record")
    actual = _hash(record)
    if actual != stated:
        raise ValueError(
            f"model version record altered: it states hash {stated[:12]}… but holds {actual[:12]}…"
        )
    version = ModelVersion(content_hash=actual, record=record)
    version.params  # noqa: B018 - fails here, not at scoring time, if the model is malformed
    return version


# --------------------------------------------------------------------------- scoring


def score_rows(version: ModelVersion | ModelParams, features: ArrayLike) -> NDArray[np.float64]:
    """Probabilities for rows × features in the version's feature order (NaN = missing)."""
    p = version.params if isinstance(version, ModelVersion) else version
    x = _matrix(features, p.feature_names)
    return _probability(
        x,
        np.asarray(p.medians),
        np.asarray(p.means),
        np.asarray(p.scales),
        np.asarray(p.coefficients),
        p.intercept,
    )


def _row(p: ModelParams, values: Mapping[str, float | None]) -> tuple[list[float], list[str]]:
    row: list[float] = []
    imputed: list[str] = []
    for name in p.feature_names:
        value = values.get(name)
        number = math.nan if value is None else float(value)
        if not math.isfinite(number):
            imputed.append(name)
            number = math.nan
        row.append(number)
    return row, imputed


def score_version(version: ModelVersion, values: Mapping[str, float | None]) -> CandidateScore:
    """Score one candidate from their features by name; missing ones take the median."""
    p = version.params
    row, imputed = _row(p, values)
    probability = float(score_rows(p, [row])[0])
    return CandidateScore(probability, probability >= p.threshold, tuple(imputed))


def shadow_compare(
    a: ModelVersion,
    b: ModelVersion,
    candidates: Sequence[Mapping[str, float | None]],
    groups: Groups,
    *,
    min_group_size: int = 30,
) -> ShadowComparison:
    """Score the same candidates with versions a and b; agreement, kappa, Spearman, audits.

    Kappa is Cohen's (1960) on the pass/fail decisions, (p_o − p_e)/(1 − p_e), NaN
    when p_e = 1 (both versions give everyone the same decision).  Spearman's rank
    correlation of the two probabilities is NaN when either is constant.
    """
    if not candidates:
        raise ValueError("no candidates to compare the versions on")
    pa, pb = a.params, b.params
    prob_a = score_rows(pa, [_row(pa, c)[0] for c in candidates])
    prob_b = score_rows(pb, [_row(pb, c)[0] for c in candidates])
    pass_a = prob_a >= pa.threshold
    pass_b = prob_b >= pb.threshold
    n = len(candidates)
    agreement = float(np.mean(pass_a == pass_b))
    rate_a, rate_b = float(pass_a.mean()), float(pass_b.mean())
    expected = rate_a * rate_b + (1.0 - rate_a) * (1.0 - rate_b)
    kappa = (agreement - expected) / (1.0 - expected) if expected < 1.0 else math.nan
    if np.ptp(prob_a) == 0.0 or np.ptp(prob_b) == 0.0:
        spearman = math.nan
    else:
        spearman = float(stats.spearmanr(prob_a, prob_b).statistic)
    return ShadowComparison(
        n=n,
        pass_rate_a=rate_a,
        pass_rate_b=rate_b,
        agreement=agreement,
        kappa=kappa,
        spearman=spearman,
        audits_a=audit_decisions(pass_a, groups, min_group_size=min_group_size),
        audits_b=audit_decisions(pass_b, groups, min_group_size=min_group_size),
    )
