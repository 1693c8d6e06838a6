"""Money Exchange 1 (trust game, both roles): trust and reciprocity.

Contract: ``score(table, *, bootstrap=True, seed=0, planned_trials=None)`` takes the
game's trial table (columns of :data:`games.exchange_trust.task.COLUMNS`; used:
``practice``, ``role``, ``sent_share``, ``returned_share``) and returns a
:class:`~scoring.metrics.types.GameScores`.  Practice rounds are left out; a
share outside 0..1 is left out and flagged ``invalid_values:share``.

Metrics (primary: ``trust``), following Berg, Dickhaut & McCabe (1995):

* ``trust`` – mean share of the endowment sent as investor (sent / endowment).
* ``reciprocity`` – mean share of the received (multiplied) amount returned as
  trustee (returned / received), over trustee rounds in which something was
  received.  The mean of per-round shares weighs every decision equally, whatever
  the amount the simulated investor happened to send.

CIs: bootstrap over rounds within role.  Split halves: alternate rounds within
role.  Flags: ``no_trials``, ``incomplete``; on a metric, ``no_investor_rounds`` /
``no_trustee_rounds``.

Source:
    Berg, J., Dickhaut, J., & McCabe, K. (1995). Trust, reciprocity, and social
    history. Games and Economic Behavior, 10(1), 122–142.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.metrics._engine import Kind, Scorecard, TrialTable, mean_of, silenced
from scoring.metrics.quality import completeness_flags
from scoring.metrics.types import GameScores

__all__ = ["GAME_ID", "PRIMARY", "score"]

GAME_ID = "exchange_trust"
PRIMARY = "trust"
_COLUMNS: Mapping[str, Kind] = {"role": "str", "sent_share": "float", "returned_share": "float"}


def _share(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Shares outside 0..1 cannot come from the game: NaN (left out, flagged)."""
    inside: NDArray[np.float64] = np.where((values >= 0.0) & (values <= 1.0), values, np.nan)
    return inside


@silenced
def score(
    table: Mapping[str, Any],
    *,
    bootstrap: bool = True,
    seed: int = 0,
    planned_trials: int | None = None,
    halves: bool = True,
) -> GameScores:
    """Score one Money Exchange 1 run; see the module docstring."""
    trials = TrialTable(table, _COLUMNS)
    role = trials.str("role")
    investor = role == "investor"
    trustee = role == "trustee"
    sent = _share(trials.float("sent_share"))
    returned = _share(trials.float("returned_share"))
    card = Scorecard(GAME_ID, trials.n_rows, role, bootstrap=bootstrap, seed=seed, halves=halves)

    n_sent = int(np.count_nonzero(investor & np.isfinite(sent)))
    card.add(
        PRIMARY,
        unit="proportion of endowment",
        description="The share of your own money you chose to send to a partner.",
        n=n_sent,
        statistic=mean_of(sent, investor),
        flags=() if n_sent else ("no_investor_rounds",),
    )
    n_returned = int(np.count_nonzero(trustee & np.isfinite(returned)))
    card.add(
        "reciprocity",
        unit="proportion of amount received",
        description="The share of the money you received that you chose to send back.",
        n=n_returned,
        statistic=mean_of(returned, trustee),
        flags=() if n_returned else ("no_trustee_rounds",),
    )
    flags = [*trials.flags, *completeness_flags(trials.n_rows, planned_trials)]
    out_of_range = (np.isfinite(trials.float("sent_share")) & np.isnan(sent)) | (
        np.isfinite(trials.float("returned_share")) & np.isnan(returned)
    )
    if np.any(out_of_range):
        flags.append("invalid_values:share")
    return card.finish(PRIMARY, flags, trials.n_rows)
