"""Stop (stop-signal task): SSRT by the integration method, its ingredients, EZ on go trials.

Contract: ``score(table, *, bootstrap=True, seed=0, planned_trials=None)`` takes the
game's trial table (columns of :data:`games.stop.task.COLUMNS`; used: ``practice``,
``stop``, ``direction``, ``ssd_ms``, ``ssd_actual_ms`` (when present), ``responded``,
``response_side``, ``choice_error``, ``rt_ms``) and returns a
:class:`~scoring.metrics.types.GameScores`.  Practice trials (block 0) are left out.

Metrics (primary: ``ssrt_ms``), following the consensus guide (Verbruggen et al.
2019) through :func:`scoring.ssrt.integration_ssrt`:

* ``ssrt_ms`` – stop-signal reaction time, integration method with replacement of
  go omissions by the maximum go RT; withheld (NaN, flagged) when p(respond | signal)
  is outside .25–.75 or signal-respond RT exceeds go RT.
* ``p_respond_signal`` – share of stop trials with a response.  The staircase
  holds it near .5 by design, so it is marked ``pinned``: it has no percentile.
* ``mean_ssd_ms`` – mean stop-signal delay as presented.

The SSD of each stop trial is the one the candidate saw: ``ssd_actual_ms``, the
signal's frame stamp minus the arrow's (frames quantise the scheduled SSD, by up
to a refresh period); the scheduled ``ssd_ms`` stands in where the signal was never
shown (a response came first) or for tables recorded without the column.  SSRT =
nth RT − mean SSD must use the delays actually presented (Verbruggen et al. 2019).
* ``go_rt_ms`` – mean RT of go trials with a response (choice errors included, as
  in the guide's go distribution); ``signal_respond_rt_ms`` – mean RT of
  responses on stop trials.
* ``go_omission_rate`` – share of go trials without a response;
  ``go_error_rate`` – share of go responses on the wrong side.
* ``ez_drift``, ``ez_boundary``, ``ez_nondecision`` – EZ-diffusion on the go trials
  with a response (correct = right side).

CIs: bootstrap over trials within go and stop trials (SSRT is recomputed on every
resample by :func:`ssrt_replicates`, the vectorised twin of the primitive).  Split
halves: alternate trials within go and stop trials; none for ``p_respond_signal``,
which the staircase holds near .5 (a success raises the SSD, so the next stop trial
tends to fail: alternate halves correlate negatively by design).

Flags: ``no_trials``, ``incomplete``, ``omissions`` (go omissions above 10%),
``anticipations``, ``constant_rts``, ``side_bias``, ``floor`` on go accuracy (no
``ceiling``: near-perfect go accuracy is the norm), ``race_model_violation``
(signal-respond RT not below go RT), and the primitive's flags on ``ssrt_ms``.

Source:
    Verbruggen, F., Aron, A. R., Band, G. P. H., et al. (2019). A consensus guide to
    capturing the ability to inhibit actions and impulsive behaviors in the
    stop-signal task. eLife, 8, e46323.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.metrics._engine import (
    Kind,
    Sample,
    Scorecard,
    TrialTable,
    add_ez_metrics,
    mean_of,
    quiet,
    silenced,
)
from scoring.metrics.quality import accuracy_flags, completeness_flags, rt_flags, side_bias_flags
from scoring.metrics.types import GameScores
from scoring.ssrt import P_RESPOND_RANGE, integration_ssrt

__all__ = ["GAME_ID", "PRIMARY", "score", "ssrt_replicates"]

GAME_ID = "stop"
PRIMARY = "ssrt_ms"
_COLUMNS: Mapping[str, Kind] = {
    "stop": "bool",
    "direction": "str",
    "ssd_ms": "float",
    "responded": "bool",
    "response_side": "str",
    "choice_error": "bool",
    "rt_ms": "float",
}


def _row_mean(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Mean of the finite values of each row; NaN for a row without any."""
    finite = np.isfinite(values)
    counts = finite.sum(axis=1)
    totals = np.where(finite, values, 0.0).sum(axis=1)
    means: NDArray[np.float64] = np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)
    return means


def ssrt_replicates(
    is_stop: NDArray[np.bool_],
    rt: NDArray[np.float64],
    responded: NDArray[np.bool_],
    ssd: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Integration-method SSRT for every row of replicate × trial matrices.

    The vectorised twin of :func:`scoring.ssrt.integration_ssrt` (same steps, same
    type-6 quantile, same withholding rules), used for bootstrap replicates; the
    point estimate always comes from the primitive, and the tests check that the two
    agree.  Rows that do not share one go/stop pattern (never the case for
    stratified resamples) fall back to the primitive row by row.
    """
    rows = is_stop.shape[0]
    if rows == 0 or is_stop.shape[1] == 0:
        return np.full(rows, np.nan)
    pattern = is_stop[0]
    if not bool(np.all(is_stop == pattern)):
        return np.array(
            [
                integration_ssrt(
                    np.where(responded[r], rt[r], np.nan)[~is_stop[r]],
                    responded[r][is_stop[r]],
                    ssd[r][is_stop[r]],
                    signal_respond_rt=np.where(responded[r], rt[r], np.nan)[is_stop[r]],
                ).ssrt
                for r in range(rows)
            ]
        )
    go_cols, stop_cols = ~pattern, pattern
    n_go, n_stop = int(np.count_nonzero(go_cols)), int(np.count_nonzero(stop_cols))
    if n_go == 0 or n_stop == 0:
        return np.full(rows, np.nan)
    answered = responded & np.isfinite(rt)
    go_times = np.where(answered[:, go_cols], rt[:, go_cols], np.nan)
    go_answered = np.isfinite(go_times)
    with quiet():
        longest = np.max(np.where(go_answered, go_times, -np.inf), axis=1)
        go_mean = _row_mean(go_times)
        filled = np.sort(np.where(go_answered, go_times, longest[:, np.newaxis]), axis=1)
        p_respond = answered[:, stop_cols].mean(axis=1)
        mean_ssd = _row_mean(ssd[:, stop_cols])
        signal_respond_mean = _row_mean(np.where(answered[:, stop_cols], rt[:, stop_cols], np.nan))
    h = (n_go + 1) * np.clip(p_respond, 0.0, 1.0)
    lower = np.clip(np.floor(h).astype(np.intp), 1, n_go)  # 1-based
    upper = np.clip(lower + 1, 1, n_go)
    below = np.take_along_axis(filled, (lower - 1)[:, np.newaxis], axis=1)[:, 0]
    above = np.take_along_axis(filled, (upper - 1)[:, np.newaxis], axis=1)[:, 0]
    nth = below + (h - np.floor(h)) * (above - below)
    nth = np.where(h < 1.0, filled[:, 0], nth)
    nth = np.where(h >= n_go, filled[:, -1], nth)
    low, high = P_RESPOND_RANGE
    withheld = (p_respond < low) | (p_respond > high) | (signal_respond_mean > go_mean)
    withheld |= ~go_answered.any(axis=1)
    values: NDArray[np.float64] = np.where(withheld, np.nan, nth - mean_ssd)
    return values


@silenced
def score(
    table: Mapping[str, Any],
    *,
    bootstrap: bool = True,
    seed: int = 0,
    planned_trials: int | None = None,
    halves: bool = True,
) -> GameScores:
    """Score one Stop run; see the module docstring."""
    columns = dict(_COLUMNS)
    if isinstance(table, Mapping) and "ssd_actual_ms" in table:
        columns["ssd_actual_ms"] = "float"
    trials = TrialTable(table, columns)
    stop = trials.bool("stop")
    go = ~stop
    rt = trials.float("rt_ms")
    responded = trials.bool("responded") & np.isfinite(rt)
    scheduled = trials.float("ssd_ms")
    presented = trials.float("ssd_actual_ms") if "ssd_actual_ms" in columns else scheduled
    # The SSD as presented (signal frame stamp minus arrow frame stamp); where the
    # signal was never shown (a response came first) the scheduled one stands in.
    ssd: NDArray[np.float64] = np.where(np.isfinite(presented), presented, scheduled)
    choice_error = trials.bool("choice_error") & responded
    go_rt: NDArray[np.float64] = np.where(responded, rt, np.nan)
    card = Scorecard(GAME_ID, trials.n_rows, stop, bootstrap=bootstrap, seed=seed, halves=halves)

    result = integration_ssrt(go_rt[go], responded[stop], ssd[stop], signal_respond_rt=go_rt[stop])

    def ssrt(sample: Sample) -> NDArray[np.float64]:
        return ssrt_replicates(
            sample.take(stop), sample.take(go_rt), sample.take(responded), sample.take(ssd)
        )

    card.add(
        PRIMARY,
        unit="ms",
        description="The estimated time you needed to stop a response once the stop signal came.",
        n=result.n_stop,
        value=result.ssrt,
        statistic=ssrt,
        flags=result.flags,
    )
    answered_float = responded.astype(np.float64)
    card.add(
        "p_respond_signal",
        unit="proportion of stop trials",
        description="The share of stop-signal trials on which you still pressed a key.",
        n=result.n_stop,
        value=result.p_respond,
        statistic=mean_of(answered_float, stop),
        split=False,  # the staircase drives it to .5: alternate stop trials anticorrelate
        pinned=True,  # the staircase's target, not a trait of the person: no percentile
    )
    card.add(
        "mean_ssd_ms",
        unit="ms",
        description="How long after the arrow the stop signal came, on average.",
        n=result.n_stop,
        value=result.mean_ssd,
        statistic=mean_of(ssd, stop),
    )
    card.add(
        "go_rt_ms",
        unit="ms",
        description="Your average time to respond to an arrow without a stop signal.",
        n=result.n_go - result.n_go_omissions,
        value=result.go_rt_mean,
        statistic=mean_of(go_rt, go),
    )
    card.add(
        "signal_respond_rt_ms",
        unit="ms",
        description="Your average time to respond when you pressed a key despite the signal.",
        n=int(np.count_nonzero(responded & stop)),
        value=result.signal_respond_rt_mean,
        statistic=mean_of(go_rt, stop),
    )
    omitted = (~responded).astype(np.float64)
    card.add(
        "go_omission_rate",
        unit="proportion of go trials",
        description="The share of arrows without a stop signal that you did not respond to.",
        n=result.n_go,
        statistic=mean_of(omitted, go),
    )
    wrong = choice_error.astype(np.float64)
    go_answered = go & responded
    card.add(
        "go_error_rate",
        unit="proportion of go responses",
        description="The share of your responses to arrows that went to the other side.",
        n=int(np.count_nonzero(go_answered)),
        statistic=mean_of(wrong, go_answered),
    )
    add_ez_metrics(card, ~choice_error, rt, go_answered, what="arrow")

    flags = [
        *trials.flags,
        *completeness_flags(trials.n_rows, planned_trials),
        *rt_flags(rt[go], responded[go]),
        *side_bias_flags(trials.str("response_side")[go], trials.str("direction")[go]),
    ]
    n_go = int(np.count_nonzero(go))
    if n_go:
        go_accuracy = float(np.count_nonzero(go_answered & ~choice_error)) / n_go
        flags.extend(accuracy_flags(go_accuracy, n_go, chance=0.5, ceiling=1.01))
    if "signal_respond_rt_exceeds_go_rt" in result.flags:
        flags.append("race_model_violation")
    return card.finish(PRIMARY, flags, trials.n_rows)
