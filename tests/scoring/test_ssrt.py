"""Tests for scoring.ssrt: integration method with replacement of go omissions.

Reference: Verbruggen et al. (2019), eLife 8:e46323, Recommendation 7 and the
guide's R script (omissions set to the maximum go RT; all go trials kept;
``nthRT <- quantile(rt, probs = presp, type = 6)``; SSRT = nthRT − mean SSD;
race check: mean signal-respond RT must be below the mean RT of go trials
with a response).  Small cases below are computed by hand with R's type-6
rule, which numpy implements as ``method="weibull"``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scoring.ssrt import SSRTResult, integration_ssrt, nth_rt_type6

NAN = math.nan


def test_hand_computed_half_responding() -> None:
    # Go RTs 300, 400, 500, 600 and one omission -> replaced by max 600:
    # sorted 300 400 500 600 600 (N = 5).  Stop trials: 2 of 4 answered,
    # p = .5, h = (N + 1)p = 3 -> nth RT = x3 = 500.  Mean SSD = 200.
    result = integration_ssrt([300, 400, 500, 600, NAN], [1, 0, 1, 0], [200, 250, 150, 200])
    assert result.p_respond == 0.5
    assert result.nth_rt == 500
    assert result.mean_ssd == 200
    assert result.ssrt == 300
    assert result.go_rt_mean == 450  # responses only, omission not replaced
    assert (result.n_go, result.n_stop, result.n_go_omissions) == (5, 4, 1)
    assert "go_omissions_replaced" in result.flags
    assert "few_stop_trials" in result.flags


def test_hand_computed_interpolation() -> None:
    # Same go trials, p = .25: h = 6 × .25 = 1.5 -> 300 + .5 × (400 − 300) = 350.
    result = integration_ssrt([300, 400, 500, 600, NAN], [1, 0, 0, 0], [200, 250, 150, 200])
    assert result.nth_rt == 350
    assert result.ssrt == 150


def test_hand_computed_three_quarters() -> None:
    # Go RTs 410, 350, 520, 480, 600, 390, 450 (no omissions), sorted
    # 350 390 410 450 480 520 600 (N = 7).  p = 3/4: h = 8 × .75 = 6 -> x6 = 520.
    # SSDs 150, 200, 250, 200 -> mean 200; SSRT = 320.
    result = integration_ssrt(
        [410, 350, 520, 480, 600, 390, 450], [True, True, False, True], [150, 200, 250, 200]
    )
    assert result.nth_rt == 520
    assert result.ssrt == 320
    assert "go_omissions_replaced" not in result.flags


@pytest.mark.parametrize("p", [0.0, 0.01, 0.1, 0.25, 0.33, 0.5, 0.77, 0.9, 0.999, 1.0])
def test_nth_rt_matches_r_type_6(p: float) -> None:
    rts = np.sort(np.random.default_rng(4).normal(500, 90, 41))
    assert nth_rt_type6(rts, p) == pytest.approx(np.quantile(rts, p, method="weibull"))


def test_nth_rt_edges() -> None:
    rts = np.array([100.0, 200.0, 300.0])
    assert nth_rt_type6(rts, 0.1) == 100.0  # h = 0.4 < 1
    assert nth_rt_type6(rts, 0.8) == 300.0  # h = 3.2 >= N
    assert math.isnan(nth_rt_type6(rts[:0], 0.5))
    assert math.isnan(nth_rt_type6(rts, NAN))


def test_shifting_ssd_shifts_ssrt_down() -> None:
    go = np.random.default_rng(0).normal(500, 80, 150)
    responded = np.tile([True, False], 25)
    ssd = np.full(50, 220.0)
    base = integration_ssrt(go, responded, ssd)
    later = integration_ssrt(go, responded, ssd + 30)
    assert later.ssrt == pytest.approx(base.ssrt - 30)


def test_shifting_go_rts_shifts_ssrt_up() -> None:
    go = np.random.default_rng(1).normal(500, 80, 150)
    go[::20] = NAN  # omissions follow the shift through the maximum
    responded = np.tile([True, False, False, True], 15)
    ssd = np.linspace(150, 300, 60)
    base = integration_ssrt(go, responded, ssd)
    slower = integration_ssrt(go + 40, responded, ssd)
    assert slower.ssrt == pytest.approx(base.ssrt + 40)


def test_replacing_omissions_never_shortens_ssrt() -> None:
    # The guide: excluding omissions underestimates the nth RT and SSRT.
    go = np.random.default_rng(2).normal(480, 70, 200)
    go[::8] = NAN
    responded = np.tile([True, False], 30)
    ssd = np.full(60, 200.0)
    replaced = integration_ssrt(go, responded, ssd)
    dropped = integration_ssrt(go[np.isfinite(go)], responded, ssd)
    assert replaced.ssrt > dropped.ssrt


def test_recovers_ssrt_of_an_independent_race() -> None:
    # Independent race with a constant SSRT of 200 ms and the battery's
    # staircase (start 200 ms, 50-ms steps): the estimate should be close.
    rng = np.random.default_rng(11)
    true_ssrt = 200.0
    go = rng.normal(520, 90, 600)
    ssd_now, ssds, responded = 200.0, [], []
    for _ in range(200):
        finish_go = rng.normal(520, 90)
        respond = finish_go < ssd_now + true_ssrt
        ssds.append(ssd_now)
        responded.append(respond)
        ssd_now = max(0.0, ssd_now - 50) if respond else ssd_now + 50
    result = integration_ssrt(go, responded, ssds)
    assert result.flags == ()
    assert result.ssrt == pytest.approx(true_ssrt, abs=20)


@pytest.mark.parametrize("responded", [[True] * 9 + [False], [False] * 9 + [True]])
def test_p_respond_out_of_range_withholds_estimate(responded: list[bool]) -> None:
    result = integration_ssrt([400, 450, 500, 550], responded, [200.0] * 10)
    assert math.isnan(result.ssrt)
    assert "p_respond_out_of_range" in result.flags
    assert math.isfinite(result.nth_rt)  # components are still reported
    assert result.mean_ssd == 200.0


def test_boundaries_of_p_respond_range_are_estimated() -> None:
    for responded in ([True] + [False] * 3, [True] * 3 + [False]):
        result = integration_ssrt([400, 450, 500, 550], responded, [200.0] * 4)
        assert "p_respond_out_of_range" not in result.flags
        assert math.isfinite(result.ssrt)


def test_race_violation_is_flagged_and_withheld() -> None:
    go = [400, 450, 500, 550]
    responded = [True, False, True, False]
    ok = integration_ssrt(go, responded, [200] * 4, signal_respond_rt=[380, NAN, 420, NAN])
    assert ok.signal_respond_rt_mean == 400
    assert "signal_respond_rt_exceeds_go_rt" not in ok.flags
    assert math.isfinite(ok.ssrt)
    bad = integration_ssrt(go, responded, [200] * 4, signal_respond_rt=[500, NAN, 520, NAN])
    assert bad.signal_respond_rt_mean == 510 > bad.go_rt_mean == 475
    assert "signal_respond_rt_exceeds_go_rt" in bad.flags
    assert math.isnan(bad.ssrt)


def test_few_stop_trials_flag_only_informs() -> None:
    go = np.linspace(300, 700, 100)
    many = integration_ssrt(go, np.tile([True, False], 25), np.full(50, 200.0))
    assert "few_stop_trials" not in many.flags
    few = integration_ssrt(go, np.tile([True, False], 24), np.full(48, 200.0))
    assert "few_stop_trials" in few.flags
    assert math.isfinite(few.ssrt)


@pytest.mark.parametrize(
    ("go", "responded", "ssd", "flag"),
    [
        ([], [True, False], [200, 200], "no_go_trials"),
        ([NAN, NAN], [True, False], [200, 200], "no_go_responses"),
        ([400, 500], [], [], "no_stop_trials"),
        ([400, 500], [True, False], [NAN, NAN], "missing_ssd"),
    ],
)
def test_degenerate_inputs_give_nan(
    go: list[float], responded: list[bool], ssd: list[float], flag: str
) -> None:
    result = integration_ssrt(go, responded, ssd)
    assert math.isnan(result.ssrt)
    assert flag in result.flags


def test_mismatched_lengths_raise() -> None:
    with pytest.raises(ValueError):
        integration_ssrt([400], [True, False], [200])
    with pytest.raises(ValueError):
        integration_ssrt([400], [True], [200], signal_respond_rt=[300, 400])
    with pytest.raises(ValueError):
        integration_ssrt([[400]], [True], [200])
    with pytest.raises(ValueError):
        integration_ssrt([400], [0.5], [200])


floats = st.floats(allow_nan=True, allow_infinity=True)


@settings(max_examples=100, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(0, 30), elements=floats),
    st.integers(0, 30).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.bool_, n),
            hnp.arrays(np.float64, n, elements=floats),
            hnp.arrays(np.float64, n, elements=floats),
        )
    ),
)
@pytest.mark.slow
def test_integration_ssrt_is_total(
    go: np.ndarray, stop: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> None:
    responded, ssd, stop_rt = stop
    result = integration_ssrt(go, responded, ssd, signal_respond_rt=stop_rt)
    assert isinstance(result, SSRTResult)
    assert math.isnan(result.ssrt) or math.isfinite(result.ssrt)
    if math.isnan(result.ssrt):
        assert result.flags
