"""Scoring benchmark: whole-session scoring, with and without bootstrap, and batch rescoring.

Measurements, all in one process on one core, on sessions simulated by the bots of
every game (``tools.build_provisional_norms.simulate_tables``: every game of the
standard battery, with the designs its battery file gives them) and scored, as the
kiosk scores them (with the battery's design), against the newest provisional norm
table of that battery (:data:`NORMS`):

- session, no bootstrap: ``score_session(..., bootstrap=False, halves=False)`` per
  session (what a rescoring run does; the station keeps no split halves, see
  :mod:`scoring.session`), median and p95 in ms, and the median CPU time of the
  scoring thread (on a shared machine wall time also counts waiting for a core);
  aim ≤ 20 ms;
- session, no bootstrap, with split halves (what norm building scores), median in
  ms and its ratio to the row above: context, no aim;
- session, with bootstrap: ``score_session(..., bootstrap=True, halves=False)``
  (what the kiosk does after a battery: 2000 resamples per game), median in ms;
  aim ≤ 1 s;
- batch rescoring: sessions per minute scoring one stored session after another
  without bootstrap; aim ≥ 3000.

Baseline (measured in the same run, so that the ratios do not depend on the
machine): the straightforward way to get bootstrap CIs for one game – rebuild the
resampled trial table row by row and rescore it with plain per-trial Python loops,
once per resample – for Arrows (9 metrics incl. EZ-diffusion, 2000 resamples).
The scorer instead draws the resamples once per game as an index matrix and
computes every metric on all resamples with numpy.  The ratio "baseline / scorer"
for the same game and the same number of resamples says how much that design buys;
the session bootstrap / no-bootstrap ratio says what the CIs cost, and "baseline /
session" puts the per-session time on the same machine-independent scale.

Call ``bench.scoring.main(quick=False)``; ``quick=True`` uses a fifth of the sessions
and repeats (the baseline comparison always runs the full 2000 resamples).
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np

import kiosk_resources
from bench.common import percentiles_us, print_table, write_results
from kiosk.battery import load_battery
from kiosk.scoring_service import battery_design
from scoring.ddm import ez_diffusion_from_trials
from scoring.metrics import SCORERS
from scoring.metrics._engine import N_BOOT
from scoring.norms import NormDesign, NormTable, load_norms
from scoring.session import score_session
from tools.build_provisional_norms import simulate_tables

BATTERY = "standard"
#: The newest provisional table of the standard battery (built on its designs).
NORMS: Path = kiosk_resources.path("norms", "provisional-0.4.json")
SESSIONS = 20
NO_BOOTSTRAP_REPEATS = 10  # passes over all sessions
BOOTSTRAP_SESSIONS = 10
BATCH_SESSIONS = 400


def _sessions(n: int) -> tuple[list[dict[str, Any]], NormDesign]:
    """``n`` simulated sessions of :data:`BATTERY` and the battery's design."""
    battery = load_battery(BATTERY)
    designs = {game_id: dict(p) for game_id, p in battery.params_by_game().items()}
    games = [game.game_id for game in battery.games if game.game_id in SCORERS]
    sessions = [
        simulate_tables(candidate, seed=314, params=designs, games=games) for candidate in range(n)
    ]
    return sessions, battery_design(battery)


# ---- baseline: per-resample rescoring with plain Python loops ---------------------------


def _naive_arrows(rows: list[dict[str, Any]]) -> list[float]:
    """Arrows' nine metrics from a list of row dicts, one Python loop per metric."""

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else math.nan

    def correct_rts(condition: str, value: Any) -> list[float]:
        return [
            r["rt_ms"]
            for r in rows
            if r[condition] == value
            and r["correct"]
            and not r["timeout"]
            and r["rt_ms"] == r["rt_ms"]
        ]

    def errors(condition: str, value: Any) -> list[float]:
        return [0.0 if r["correct"] else 1.0 for r in rows if r[condition] == value]

    answered = [r for r in rows if not r["timeout"] and r["rt_ms"] == r["rt_ms"]]
    fit = ez_diffusion_from_trials(
        [r["correct"] for r in answered], [r["rt_ms"] / 1000.0 for r in answered]
    )
    return [
        mean(correct_rts("congruent", False)) - mean(correct_rts("congruent", True)),
        mean(errors("congruent", False)) - mean(errors("congruent", True)),
        mean(correct_rts("transition", "switch")) - mean(correct_rts("transition", "repeat")),
        mean(errors("transition", "switch")) - mean(errors("transition", "repeat")),
        1.0 - mean(errors("practice", False)),
        mean([r["rt_ms"] for r in answered if r["correct"]]),
        fit.drift,
        fit.boundary,
        fit.nondecision,
    ]


def _naive_arrows_bootstrap(table: dict[str, np.ndarray], n_boot: int, seed: int) -> float:
    """Seconds to get 95% percentile CIs of the nine metrics by naive resampling."""
    started = time.perf_counter()
    main = ~table["practice"]
    names = ("practice", "transition", "congruent", "correct", "timeout", "rt_ms")
    rows = [{name: table[name][i].item() for name in names} for i in np.flatnonzero(main)]
    cells: dict[tuple[Any, Any], list[int]] = {}
    for position, row in enumerate(rows):
        cells.setdefault((row["congruent"], row["transition"]), []).append(position)
    rng = np.random.default_rng(seed)
    replicates = []
    for _ in range(n_boot):
        resampled = []
        for members in cells.values():
            for pick in rng.integers(0, len(members), len(members)):
                resampled.append(rows[members[int(pick)]])
        replicates.append(_naive_arrows(resampled))
    values = np.array(replicates)
    for column in values.T:
        finite = column[np.isfinite(column)]
        np.quantile(finite, [0.025, 0.975])
    return time.perf_counter() - started


# ---- measurements ---------------------------------------------------------------------


def _session_times_ms(
    sessions: list[dict[str, Any]],
    norms: NormTable,
    design: NormDesign,
    *,
    bootstrap: bool,
    repeats: int,
    halves: bool = False,
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (this thread's) milliseconds of each session scored."""
    times, cpu = [], []
    for _ in range(repeats):
        for tables in sessions:
            started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
            score_session(tables, norms, bootstrap=bootstrap, seed=0, design=design, halves=halves)
            cpu.append((time.thread_time_ns() - started_cpu) / 1e6)
            times.append((time.perf_counter_ns() - started) / 1e6)
    return times, cpu


def main(quick: bool = False) -> dict[str, Any]:
    scale = 5 if quick else 1
    norms = load_norms(NORMS.read_text(encoding="utf-8"))
    sessions, design = _sessions(max(4, SESSIONS // scale))
    if norms.design is None or norms.design.mismatched_games(design):
        print(f"warning: {NORMS.name} was not built on the {BATTERY} battery's current designs")
    score_session(sessions[0], norms, bootstrap=True, design=design)  # warm caches and imports

    plain_ms, plain_cpu_ms = _session_times_ms(
        sessions, norms, design, bootstrap=False, repeats=max(2, NO_BOOTSTRAP_REPEATS // scale)
    )
    halves_ms, _ = _session_times_ms(
        sessions,
        norms,
        design,
        bootstrap=False,
        repeats=max(1, NO_BOOTSTRAP_REPEATS // 5),
        halves=True,
    )
    boot_ms, _ = _session_times_ms(
        sessions[: max(2, BOOTSTRAP_SESSIONS // scale)], norms, design, bootstrap=True, repeats=1
    )
    batch = max(50, BATCH_SESSIONS // scale)
    started = time.perf_counter()
    for i in range(batch):
        tables = sessions[i % len(sessions)]
        score_session(tables, norms, bootstrap=False, seed=0, design=design, halves=False)
    per_minute = batch / (time.perf_counter() - started) * 60.0

    arrows_table = sessions[0]["arrows"]
    n_boot = N_BOOT  # the same work on both sides, also in a quick run
    baseline_s = _naive_arrows_bootstrap(arrows_table, n_boot, seed=0)
    scorer_s: list[float] = []
    for _ in range(3):
        started = time.perf_counter()
        SCORERS["arrows"](arrows_table, bootstrap=True, seed=0)
        scorer_s.append(time.perf_counter() - started)
    scorer_full = median(scorer_s)

    plain = percentiles_us(np.array(plain_ms) * 1e6)
    plain_p50_ms = plain["p50_us"] / 1000.0
    result = {
        "battery": BATTERY,
        "norms": norms.version,
        "sessions": len(sessions),
        "session_no_bootstrap_ms": {k: v / 1000.0 for k, v in plain.items()},
        "session_no_bootstrap_cpu_p50_ms": float(median(plain_cpu_ms)),
        "session_no_bootstrap_with_halves_p50_ms": float(median(halves_ms)),
        "halves_vs_no_halves": float(median(halves_ms) / median(plain_ms)),
        "baseline_vs_session_no_bootstrap": baseline_s * 1000.0 / plain_p50_ms,
        "session_bootstrap_median_ms": float(median(boot_ms)),
        "bootstrap_vs_no_bootstrap": float(median(boot_ms) / median(plain_ms)),
        "batch_rescoring_sessions_per_minute": per_minute,
        "baseline_naive_arrows_bootstrap_ms": baseline_s * 1000.0,
        "scorer_arrows_bootstrap_ms": scorer_full * 1000.0,
        "arrows_bootstrap_vs_baseline": baseline_s / scorer_full,
        "n_boot": n_boot,
    }
    print_table(
        f"Scoring: one {BATTERY}-battery session of {len(sessions[0])} games, norms "
        f"{norms.version} (ratios against baselines measured in this run)",
        [
            ("measure", "value", "aim / note"),
            (
                "baseline: naive per-resample rescoring, arrows",
                f"{baseline_s * 1000:,.0f} ms",
                f"{n_boot} resamples, plain Python loops per resample",
            ),
            (
                "scorer: arrows with bootstrap",
                f"{scorer_full * 1000:,.1f} ms",
                f"{baseline_s / scorer_full:.0f}x faster than the baseline",
            ),
            (
                "session, no bootstrap: p50 / p95",
                f"{plain_p50_ms:.1f} / {plain['p95_us'] / 1000:.1f} ms",
                f"aim p50 <= 20 ms; baseline / p50 = {baseline_s * 1000.0 / plain_p50_ms:,.0f}",
            ),
            (
                "session, no bootstrap: CPU time p50",
                f"{median(plain_cpu_ms):.1f} ms",
                "this thread's CPU time: less sensitive to other load than wall time",
            ),
            (
                "session, no bootstrap, with split halves: p50",
                f"{median(halves_ms):.1f} ms",
                f"what norm building scores; {median(halves_ms) / median(plain_ms):.2f}x the "
                "station's scoring (no aim)",
            ),
            (
                "session, with bootstrap: p50",
                f"{median(boot_ms):,.0f} ms",
                f"aim <= 1000 ms; {median(boot_ms) / median(plain_ms):.0f}x the no-bootstrap time",
            ),
            (
                "batch rescoring, one core",
                f"{per_minute:,.0f} sessions/min",
                "aim >= 3000 sessions/min",
            ),
        ],
    )
    path = write_results("scoring", [result])
    print(f"written: {path}")
    return result


if __name__ == "__main__":
    main()
