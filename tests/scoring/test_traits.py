"""Styles and abilities: the table, composites of the components present, percentiles, CIs.

Every reference value below is worked out by hand from the formulas, not by the code:

* composite of the present components C = Σ wᵢ zᵢ / Σ wᵢ, standardised with the mean
  and SD these components have in the norm sample, SD = √(wᵀ Σ w) / Σ w;
* mid-rank percentile rank 100 · (B + E/2) / N;
* Mosier (1943) composite reliability r = 1 − Σ wᵢ² σᵢ² (1 − rᵢ) / (wᵀ Σ w), and
  the interval z ± 1.96 · √(1 − r).
"""

from __future__ import annotations

import math

import pytest
from scipy.stats import norm as normal

from scoring.metrics.types import FrozenMapping, GameScores, Metric
from scoring.norms import CompositeNorm, MetricNorm, NormTable
from scoring.traits import (
    ABILITY_NAMES,
    MIN_COVERAGE,
    STYLE_NAMES,
    TRAIT_NAMES,
    TRAITS,
    Z_CLIP,
    TraitDefinition,
    mosier_reliability,
    score_traits,
)
from tests.scoring.test_metrics_common import simulated_table

Z95 = 1.959963984540054
NAN = math.nan


def _metric(name: str, value: float, flags: tuple[str, ...] = ()) -> Metric:
    return Metric(name, value, NAN, NAN, 10, NAN, flags, "u", "A value.")


def _scores(**games: dict[str, float]) -> dict[str, GameScores]:
    return {
        game_id: GameScores(
            game_id,
            FrozenMapping({name: _metric(name, value) for name, value in metrics.items()}),
            next(iter(metrics)),
            (),
        )
        for game_id, metrics in games.items()
    }


def _trait(name: str) -> TraitDefinition:
    return next(t for t in TRAITS if t.name == name)


def _norms(
    retest: float = NAN,
    split_half: float = NAN,
    covariances: dict[str, list[list[float]]] | None = None,
    scores: dict[str, list[list[float]]] | None = None,
) -> NormTable:
    """Every metric N(0, 1); each trait's components with the given covariance (else I)."""
    keys = {c.key for trait in TRAITS for c in trait.components}
    traits = {}
    for trait in TRAITS:
        k = len(trait.components)
        identity = [[1.0 if i == j else 0.0 for j in range(k)] for i in range(k)]
        covariance = (covariances or {}).get(trait.name, identity)
        traits[trait.name] = CompositeNorm(
            0.0,
            1.0,
            300,
            components=tuple(c.key for c in trait.components),
            means=(0.0,) * k,
            covariance=tuple(tuple(row) for row in covariance),
            scores=tuple(tuple(row) for row in (scores or {}).get(trait.name, [])),
        )
    return NormTable(
        version="hand-2",
        provisional=False,
        provenance="hand-built for tests",
        created="2026-01-01",
        sample_size=300,
        metrics=FrozenMapping(
            {key: MetricNorm(0.0, 1.0, 300, split_half, retest, 300) for key in keys}
        ),
        traits=FrozenMapping(traits),
    )


def test_styles_and_abilities_are_separate_kinds() -> None:
    assert STYLE_NAMES == (
        "attention",
        "decision making",
        "effort",
        "fairness",
        "focus",
        "generosity",
        "learning",
        "risk tolerance",
    )
    assert ABILITY_NAMES == ("working memory", "stopping speed", "planning", "emotion recognition")
    assert TRAIT_NAMES == STYLE_NAMES + ABILITY_NAMES
    keys = {t.name: {c.key for c in t.components} for t in TRAITS}
    # Abilities live only in ability scores: span, SSRT, planning, emotion recognition.
    assert keys["working memory"] == {"digits.longest_span_forward", "digits.longest_span_backward"}
    assert keys["stopping speed"] == {"stop.ssrt_ms"}
    assert {"towers.total_score", "towers.excess_moves"} == keys["planning"]
    assert keys["emotion recognition"] == {"faces.unbiased_hit_rate"}
    for style in STYLE_NAMES:
        assert not keys[style] & {"digits.longest_span_forward", "stop.ssrt_ms",
                                  "towers.excess_moves", "faces.unbiased_hit_rate"}  # fmt: skip
    # Learning is carried by the reversal learning rate; the Cards net score weighs a
    # quarter and is marked as of low reliability.
    learning = {c.key: c for c in _trait("learning").components}
    assert learning["reversal.learning_rate"].weight == 1.0
    assert (
        learning["cards.net_score"].weight == 0.25 and learning["cards.net_score"].low_reliability
    )
    assert "cards.net_score_change" not in learning
    for trait in TRAITS:
        assert trait.kind == ("ability" if trait.name in ABILITY_NAMES else "style")
        assert trait.low_end != trait.high_end and trait.components
        for component in trait.components:
            assert component.sign in (-1, 1) and component.weight > 0
            assert component.reason and "\n" not in component.reason
            words = f"{trait.low_end} {trait.high_end} {component.reason}".lower().split()
            assert "good" not in words and "bad" not in words


def test_every_component_names_a_metric_the_game_reports() -> None:
    from scoring.metrics import SCORERS

    games = {c.game_id for trait in TRAITS for c in trait.components}
    # The Reversal game registers its own scorer; until then its component is unused.
    reported = {
        game_id: set(SCORERS[game_id](simulated_table(game_id), bootstrap=False).metrics)
        for game_id in games
        if game_id in SCORERS and game_id != "reversal"
    }
    for trait in TRAITS:
        for component in trait.components:
            if component.game_id in reported:
                assert component.metric in reported[component.game_id], component.key


def test_composite_uses_the_covariance_of_the_components_present() -> None:
    # Risk tolerance: adjusted pumps (w 1) and explosions (w .5), correlated .5.
    norms = _norms(covariances={"risk tolerance": [[1.0, 0.5], [0.5, 1.0]]})
    risk = score_traits(_scores(balloons={"adjusted_pumps": 1.0, "explosions": -1.0}), norms)[
        "risk tolerance"
    ]
    composite = (1.0 * 1.0 + 0.5 * -1.0) / 1.5
    sd = math.sqrt(1.0 + 0.25 + 2 * 0.5 * 0.5) / 1.5  # wᵀΣw = 1.75
    assert risk.composite == pytest.approx(composite)
    assert risk.z == pytest.approx(composite / sd)
    # No stored norm scores: the normal approximation, and it says so.
    assert risk.percentile == pytest.approx(100 * normal.cdf(composite / sd))
    assert "percentile_normal_approximation" in risk.flags
    assert risk.coverage == 1.0 and (risk.n_metrics, risk.n_components) == (2, 2)


def test_towers_only_session_places_planning_sensibly_and_withholds_decision_making() -> None:
    # Only Towers played: a planner one SD faster to the first move and one SD better
    # at solving, average in excess moves.
    scores = _scores(towers={"planning_time_ms": -1.0, "total_score": 1.0, "excess_moves": 0.0})
    norms = _norms(covariances={"planning": [[1.0, 0.4], [0.4, 1.0]]})
    traits = score_traits(scores, norms)
    # Decision making: only planning time (.5 of 3.5 weight) is present - not reported,
    # where the old rule put this candidate at the 89th percentile.
    decision = traits["decision making"]
    assert decision.coverage == pytest.approx(0.5 / 3.5)
    assert math.isnan(decision.z) and math.isnan(decision.percentile)
    assert "insufficient_coverage" in decision.flags
    # Planning ability: score (+, w 1) z = 1, excess moves (−, w .5) z = 0, r = .4.
    planning = traits["planning"]
    composite = (1.0 * 1.0 + 0.5 * 0.0) / 1.5
    sd = math.sqrt(1.0 + 0.25 + 2 * 0.5 * 0.4) / 1.5
    assert planning.z == pytest.approx(composite / sd)  # 0.7785
    assert planning.percentile == pytest.approx(100 * normal.cdf(0.77850), abs=0.01)  # 78.2
    assert planning.kind == "ability"


def test_span_only_session_gives_working_memory_and_no_focus() -> None:
    # Digit span forward one SD above the mean, nothing else.  The old Focus put this
    # at the 97th percentile by dividing one z-score by the SD of a five-part average.
    traits = score_traits(_scores(digits={"longest_span_forward": 1.0}), _norms())
    memory = traits["working memory"]
    assert memory.coverage == pytest.approx(MIN_COVERAGE)  # exactly half: reported
    assert memory.z == pytest.approx(1.0)  # one component: its own SD
    assert memory.percentile == pytest.approx(100 * normal.cdf(1.0))  # 84.1
    focus = traits["focus"]
    assert math.isnan(focus.percentile) and "no_metrics" in focus.flags


def test_coverage_below_half_of_the_weight_is_not_reported() -> None:
    traits = score_traits(_scores(balloons={"explosions": 2.0}), _norms())
    risk = traits["risk tolerance"]
    assert risk.coverage == pytest.approx(0.5 / 1.5)
    assert math.isnan(risk.z) and math.isnan(risk.percentile) and math.isnan(risk.ci_low)
    assert "insufficient_coverage" in risk.flags and risk.n_metrics == 1
    assert risk.as_dict()["percentile"] is None


def test_mid_rank_percentile_against_the_norm_sessions_composites() -> None:
    # Stopping speed has one component (SSRT, sign −1).  Norm sessions' aligned scores:
    # 40 at −1, 50 at 0, 30 at +1 (120 sessions).  A candidate at the mean ties with 50:
    # B = 40, E = 50 -> 100 · (40 + 25) / 120 = 54.1667 (the normal approximation says 50).
    column = [[-1.0]] * 40 + [[0.0]] * 50 + [[1.0]] * 30
    norms = _norms(scores={"stopping speed": column})
    speed = score_traits(_scores(stop={"ssrt_ms": 0.0}), norms)["stopping speed"]
    assert speed.percentile == pytest.approx(100 * (40 + 25) / 120)
    assert "percentile_normal_approximation" not in speed.flags
    faster = score_traits(_scores(stop={"ssrt_ms": -1.0}), norms)["stopping speed"]
    assert faster.percentile == pytest.approx(100 * (90 + 15) / 120)  # aligned +1


def test_mosier_composite_reliability_by_hand() -> None:
    w, cov, r = [1.0, 0.5], [[1.0, 0.5], [0.5, 1.0]], [0.8, 0.6]
    # wᵀΣw = 1.75; error = 1·1·.2 + .25·1·.4 = .3; r = 1 − .3/1.75.
    assert mosier_reliability(w, cov, r) == pytest.approx(1 - 0.3 / 1.75)
    # Treating the components as independent would give 1 − .3/1.25 = .76 instead.
    assert mosier_reliability(w, [[1.0, 0.0], [0.0, 1.0]], r) == pytest.approx(0.76)
    # Unequal variances: σ² = (4, 1), covariance 1: wᵀΣw = 4 + .25 + 1 = 5.25,
    # error = 4·.2 + .25·.4 = .9.
    assert mosier_reliability(w, [[4.0, 1.0], [1.0, 1.0]], r) == pytest.approx(1 - 0.9 / 5.25)
    assert math.isnan(mosier_reliability(w, cov, [0.8, NAN]))


def test_trait_interval_uses_composite_retest_reliability() -> None:
    norms = _norms(
        retest=0.7, split_half=0.95, covariances={"risk tolerance": [[1.0, 0.5], [0.5, 1.0]]}
    )
    risk = score_traits(_scores(balloons={"adjusted_pumps": 1.0, "explosions": 1.0}), norms)[
        "risk tolerance"
    ]
    # Mosier with retest .7 for both: error = (1 + .25)·.3 = .375; r = 1 − .375/1.75.
    reliability = 1 - 0.375 / 1.75
    assert risk.reliability == pytest.approx(reliability)
    sem = math.sqrt(1 - reliability)
    assert risk.z_ci_high - risk.z == pytest.approx(Z95 * sem)
    assert risk.z - risk.z_ci_low == pytest.approx(Z95 * sem)
    assert risk.ci_low == pytest.approx(100 * normal.cdf(risk.z - Z95 * sem))
    assert "split_half_reliability" not in risk.flags
    # Without a retest figure the split-half one stands in, flagged.
    fallback = score_traits(
        _scores(balloons={"adjusted_pumps": 1.0, "explosions": 1.0}), _norms(split_half=0.9)
    )["risk tolerance"]
    assert "split_half_reliability" in fallback.flags and math.isfinite(fallback.ci_low)
    unknown = score_traits(_scores(balloons={"adjusted_pumps": 1.0, "explosions": 1.0}), _norms())
    assert math.isnan(unknown["risk tolerance"].ci_low)
    assert "no_error_estimate:balloons.adjusted_pumps" in unknown["risk tolerance"].flags


def test_low_data_components_are_left_out_and_flagged() -> None:
    games = {
        "balloons": GameScores(
            "balloons",
            FrozenMapping(
                {
                    "adjusted_pumps": _metric("adjusted_pumps", 1.0, ("low_data",)),
                    "explosions": _metric("explosions", 1.0),
                }
            ),
            "adjusted_pumps",
            (),
        )
    }
    risk = score_traits(games, _norms())["risk tolerance"]
    assert "low_data:balloons.adjusted_pumps" in risk.flags
    assert "insufficient_coverage" in risk.flags and math.isnan(risk.percentile)


def test_other_design_and_extreme_metrics_are_flagged() -> None:
    scores = _scores(balloons={"adjusted_pumps": NAN, "explosions": 1000.0},
                     stop={"ssrt_ms": 1.0})  # fmt: skip
    traits = score_traits(scores, _norms(), other_design_games=("stop",))
    assert "norms_other_design" in traits["stopping speed"].flags
    assert "norms_other_design" not in traits["risk tolerance"].flags
    risk = traits["risk tolerance"]
    assert "undefined:balloons.adjusted_pumps" in risk.flags
    assert "clipped:balloons.explosions" in risk.flags and risk.composite == Z_CLIP
    assert traits.norm_version == "hand-2" and traits.norm_provisional is False
    assert [t.name for t in traits.abilities] == list(ABILITY_NAMES)
