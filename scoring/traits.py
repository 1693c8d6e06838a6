"""Styles and abilities: one table of composites, and how they are scored.

Contract: :data:`TRAITS` is *the* table (a tuple of frozen :class:`TraitDefinition`).
It holds two kinds of score, kept apart because they are read differently:

* **styles** (``kind="style"``) – the bi-directional factors of SCIENCE.md:
  attention, decision making, effort, fairness, focus, generosity, learning, risk
  tolerance.  Each names its two ends; neither end is better.
* **abilities** (``kind="ability"``) – working memory (digit span), stopping speed
  (SSRT), planning (Tower of London) and emotion recognition (Faces).  Higher is
  better, and the report says so plainly.

Each definition lists the metrics behind it as :class:`TraitComponent` rows: game,
metric, sign (+1: a higher metric moves towards the ``high_end``; −1: towards the
``low_end``), weight, a one-line reason, and ``low_reliability`` where the metric's
retest reliability is known to be poor.  Every weight and its source is documented
in ``docs/traits.md``; change a composite here and there, nowhere else.

``score_traits(game_scores, norms)`` turns one session's
:class:`~scoring.metrics.types.GameScores` into :class:`TraitScores`:

1. each component metric becomes a z-score against the norm table,
   ``z = (value − mean) / sd``, clipped to ±:data:`Z_CLIP` (flag
   ``clipped:<game>.<metric>``), and is sign-aligned;
2. components without a value are left out and flagged (``missing:…``,
   ``undefined:…``, ``no_norm:…``, ``low_data:…`` for metrics below the design's
   minimum of trials).  ``coverage`` is the share of the trait's total weight that
   is present; below :data:`MIN_COVERAGE` the trait is **not reported** (NaN,
   flag ``insufficient_coverage``): a trait carried by a minor component is not the
   trait;
3. the composite is the weighted mean of the present aligned z-scores,
   ``C = Σ wᵢ zᵢ / Σ wᵢ``.  It is standardised with the mean and SD that *this set
   of components* has in the norm sample: with μ and Σ the means and covariance
   matrix of the aligned z-scores there (stored in the norm table),
   mean = wᵀμ / Σw and SD = √(wᵀ Σ w) / Σw over the present components only.
   Dividing by the full composite's SD instead would inflate a one-component
   score, because an average of several weakly correlated components spreads less
   than one of them;
4. the percentile is the mid-rank percentile rank of C among the norm sessions'
   composites of the same components (the table stores every norm session's
   aligned z-scores); with fewer than :data:`MIN_PERCENTILE_SESSIONS` such sessions,
   or for tables without stored scores, ``100 · Φ(z)`` (flag
   ``percentile_normal_approximation``).

Confidence interval (documented choice: measurement error from reliability, with the
components' covariance).  The composite's reliability is Mosier's (1943) formula

    r_C = 1 − Σ wᵢ² σᵢ² (1 − rᵢ) / (wᵀ Σ w)

with σᵢ² the diagonal of Σ and rᵢ each component's **retest** reliability in the
norm sample (a trait percentile claims a stable standing, which is what retest
reliability measures; where a table has no retest figure the split-half one is used
and flagged ``split_half_reliability``).  The standard error of measurement in z
units is √(1 − r_C), and the 95% interval is z ± 1.96 · SEM, turned into
percentiles the same way as the point (mid-rank of the composite value at each
bound).  Where a component has no reliability at all the interval is NaN and
flagged ``no_error_estimate:…``; a zero-width interval is dropped and flagged
``degenerate_ci``.  Components standardised against norms of another design carry
``norms_other_design`` onto the trait.

Sources:
    Mosier, C. I. (1943). On the reliability of a weighted composite.
    Psychometrika, 8, 161–168.
    Nunnally, J. C., & Bernstein, I. H. (1994). Psychometric Theory (3rd ed.),
    ch. 6–7 (standard error of measurement; composites).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr

from scoring.metrics.types import FrozenMapping, GameScores, json_number
from scoring.norms import CompositeNorm, MetricNorm, NormTable

__all__ = [
    "ABILITY_NAMES",
    "MIN_COVERAGE",
    "MIN_PERCENTILE_SESSIONS",
    "REVERSAL_LEARNING_RATE",
    "STYLE_NAMES",
    "TRAITS",
    "TRAIT_NAMES",
    "Z_CLIP",
    "RawComposite",
    "TraitComponent",
    "TraitDefinition",
    "TraitKind",
    "TraitScore",
    "TraitScores",
    "composite_norm",
    "mosier_reliability",
    "raw_composite",
    "score_traits",
]

#: Metric z-scores are clipped to ±Z_CLIP before they enter a composite.
Z_CLIP = 4.0
#: A trait is reported only when components carrying at least this share of its
#: total weight have a value.
MIN_COVERAGE = 0.5
#: Norm sessions with every present component needed for a mid-rank percentile.
MIN_PERCENTILE_SESSIONS = 100
_Z95 = 1.959963984540054
_NAN = float("nan")
_TIE = 1e-9  # stored z-scores keep 10 significant digits

TraitKind = Literal["style", "ability"]


@dataclass(frozen=True, slots=True)
class TraitComponent:
    """One metric behind a trait: its sign towards the high end, weight and reason."""

    game_id: str
    metric: str
    sign: int
    weight: float
    reason: str
    low_reliability: bool = False

    @property
    def key(self) -> str:
        return f"{self.game_id}.{self.metric}"


@dataclass(frozen=True, slots=True)
class TraitDefinition:
    """A style (two ends, neither better) or an ability (higher is better)."""

    name: str
    low_end: str
    high_end: str
    description: str
    components: tuple[TraitComponent, ...]
    kind: TraitKind = "style"

    @property
    def total_weight(self) -> float:
        return sum(part.weight for part in self.components)


def _c(
    game_id: str,
    metric: str,
    sign: int,
    weight: float,
    reason: str,
    *,
    low_reliability: bool = False,
) -> TraitComponent:
    return TraitComponent(game_id, metric, sign, weight, reason, low_reliability)


#: The metric of the Reversal game that carries the learning style (a Rescorla–Wagner
#: learning rate fitted per candidate, :mod:`scoring.metrics.reversal`).
REVERSAL_LEARNING_RATE = ("reversal", "learning_rate")

#: The table.  Low end ↔ high end; sign +1 means "a higher metric is nearer the high
#: end".  Weights and sources: docs/traits.md.
# One row per component reads better than the formatter's layout:
# fmt: off
TRAITS: tuple[TraitDefinition, ...] = (
    # ---- styles: neither end is better ------------------------------------------
    TraitDefinition(
        "attention", "selective", "wide-ranging",
        "How much of the surroundings is taken in alongside the target.",
        (
            _c("arrows", "flanker_effect_ms", +1, 1.0,
               "slower answers next to conflicting arrows mean the neighbours were taken in "
               "(Eriksen & Eriksen 1974)", low_reliability=True),
            _c("arrows", "flanker_effect_errors", +1, 0.5,
               "the same in errors; half weight, error differences rest on few errors",
               low_reliability=True),
        ),
    ),
    TraitDefinition(
        "decision making", "deliberate", "instinctive",
        "How much information is gathered before acting.",
        (
            _c("arrows", "ez_boundary", -1, 1.0,
               "a wider diffusion boundary means more evidence gathered before answering "
               "(Wagenmakers et al. 2007)"),
            _c("lengths", "ez_boundary", -1, 1.0,
               "the same caution measured in a second two-choice task"),
            _c("stop", "ez_boundary", -1, 1.0,
               "the same caution measured in a third two-choice task"),
            _c("towers", "planning_time_ms", -1, 0.5,
               "longer looking before the first move is more planning ahead; half weight, it "
               "also reflects how fast the puzzle is seen"),
        ),
    ),
    TraitDefinition(
        "effort", "effort-conserving", "effort-investing",
        "How readily extra effort is put in for a larger reward.",
        (
            _c("hard_or_easy", "proportion_hard", +1, 1.0,
               "choosing the harder, better-paid task is the EEfRT's measure of effort for "
               "reward (Treadway et al. 2009)"),
            _c("keypresses", "taps_per_10s", +1, 0.5,
               "tapping as fast as possible for 10 s is sustained physical effort; half "
               "weight, it also reflects motor speed"),
        ),
    ),
    TraitDefinition(
        "fairness", "accepting", "fairness-insisting",
        "How strongly uneven splits are refused, even at a cost.",
        (
            _c("exchange_split", "min_acceptable_offer", +1, 1.0,
               "a higher threshold means uneven offers are refused although refusing costs "
               "both sides (Güth et al. 1982)"),
            _c("exchange_split", "acceptance_rate", -1, 0.5,
               "refusing more offers overall; half weight, it also depends on the offers"),
        ),
    ),
    TraitDefinition(
        "focus", "switching", "sustaining",
        "How strongly attention stays with the task set that is engaged.",
        (
            _c("arrows", "switch_cost_ms", +1, 1.0,
               "a larger switch cost means a rule, once engaged, stays engaged (Rogers & "
               "Monsell 1995)"),
            _c("arrows", "switch_cost_errors", +1, 0.5,
               "the same in errors; half weight, error differences rest on few errors",
               low_reliability=True),
            _c("keypresses", "iti_cv", -1, 0.5,
               "an even tapping rhythm over 10 s shows steady, sustained engagement"),
        ),
    ),
    TraitDefinition(
        "generosity", "retaining", "sharing",
        "How much is given to others when there is no need to.",
        (
            _c("exchange_split", "dictator_share", +1, 1.0,
               "giving when the partner cannot refuse is the standard measure of giving "
               "(Forsythe et al. 1994)"),
            _c("exchange_trust", "reciprocity", +1, 1.0,
               "returning part of what one received from a trusting partner (Berg et al. 1995)"),
            _c("exchange_split", "offer_share", +1, 0.5,
               "offers also serve to avoid refusal, hence half weight"),
            _c("exchange_trust", "trust", +1, 0.5,
               "sending money to a stranger is partly giving, partly expecting a return"),
        ),
    ),
    TraitDefinition(
        "learning", "weighs long experience", "follows recent outcomes",
        "How strongly each new outcome changes the next choice.",
        (
            _c(*REVERSAL_LEARNING_RATE, +1, 1.0,
               "the Rescorla-Wagner learning rate is how far one outcome moves the value of "
               "a choice (Waltmann et al. 2022)"),
            _c("lengths", "log_b", +1, 0.5,
               "leaning towards the more often rewarded answer shows choices shaped by "
               "reward (Pizzagalli et al. 2005); half weight, it is a bias, not a rate",
               low_reliability=True),
            _c("cards", "net_score", +1, 0.25,
               "picks moving to the decks that pay off; a quarter weight, the score mixes "
               "learning, consistency and loss aversion and its retest r is about .37 "
               "(Sullivan-Toole et al. 2022)", low_reliability=True),
        ),
    ),
    TraitDefinition(
        "risk tolerance", "cautious", "risk-seeking",
        "How far one goes for a larger gain when a loss may follow.",
        (
            _c("balloons", "adjusted_pumps", +1, 1.0,
               "pumping further before cashing in is the BART's measure of risk taking "
               "(Lejuez et al. 2002)"),
            _c("balloons", "explosions", +1, 0.5,
               "more bursts follow from pumping further; half weight, they also depend on "
               "the random burst points"),
        ),
    ),
    # ---- abilities: higher is better ----------------------------------------------
    TraitDefinition(
        "working memory", "shorter span", "longer span",
        "How long a list of digits can be held in mind and repeated, forwards and backwards.",
        (
            _c("digits", "longest_span_forward", +1, 1.0,
               "the longest list repeated in order (Wechsler digit span)"),
            _c("digits", "longest_span_backward", +1, 1.0,
               "the longest list repeated in reverse, which also needs the list reordered"),
        ),
        kind="ability",
    ),
    TraitDefinition(
        "stopping speed", "slower stopping", "faster stopping",
        "How quickly a started response can be stopped when a signal says so.",
        (
            _c("stop", "ssrt_ms", -1, 1.0,
               "a shorter stop-signal reaction time is faster inhibition (Verbruggen et al. "
               "2019)"),
        ),
        kind="ability",
    ),
    TraitDefinition(
        "planning", "fewer puzzles solved", "more puzzles solved",
        "How well moves are planned ahead to solve a puzzle in the fewest moves.",
        (
            _c("towers", "total_score", +1, 1.0,
               "points for solving each problem, more for fewer attempts (Shallice 1982)"),
            _c("towers", "excess_moves", -1, 0.5,
               "fewer moves beyond the minimum; half weight, it rests on solved problems only",
               low_reliability=True),
        ),
        kind="ability",
    ),
    TraitDefinition(
        "emotion recognition", "fewer expressions named", "more expressions named",
        "How accurately facial expressions of emotion are named.",
        (
            _c("faces", "unbiased_hit_rate", +1, 1.0,
               "correct names, corrected for leaning on one label (Wagner 1993)"),
        ),
        kind="ability",
    ),
)
# fmt: on

#: Trait names in report order (styles, then abilities).
TRAIT_NAMES: tuple[str, ...] = tuple(trait.name for trait in TRAITS)
STYLE_NAMES: tuple[str, ...] = tuple(t.name for t in TRAITS if t.kind == "style")
ABILITY_NAMES: tuple[str, ...] = tuple(t.name for t in TRAITS if t.kind == "ability")


@dataclass(frozen=True, slots=True)
class RawComposite:
    """A trait's weighted mean of aligned z-scores, before standardising.

    ``present`` are the indices of the components used and ``z_scores`` their
    aligned, clipped z-scores; ``coverage`` the share of the weight present.
    """

    value: float
    n_metrics: int
    coverage: float
    present: tuple[int, ...]
    z_scores: tuple[float, ...]
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TraitScore:
    """One trait of one session: z, percentile, their 95% CIs, metrics used, flags."""

    name: str
    low_end: str
    high_end: str
    z: float
    percentile: float
    z_ci_low: float
    z_ci_high: float
    ci_low: float
    ci_high: float
    n_metrics: int
    n_components: int
    composite: float
    flags: tuple[str, ...]
    kind: TraitKind = "style"
    coverage: float = _NAN
    reliability: float = _NAN

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "low_end": self.low_end,
            "high_end": self.high_end,
            "z": json_number(self.z),
            "percentile": json_number(self.percentile),
            "z_ci_low": json_number(self.z_ci_low),
            "z_ci_high": json_number(self.z_ci_high),
            "ci_low": json_number(self.ci_low),
            "ci_high": json_number(self.ci_high),
            "n_metrics": self.n_metrics,
            "n_components": self.n_components,
            "coverage": json_number(self.coverage),
            "reliability": json_number(self.reliability),
            "composite": json_number(self.composite),
            "flags": list(self.flags),
        }


@dataclass(frozen=True, slots=True)
class TraitScores:
    """Every style and ability of one session, and the norm table they were scored against."""

    traits: Mapping[str, TraitScore]
    norm_version: str
    norm_provisional: bool

    def __getitem__(self, name: str) -> TraitScore:
        return self.traits[name]

    @property
    def styles(self) -> tuple[TraitScore, ...]:
        return tuple(t for t in self.traits.values() if t.kind == "style")

    @property
    def abilities(self) -> tuple[TraitScore, ...]:
        return tuple(t for t in self.traits.values() if t.kind == "ability")

    def as_dict(self) -> dict[str, Any]:
        return {
            "norm_version": self.norm_version,
            "norm_provisional": self.norm_provisional,
            "traits": {name: trait.as_dict() for name, trait in self.traits.items()},
        }


def raw_composite(
    trait: TraitDefinition,
    game_scores: Mapping[str, GameScores],
    metric_norms: Mapping[str, MetricNorm],
) -> RawComposite:
    """The weighted mean of the trait's present, aligned, clipped z-scores."""
    flags: list[str] = []
    total = weights = 0.0
    present: list[int] = []
    z_scores: list[float] = []
    for index, part in enumerate(trait.components):
        scores = game_scores.get(part.game_id)
        metric = None if scores is None else scores.metrics.get(part.metric)
        if metric is None:
            flags.append(f"missing:{part.key}")
            continue
        if not math.isfinite(metric.value):
            flags.append(f"undefined:{part.key}")
            continue
        if "low_data" in metric.flags:
            flags.append(f"low_data:{part.key}")
            continue
        norm = metric_norms.get(part.key)
        z = _NAN if norm is None else norm.z(metric.value)
        if norm is None or not math.isfinite(z):
            flags.append(f"no_norm:{part.key}")
            continue
        if abs(z) > Z_CLIP:
            flags.append(f"clipped:{part.key}")
            z = math.copysign(Z_CLIP, z)
        aligned = part.sign * z
        total += part.weight * aligned
        weights += part.weight
        present.append(index)
        z_scores.append(aligned)
    coverage = weights / trait.total_weight if trait.total_weight > 0 else 0.0
    if not present:
        return RawComposite(_NAN, 0, 0.0, (), (), (*flags, "no_metrics"))
    return RawComposite(
        total / weights, len(present), coverage, tuple(present), tuple(z_scores), tuple(flags)
    )


def composite_norm(
    trait: TraitDefinition,
    sessions: Sequence[Mapping[str, GameScores]],
    metric_norms: Mapping[str, MetricNorm],
) -> CompositeNorm:
    """The trait's component scores, their means and covariance in the norm sessions."""
    k = len(trait.components)
    rows = np.full((len(sessions), k), np.nan)
    full: list[float] = []
    for row, session in enumerate(sessions):
        composite = raw_composite(trait, session, metric_norms)
        for index, z in zip(composite.present, composite.z_scores, strict=True):
            rows[row, index] = z
        if composite.n_metrics == k:
            full.append(composite.value)
    means = tuple(_nanmean(rows[:, i]) for i in range(k))
    covariance = tuple(
        tuple(_pairwise_cov(rows[:, i], rows[:, j]) for j in range(k)) for i in range(k)
    )
    array = np.asarray(full, dtype=np.float64)
    mean = float(array.mean()) if array.size else _NAN
    sd = float(array.std(ddof=1)) if array.size >= 2 else _NAN
    return CompositeNorm(
        mean=mean,
        sd=sd,
        n=len(full),
        components=tuple(part.key for part in trait.components),
        means=means,
        covariance=covariance,
        scores=tuple(tuple(float(v) for v in row) for row in rows),
    )


def _nanmean(column: NDArray[np.float64]) -> float:
    finite = column[np.isfinite(column)]
    return float(finite.mean()) if finite.size else _NAN


def _pairwise_cov(first: NDArray[np.float64], second: NDArray[np.float64]) -> float:
    both = np.isfinite(first) & np.isfinite(second)
    if np.count_nonzero(both) < 3:
        return _NAN
    a, b = first[both], second[both]
    return float(np.sum((a - a.mean()) * (b - b.mean())) / (a.size - 1))


def mosier_reliability(
    weights: ArrayLike, covariance: ArrayLike, reliabilities: ArrayLike
) -> float:
    """Reliability of the weighted composite Σ wᵢ Xᵢ (Mosier 1943).

    ``r = 1 − Σ wᵢ² σᵢ² (1 − rᵢ) / (wᵀ Σ w)`` with σᵢ² = Σᵢᵢ; NaN when any input is
    NaN or the composite has no variance.
    """
    w = np.asarray(weights, dtype=np.float64)
    cov = np.asarray(covariance, dtype=np.float64)
    r = np.asarray(reliabilities, dtype=np.float64)
    variance = float(w @ cov @ w)
    if not (math.isfinite(variance) and variance > 0) or not np.all(np.isfinite(r)):
        return _NAN
    error = float(np.sum(w**2 * np.diag(cov) * (1.0 - r)))
    return 1.0 - error / variance


def score_traits(
    game_scores: Mapping[str, GameScores],
    norms: NormTable,
    *,
    other_design_games: Sequence[str] = (),
) -> TraitScores:
    """Score every style and ability against ``norms`` (module docstring).

    ``other_design_games`` names games whose design differs from the norm sample's;
    a trait using any of them is flagged ``norms_other_design``.
    """
    scored: dict[str, TraitScore] = {}
    for trait in TRAITS:
        scored[trait.name] = _score_trait(trait, game_scores, norms, set(other_design_games))
    return TraitScores(FrozenMapping(scored), norms.version, norms.provisional)


def _score_trait(
    trait: TraitDefinition,
    game_scores: Mapping[str, GameScores],
    norms: NormTable,
    other_design: set[str],
) -> TraitScore:
    composite = raw_composite(trait, game_scores, norms.metrics)
    flags = list(composite.flags)
    norm = norms.traits.get(trait.name)

    def result(
        z: float = _NAN,
        percentile: float = _NAN,
        bounds: tuple[float, float, float, float] = (_NAN, _NAN, _NAN, _NAN),
        reliability: float = _NAN,
    ) -> TraitScore:
        return TraitScore(
            name=trait.name,
            low_end=trait.low_end,
            high_end=trait.high_end,
            z=z,
            percentile=percentile,
            z_ci_low=bounds[0],
            z_ci_high=bounds[1],
            ci_low=bounds[2],
            ci_high=bounds[3],
            n_metrics=composite.n_metrics,
            n_components=len(trait.components),
            composite=composite.value,
            flags=tuple(dict.fromkeys(flags)),
            kind=trait.kind,
            coverage=composite.coverage,
            reliability=reliability,
        )

    if composite.n_metrics == 0:
        return result()
    if any(trait.components[i].game_id in other_design for i in composite.present):
        flags.append("norms_other_design")
    if composite.coverage < MIN_COVERAGE - 1e-12:
        flags.append("insufficient_coverage")
        return result()
    found = _standardisation(trait, norm, norms.metrics, composite.present)
    flags.extend(found.flags)
    if not math.isfinite(found.sd):
        return result()
    z = (composite.value - found.mean) / found.sd
    percentile = found.percentile(composite.value)
    reliability = found.reliability
    bounds = (_NAN, _NAN, _NAN, _NAN)
    if math.isfinite(reliability):
        sem = math.sqrt(max(0.0, 1.0 - reliability))
        if sem == 0.0:
            flags.append("degenerate_ci")
        else:
            z_low, z_high = z - _Z95 * sem, z + _Z95 * sem
            bounds = (
                z_low,
                z_high,
                found.percentile(found.mean + z_low * found.sd),
                found.percentile(found.mean + z_high * found.sd),
            )
    return result(z, percentile, bounds, reliability)


@dataclass(frozen=True, slots=True)
class _Standardisation:
    """How a composite of some present components is standardised (one norm table).

    ``sd`` is NaN when the composite has no variance in the norms (flag
    ``no_trait_norm`` among ``flags``); ``sample`` the sorted norm composites of the
    same components, ``None`` for the normal approximation.
    """

    mean: float
    sd: float
    sample: NDArray[np.float64] | None
    reliability: float
    flags: tuple[str, ...]

    def percentile(self, composite: float) -> float:
        """Mid-rank percentile of ``composite`` among the norm composites, else Φ(z)."""
        if self.sample is not None:
            return _mid_rank(composite, self.sample)
        return 100.0 * float(ndtr((composite - self.mean) / self.sd))


def _standardisation(
    trait: TraitDefinition,
    norm: CompositeNorm | None,
    metric_norms: Mapping[str, MetricNorm],
    present_components: tuple[int, ...],
) -> _Standardisation:
    """Everything about standardising a trait that depends on the norm table and which
    components are present, not on the session: worked out once per table (the
    trait's norm caches it; a table without the trait recomputes it)."""
    key = ("standardisation", trait.name, present_components)
    if norm is not None and (hit := norm.cache.get(key)) is not None:
        cached: _Standardisation = hit
        return cached
    flags: list[str] = []
    present = list(present_components)
    w = np.asarray([trait.components[i].weight for i in present], dtype=np.float64)
    moments = None if norm is None else _present_moments(trait, norm, present)
    sample = None if norm is None else _subset_composites(trait, norm, present, w)
    # A table without this trait (an older table) standardises as if the components
    # were uncorrelated z-scores, and says so.
    if moments is None:
        flags.append("no_component_covariance")
        moments = np.eye(len(present)), np.zeros(len(present))
    cov, mu = moments
    total = float(w.sum())
    mean = float(w @ mu) / total
    variance = float(w @ cov @ w)
    if not (math.isfinite(variance) and variance > 0):
        flags.append("no_trait_norm")
        found = _Standardisation(mean, _NAN, None, _NAN, tuple(flags))
    else:
        if sample is None:
            flags.append("percentile_normal_approximation")
        reliabilities = []
        for i in present:
            metric_norm = metric_norms.get(trait.components[i].key)
            retest = _NAN if metric_norm is None else metric_norm.retest
            split = _NAN if metric_norm is None else metric_norm.reliability
            if math.isfinite(retest):
                reliabilities.append(retest)
            elif math.isfinite(split):
                flags.append("split_half_reliability")
                reliabilities.append(split)
            else:
                flags.append(f"no_error_estimate:{trait.components[i].key}")
                reliabilities.append(_NAN)
        found = _Standardisation(
            mean,
            math.sqrt(variance) / total,
            sample,
            mosier_reliability(w, cov, reliabilities),
            tuple(flags),
        )
    if norm is not None:
        norm.cache[key] = found
    return found


def _present_moments(
    trait: TraitDefinition, norm: CompositeNorm, present: list[int]
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """Covariance and means of the present components' aligned z-scores in the norm sample."""
    keys = [trait.components[i].key for i in present]
    if not norm.covariance or any(key not in norm.components for key in keys):
        return None
    where = [norm.components.index(key) for key in keys]
    all_means, full, _ = norm.arrays()
    cov = full[np.ix_(where, where)]
    means = all_means[where] if norm.means else np.zeros(len(where))
    if not (np.all(np.isfinite(cov)) and np.all(np.isfinite(means))):
        return None
    return cov, means


def _subset_composites(
    trait: TraitDefinition, norm: CompositeNorm, present: list[int], w: NDArray[np.float64]
) -> NDArray[np.float64] | None:
    """Sorted composites of the present components over norm sessions that have them all."""
    if not norm.scores:
        return None
    keys = [trait.components[i].key for i in present]
    if any(key not in norm.components for key in keys):
        return None
    scores = norm.arrays()[2][:, [norm.components.index(key) for key in keys]]
    complete = scores[np.all(np.isfinite(scores), axis=1)]
    if complete.shape[0] < MIN_PERCENTILE_SESSIONS:
        return None
    composites: NDArray[np.float64] = np.sort(complete @ w / float(w.sum()))
    return composites


def _mid_rank(value: float, ordered: NDArray[np.float64]) -> float:
    """Mid-rank percentile rank; composites within 1e-9 (z units) of each other tie."""
    below = int(np.searchsorted(ordered, value - _TIE, side="left"))
    equal = int(np.searchsorted(ordered, value + _TIE, side="right")) - below
    return 100.0 * (below + 0.5 * equal) / int(ordered.shape[0])
