"""Shared machinery of the per-game metrics, and helpers the other metric tests import.

Covers :mod:`scoring.metrics._engine` (reading tables, halves, resampling),
:mod:`scoring.metrics.quality` (flag thresholds, hand-built cases) and
:mod:`scoring.metrics.types`, plus one property test over *every* game: ``score``
is total over arbitrary trial tables built with the game's real columns.

Helpers for the game-specific test files:

* :func:`simulated_table` – a bot's trial table (games may be imported by tests);
* :func:`arbitrary_tables` – a hypothesis strategy of tables with the game's columns
  and random contents (empty, one row, NaN, absurd numbers, unknown labels, missing
  or unreadable columns, ragged lengths);
* :func:`assert_well_formed` – what every ``GameScores`` must satisfy.
"""

from __future__ import annotations

import importlib
import json
import math
import pickle
from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from scoring.ddm import ez_diffusion_from_trials
from scoring.metrics import GAME_IDS, PRIMARY_METRICS, SCORERS, score_game
from scoring.metrics._engine import (
    Sample,
    Scorecard,
    TrialTable,
    alternate_halves,
    ez_replicates,
    mean_of,
    percentile_interval,
    trimmed_mean_where,
)
from scoring.metrics.quality import (
    accuracy_flags,
    completeness_flags,
    rt_flags,
    side_bias_flags,
)
from scoring.metrics.types import FrozenMapping, GameScores, LabelledMatrix, Metric

# ---- helpers shared with the game test files ---------------------------------------


@cache
def _simulated(game_id: str, seed: int) -> dict[str, NDArray[Any]]:
    task = importlib.import_module(f"games.{game_id}.task")
    bot = importlib.import_module(f"games.{game_id}.bot")
    return dict(task.trial_table(bot.simulate({}, bot.BotParams(), seed)))


def simulated_table(game_id: str, seed: int = 0) -> dict[str, NDArray[Any]]:
    """A default bot's trial table of the game's default design (a fresh dict)."""
    return {name: column.copy() for name, column in _simulated(game_id, seed).items()}


_ABSURD_NUMBERS = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    2.0,
    3.0,
    149.0,
    1e-300,
    1e300,
    -1e300,
    math.inf,
    -math.inf,
    math.nan,
]


def _column(draw: st.DrawFn, template: NDArray[Any], n: int) -> NDArray[Any]:
    kind = template.dtype.kind
    if kind == "b":
        return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=np.bool_)
    if kind in "iuf":
        seen = [float(v) for v in np.unique(template)[:20]]
        numbers = st.one_of(
            st.sampled_from(_ABSURD_NUMBERS + seen),
            st.floats(allow_nan=True, allow_infinity=True, width=64),
        )
        values = draw(st.lists(numbers, min_size=n, max_size=n))
        if kind in "iu" and all(math.isfinite(v) and abs(v) < 2**62 for v in values):
            return np.array([int(v) for v in values], dtype=np.int64)
        return np.array(values, dtype=np.float64)
    labels = sorted(set(template.tolist()) | {"", "???", "nan"})
    return np.array(draw(st.lists(st.sampled_from(labels), min_size=n, max_size=n)), dtype=str)


@st.composite
def arbitrary_tables(draw: st.DrawFn, game_id: str) -> dict[str, NDArray[Any]]:
    """Tables with the game's real columns and random contents; sometimes broken."""
    template = _simulated(game_id, 0)
    n = draw(st.sampled_from([0, 1, 2, 3]) | st.integers(0, 40))
    table = {name: _column(draw, column, n) for name, column in template.items()}
    damage = draw(st.sampled_from(["none"] * 6 + ["drop", "ragged", "strings", "2d"]))
    victim = draw(st.sampled_from(sorted(table)))
    if damage == "drop":
        del table[victim]
    elif damage == "ragged":
        table[victim] = table[victim][: max(0, n - 1)]
    elif damage == "strings":
        table[victim] = np.array(["x"] * n, dtype=str)
    elif damage == "2d":
        table[victim] = np.zeros((n, 2))
    return table


def assert_well_formed(scores: GameScores, game_id: str) -> None:
    """Invariants of every result: types, primary present, NaN explained, CIs ordered."""
    assert isinstance(scores, GameScores)
    assert scores.game_id == game_id
    assert scores.primary == PRIMARY_METRICS[game_id]
    assert scores.primary in scores.metrics
    assert all(isinstance(flag, str) for flag in scores.flags)
    for name, metric in scores.metrics.items():
        assert isinstance(metric, Metric) and metric.name == name
        assert isinstance(metric.value, float)
        if math.isnan(metric.value):
            assert metric.flags, f"{game_id}.{name} is NaN without a flag"
        if math.isfinite(metric.ci_low) and math.isfinite(metric.ci_high):
            assert metric.ci_low <= metric.ci_high
        assert metric.n >= 0
        assert metric.description.endswith(".")
        words = metric.description.lower().replace(",", " ").split()
        assert "good" not in words and "bad" not in words
    json.dumps(scores.as_dict(), allow_nan=False)


# ---- every game is total ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("game_id", GAME_IDS)
def test_score_is_total_over_arbitrary_tables(game_id: str) -> None:
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(table=arbitrary_tables(game_id), bootstrap=st.booleans())
    def check(table: dict[str, NDArray[Any]], bootstrap: bool) -> None:
        with np.errstate(all="raise"):  # numpy warnings must be silenced, not leak
            scores = score_game(game_id, table, bootstrap=bootstrap, planned_trials=5)
        assert_well_formed(scores, game_id)

    check()


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_degenerate_tables_give_nan_and_flags(game_id: str) -> None:
    template = simulated_table(game_id)
    empty = {name: column[:0] for name, column in template.items()}
    one = {name: column[-1:] for name, column in template.items()}
    for table, expected in (({}, "missing_column"), (empty, "no_trials"), (one, None)):
        scores = SCORERS[game_id](table)
        assert_well_formed(scores, game_id)
        if expected is not None:
            assert any(flag.startswith(expected) for flag in scores.flags)
            assert all(math.isnan(m.value) for m in scores.metrics.values())


@pytest.mark.slow
@pytest.mark.parametrize("game_id", GAME_IDS)
def test_simulated_run_scores_cleanly(game_id: str) -> None:
    table = simulated_table(game_id)
    scores = SCORERS[game_id](table, seed=1)
    assert_well_formed(scores, game_id)
    primary = scores.metrics[scores.primary]
    assert math.isfinite(primary.value)
    if "degenerate_ci" in primary.flags:  # every resample alike, e.g. a perfect Towers run
        assert math.isnan(primary.ci_low) and math.isnan(primary.ci_high)
    elif "no_bootstrap_ci" not in primary.flags:
        assert primary.ci_low <= primary.value <= primary.ci_high
    again = SCORERS[game_id](table, seed=1)
    assert again == scores  # fixed seed: identical, CIs included
    assert SCORERS[game_id](table, bootstrap=False).metrics[scores.primary].value == primary.value


@pytest.mark.slow
@pytest.mark.parametrize("game_id", GAME_IDS)
def test_practice_rows_are_left_out(game_id: str) -> None:
    table = simulated_table(game_id)
    main = ~table["practice"].astype(bool)
    only_main = {name: column[main] for name, column in table.items()}
    with_junk_practice = {
        name: np.concatenate([column[main][:3], column[main]]) for name, column in table.items()
    }
    with_junk_practice["practice"] = np.concatenate(
        [np.ones(min(3, int(main.sum())), dtype=bool), np.zeros(int(main.sum()), dtype=bool)]
    )
    plain = SCORERS[game_id](only_main, bootstrap=False)
    padded = SCORERS[game_id](with_junk_practice, bootstrap=False)
    for name, metric in plain.metrics.items():
        other = padded.metrics[name].value
        assert metric.value == other or (math.isnan(metric.value) and math.isnan(other)), name


def test_incomplete_game_is_flagged() -> None:
    table = simulated_table("balloons")
    assert "incomplete" in SCORERS["balloons"](table, planned_trials=31).flags
    assert "incomplete" not in SCORERS["balloons"](table, planned_trials=30).flags


def test_unknown_game_raises_key_error() -> None:
    with pytest.raises(KeyError, match="no scorer"):
        score_game("chess", {})


def test_a_table_that_is_not_a_mapping_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        SCORERS["balloons"]([1, 2, 3])  # type: ignore[arg-type]


# ---- reading tables -------------------------------------------------------------------------


def test_trial_table_converts_and_flags() -> None:
    table = {
        "practice": np.array(["true", "False", "0", "1", "no"]),
        "rt": [100, 200, "300", 400, 500],
        "ok": np.array([1.0, 0.0, np.nan, 2.0, 0.0]),
        "label": np.array([b"a", b"b", b"c", b"d", b"e"]),
    }
    trials = TrialTable(table, {"rt": "float", "ok": "bool", "label": "str"})
    assert trials.usable and trials.n_rows == 3
    np.testing.assert_array_equal(trials.float("rt"), [200.0, 300.0, 500.0])
    np.testing.assert_array_equal(trials.bool("ok"), [False, False, False])
    np.testing.assert_array_equal(trials.str("label"), ["b", "c", "e"])
    assert "invalid_values:ok" in trials.flags


def test_trial_table_missing_or_unreadable_columns_make_it_unusable() -> None:
    missing = TrialTable({"practice": [False]}, {"rt": "float"})
    assert not missing.usable and missing.n_rows == 0
    assert missing.flags == ("missing_column:rt",)
    unreadable = TrialTable({"rt": ["fast", "slow"]}, {"rt": "float"})
    assert not unreadable.usable and "bad_column:rt" in unreadable.flags
    assert "missing_column:practice" in unreadable.flags


def test_trial_table_ragged_columns_use_the_shortest() -> None:
    trials = TrialTable({"practice": [False] * 4, "rt": [1.0, 2.0, 3.0]}, {"rt": "float"})
    assert trials.n_rows == 3 and "ragged_table" in trials.flags


def test_alternate_halves_split_within_cells() -> None:
    strata = np.array(["a", "b", "a", "a", "b", "b", "a"])
    first, second = alternate_halves(strata)
    np.testing.assert_array_equal(first, [0, 1, 3, 5])  # a: 0, 3; b: 1, 5
    np.testing.assert_array_equal(second, [2, 4, 6])  # a: 2, 6; b: 4


def test_odd_cells_give_their_extra_trial_to_each_half_in_turn() -> None:
    # a: 3 trials, b: 3, c: 2, d: 3 -> a's extra to the first half, b's to the
    # second, d's to the first: 6 and 5, where always-first would give 7 and 4
    strata = np.array(["a", "b", "c", "a", "b", "c", "a", "b", "d", "d", "d"])
    first, second = alternate_halves(strata)
    np.testing.assert_array_equal(first, [0, 2, 4, 6, 8, 10])  # a: 0, 6; b: 4; c: 2; d: 8, 10
    np.testing.assert_array_equal(second, [1, 3, 5, 7, 9])  # a: 3; b: 1, 7; c: 5; d: 9
    even = np.repeat(["x", "y", "z", "w"], [3, 5, 1, 3])
    assert [len(half) for half in alternate_halves(even)] == [6, 6]


def test_trimmed_mean_matches_scipy_per_replicate() -> None:
    # Reference: scipy.stats.trim_mean cuts floor(proportion * n) values from each
    # end (SciPy documentation of trim_mean); NaN values and masked-out trials are
    # not among the n.
    from scipy.stats import trim_mean

    rng = np.random.default_rng(5)
    values = rng.gamma(2.0, 150.0, size=23) + 300.0
    values[[3, 11]] = np.nan
    mask = rng.random(23) < 0.8
    indices = rng.integers(0, 23, size=(40, 23))
    got = trimmed_mean_where(Sample(indices), values, mask, 0.2)
    for row, replicate in zip(got, indices, strict=True):
        kept = values[replicate][mask[replicate] & np.isfinite(values[replicate])]
        assert row == pytest.approx(trim_mean(kept, 0.2))
    # 1, 2, 3, 4, 100: one value cut from each end -> mean of 2, 3, 4.
    five = np.array([3.0, 100.0, 1.0, 4.0, 2.0])
    whole = Sample(np.arange(5)[None, :])
    assert trimmed_mean_where(whole, five)[0] == pytest.approx(3.0)
    assert math.isnan(trimmed_mean_where(whole, five, np.zeros(5, dtype=bool))[0])
    assert trimmed_mean_where(whole, five, proportion=0.0)[0] == pytest.approx(22.0)


def test_percentile_interval_skips_nan_and_says_so() -> None:
    low, high, undefined = percentile_interval(np.array([np.nan, 1.0, 2.0, 3.0]))
    assert (low, high) == pytest.approx((1.05, 2.95)) and undefined
    assert all(math.isnan(v) for v in percentile_interval(np.array([np.nan]))[:2])


def test_scorecard_resamples_within_strata_through_bootstrap_ci() -> None:
    values = np.array([1.0, 1.0, 1.0, 5.0, 5.0, 5.0])
    strata = np.array([0, 0, 0, 1, 1, 1])
    card = Scorecard("x", 6, strata, bootstrap=True, seed=3)
    metric = card.add("mean", unit="u", description="A mean.", n=6, statistic=mean_of(values))
    # Every resample keeps three trials of each stratum, so the mean never moves:
    # the interval has zero width, and a zero-width interval is dropped and flagged.
    assert metric.value == 3.0
    assert math.isnan(metric.ci_low) and math.isnan(metric.ci_high)
    assert "degenerate_ci" in metric.flags
    plain = Scorecard("x", 6, None, bootstrap=True, seed=3)
    spread = plain.add("mean", unit="u", description="A mean.", n=6, statistic=mean_of(values))
    assert spread.ci_low < 3.0 < spread.ci_high
    # One cell: alternate trials are 1, 1, 5 and 1, 5, 5.
    assert spread.split_half == pytest.approx((7 / 3, 11 / 3))


def test_ez_replicates_match_the_primitive_row_by_row() -> None:
    rng = np.random.default_rng(5)
    correct = rng.random(120) < 0.85
    rt_s = 0.3 + rng.gamma(4.0, 0.06, 120)
    used = rng.random(120) < 0.95
    indices = rng.integers(0, 120, size=(25, 120))
    drift, boundary, nondecision = ez_replicates(Sample(indices), correct, rt_s, used)
    for row in range(25):
        take = indices[row]
        keep = used[take]
        fit = ez_diffusion_from_trials(correct[take][keep], rt_s[take][keep])
        assert drift[row] == pytest.approx(fit.drift, rel=1e-9)
        assert boundary[row] == pytest.approx(fit.boundary, rel=1e-9)
        assert nondecision[row] == pytest.approx(fit.nondecision, rel=1e-9)


# ---- quality flags ---------------------------------------------------------------------------


def test_completeness_flags() -> None:
    assert completeness_flags(0, None) == ("no_trials",)
    assert completeness_flags(9, 10) == ("incomplete",)
    assert completeness_flags(10, 10) == ()


def test_rt_flags_thresholds() -> None:
    ok = np.linspace(300.0, 700.0, 20)
    assert rt_flags(ok, np.ones(20, dtype=bool)) == ()
    omitted = ok.copy()
    omitted[:3] = np.nan  # 15% > 10%
    assert rt_flags(omitted, np.isfinite(omitted)) == ("omissions",)
    fast = ok.copy()
    fast[:3] = 100.0  # 3 of 20 = 15% under 150 ms
    assert rt_flags(fast, np.ones(20, dtype=bool)) == ("anticipations",)
    assert rt_flags(fast, np.ones(20, dtype=bool), anticipation_ms=90.0) == ()
    constant = np.full(20, 500.0) + np.arange(20) * 0.5  # CV ~ 0.01
    assert rt_flags(constant, np.ones(20, dtype=bool)) == ("constant_rts",)
    assert rt_flags(np.empty(0), np.empty(0, dtype=bool)) == ()


def test_side_bias_needs_balanced_correct_sides() -> None:
    left = np.array(["left"] * 18 + ["right"] * 2)
    balanced = np.array(["left", "right"] * 10)
    assert side_bias_flags(left, balanced) == ("side_bias",)
    assert side_bias_flags(left, left) == ()  # all answers were meant to be left
    assert side_bias_flags(left[:10], balanced[:10]) == ()  # too few responses


def test_accuracy_flags() -> None:
    assert accuracy_flags(0.99, 20, chance=0.5) == ("ceiling",)
    assert accuracy_flags(0.55, 20, chance=0.5) == ("floor",)
    assert accuracy_flags(0.80, 20, chance=0.5) == ()
    assert accuracy_flags(0.99, 5, chance=0.5) == ()
    assert accuracy_flags(math.nan, 20, chance=0.5) == ()


# ---- types -------------------------------------------------------------------------------------


def test_frozen_mapping_is_read_only_hashable_and_picklable() -> None:
    mapping = FrozenMapping({"a": 1, "b": 2})
    assert dict(mapping) == {"a": 1, "b": 2} and mapping == {"a": 1, "b": 2}
    assert hash(mapping) == hash(FrozenMapping([("a", 1), ("b", 2)]))
    assert pickle.loads(pickle.dumps(mapping)) == mapping
    with pytest.raises(TypeError):
        mapping["c"] = 3  # type: ignore[index]


def test_results_pickle_and_serialise() -> None:
    scores = SCORERS["faces"](simulated_table("faces"), bootstrap=False)
    restored = pickle.loads(pickle.dumps(scores))
    assert restored.as_dict() == scores.as_dict()
    matrix = scores.matrices["confusion"]
    assert isinstance(matrix, LabelledMatrix)
    assert matrix.cell("happiness", "happiness") >= 0
    with pytest.raises(KeyError):
        matrix.cell("joy", "happiness")
    document = json.loads(json.dumps(scores.as_dict(), allow_nan=False))
    assert document["primary"] == "unbiased_hit_rate"


def test_every_game_has_a_scorer_in_battery_order() -> None:
    assert GAME_IDS == (
        "balloons",
        "exchange_trust",
        "exchange_split",
        "keypresses",
        "arrows",
        "lengths",
        "faces",
        "hard_or_easy",
        "stop",
        "digits",
        "cards",
        "towers",
        "reversal",
    )
    assert isinstance(SCORERS, Mapping) and set(PRIMARY_METRICS) == set(GAME_IDS)
