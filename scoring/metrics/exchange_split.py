"""Money Exchange 2 (ultimatum and dictator games): offers, acceptance, giving.

Contract: ``score(table, *, bootstrap=True, seed=0, planned_trials=None)`` takes the
game's trial table (columns of :data:`games.exchange_split.task.COLUMNS`; used:
``practice``, ``role``, ``offer_share``, ``accepted``) and returns a
:class:`~scoring.metrics.types.GameScores`.  Practice rounds are left out; an
``offer_share`` outside 0..1 (or NaN) is left out and flagged
``invalid_values:offer_share``.

Metrics (primary: ``offer_share``):

* ``offer_share`` – mean share of the pot offered as proposer (Güth et al. 1982).
* ``min_acceptable_offer`` – the responder's estimated threshold share.  Method:
  with the offered shares sorted, L₁ < … < L_k, the candidate thresholds are the
  midpoints between neighbouring levels plus half the smallest gap below L₁ and
  above L_k.  Each threshold t predicts "accept iff offer ≥ t"; the estimate is the
  threshold whose predictions disagree least with the decisions (the mean of the
  tied best ones).  A consistent responder who rejects 20% and accepts 30% gets
  0.25.  Accepting everything gives L₁ − gap/2 (flag ``accepted_all_offers``),
  rejecting everything L_k + gap/2 (``rejected_all_offers``): the threshold lies
  beyond the offers made.  Fewer than two offer levels give NaN
  (``too_few_offer_levels``).
* ``acceptance_rate`` – share of the partner's offers accepted, and
  ``acceptance_rate_<p>pct`` for each offer level (p = level in percent, rounded);
  the default design's levels (10–50%) are always reported, NaN when not offered.
* ``dictator_share`` – mean share of the pot given as dictator (Forsythe et al.
  1994), where the partner cannot refuse.

CIs: bootstrap over rounds within role (responder rounds within offer level).
Split halves: alternate rounds within the same cells, so the two halves of the
responder rounds each hold one decision per level in the default design.  Flags:
``no_trials``, ``incomplete``; on a metric, ``no_<role>_rounds``.

Sources:
    Güth, W., Schmittberger, R., & Schwarze, B. (1982). An experimental analysis of
    ultimatum bargaining. Journal of Economic Behavior & Organization, 3, 367–388.
    Forsythe, R., Horowitz, J. L., Savin, N. E., & Sefton, M. (1994). Fairness in
    simple bargaining experiments. Games and Economic Behavior, 6, 347–369.
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
    Statistic,
    TrialTable,
    code_sums,
    mean_of,
    quiet,
    silenced,
)
from scoring.metrics.quality import completeness_flags
from scoring.metrics.types import GameScores

__all__ = ["DEFAULT_OFFER_LEVELS", "GAME_ID", "PRIMARY", "minimum_acceptable_offer", "score"]

GAME_ID = "exchange_split"
PRIMARY = "offer_share"
#: The responder offer levels of the default design (shares of the pot).
DEFAULT_OFFER_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5)
_COLUMNS: Mapping[str, Kind] = {"role": "str", "offer_share": "float", "accepted": "bool"}


def _level_name(level: float) -> str:
    return f"acceptance_rate_{round(level * 100)}pct"


def _thresholds(levels: NDArray[np.float64]) -> NDArray[np.float64]:
    half_gap = float(np.min(np.diff(levels))) / 2.0
    inner = (levels[:-1] + levels[1:]) / 2.0
    edges: NDArray[np.float64] = np.concatenate(
        ([levels[0] - half_gap], inner, [levels[-1] + half_gap])
    )
    return edges


def _step_rule_threshold(
    accepts: NDArray[np.float64], rejects: NDArray[np.float64], levels: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Per row of per-level accept/reject counts, the best step-rule threshold."""
    thresholds = _thresholds(levels)
    rows = accepts.shape[0]
    zero = np.zeros((rows, 1))
    # errors_j = accepted below level j + rejected at or above level j
    accepted_below = np.concatenate((zero, np.cumsum(accepts, axis=1)), axis=1)
    rejected_from = np.concatenate((np.cumsum(rejects[:, ::-1], axis=1)[:, ::-1], zero), axis=1)
    errors = accepted_below + rejected_from
    best = errors == errors.min(axis=1, keepdims=True)
    with quiet():
        estimate: NDArray[np.float64] = (best * thresholds).sum(axis=1) / best.sum(axis=1)
    decided = (accepts + rejects).sum(axis=1) > 0
    return np.where(decided, estimate, np.nan)


def minimum_acceptable_offer(
    offer_share: NDArray[np.float64], accepted: NDArray[np.bool_]
) -> tuple[float, tuple[str, ...]]:
    """The step-rule threshold (see the module docstring) and its flags."""
    finite = np.isfinite(offer_share)
    shares = np.round(offer_share[finite], 6)
    decisions = accepted[finite]
    levels = np.unique(shares)
    if levels.shape[0] < 2:
        return float("nan"), ("too_few_offer_levels",)
    accepts = np.array([[np.count_nonzero(decisions & (shares == lv)) for lv in levels]], float)
    rejects = np.array([[np.count_nonzero(~decisions & (shares == lv)) for lv in levels]], float)
    value = float(_step_rule_threshold(accepts, rejects, levels)[0])
    if bool(np.all(decisions)):
        return value, ("accepted_all_offers",)
    if not bool(np.any(decisions)):
        return value, ("rejected_all_offers",)
    return value, ()


@silenced
def score(
    table: Mapping[str, Any],
    *,
    bootstrap: bool = True,
    seed: int = 0,
    planned_trials: int | None = None,
    halves: bool = True,
) -> GameScores:
    """Score one Money Exchange 2 run; see the module docstring."""
    trials = TrialTable(table, _COLUMNS)
    role = trials.str("role")
    raw_share = trials.float("offer_share")
    valid_share = (raw_share >= 0.0) & (raw_share <= 1.0)  # False for NaN too
    share: NDArray[np.float64] = np.where(valid_share, raw_share, np.nan)
    accepted = trials.bool("accepted")
    proposer = role == "proposer"
    responder = (role == "responder") & np.isfinite(share)
    dictator = role == "dictator"
    rounded = np.where(np.isfinite(share), np.round(share, 6), -1.0)
    cells = np.where(responder, np.char.add("responder:", rounded.astype(np.str_)), role)
    card = Scorecard(GAME_ID, trials.n_rows, cells, bootstrap=bootstrap, seed=seed, halves=halves)

    n_offers = int(np.count_nonzero(proposer & np.isfinite(share)))
    card.add(
        PRIMARY,
        unit="proportion of pot",
        description="The share of the money you offered to a partner who could refuse it.",
        n=n_offers,
        statistic=mean_of(share, proposer),
        flags=() if n_offers else ("no_proposer_rounds",),
    )

    levels = np.unique(rounded[responder])
    n_responses = int(np.count_nonzero(responder))
    mao, mao_flags = minimum_acceptable_offer(share[responder], accepted[responder])
    accept_float = accepted.astype(np.float64)
    # each responder trial's offer level: its position in ``levels`` (-1: not a response)
    position = {level: j for j, level in enumerate(levels.tolist())}
    level_code = np.where(
        responder, np.array([position.get(r, -1) for r in rounded.tolist()], dtype=np.intp), -1
    )

    def level_counts(sample: Sample) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Per replicate and level: offers accepted, and offers."""
        offers = code_sums(sample, level_code, levels.shape[0])
        return code_sums(sample, level_code, levels.shape[0], accept_float), offers

    def threshold(sample: Sample) -> NDArray[np.float64]:
        if levels.shape[0] < 2:
            return np.full(sample.replicates, np.nan)
        accepts, offers = level_counts(sample)
        return _step_rule_threshold(accepts, offers - accepts, levels)

    def level_rate(level: float) -> Statistic:
        at = position.get(level)

        def statistic(sample: Sample) -> NDArray[np.float64]:
            if at is None:  # not offered: no trial at this level
                return np.full(sample.replicates, np.nan)
            accepts, offers = level_counts(sample)
            with quiet():
                rates: NDArray[np.float64] = np.where(
                    offers[:, at] > 0, accepts[:, at] / offers[:, at], np.nan
                )
            return rates

        return statistic

    card.add(
        "min_acceptable_offer",
        unit="proportion of pot",
        description="The smallest share of the money you tended to accept when offered it.",
        n=n_responses,
        value=mao,
        statistic=threshold,
        flags=mao_flags if n_responses else ("no_responder_rounds",),
    )
    card.add(
        "acceptance_rate",
        unit="proportion of offers",
        description="The share of the partners' offers that you accepted.",
        n=n_responses,
        statistic=mean_of(accept_float, responder),
        flags=() if n_responses else ("no_responder_rounds",),
    )
    reported = sorted({round(x, 6) for x in DEFAULT_OFFER_LEVELS} | set(levels.tolist()))
    for level in reported:
        at_level = responder & (rounded == level)
        n_level = int(np.count_nonzero(at_level))
        card.add(
            _level_name(level),
            unit="proportion of offers",
            description=(
                f"The share of offers of {round(level * 100)}% of the money that you accepted."
            ),
            n=n_level,
            statistic=level_rate(level),
            flags=() if n_level else ("level_not_offered",),
        )
    n_gifts = int(np.count_nonzero(dictator & np.isfinite(share)))
    card.add(
        "dictator_share",
        unit="proportion of pot",
        description="The share of the money you gave to a partner who had no say.",
        n=n_gifts,
        statistic=mean_of(share, dictator),
        flags=() if n_gifts else ("no_dictator_rounds",),
    )
    flags = [*trials.flags, *completeness_flags(trials.n_rows, planned_trials)]
    if not np.all(valid_share):
        flags.append("invalid_values:offer_share")
    return card.finish(PRIMARY, flags, trials.n_rows)
