"""The nine behavioural traits: one table of composites, and how they are scored.

Contract: :data:`TRAITS` is *the* table (a tuple of frozen :class:`TraitDefinition`)
that defines the nine bi-directional factors of SCIENCE.md – attention, decision
making, effort, emotion, fairness, focus, generosity, learning, risk tolerance.
Each names its two ends (neither is better than the other; the report shows both),
and lists the metrics behind it as :class:`TraitComponent` rows: game, metric, sign
(+1: a higher metric moves towards the ``high_end``; −1: towards the ``low_end``),
weight, and a one-line reason.  Change a composite here and nowhere else.

``score_traits(game_scores, norms)`` turns one session's
:class:`~scoring.metrics.types.GameScores` into :class:`TraitScores`:

1. each component metric becomes a z-score against the norm table,
   ``z = (value − mean) / sd``, clipped to ±:data:`Z_CLIP` (so that one extreme
   value cannot decide a trait; flag ``clipped:<game>.<metric>``), and is
   sign-aligned;
2. the raw composite is the weighted mean of the aligned z-scores of the
   components that have a value (``n_metrics`` of ``n_components``); missing or
   undefined metrics are left out and flagged (``missing:…``, ``undefined:…``,
   ``no_norm:…``);
3. the composite is standardised against the norm table's composite mean and SD
   for that trait, giving the trait ``z``, and ``percentile = 100 · Φ(z)``.

Confidence interval (documented choice: propagation, not a second bootstrap).  Each
component's standard error in metric units is taken from its bootstrap CI,
SE = (high − low) / (2 · 1.96); where a metric has no bootstrap CI (no bootstrap
asked for, or an adaptive design such as the digit span) it is the standard error
of measurement from the norm sample's split-half reliability r,
SEM = SD · √(1 − r) (classical test theory; e.g. Nunnally & Bernstein 1994).  The
errors of the components are treated as independent:
SE(composite) = √Σ(wᵢ · SEᵢ / SDᵢ)² / Σwᵢ, and SE(z) = SE(composite) / SD(composite).
The 95% interval is z ± 1.96 · SE(z), reported both as z and as percentiles.  Metrics
of one game share trials, so their errors are in fact positively correlated and the
interval is somewhat too narrow; where any component lacks an error estimate, the
interval is NaN and flagged ``no_error_estimate:…``.

A trait with no usable component is NaN and flagged ``no_metrics``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scipy.special import ndtr

from scoring.metrics.types import FrozenMapping, GameScores, json_number

if TYPE_CHECKING:  # norms imports this module at build time; only the types are needed
    from scoring.norms import MetricNorm, NormTable

__all__ = [
    "TRAITS",
    "TRAIT_NAMES",
    "Z_CLIP",
    "RawComposite",
    "TraitComponent",
    "TraitDefinition",
    "TraitScore",
    "TraitScores",
    "raw_composite",
    "score_traits",
]

#: Metric z-scores are clipped to ±Z_CLIP before they enter a composite.
Z_CLIP = 4.0
_Z95 = 1.959963984540054
_NAN = float("nan")


@dataclass(frozen=True, slots=True)
class TraitComponent:
    """One metric behind a trait: its sign towards the high end, weight and reason."""

    game_id: str
    metric: str
    sign: int
    weight: float
    reason: str

    @property
    def key(self) -> str:
        return f"{self.game_id}.{self.metric}"


@dataclass(frozen=True, slots=True)
class TraitDefinition:
    """A bi-directional trait: its two ends and the metrics that place a person on it."""

    name: str
    low_end: str
    high_end: str
    description: str
    components: tuple[TraitComponent, ...]


def _c(game_id: str, metric: str, sign: int, weight: float, reason: str) -> TraitComponent:
    return TraitComponent(game_id, metric, sign, weight, reason)


#: The trait table.  Low end ↔ high end; sign +1 means "a higher metric is nearer the
#: high end".
# One row per component reads better than the formatter's layout:
# fmt: off
TRAITS: tuple[TraitDefinition, ...] = (
    TraitDefinition(
        "attention", "selective", "wide-ranging",
        "How much of the surroundings is taken in alongside the target.",
        (
            _c("arrows", "flanker_effect_ms", +1, 1.0,
               "slower answers next to conflicting arrows mean the neighbours were taken in"),
            _c("arrows", "flanker_effect_errors", +1, 0.5,
               "the same in errors; half weight, error differences rest on few errors"),
        ),
    ),
    TraitDefinition(
        "decision making", "deliberate", "instinctive",
        "How much information is gathered before acting.",
        (
            _c("arrows", "ez_boundary", -1, 1.0,
               "a wider diffusion boundary means more evidence gathered before answering"),
            _c("lengths", "ez_boundary", -1, 1.0,
               "the same caution measured in a second two-choice task"),
            _c("stop", "ez_boundary", -1, 1.0,
               "the same caution measured in a third two-choice task"),
            _c("towers", "planning_time_ms", -1, 0.5,
               "longer looking before the first move is more planning ahead; half weight, it "
               "also reflects how fast the puzzle is seen"),
            _c("towers", "excess_moves", +1, 0.5,
               "moving before a plan is complete tends to cost extra moves"),
            _c("stop", "ssrt_ms", +1, 0.5,
               "a longer stop-signal reaction time means a started action runs on longer "
               "before it can be halted (Verbruggen et al. 2019)"),
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
        "emotion", "reads context", "reads expressions",
        "How much facial expressions themselves are relied on to read what others feel.",
        (
            _c("faces", "unbiased_hit_rate", +1, 1.0,
               "naming expressions correctly, without leaning on one label, shows reliance "
               "on the face itself (Wagner 1993)"),
            _c("faces", "rt_correct_ms", -1, 0.5,
               "naming expressions quickly means they are read at a glance"),
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
        "How strongly attention stays with one task or one thing held in mind.",
        (
            _c("arrows", "switch_cost_ms", +1, 1.0,
               "a larger switch cost means a rule, once engaged, stays engaged (Rogers & "
               "Monsell 1995)"),
            _c("arrows", "switch_cost_errors", +1, 0.5,
               "the same in errors; half weight, error differences rest on few errors"),
            _c("keypresses", "iti_cv", -1, 0.5,
               "an even tapping rhythm over 10 s shows steady, sustained engagement"),
            _c("digits", "longest_span_forward", +1, 0.5,
               "holding a longer list in mind needs attention to stay on it"),
            _c("digits", "longest_span_backward", +1, 0.5,
               "holding and reordering a list needs attention to stay on it"),
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
               "returning part of what one received from a trusting partner"),
            _c("exchange_split", "offer_share", +1, 0.5,
               "offers also serve to avoid refusal, hence half weight"),
            _c("exchange_trust", "trust", +1, 0.5,
               "sending money to a stranger is partly giving, partly expecting a return"),
        ),
    ),
    TraitDefinition(
        "learning", "exploring", "exploiting",
        "How quickly choices settle on what has paid off so far.",
        (
            _c("cards", "net_score", +1, 1.0,
               "more picks from the decks that pay off over time means choices followed the "
               "outcomes (Bechara et al. 1994)"),
            _c("cards", "net_score_change", +1, 0.5,
               "moving towards the paying decks across the game; half weight, it is a "
               "difference of two blocks"),
            _c("lengths", "log_b", +1, 1.0,
               "leaning towards the more often rewarded answer shows choices shaped by "
               "reward (Pizzagalli et al. 2005)"),
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
)
# fmt: on

#: Trait names in report order.
TRAIT_NAMES: tuple[str, ...] = tuple(trait.name for trait in TRAITS)


@dataclass(frozen=True, slots=True)
class RawComposite:
    """A trait's weighted mean of aligned z-scores, before standardising.

    ``se`` is its standard error (NaN when a component lacks one); ``n_metrics``
    counts the components used.
    """

    value: float
    se: float
    n_metrics: int
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

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
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
            "composite": json_number(self.composite),
            "flags": list(self.flags),
        }


@dataclass(frozen=True, slots=True)
class TraitScores:
    """All nine traits of one session, and the norm table they were scored against."""

    traits: Mapping[str, TraitScore]
    norm_version: str
    norm_provisional: bool

    def __getitem__(self, name: str) -> TraitScore:
        return self.traits[name]

    def as_dict(self) -> dict[str, Any]:
        return {
            "norm_version": self.norm_version,
            "norm_provisional": self.norm_provisional,
            "traits": {name: trait.as_dict() for name, trait in self.traits.items()},
        }


def _metric_se(value_low: float, value_high: float, norm: MetricNorm) -> float:
    """A metric's standard error: from its bootstrap CI, else the norm sample's SEM."""
    if math.isfinite(value_low) and math.isfinite(value_high):
        return (value_high - value_low) / (2.0 * _Z95)
    if math.isfinite(norm.reliability) and 0.0 <= norm.reliability <= 1.0:
        return norm.sd * math.sqrt(1.0 - norm.reliability)
    return _NAN


def raw_composite(
    trait: TraitDefinition,
    game_scores: Mapping[str, GameScores],
    metric_norms: Mapping[str, MetricNorm],
) -> RawComposite:
    """The weighted mean of the trait's aligned, clipped z-scores (module docstring)."""
    flags: list[str] = []
    total = weights = variance = 0.0
    used = 0
    for part in trait.components:
        scores = game_scores.get(part.game_id)
        metric = None if scores is None else scores.metrics.get(part.metric)
        if metric is None:
            flags.append(f"missing:{part.key}")
            continue
        if not math.isfinite(metric.value):
            flags.append(f"undefined:{part.key}")
            continue
        norm = metric_norms.get(part.key)
        z = _NAN if norm is None else norm.z(metric.value)
        if norm is None or not math.isfinite(z):
            flags.append(f"no_norm:{part.key}")
            continue
        if abs(z) > Z_CLIP:
            flags.append(f"clipped:{part.key}")
            z = math.copysign(Z_CLIP, z)
        total += part.weight * part.sign * z
        weights += part.weight
        se = _metric_se(metric.ci_low, metric.ci_high, norm) / norm.sd
        if not math.isfinite(se):
            flags.append(f"no_error_estimate:{part.key}")
        variance += (part.weight * se) ** 2
        used += 1
    if used == 0:
        return RawComposite(_NAN, _NAN, 0, (*flags, "no_metrics"))
    return RawComposite(total / weights, math.sqrt(variance) / weights, used, tuple(flags))


def score_traits(game_scores: Mapping[str, GameScores], norms: NormTable) -> TraitScores:
    """Score the nine traits of one session against ``norms`` (module docstring)."""
    scored: dict[str, TraitScore] = {}
    for trait in TRAITS:
        composite = raw_composite(trait, game_scores, norms.metrics)
        flags = list(composite.flags)
        norm = norms.traits.get(trait.name)
        z = se = _NAN
        if norm is None or not (math.isfinite(norm.sd) and norm.sd > 0):
            flags.append("no_trait_norm")
        elif math.isfinite(composite.value):
            z = (composite.value - norm.mean) / norm.sd
            se = composite.se / norm.sd
        z_low, z_high = z - _Z95 * se, z + _Z95 * se
        scored[trait.name] = TraitScore(
            name=trait.name,
            low_end=trait.low_end,
            high_end=trait.high_end,
            z=z,
            percentile=_percentile(z),
            z_ci_low=z_low,
            z_ci_high=z_high,
            ci_low=_percentile(z_low),
            ci_high=_percentile(z_high),
            n_metrics=composite.n_metrics,
            n_components=len(trait.components),
            composite=composite.value,
            flags=tuple(flags),
        )
    return TraitScores(FrozenMapping(scored), norms.version, norms.provisional)


def _percentile(z: float) -> float:
    return 100.0 * float(ndtr(z)) if math.isfinite(z) else _NAN
