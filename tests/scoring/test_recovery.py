"""Parameter recovery: bots with known parameters, and the metrics that should find them.

For every case in :data:`tools.recovery.CASES`, 60 simulated players play the game's
*default design* (the task's ``DEFAULT_PARAMS``, following SCIENCE.md) with one
behavioural parameter spread evenly over its population range (``BotParams.sample``
in the game's ``bot.py``) and every other parameter at its default.  Each primary
metric must rank the players as the parameter does: Spearman ρ ≥ 0.9.  The same
table comes from ``python -m tools.recovery`` (add ``--battery standard`` for the
standard battery's shorter designs).

Observed ρ (seed 1000, default designs):

==============  ======================  ======================  ======  =====
game            parameter               metric                  ρ       aim
==============  ======================  ======================  ======  =====
balloons        pump_target 5–100       adjusted_pumps          0.999   0.90
exchange_trust  trust 0–1               trust                   0.992   0.90
exchange_split  offer_share 0.05–0.6    offer_share             0.990   0.90
keypresses      tap_rate_hz 2.5–7.5     taps_per_10s            1.000   0.90
arrows          switch_cost_ms 50–300   switch_cost_ms          0.934   0.90
lengths         reward_bias 0–0.35      log_b                   0.934   0.90
faces           recognition 1–8         unbiased_hit_rate       0.921   0.90
hard_or_easy    effort_will. −2.4–2.4   proportion_hard         0.945   0.90
stop            ssrt_ms 120–380         ssrt_ms                 0.947   0.90
digits          span 3–9.5              longest_span_forward    0.962   0.90
cards           learning_rate 0.01–0.6  net_score               0.784   0.70 (*)
towers          planning_skill 0.3–1    total_score             0.961   0.90
arrows          flanker_interf. 0–0.15  flanker_effect_ms       0.716   0.50 (secondary)
==============  ======================  ======================  ======  =====

How the designs got there:

* arrows: the primary metric is the switch cost, summarised by 20% trimmed means
  of correct RTs, over 4 blocks of 32 trials.  With 3 blocks the switch cost
  ranked players at 0.88–0.94 across eight seeds, with 4 at 0.91–0.94.  The flanker
  effect is kept and reported, but it is a secondary metric: a difference of two
  RT means whose realistic size (0–100 ms) is small beside the trial-to-trial
  spread of a diffusion player (SD ≈ 150 ms), it ranks players at only 0.5–0.7
  even with 128 trials (0.8–0.9 at 256 trials, with RT and errors combined).  This
  is the "reliability paradox" of conflict effects (Hedge, Powell & Sumner 2018,
  Behav. Res. Methods 50, 1166–1186).
* faces: five expression strengths (20–100%, Montagne et al. 2007) instead of
  three (33/67/100%), 70 scored faces: 0.92–0.94 across seeds (three strengths:
  0.87–0.91).

(*) cards, below 0.9, a limit of the paradigm rather than of the scorer: the net
score of a softmax delta-rule learner depends on learning rate, inverse
temperature and loss aversion, and over 100 picks the choice noise (net-score SD
≈ 10 for one player) is large beside the spread of expected net scores, which
flattens above a learning rate of about 0.3.  Alternatives measured on the same
players: net score of blocks 2–5 or 3–5, 0.64–0.79; lose-shift rate, 0.47–0.73;
win-stay rate, 0.80–0.87; a maximum-likelihood fit of the bot's own model
(learning rate, inverse temperature, loss aversion), 0.55–0.86; the net score
over 200 picks, 0.82–0.85.  No statistic of the 100 picks reached 0.9, so the
test holds the net score to what it reaches (0.7) and says so.

The EZ-diffusion recovery on simulated diffusion data (≥ 200 trials, median
relative error < 10%) is in ``test_ddm.py``; here it is checked once more end to
end, through the Lengths game (300 trials, unbiased player).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from scoring.metrics import PRIMARY_METRICS, SCORERS
from tools.recovery import CASES, Case, recover


def test_every_game_has_a_primary_case_held_to_0_9_unless_documented() -> None:
    primaries = [c for c in CASES if c.metric is None]
    assert sorted(c.game_id for c in primaries) == sorted(PRIMARY_METRICS)
    assert {c.game_id for c in primaries if c.aim < 0.9} == {"cards", "reversal"}


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_metric_recovers_the_bot_parameter(case: Case) -> None:
    rho = recover(case, players=60, seed=1000)
    print(f"recovery {case.label} -> {case.metric_name}: Spearman rho = {rho:.3f}")
    assert rho >= case.aim, f"{case.label} -> {case.metric_name}: rho {rho:.3f} < {case.aim}"


def test_recovery_refuses_to_drop_players_whose_metric_is_nan() -> None:
    # Every balloon of a player who pumps to 128 explodes: no adjusted pumps at all.
    case = Case("balloons", "pump_target", 200.0, 200.0)
    with pytest.raises(ValueError, match="balloons-pump_target: adjusted_pumps is NaN"):
        recover(case, players=3)


def test_ez_diffusion_recovered_through_the_lengths_game() -> None:
    from games.lengths import bot, task

    sets = [(0.10, 0.14, 0.35), (0.15, 0.12, 0.40), (0.20, 0.10, 0.30), (0.25, 0.12, 0.45)]
    errors: dict[str, list[float]] = {"drift": [], "boundary": [], "nondecision": []}
    for i, (v, a, ter) in enumerate(sets):
        params = replace(bot.BotParams(), drift=v, boundary=a, nondecision=ter, reward_bias=0.0)
        scores = SCORERS["lengths"](
            task.trial_table(bot.simulate({}, params, 40 + i)), bootstrap=False
        )
        errors["drift"].append(abs(scores.value("ez_drift") - v) / v)
        errors["boundary"].append(abs(scores.value("ez_boundary") - a) / a)
        errors["nondecision"].append(abs(scores.value("ez_nondecision") - ter) / ter)
    for name, relative in errors.items():
        print(f"EZ through lengths: {name} median relative error {np.median(relative):.3f}")
        assert float(np.median(relative)) < 0.10, (name, relative)
