"""Norm tables: building from sessions, JSON in and out, and the committed provisional table.

Hand-computed reference: three sessions with values 1, 2, 3 have mean 2 and SD
(ddof = 1) 1.  Split-half reliability is Pearson r of the halves across sessions,
stepped up by Spearman–Brown, 2r / (1 + r) (Spearman 1910; Brown 1910).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from scoring.metrics import PRIMARY_METRICS
from scoring.metrics.types import FrozenMapping, GameScores, Metric
from scoring.norm_building import build_norms
from scoring.norms import (
    FORMAT,
    MIN_NORM_SESSIONS,
    MIN_RELIABILITY_SESSIONS,
    CompositeNorm,
    MetricNorm,
    NormDesign,
    NormTable,
    load_norms,
    metric_key,
    mid_rank_percentile,
    norms_to_json,
    select_norms,
)
from scoring.traits import TRAIT_NAMES, TRAITS

NORMS_DIR = Path(__file__).resolve().parents[2] / "resources" / "norms"
PROVISIONAL_0_2 = NORMS_DIR / "provisional-0.2.json"
PROVISIONAL_0_3 = NORMS_DIR / "provisional-0.3.json"
SHORT_0_3 = NORMS_DIR / "provisional-short-0.3.json"
PROVISIONAL_0_4 = NORMS_DIR / "provisional-0.4.json"
SHORT_0_4 = NORMS_DIR / "provisional-short-0.4.json"


def _metric(name: str, value: float, halves: tuple[float, float] = (math.nan, math.nan)) -> Metric:
    nan = math.nan
    return Metric(name, value, nan, nan, 10, nan, (), "u", "A value.", halves)


def _session(
    values: dict[tuple[str, str], tuple[float, tuple[float, float]]],
) -> dict[str, GameScores]:
    games: dict[str, dict[str, Metric]] = {}
    for (game_id, name), (value, halves) in values.items():
        games.setdefault(game_id, {})[name] = _metric(name, value, halves)
    return {
        game_id: GameScores(game_id, FrozenMapping(metrics), next(iter(metrics)), ())
        for game_id, metrics in games.items()
    }


def _trait_sessions(n: int, seed: int = 0) -> list[dict[str, GameScores]]:
    """Sessions holding every trait component, with random values and halves."""
    rng = np.random.default_rng(seed)
    keys = sorted({(c.game_id, c.metric) for trait in TRAITS for c in trait.components})
    sessions = []
    for _ in range(n):
        values = {}
        for key in keys:
            true = float(rng.normal())
            halves = (true + float(rng.normal(0, 0.5)), true + float(rng.normal(0, 0.5)))
            values[key] = (true, halves)
        sessions.append(_session(values))
    return sessions


def test_too_few_sessions_is_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match=r"at least 200 scored sessions; found 12"):
        build_norms(_trait_sessions(12), "x", "test")
    with pytest.raises(ValueError, match=r"at least 5 scored sessions; found 4"):
        build_norms(_trait_sessions(4), "x", "test", min_sessions=5)


def test_hand_computed_mean_sd_and_reliability() -> None:
    sessions = [
        _session({("balloons", "adjusted_pumps"): (v, (v, v))}) for v in (1.0, 2.0, 3.0)
    ] * 40  # 120 sessions: mean 2, SD of 1,2,3 repeated forty times
    table = build_norms(sessions, "t1", "hand-built", min_sessions=120, created="2026-01-02")
    norm = table.metrics["balloons.adjusted_pumps"]
    assert norm.mean == 2.0 and norm.n == 120
    expected_sd = float(np.std([1.0, 2.0, 3.0] * 40, ddof=1))
    assert norm.sd == pytest.approx(expected_sd)
    assert norm.reliability == pytest.approx(1.0)  # identical halves: r = 1
    assert norm.sample == (1.0,) * 40 + (2.0,) * 40 + (3.0,) * 40
    assert table.sample_size == 120 and table.created == "2026-01-02"
    assert table.metric("balloons", "adjusted_pumps") == norm
    assert table.metric("balloons", "nothing") is None


def test_reliability_steps_up_the_half_correlation_and_floors_at_zero() -> None:
    rng = np.random.default_rng(1)
    true = rng.normal(size=400)
    first, second = true + rng.normal(size=400), true + rng.normal(size=400)
    r = float(np.corrcoef(first, second)[0, 1])
    sessions = [
        _session({("faces", "accuracy"): (float(t), (float(a), float(b)))})
        for t, a, b in zip(true, first, second, strict=True)
    ]
    table = build_norms(sessions, "t", "p")
    assert table.metrics["faces.accuracy"].reliability == pytest.approx(2 * r / (1 + r))
    opposite = [
        _session({("faces", "accuracy"): (0.0, (float(a), -float(a)))}) for a in first[:200]
    ]
    assert build_norms(opposite, "t", "p").metrics["faces.accuracy"].reliability == 0.0


def test_few_halves_or_constant_values_give_nan() -> None:
    sessions = [_session({("towers", "total_score"): (5.0, (math.nan, math.nan))})] * 200
    norm = build_norms(sessions, "t", "p").metrics["towers.total_score"]
    assert norm.mean == 5.0 and norm.sd == 0.0 and math.isnan(norm.reliability)
    assert math.isnan(norm.z(5.0))  # zero SD cannot standardise


def test_trait_composites_are_summarised() -> None:
    table = build_norms(_trait_sessions(60), "t", "p", provisional=True, min_sessions=60)
    assert set(table.traits) == set(TRAIT_NAMES)
    for trait in TRAITS:
        norm = table.traits[trait.name]
        assert norm.n == 60
        assert norm.mean == pytest.approx(0.0, abs=1e-9)  # a mean of z-scores of the sample
        assert 0 < norm.sd < 1.5
        k = len(trait.components)
        assert norm.components == tuple(c.key for c in trait.components)
        assert len(norm.scores) == 60 and all(len(row) == k for row in norm.scores)
        # The stored covariance is that of the stored aligned z-scores (ddof = 1).
        expected = np.cov(np.asarray(norm.scores).T, ddof=1).reshape(k, k)
        assert np.allclose(np.asarray(norm.covariance), expected)
        assert all(abs(m) < 1e-9 for m in norm.means)


def test_json_round_trip_and_nan_as_null() -> None:
    table = NormTable(
        version="v1",
        provisional=False,
        provenance="hand",
        created="2026-03-04",
        sample_size=70,
        metrics=FrozenMapping({"a.b": MetricNorm(1.5, 0.5, 70, math.nan)}),
        traits=FrozenMapping({"focus": CompositeNorm(0.0, 0.8, 70)}),
    )
    text = norms_to_json(table)
    document = json.loads(text)
    assert document["format"] == FORMAT
    assert document["metrics"]["a.b"]["reliability"] is None
    loaded = load_norms(text)
    assert loaded.metrics["a.b"].mean == 1.5 and math.isnan(loaded.metrics["a.b"].reliability)
    assert loaded.traits == table.traits
    assert load_norms(document).version == "v1"
    assert load_norms(text.encode()).sample_size == 70
    assert norms_to_json(loaded) == text


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("version"), "lacks the field 'version'"),
        (lambda d: d.update(format="other/9"), "format must be"),
        (lambda d: d.update(provisional="yes"), "'provisional' must be bool"),
        (lambda d: d.update(sample_size=True), "'sample_size' must be int"),
        (lambda d: d["metrics"]["a.b"].pop("sd"), "metrics.a.b lacks 'sd'"),
        (lambda d: d["metrics"]["a.b"].update(mean="1"), "must be a number"),
        (lambda d: d["traits"]["focus"].update(n=-1), "must be a count"),
    ],
)
def test_malformed_tables_raise_value_error(mutate: object, message: str) -> None:
    document = json.loads(
        norms_to_json(
            NormTable(
                "v",
                False,
                "p",
                "2026-01-01",
                1,
                FrozenMapping({"a.b": MetricNorm(1.0, 1.0, 1)}),
                FrozenMapping({"focus": CompositeNorm(0.0, 1.0, 1)}),
            )
        )
    )
    mutate(document)  # type: ignore[operator]
    with pytest.raises(ValueError, match=message):
        load_norms(document)


def test_text_that_is_not_json_raises_value_error() -> None:
    with pytest.raises(ValueError, match="not valid JSON"):
        load_norms("{nope")
    with pytest.raises(ValueError, match="JSON object"):
        load_norms("[1, 2]")


def test_a_format_1_table_still_loads_for_rescoring_old_sessions() -> None:
    table = load_norms(PROVISIONAL_0_2.read_text(encoding="utf-8"))
    assert table.provisional is True and table.version == "0.2-provisional"
    assert table.design is None and table.age_band is None
    norm = table.metrics["balloons.adjusted_pumps"]
    assert not norm.percentile_is_exact and math.isnan(norm.retest)
    # No stored sample: the normal approximation 100·Φ(z).
    assert norm.percentile(norm.mean + norm.sd) == pytest.approx(84.1345, abs=1e-3)


def test_mid_rank_percentile_with_ties_by_hand() -> None:
    # Dictator shares of ten people; four gave half.  For 0.5: B = 5 below, E = 4
    # equal -> 100 · (5 + 2) / 10 = 70.  For 0.25 (no tie): B = 4 -> 40.
    shares = [0.0, 0.0, 0.1, 0.2, 0.3, 0.5, 0.5, 0.5, 0.5, 0.6]
    assert mid_rank_percentile(0.5, shares) == pytest.approx(70.0)
    assert mid_rank_percentile(0.25, shares) == pytest.approx(40.0)
    assert mid_rank_percentile(0.0, shares) == pytest.approx(10.0)  # (0 + 2/2) / 10
    assert mid_rank_percentile(1.0, shares) == pytest.approx(100.0)
    assert math.isnan(mid_rank_percentile(math.nan, shares))
    sessions = [_session({("exchange_split", "dictator_share"): (v, (v, v))}) for v in shares] * 20
    norm = build_norms(sessions, "t", "p").metrics["exchange_split.dictator_share"]
    assert norm.percentile_is_exact and norm.percentile(0.5) == pytest.approx(70.0)
    # 1/3 computed afresh ties with the stored value (10 significant digits).
    thirds = [_session({("exchange_split", "dictator_share"): (1 / 3, (0.0, 0.0))})] * 200
    norm = build_norms(thirds, "t", "p").metrics["exchange_split.dictator_share"]
    assert norm.percentile(1.0 / 3.0) == pytest.approx(50.0)


def test_retest_reliability_is_the_correlation_of_two_sessions() -> None:
    rng = np.random.default_rng(7)
    true = rng.normal(size=250)
    first, second = true + rng.normal(size=250), true + rng.normal(size=250)
    sessions = [_session({("stop", "ssrt_ms"): (float(a), (float(a), float(a)))}) for a in first]
    again = [_session({("stop", "ssrt_ms"): (float(b), (float(b), float(b)))}) for b in second]
    table = build_norms(sessions, "t", "p", retest_sessions=again)
    norm = table.metrics["stop.ssrt_ms"]
    assert norm.retest == pytest.approx(float(np.corrcoef(first, second)[0, 1]))
    assert norm.n_retest == 250
    assert norm.reliability == pytest.approx(1.0)  # identical halves: split-half says 1
    with pytest.raises(ValueError, match="pair"):
        build_norms(sessions, "t", "p", retest_sessions=again[:10])
    few = build_norms(sessions[:200], "t", "p", retest_sessions=[{}] * 200)
    assert math.isnan(few.metrics["stop.ssrt_ms"].retest)


def test_design_age_band_and_selection() -> None:
    standard = NormDesign("standard", "1.2", FrozenMapping({"stop": "aaa", "towers": "bbb"}))
    short = NormDesign("short", "1.1", FrozenMapping({"stop": "ccc", "towers": "ddd"}))
    assert standard.mismatched_games(short) == ("stop", "towers")
    assert standard.mismatched_games(standard) == ()
    mixed = NormDesign("custom", "1", FrozenMapping({"stop": "aaa", "towers": "zzz"}))
    assert standard.mismatched_games(mixed) == ("towers",)

    def table(version: str, design: NormDesign, band: tuple[int, int] | None = None) -> NormTable:
        return NormTable(version, True, "p", "2026-01-01", 200, FrozenMapping(),
                         FrozenMapping(), design=design, age_band=band)  # fmt: skip

    tables = [table("1", standard), table("2", short), table("3", standard, (18, 29))]
    assert select_norms(tables, short) is tables[1]
    assert select_norms(tables, standard, age=40) is tables[0]
    assert select_norms(tables, standard, age=25) is tables[2]
    # Stop matches the standard table, Towers matches none: the standard table, whose
    # scores then flag Towers as of another design.
    assert select_norms(tables, mixed) is tables[0]
    alien = NormDesign("custom", "1", FrozenMapping({"stop": "q", "towers": "r"}))
    assert select_norms(tables, alien) is None and select_norms(tables, None) is None
    loaded = load_norms(norms_to_json(tables[2]))
    assert loaded.design == standard and loaded.age_band == (18, 29)
    document = json.loads(norms_to_json(tables[2]))
    document["age_band"] = [30, 20]
    with pytest.raises(ValueError, match="age_band"):
        load_norms(document)


@pytest.mark.parametrize(
    ("path", "battery"),
    [
        (PROVISIONAL_0_3, "standard"),
        (SHORT_0_3, "short"),
        (PROVISIONAL_0_4, "standard"),
        (SHORT_0_4, "short"),
    ],
)
def test_committed_provisional_tables(path: Path, battery: str) -> None:
    table = load_norms(path.read_text(encoding="utf-8"))
    assert table.provisional is True and table.version.endswith("-provisional")
    assert "simulated" in table.provenance and "PROVISIONAL" in table.provenance
    assert table.design is not None and table.design.battery == battery
    assert table.age_band is None  # simulated players have no age
    assert table.sample_size >= MIN_NORM_SESSIONS
    assert set(table.traits) == set(TRAIT_NAMES)
    for norm in table.metrics.values():
        assert len(norm.sample) == norm.n and list(norm.sample) == sorted(norm.sample)
        for r in (norm.reliability, norm.retest):
            assert math.isnan(r) or 0.0 <= r <= 1.0
    if battery == "standard":
        for game_id, primary in PRIMARY_METRICS.items():
            norm = table.metrics[metric_key(game_id, primary)]
            assert norm.n >= 250 and norm.sd > 0, (game_id, primary)
            assert norm.n_retest >= MIN_RELIABILITY_SESSIONS, (game_id, primary)
        for trait in TRAITS:
            norm = table.traits[trait.name]
            k = len(trait.components)
            assert len(norm.covariance) == k and len(norm.scores) == table.sample_size
