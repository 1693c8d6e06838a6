"""Tests for scoring.ddm: EZ-diffusion and the diffusion simulator.

References:
* Wagenmakers, van der Maas & Grasman (2007), Psychonomic Bulletin & Review
  14:3–22, worked example in the text ("Pc = .802, VRT = .112, MRT = .723 ...
  v = 0.0999, a = 0.1400, Ter = 0.3000").  Recomputed by hand from equations
  4, 5 and 9 (s = 0.1):  L = logit(.802) = 1.399748,
  x = L(L·Pc² − L·Pc + Pc − ½)/VRT = 0.997542, v = 0.1·x^¼ = 0.0999385,
  a = s²L/v = 0.1399702, MDT = 0.4229700, Ter = .723 − MDT = 0.3000300.
* The same paper's equations 6–8 give Pc, MRT and VRT from (v, a, Ter); EZ
  must invert them exactly.
* Parameter recovery from simulated diffusion data (DESIGN.md, "Testing").
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.ddm import EZResult, ez_diffusion, ez_diffusion_from_trials, simulate_diffusion


def _forward(v: float, a: float, ter: float, s: float = 0.1) -> tuple[float, float, float]:
    """Pc, VRT, MRT implied by (v, a, Ter): Wagenmakers et al. 2007, eqs. 6–8."""
    y = -v * a / s**2
    pc = 1.0 / (1.0 + math.exp(y))
    mrt = ter + (a / (2 * v)) * (1 - math.exp(y)) / (1 + math.exp(y))
    vrt = (
        (a * s**2 / (2 * v**3))
        * (2 * y * math.exp(y) - math.exp(2 * y) + 1)
        / (math.exp(y) + 1) ** 2
    )
    return pc, vrt, mrt


def test_published_worked_example() -> None:
    result = ez_diffusion(0.802, 0.112, 0.723)
    # Published (rounded): v = 0.0999, a = 0.1400, Ter = 0.3000.
    assert result.drift == pytest.approx(0.0999, abs=5e-5)
    assert result.boundary == pytest.approx(0.1400, abs=5e-5)
    assert result.nondecision == pytest.approx(0.3000, abs=5e-5)
    # Hand computation, more digits.
    assert result.drift == pytest.approx(0.09993852623, rel=1e-9)
    assert result.boundary == pytest.approx(0.13997020268, rel=1e-9)
    assert result.nondecision == pytest.approx(0.30002997230, rel=1e-9)
    assert result.mean_decision_time == pytest.approx(0.42297002770, rel=1e-9)
    assert not result.edge_corrected
    assert result.flags == ()


@pytest.mark.parametrize(
    ("v", "a", "ter"),
    [(0.1, 0.14, 0.3), (0.25, 0.08, 0.2), (0.05, 0.2, 0.45), (0.3, 0.16, 0.35)],
)
def test_inverts_the_forward_equations(v: float, a: float, ter: float) -> None:
    pc, vrt, mrt = _forward(v, a, ter)
    result = ez_diffusion(pc, vrt, mrt)
    assert result.drift == pytest.approx(v, rel=1e-9)
    assert result.boundary == pytest.approx(a, rel=1e-9)
    assert result.nondecision == pytest.approx(ter, rel=1e-9)


def test_scale_parameter_scales_drift_and_boundary() -> None:
    base = ez_diffusion(0.802, 0.112, 0.723)
    scaled = ez_diffusion(0.802, 0.112, 0.723, s=1.0)
    assert scaled.drift == pytest.approx(10 * base.drift)
    assert scaled.boundary == pytest.approx(10 * base.boundary)
    assert scaled.nondecision == pytest.approx(base.nondecision)


def test_below_chance_gives_negative_drift_symmetrically() -> None:
    above = ez_diffusion(0.802, 0.112, 0.723)
    below = ez_diffusion(1 - 0.802, 0.112, 0.723)
    assert below.drift == pytest.approx(-above.drift)
    assert below.boundary == pytest.approx(above.boundary)
    assert below.nondecision == pytest.approx(above.nondecision)


@pytest.mark.parametrize("pc", [0.0, 0.5, 1.0])
def test_edge_without_n_trials_is_nan_and_flagged(pc: float) -> None:
    result = ez_diffusion(pc, 0.1, 0.6)
    assert math.isnan(result.drift) and math.isnan(result.boundary)
    assert math.isnan(result.nondecision)
    assert result.flags == ("edge_needs_n_trials",)


@pytest.mark.parametrize(("pc", "used"), [(1.0, 0.995), (0.0, 0.005), (0.5, 0.505)])
def test_edge_correction_moves_half_a_trial(pc: float, used: float) -> None:
    corrected = ez_diffusion(pc, 0.1, 0.6, n_trials=100)
    assert corrected.edge_corrected
    assert corrected.prop_correct_used == pytest.approx(used)
    direct = ez_diffusion(used, 0.1, 0.6)
    assert corrected.drift == pytest.approx(direct.drift)
    assert corrected.boundary == pytest.approx(direct.boundary)
    assert corrected.nondecision == pytest.approx(direct.nondecision)


def test_all_wrong_gives_negative_drift_mirroring_all_right() -> None:
    right = ez_diffusion(1.0, 0.1, 0.6, n_trials=40)
    wrong = ez_diffusion(0.0, 0.1, 0.6, n_trials=40)
    assert right.drift > 0 and wrong.drift == pytest.approx(-right.drift)
    assert wrong.boundary == pytest.approx(right.boundary)


def test_one_trial_cannot_be_edge_corrected() -> None:
    assert ez_diffusion(1.0, 0.1, 0.6, n_trials=1).flags == ("edge_needs_n_trials",)


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        ((1.2, 0.1, 0.6), "invalid_prop_correct"),
        ((math.nan, 0.1, 0.6), "invalid_prop_correct"),
        ((0.8, 0.0, 0.6), "invalid_rt_variance"),
        ((0.8, -0.1, 0.6), "invalid_rt_variance"),
        ((0.8, math.inf, 0.6), "invalid_rt_variance"),
    ],
)
def test_invalid_inputs_flagged(args: tuple[float, float, float], flag: str) -> None:
    result = ez_diffusion(*args)
    assert math.isnan(result.drift)
    assert flag in result.flags


def test_missing_mean_keeps_drift_and_boundary() -> None:
    result = ez_diffusion(0.802, 0.112, math.nan)
    assert result.drift == pytest.approx(0.0999385, rel=1e-5)
    assert math.isnan(result.nondecision)
    assert result.flags == ("invalid_rt_mean",)


def test_inconsistent_summary_flags_negative_nondecision() -> None:
    result = ez_diffusion(0.802, 0.112, 0.2)
    assert result.nondecision < 0
    assert "negative_nondecision" in result.flags


# --- simulator -------------------------------------------------------------


@pytest.mark.slow
def test_simulator_matches_closed_form_accuracy_and_mean() -> None:
    v, a, ter = 0.2, 0.12, 0.3
    correct, rt = simulate_diffusion(v, a, ter, 20_000, np.random.default_rng(1))
    pc, vrt, mrt = _forward(v, a, ter)
    assert correct.mean() == pytest.approx(pc, abs=0.01)
    assert rt[correct].mean() == pytest.approx(mrt, rel=0.02)
    assert rt[correct].var() == pytest.approx(vrt, rel=0.06)
    assert np.all(rt > ter)


def test_simulator_is_reproducible_and_accepts_seed() -> None:
    first = simulate_diffusion(0.1, 0.1, 0.3, 200, 7)
    second = simulate_diffusion(0.1, 0.1, 0.3, 200, np.random.default_rng(7))
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_simulator_accepts_per_trial_parameters() -> None:
    drift = np.r_[np.full(500, 0.3), np.full(500, -0.3)]
    correct, rt = simulate_diffusion(drift, 0.12, 0.25, 1000, 3)
    assert correct[:500].mean() > 0.9 > 0.1 > correct[500:].mean()
    assert rt.shape == (1000,) and correct.dtype == np.bool_


def test_simulator_times_out_undecided_trials() -> None:
    correct, rt = simulate_diffusion(0.0, 0.1, 0.3, 5, 0, s=0.0, max_time=0.05)
    assert not correct.any()
    assert np.isnan(rt).all()


def test_simulator_zero_trials() -> None:
    correct, rt = simulate_diffusion(0.1, 0.1, 0.3, 0, 0)
    assert correct.shape == rt.shape == (0,)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n": -1},
        {"boundary": 0.0},
        {"boundary": math.nan},
        {"drift": math.inf},
        {"dt": 0.0},
        {"s": -0.1},
        {"drift": np.ones(3)},
        {"max_time": math.inf},
    ],
)
def test_simulator_rejects_invalid_parameters(kwargs: dict[str, object]) -> None:
    arguments: dict[str, object] = {
        "drift": 0.1,
        "boundary": 0.1,
        "nondecision": 0.3,
        "n": 10,
        "rng": 0,
    }
    arguments.update(kwargs)
    with pytest.raises(ValueError):
        simulate_diffusion(**arguments)  # type: ignore[arg-type]


# --- parameter recovery ----------------------------------------------------

RECOVERY_SETS = [
    (0.10, 0.14, 0.30),
    (0.20, 0.10, 0.25),
    (0.15, 0.16, 0.40),
    (0.25, 0.12, 0.35),
    (0.08, 0.12, 0.30),
]


@pytest.mark.slow
def test_parameter_recovery_from_simulated_trials() -> None:
    # CPU time of this process: other work on the machine does not count against it.
    started = time.process_time()
    rng = np.random.default_rng(2007)
    errors: dict[str, list[float]] = {"drift": [], "boundary": [], "nondecision": []}
    for v, a, ter in RECOVERY_SETS:
        correct, rt = simulate_diffusion(v, a, ter, 2000, rng)
        fit = ez_diffusion_from_trials(correct, rt)
        assert fit.flags == ()
        errors["drift"].append(abs(fit.drift - v) / v)
        errors["boundary"].append(abs(fit.boundary - a) / a)
        errors["nondecision"].append(abs(fit.nondecision - ter) / ter)
    elapsed = time.process_time() - started
    for name, relative in errors.items():
        assert float(np.median(relative)) < 0.10, (name, relative)
    assert elapsed < 2.0


def test_from_trials_edge_corrects_perfect_accuracy() -> None:
    rt = np.linspace(0.4, 0.8, 50)
    result = ez_diffusion_from_trials(np.ones(50, dtype=bool), rt)
    assert result.edge_corrected
    assert result.prop_correct_used == pytest.approx(1 - 1 / 100)
    assert result.drift > 0


def test_from_trials_degenerate_inputs() -> None:
    assert ez_diffusion_from_trials([], []).flags == ("no_trials",)
    one = ez_diffusion_from_trials([True, False], [0.5, 0.6])
    assert "invalid_rt_variance" in one.flags
    with pytest.raises(ValueError):
        ez_diffusion_from_trials([True], [0.5, 0.6])


# --- totality --------------------------------------------------------------

anything = st.floats(allow_nan=True, allow_infinity=True)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(anything, st.sampled_from([0.0, 0.5, 1.0]), st.floats(0, 1)),
    anything,
    anything,
    st.one_of(st.none(), st.integers(-5, 10**30)),
    st.one_of(st.just(0.1), anything),
)
@pytest.mark.slow
def test_ez_diffusion_is_total(pc: float, vrt: float, mrt: float, n: int | None, s: float) -> None:
    result = ez_diffusion(pc, vrt, mrt, n_trials=n, s=s)
    assert isinstance(result, EZResult)
    values = (result.drift, result.boundary, result.nondecision)
    assert all(math.isfinite(x) or math.isnan(x) for x in values)
    if math.isnan(result.drift):
        assert result.flags


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.booleans(), max_size=20).flatmap(
        lambda c: st.tuples(
            st.just(c),
            st.lists(
                st.floats(allow_nan=True, allow_infinity=True), min_size=len(c), max_size=len(c)
            ),
        )
    )
)
@pytest.mark.slow
def test_ez_from_trials_is_total(data: tuple[list[bool], list[float]]) -> None:
    correct, rt = data
    result = ez_diffusion_from_trials(correct, rt)
    assert all(
        math.isfinite(x) or math.isnan(x)
        for x in (result.drift, result.boundary, result.nondecision)
    )
