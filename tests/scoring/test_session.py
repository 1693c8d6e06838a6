"""Scoring a whole session against the committed provisional norms, and rescoring."""

from __future__ import annotations

import dataclasses
import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scoring.metrics import GAME_IDS, SCORING_VERSION
from scoring.metrics.types import FrozenMapping
from scoring.norms import NormDesign, NormTable, load_norms
from scoring.session import SessionScores, _with_norms, rescore, score_session
from scoring.traits import TRAIT_NAMES
from tools.build_provisional_norms import simulate_tables

PROVISIONAL = Path(__file__).resolve().parents[2] / "resources" / "norms" / "provisional-0.3.json"


@cache
def _norms() -> NormTable:
    return load_norms(PROVISIONAL.read_text(encoding="utf-8"))


@cache
def _tables() -> dict[str, dict[str, Any]]:
    return simulate_tables(candidate=12345, seed=77)


@pytest.mark.slow
def test_scores_every_game_and_trait_with_versions() -> None:
    result = score_session(_tables(), _norms(), seed=1)
    assert isinstance(result, SessionScores)
    assert tuple(result.games) == GAME_IDS
    assert tuple(result.traits.traits) == TRAIT_NAMES
    assert result.scoring_version == SCORING_VERSION
    assert result.norm_version == "0.3-provisional" and result.norm_provisional
    assert result.flags == ("provisional_norms",)
    for trait in result.traits.traits.values():
        if "insufficient_coverage" in trait.flags:  # e.g. a game the norms lack
            assert math.isnan(trait.percentile) and trait.coverage < 0.5
            continue
        assert 0.0 <= trait.percentile <= 100.0
        assert trait.ci_low <= trait.percentile <= trait.ci_high
        assert trait.n_metrics <= trait.n_components
    # Reliability comes from the norm sample.
    pumps = result.games["balloons"].metrics["adjusted_pumps"]
    assert pumps.reliability == _norms().metrics["balloons.adjusted_pumps"].reliability
    json.dumps(result.as_dict(), allow_nan=False)


@pytest.mark.slow
def test_same_seed_same_result_and_rescoring_records_the_new_norms() -> None:
    first = score_session(_tables(), _norms(), seed=5)
    again = score_session(_tables(), _norms(), seed=5)
    assert first.as_dict() == again.as_dict()
    newer = dataclasses.replace(_norms(), version="0.3-local", provisional=False)
    rescored = rescore(_tables(), newer, seed=5)
    assert rescored.norm_version == "0.3-local" and not rescored.norm_provisional
    assert rescored.scoring_version == SCORING_VERSION
    assert "provisional_norms" not in rescored.flags
    assert rescored.traits["focus"].z == first.traits["focus"].z


def test_missing_and_unknown_games_are_flagged_not_fatal() -> None:
    tables = {"balloons": _tables()["balloons"], "chess": {"moves": np.arange(3)}}
    result = score_session(tables, _norms(), bootstrap=False)
    assert list(result.games) == ["balloons"]
    assert "unknown_game:chess" in result.flags
    assert "missing_game:stop" in result.flags
    risk = result.traits["risk tolerance"]
    assert math.isfinite(risk.z)
    assert "no_metrics" in result.traits["generosity"].flags


def test_planned_trials_and_other_scoring_version() -> None:
    older = dataclasses.replace(_norms(), scoring_version="0.9.0")
    result = score_session(_tables(), older, bootstrap=False, planned_trials={"cards": 120})
    assert "incomplete" in result.games["cards"].flags
    assert "norms_for_other_scoring_version" in result.flags


def test_pinned_and_low_data_metrics_get_no_percentile() -> None:
    result = score_session(_tables(), _norms(), bootstrap=False)
    stop = result.games["stop"].metrics
    # p(respond | signal) is the staircase's target: pinned, no percentile.
    assert stop["p_respond_signal"].pinned
    assert math.isnan(stop["p_respond_signal"].percentile)
    assert stop["p_respond_signal"].percentile_withheld == "pinned"
    assert math.isfinite(stop["ssrt_ms"].percentile) and not stop["ssrt_ms"].pinned
    # A session of the short battery: three balloons are below the design's minimum.
    short = simulate_tables(candidate=3, seed=77, params=_short_designs())
    few = score_session(short, _norms(), bootstrap=False).games["balloons"].metrics
    assert few["explosions"].n == 3 and "low_data" in few["explosions"].flags
    assert math.isnan(few["explosions"].percentile)
    assert few["explosions"].percentile_withheld == "low_data"
    assert math.isfinite(few["explosions"].value)  # the value itself is still shown


def _short_designs() -> dict[str, Any]:
    from kiosk.battery import load_battery

    return {game_id: dict(p) for game_id, p in load_battery("short").params_by_game().items()}


def test_metric_percentiles_come_from_the_norm_table() -> None:
    result = score_session(_tables(), _norms(), bootstrap=False)
    pumps = result.games["balloons"].metrics["adjusted_pumps"]
    norm = _norms().metrics["balloons.adjusted_pumps"]
    assert pumps.percentile == pytest.approx(norm.percentile(pumps.value))
    assert pumps.percentile_withheld == ""


@pytest.mark.slow
def test_a_session_of_another_design_is_flagged() -> None:
    design = NormDesign("standard", "1.2", FrozenMapping({"balloons": "x1", "stop": "x2"}))
    norms = dataclasses.replace(_norms(), design=design)
    same = score_session(_tables(), norms, bootstrap=False, design=design)
    assert not [f for f in same.flags if f.startswith("norms_other_design")]
    short = NormDesign("short", "1.1", FrozenMapping({"balloons": "y1", "stop": "x2"}))
    other = score_session(_tables(), norms, bootstrap=False, design=short)
    assert "norms_other_design:balloons" in other.flags
    assert "norms_other_design:stop" not in other.flags
    assert "norms_other_design" in other.games["balloons"].flags
    assert "norms_other_design" not in other.games["stop"].flags
    assert "norms_other_design" in other.traits["risk tolerance"].flags
    no_design = dataclasses.replace(_norms(), design=None)
    unknown = score_session(_tables(), no_design, bootstrap=False, design=short)
    assert "norms_design_unknown" in unknown.flags


def test_ssrt_uses_the_presented_stop_signal_delay() -> None:
    table = {k: np.array(v, copy=True) for k, v in _tables()["stop"].items()}
    scheduled = score_session({"stop": table}, _norms(), bootstrap=False)
    # Frames presented every signal 10 ms later than scheduled: SSRT is 10 ms shorter.
    stop_rows = np.isfinite(table["ssd_actual_ms"])
    table["ssd_actual_ms"] = np.where(stop_rows, table["ssd_ms"] + 10.0, np.nan)
    later = score_session({"stop": table}, _norms(), bootstrap=False)
    before = scheduled.games["stop"].metrics
    after = later.games["stop"].metrics
    assert after["mean_ssd_ms"].value == pytest.approx(before["mean_ssd_ms"].value + 10.0, abs=0.5)
    assert after["ssrt_ms"].value < before["ssrt_ms"].value


@pytest.mark.slow
def test_without_bootstrap_trait_cis_come_from_norm_reliability() -> None:
    result = score_session(_tables(), _norms(), bootstrap=False)
    assert all(math.isnan(m.ci_low) for m in result.games["arrows"].metrics.values())
    focus = result.traits["focus"]
    assert math.isfinite(focus.ci_low) and focus.ci_low < focus.percentile < focus.ci_high
    assert focus.percentile == pytest.approx(
        score_session(_tables(), _norms(), bootstrap=True).traits["focus"].percentile
    )


def test_low_reliability_metrics_are_marked() -> None:
    result = score_session(_tables(), _norms(), bootstrap=False)
    # The Cards net score is marked in the score table (retest about .37 in people).
    assert "low_reliability" in result.games["cards"].metrics["net_score"].flags
    for game_id, scores in result.games.items():
        for name, metric in scores.metrics.items():
            norm = _norms().metric(game_id, name)
            if norm is not None and math.isfinite(norm.retest) and norm.retest < 0.5:
                assert "low_reliability" in metric.flags, (game_id, name)
    pumps = result.games["balloons"].metrics["adjusted_pumps"]
    assert pumps.retest_reliability == _norms().metrics["balloons.adjusted_pumps"].retest
    assert pumps.reliability == _norms().metrics["balloons.adjusted_pumps"].reliability


def test_norms_change_only_the_norm_fields_of_a_metric() -> None:
    """``_with_norms`` builds each metric anew: every other field must carry over."""
    scores = score_session(_tables(), _norms(), bootstrap=False).games["arrows"]
    original = {
        name: dataclasses.replace(
            metric, split_half=(0.25, 0.75), pinned=not metric.pinned, description="d", n=7
        )
        for name, metric in scores.metrics.items()
    }
    normed = _with_norms(
        dataclasses.replace(scores, metrics=FrozenMapping(original)), _norms(), False
    )
    norm_fields = {"reliability", "retest_reliability", "percentile", "percentile_withheld"}
    for name, metric in original.items():
        for field in dataclasses.fields(metric):
            after = getattr(normed.metrics[name], field.name)
            if field.name == "flags":
                assert after[: len(metric.flags)] == metric.flags
            elif field.name not in norm_fields:
                assert after == getattr(metric, field.name) or (
                    after != after and getattr(metric, field.name) != getattr(metric, field.name)
                ), field.name


def test_scoring_without_halves_changes_nothing_but_the_halves() -> None:
    with_halves = score_session(_tables(), _norms(), bootstrap=False)
    without = score_session(_tables(), _norms(), bootstrap=False, halves=False)
    finite_halves = 0
    for game_id, game in with_halves.games.items():
        for name, metric in game.metrics.items():
            other = without.games[game_id].metrics[name]
            assert all(math.isnan(h) for h in other.split_half), (game_id, name)
            finite_halves += all(math.isfinite(h) for h in metric.split_half)
            same = dataclasses.replace(metric, split_half=other.split_half)
            assert same.as_dict() == other.as_dict(), (game_id, name)
    # every game computes halves when asked (most metrics have them)
    assert finite_halves > 50
    assert with_halves.traits.as_dict() == without.traits.as_dict()
    assert with_halves.flags == without.flags
