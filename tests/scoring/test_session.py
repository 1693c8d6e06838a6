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
from scoring.norms import NormTable, load_norms
from scoring.session import SessionScores, rescore, score_session
from scoring.traits import TRAIT_NAMES
from tools.build_provisional_norms import simulate_tables

PROVISIONAL = Path(__file__).resolve().parents[2] / "resources" / "norms" / "provisional-0.2.json"


@cache
def _norms() -> NormTable:
    return load_norms(PROVISIONAL.read_text(encoding="utf-8"))


@cache
def _tables() -> dict[str, dict[str, Any]]:
    return simulate_tables(candidate=12345, seed=77)


def test_scores_every_game_and_trait_with_versions() -> None:
    result = score_session(_tables(), _norms(), seed=1)
    assert isinstance(result, SessionScores)
    assert tuple(result.games) == GAME_IDS
    assert tuple(result.traits.traits) == TRAIT_NAMES
    assert result.scoring_version == SCORING_VERSION
    assert result.norm_version == "0.2-provisional" and result.norm_provisional
    assert result.flags == ("provisional_norms",)
    for trait in result.traits.traits.values():
        assert 0.0 <= trait.percentile <= 100.0
        assert trait.ci_low <= trait.percentile <= trait.ci_high
        assert trait.n_metrics == trait.n_components
    # Reliability comes from the norm sample.
    pumps = result.games["balloons"].metrics["adjusted_pumps"]
    assert pumps.reliability == _norms().metrics["balloons.adjusted_pumps"].reliability
    json.dumps(result.as_dict(), allow_nan=False)


def test_same_seed_same_result_and_rescoring_records_the_new_norms() -> None:
    first = score_session(_tables(), _norms(), seed=5)
    again = score_session(_tables(), _norms(), seed=5)
    assert first.as_dict() == again.as_dict()
    newer = dataclasses.replace(_norms(), version="0.2-local", provisional=False)
    rescored = rescore(_tables(), newer, seed=5)
    assert rescored.norm_version == "0.2-local" and not rescored.norm_provisional
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


def test_without_bootstrap_trait_cis_come_from_norm_reliability() -> None:
    result = score_session(_tables(), _norms(), bootstrap=False)
    assert all(math.isnan(m.ci_low) for m in result.games["arrows"].metrics.values())
    focus = result.traits["focus"]
    assert math.isfinite(focus.ci_low) and focus.ci_low < focus.percentile < focus.ci_high
    assert focus.percentile == pytest.approx(
        score_session(_tables(), _norms(), bootstrap=True).traits["focus"].percentile
    )
