"""The trait table and trait scoring, against hand-computed composites.

Hand computation for ``risk tolerance`` (components: adjusted_pumps, weight 1, and
explosions, weight 0.5, both sign +1) with norms mean 0, SD 1 for every metric and
composite mean 0, SD 1: values 1 and −1 give z 1 and −1, composite
(1·1 + 0.5·(−1)) / 1.5 = 1/3, percentile 100·Φ(1/3) = 63.056.  Metric CIs of
±1.96·0.5 and ±1.96·0.2 give SEs 0.5 and 0.2, composite SE
√((1·0.5)² + (0.5·0.2)²) / 1.5 = 0.33993.
"""

from __future__ import annotations

import math

import pytest
from scipy.stats import norm as normal

from scoring.metrics.types import FrozenMapping, GameScores, Metric
from scoring.norms import CompositeNorm, MetricNorm, NormTable
from scoring.traits import TRAIT_NAMES, TRAITS, Z_CLIP, score_traits
from tests.scoring.test_metrics_common import simulated_table

Z95 = 1.959963984540054


def _metric(name: str, value: float, se: float | None = None) -> Metric:
    low = high = math.nan
    if se is not None:
        low, high = value - Z95 * se, value + Z95 * se
    return Metric(name, value, low, high, 10, math.nan, (), "u", "A value.")


def _scores(**games: dict[str, Metric]) -> dict[str, GameScores]:
    return {
        game_id: GameScores(game_id, FrozenMapping(metrics), next(iter(metrics)), ())
        for game_id, metrics in games.items()
    }


def _norms(reliability: float = math.nan, trait_sd: float = 1.0) -> NormTable:
    keys = {c.key for trait in TRAITS for c in trait.components}
    return NormTable(
        version="hand-1",
        provisional=False,
        provenance="hand-built for tests",
        created="2026-01-01",
        sample_size=100,
        metrics=FrozenMapping({key: MetricNorm(0.0, 1.0, 100, reliability) for key in keys}),
        traits=FrozenMapping({name: CompositeNorm(0.0, trait_sd, 100) for name in TRAIT_NAMES}),
    )


def test_the_table_defines_nine_bidirectional_traits() -> None:
    assert TRAIT_NAMES == (
        "attention",
        "decision making",
        "effort",
        "emotion",
        "fairness",
        "focus",
        "generosity",
        "learning",
        "risk tolerance",
    )
    risk = TRAITS[-1]
    assert (risk.low_end, risk.high_end) == ("cautious", "risk-seeking")
    for trait in TRAITS:
        assert trait.low_end != trait.high_end
        assert trait.components
        keys = [c.key for c in trait.components]
        assert len(keys) == len(set(keys))
        for component in trait.components:
            assert component.sign in (-1, 1) and component.weight > 0
            assert component.reason and "\n" not in component.reason
            words = f"{trait.low_end} {trait.high_end} {component.reason}".lower().split()
            assert "good" not in words and "bad" not in words


def test_every_component_names_a_metric_the_game_reports() -> None:
    from scoring.metrics import SCORERS

    reported = {
        game_id: set(SCORERS[game_id](simulated_table(game_id), bootstrap=False).metrics)
        for game_id in {c.game_id for trait in TRAITS for c in trait.components}
    }
    for trait in TRAITS:
        for component in trait.components:
            assert component.metric in reported[component.game_id], component.key


def test_hand_computed_composite_percentile_and_ci() -> None:
    scores = _scores(
        balloons={
            "adjusted_pumps": _metric("adjusted_pumps", 1.0, se=0.5),
            "explosions": _metric("explosions", -1.0, se=0.2),
        }
    )
    risk = score_traits(scores, _norms())["risk tolerance"]
    assert risk.composite == pytest.approx(1 / 3)
    assert risk.z == pytest.approx(1 / 3)
    assert risk.percentile == pytest.approx(63.056, abs=1e-3)
    se = math.sqrt(0.5**2 + (0.5 * 0.2) ** 2) / 1.5
    assert risk.z_ci_low == pytest.approx(1 / 3 - Z95 * se)
    assert risk.z_ci_high == pytest.approx(1 / 3 + Z95 * se)
    assert risk.ci_low == pytest.approx(100 * normal.cdf(1 / 3 - Z95 * se))
    assert (risk.n_metrics, risk.n_components) == (2, 2)
    assert risk.flags == ()


def test_composite_is_standardised_against_the_trait_norm() -> None:
    scores = _scores(
        balloons={
            "adjusted_pumps": _metric("adjusted_pumps", 1.0, se=0.5),
            "explosions": _metric("explosions", 1.0, se=0.5),
        }
    )
    risk = score_traits(scores, _norms(trait_sd=0.5))["risk tolerance"]
    assert risk.composite == pytest.approx(1.0) and risk.z == pytest.approx(2.0)


def test_signs_align_metrics_with_the_high_end() -> None:
    # A wide EZ boundary is "deliberate": the low end of decision making.
    scores = _scores(arrows={"ez_boundary": _metric("ez_boundary", 2.0, se=0.1)})
    decision = score_traits(scores, _norms())["decision making"]
    assert decision.z == pytest.approx(-2.0)
    assert decision.n_metrics == 1
    assert "missing:lengths.ez_boundary" in decision.flags


def test_sem_from_reliability_when_a_metric_has_no_ci() -> None:
    scores = _scores(
        balloons={
            "adjusted_pumps": _metric("adjusted_pumps", 1.0),
            "explosions": _metric("explosions", 1.0),
        }
    )
    risk = score_traits(scores, _norms(reliability=0.75))["risk tolerance"]
    sem = math.sqrt(1 - 0.75)  # SD 1
    se = math.sqrt(sem**2 + (0.5 * sem) ** 2) / 1.5
    assert risk.z_ci_high - risk.z == pytest.approx(Z95 * se)
    unknown = score_traits(scores, _norms())["risk tolerance"]
    assert math.isnan(unknown.ci_low) and math.isfinite(unknown.z)
    assert "no_error_estimate:balloons.adjusted_pumps" in unknown.flags


def test_missing_undefined_and_extreme_metrics() -> None:
    scores = _scores(
        balloons={
            "adjusted_pumps": _metric("adjusted_pumps", math.nan),
            "explosions": _metric("explosions", 1000.0, se=1.0),
        }
    )
    traits = score_traits(scores, _norms())
    risk = traits["risk tolerance"]
    assert "undefined:balloons.adjusted_pumps" in risk.flags
    assert "clipped:balloons.explosions" in risk.flags
    assert risk.composite == Z_CLIP
    nothing = traits["generosity"]
    assert math.isnan(nothing.z) and math.isnan(nothing.percentile)
    assert "no_metrics" in nothing.flags and nothing.n_metrics == 0
    assert traits.norm_version == "hand-1" and traits.norm_provisional is False
