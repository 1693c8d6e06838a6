"""Stop-signal metrics on a hand-built table, and the vectorised SSRT against the primitive.

Reference: Verbruggen et al. (2019), integration method with replacement of go
omissions.  Hand computation for the table below: go RTs 400 … 700 ms in steps of
50 plus one omission (replaced by the maximum, 700): sorted 400, 450, 500, 550, 600,
650, 700, 700.  p(respond | signal) = 2/4; nth RT by type 6 with h = (8 + 1)·0.5 =
4.5: 550 + 0.5·(600 − 550) = 575.  Mean SSD (200 + 250 + 200 + 250)/4 = 225.
SSRT = 575 − 225 = 350 ms.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.metrics import stop
from scoring.metrics.stop import ssrt_replicates
from scoring.ssrt import integration_ssrt
from tests.scoring.test_metrics_common import simulated_table

GO_RT = [400.0, 450.0, 500.0, 550.0, 600.0, 650.0, 700.0, math.nan]


def _table(stop_rt: list[float], ssd: list[float]) -> dict[str, np.ndarray]:
    rt = np.array(GO_RT + stop_rt)
    n_go, n_stop = len(GO_RT), len(stop_rt)
    is_stop = np.array([False] * n_go + [True] * n_stop)
    direction = np.array(["left", "right"] * ((n_go + n_stop) // 2))
    responded = np.isfinite(rt)
    return {
        "practice": np.zeros(n_go + n_stop, dtype=bool),
        "stop": is_stop,
        "direction": direction,
        "ssd_ms": np.where(is_stop, np.array([math.nan] * n_go + ssd), math.nan),
        "responded": responded,
        "response_side": np.where(responded, direction, ""),
        "choice_error": np.zeros(n_go + n_stop, dtype=bool),
        "rt_ms": rt,
    }


def test_hand_computed_ssrt_and_ingredients() -> None:
    scores = stop.score(
        _table([380.0, math.nan, 420.0, math.nan], [200, 250, 200, 250]), bootstrap=False
    )
    assert scores.value("ssrt_ms") == pytest.approx(350.0)
    assert scores.value("p_respond_signal") == 0.5
    assert scores.value("mean_ssd_ms") == 225.0
    assert scores.value("go_rt_ms") == pytest.approx(3850 / 7)
    assert scores.value("signal_respond_rt_ms") == 400.0
    assert scores.value("go_omission_rate") == pytest.approx(1 / 8)
    assert scores.value("go_error_rate") == 0.0
    assert "few_stop_trials" in scores.metrics["ssrt_ms"].flags
    assert "race_model_violation" not in scores.flags


def test_race_model_violation_withholds_ssrt() -> None:
    scores = stop.score(_table([600.0, math.nan, 640.0, math.nan], [200, 250, 200, 250]))
    assert math.isnan(scores.value("ssrt_ms"))
    assert "race_model_violation" in scores.flags
    assert "signal_respond_rt_exceeds_go_rt" in scores.metrics["ssrt_ms"].flags


def test_vectorised_ssrt_equals_the_primitive_on_resamples() -> None:
    table = simulated_table("stop")
    main = ~table["practice"]
    is_stop, rt = table["stop"][main], table["rt_ms"][main]
    responded, ssd = table["responded"][main] & np.isfinite(rt), table["ssd_ms"][main]
    rng = np.random.default_rng(8)
    stops, gos = np.flatnonzero(is_stop), np.flatnonzero(~is_stop)
    rows = []
    for _ in range(40):  # stratified resamples, as the bootstrap draws them
        row = np.empty(is_stop.shape[0], dtype=np.intp)
        row[stops] = rng.choice(stops, stops.shape[0])
        row[gos] = rng.choice(gos, gos.shape[0])
        rows.append(row)
    indices = np.array(rows)
    vectorised = ssrt_replicates(is_stop[indices], rt[indices], responded[indices], ssd[indices])
    for r, row in enumerate(indices):
        go_rt = np.where(responded[row], rt[row], np.nan)
        expected = integration_ssrt(
            go_rt[~is_stop[row]],
            responded[row][is_stop[row]],
            ssd[row][is_stop[row]],
            signal_respond_rt=go_rt[is_stop[row]],
        ).ssrt
        assert (math.isnan(expected) and math.isnan(vectorised[r])) or vectorised[r] == (
            pytest.approx(expected, rel=1e-12)
        )


def test_simulated_run_has_a_bootstrap_interval_around_ssrt() -> None:
    metric = stop.score(simulated_table("stop"), seed=3).metrics["ssrt_ms"]
    assert metric.ci_low < metric.value < metric.ci_high
    assert metric.n == 50
