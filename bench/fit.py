"""Role-fit benchmark: training with 5-fold cross-validation, and auditing, on 5,000 candidates.

Synthetic candidates: 30 features (9 trait-like, 21 metric-like), 5 % of values
missing, a quarter of them incumbents, two self-reported attributes (one with a
group-correlated feature, so de-biasing has work to do).  Figures, each the median of
several rounds on one core (BLAS and OpenMP limited to one thread, the process pinned
to one CPU where the OS allows it), as seconds and as a ratio against a baseline
measured in the same run: a plain ``numpy.linalg.lstsq`` linear fit of the labels on
the same (median-imputed) matrix.

- **train + 5-fold CV**: :func:`scoring.fit.fit_role_model`;
- **audit**: the adverse-impact audit of the out-of-fold decisions for both attributes
  and a threshold sweep (19 cuts) per attribute, what the analytics view shows;
- **de-bias**: :func:`scoring.fit.debias` end to end (every refit and audit).
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from bench.common import print_table, write_results  # noqa: E402

CANDIDATES = 5000
FEATURES = 30


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], dict[str, list[str]]]:
    rng = np.random.default_rng(seed)
    gender = rng.choice(["woman", "man"], CANDIDATES)
    age = rng.choice(["16-34", "35-54", "55+"], CANDIDATES)
    x = rng.standard_normal((CANDIDATES, FEATURES))
    x[:, 1] += np.where(gender == "man", 0.8, 0.0)
    merit = x[:, 0] + 0.8 * x[:, 1] + 0.5 * x[:, 2] + rng.normal(0, 1, CANDIDATES)
    y = (merit >= np.quantile(merit, 0.75)).astype(np.int64)
    x[rng.random(x.shape) < 0.05] = np.nan
    names = tuple(
        [f"trait:t{i}" for i in range(9)] + [f"metric:game.m{i}" for i in range(FEATURES - 9)]
    )
    return x, y, names, {"gender": list(gender), "age_group": list(age)}


def _seconds(call: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main(quick: bool = False) -> dict[str, Any]:
    _pin_one_core()
    from threadpoolctl import threadpool_limits

    from scoring import fit
    from scoring.fairness import threshold_sweep

    rounds = 3 if quick else 7
    x, y, names, groups = _data()
    with threadpool_limits(limits=1):
        fitted = fit.fit_role_model(x, y, names)

        def baseline() -> object:
            filled = np.where(np.isnan(x), np.nanmedian(x, axis=0), x)
            design = np.column_stack([np.ones(CANDIDATES), filled])
            return np.linalg.lstsq(design, y.astype(float), rcond=None)

        def audit() -> object:
            audits = fit.audit_decisions(fitted.oof_pass, groups)
            sweeps = [threshold_sweep(fitted.oof_probability, g) for g in groups.values()]
            return audits, sweeps

        base = _seconds(baseline, rounds * 3)
        train = _seconds(lambda: fit.fit_role_model(x, y, names), rounds)
        audited = _seconds(audit, rounds)
        debiased = fit.debias(x, y, names, groups)
        debias = _seconds(lambda: fit.debias(x, y, names, groups), max(1, rounds // 2))
    rows = [
        {"what": "train + 5-fold CV", "seconds": train, "baseline_seconds": base},
        {"what": "audit (2 attributes, sweeps)", "seconds": audited, "baseline_seconds": base},
        {
            "what": "de-bias",
            "seconds": debias,
            "baseline_seconds": base,
            "steps": len(debiased.history),
        },
    ]
    print_table(
        f"Role-fit models: {CANDIDATES} candidates, {FEATURES} features (median, one core)",
        [("what", "seconds", "ratio to lstsq")]
        + [
            (r["what"], f"{r['seconds']:.3f} s", f"{r['seconds'] / r['baseline_seconds']:.0f}x")
            for r in rows
        ],
    )
    print(
        f"baseline: numpy lstsq on the same matrix, {base * 1000:.1f} ms; AUC "
        f"{fitted.cv.auc:.3f}; de-biasing took {len(debiased.history)} steps "
        f"({debiased.status})"
    )
    write_results("fit", rows)
    return {"rows": rows}


if __name__ == "__main__":
    main()
