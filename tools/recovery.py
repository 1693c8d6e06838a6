"""Parameter recovery: do the metrics rank simulated players as their parameters do?

Usage (from the repository root)::

    python -m tools.recovery [--battery standard] [--players 60] [--seeds 10] [--seed 1000]
                             [--only GAME]

For every case below and every one of ``--seeds`` seeds, ``--players`` simulated
players play one game. The parameter being recovered is spread evenly over its
range (``low``–``high``, the bulk of the population distribution of
``BotParams.sample`` in the game's ``bot.py``); **every other parameter of each
player (its nuisance parameters) is drawn from that same population distribution**,
independently per player and per seed. Each seed gives one Spearman ρ between the
true parameter and the metric; the table gives the mean and the range (min–max)
over the seeds. A claim about a metric is the mean and range, never one seed.

Without ``--battery`` each game plays its default design (the task's
``DEFAULT_PARAMS``); with it, the design that battery file gives the game.

The population distributions
----------------------------
Each bot's ``BotParams.sample`` docstring gives its distributions and where they
come from; in short:

* balloons – BART model of Wallsten, Pleskac & Lejuez (2005), their model 3:
  ``risk_propensity`` (γ⁺) ~ LogNormal(log 1.0, 0.35), ``consistency`` (β) ~
  LogNormal(log 1.0, 0.5), prior belief and learning ~ ranges of their fitted
  values; timing uniform.
* exchange_trust – trust ~ Beta(2, 2), reciprocity ~ Beta(1.5, 2.5) (Berg et al.
  1995; Johnson & Mislin 2011, J. Econ. Psychol. 32, 865–889: about half sent,
  about a third returned); decision noise ~ U(0.02, 0.12).
* exchange_split – offer ~ N(0.42, 0.08), minimum acceptable share ~ Beta(2.5, 6),
  dictator share ~ Beta(1, 2.2) (Camerer 2003; Engel 2011, Exp. Econ. 14, 583–610).
* keypresses – dominant-hand rate ~ N(5.0, 0.6) taps/s (Halstead–Reitan norms,
  about 50 taps per 10 s, SD about 6), interval CV ~ U(0.06, 0.25), non-dominant
  ratio ~ N(0.9, 0.05).
* arrows, lengths, stop – diffusion parameters drift ~ U(0.15, 0.40) (lengths
  U(0.06, 0.30)), boundary ~ U(0.09, 0.16), non-decision ~ U(0.25–0.30, 0.40–0.50)
  s (ranges of EZ-diffusion fits to choice tasks, Wagenmakers et al. 2007);
  SSRT ~ N(220, 35) ms (Verbruggen et al. 2019); switch cost as drift lost on
  switch trials ~ U(0, 0.6) × drift plus reconfiguration time ~ U(20, 150) ms
  (together 50–300 ms, Monsell 2003; both components, Schmitz & Voss 2012); PRT
  reward bias ~ U(0, 0.35) (Pizzagalli et al. 2005).
* faces, hard_or_easy, digits, towers – see their bots (digit span ~ N(6.5, 1.1),
  adult norms; EEfRT willingness ~ N(0, 1.2), Treadway et al. 2009; Tower of London
  error rate ~ Beta(8, 2)).
* cards – expectancy-valence learner calibrated to the deck preferences of healthy
  adults (Steingroever, Wetzels, Horstmann, Neumann & Wagenmakers 2013, Psychol.
  Assess. 25, 180–193; Lin et al. 2013): see ``games/cards/bot.py``.
* reversal – logit(α) ~ N(logit 0.35, 0.9), β ~ LogNormal(log 5, 0.5), stickiness
  ~ N(0.3, 0.3), lapse ~ Beta(1, 40): see ``games/reversal/bot.py``.

Circular cases
--------------
Where a bot *emits* the statistic that is scored (it decides to send a share, and
the metric is the share sent), recovery is true by construction and says nothing
about the metric; such cases carry a ``circular`` reason and are printed with a
``circular`` mark. They are kept as checks that the scoring pipeline reads the
events right, not as evidence of validity.

Aims
----
``tests/scoring/test_recovery.py`` holds the mean ρ over ten seeds of every case
to its ``aim``: 0.9 unless the case's ``reason`` says why not (the tool prints the
reasons under the table).
"""

from __future__ import annotations

import argparse
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.stats import spearmanr

from games.catalog import TaskGame
from scoring.metrics import PRIMARY_METRICS, SCORERS

__all__ = ["CASES", "Case", "Recovery", "design_params", "recover", "recover_seed"]


@dataclass(frozen=True)
class Case:
    """One recovery check: a game, a bot parameter and its range, a metric, an aim.

    ``reason`` says why an ``aim`` is below 0.9; ``circular`` says why the bot emits
    the scored statistic (empty when it does not). ``test_players`` is the number of
    players per seed the test suite uses (fewer than the tool's default for the
    slowest games, to keep each test under a minute).
    """

    game_id: str
    parameter: str
    low: float
    high: float
    metric: str | None = None  # None: the game's primary metric
    aim: float = 0.9
    reason: str = ""
    circular: str = ""
    test_players: int = 30

    @property
    def metric_name(self) -> str:
        return self.metric or PRIMARY_METRICS[self.game_id]

    @property
    def label(self) -> str:
        return f"{self.game_id}-{self.parameter}"


CASES: tuple[Case, ...] = (
    Case(
        "balloons",
        "risk_propensity",
        0.3,
        0.7,
        aim=0.5,
        reason="in the BART model adjusted pumps follow the target -risk_propensity / ln q, "
        "and q, the belief about pump safety, differs between players (prior belief and its "
        "weight) and is learnt from the pops each player happens to meet; the response "
        "consistency decides how far short of the target a player stops. Over 30 balloons "
        "these spread adjusted pumps as much as risk propensity does",
        test_players=25,
    ),
    Case(
        "exchange_trust",
        "trust",
        0.05,
        0.95,
        circular="the bot draws each amount sent around its trust share; the metric is "
        "the mean share sent",
    ),
    Case(
        "exchange_split",
        "offer_share",
        0.25,
        0.6,
        circular="the bot draws each offer around its offer share; the metric is the mean "
        "offer share",
    ),
    Case(
        "keypresses",
        "tap_rate_hz",
        3.8,
        6.2,
        circular="the bot taps at its rate with jittered intervals; the metric counts the "
        "taps (finger tapping is a motor-speed measure with no choice process)",
    ),
    Case(
        "arrows",
        "switch_interference",
        0.0,
        0.15,
        aim=0.3,
        reason="the switch cost in RT adds the drift lost on switch trials (0-80 ms here) to "
        "the reconfiguration time (20-150 ms, sampled), so the decisional part alone ranks "
        "players weakly; the total switch cost is recovered well (the circular case below)",
        test_players=24,
    ),
    Case(
        "lengths",
        "reward_bias",
        0.0,
        0.35,
        aim=0.85,
        reason="log b comes from response counts of 300 trials; the players' discriminability "
        "and the rate at which their bias follows the rewards (bias_scale, sampled over a "
        "fourfold range) move it as well",
        test_players=12,
    ),
    Case(
        "faces",
        "recognition",
        1.0,
        8.0,
        aim=0.85,
        reason="70 faces; guessing drift, threshold, confusion and the pull towards neutral "
        "are sampled, and each moves the unbiased hit rate too",
    ),
    Case("hard_or_easy", "effort_willingness", -2.0, 2.0, test_players=20),
    Case(
        "stop",
        "ssrt_ms",
        150.0,
        290.0,
        aim=0.85,
        reason="with the go process (drift, boundary, omissions) and the stop process's "
        "variability sampled, the integration estimate's error is not small beside the "
        "population's SSRT spread (SD 35 ms)",
        test_players=25,
    ),
    Case(
        "digits",
        "span",
        4.7,
        8.3,
        aim=0.85,
        reason="the longest span is a whole number from two trials per length, and the "
        "population's span SD (about 1.1 digits) is close to that step; lapses and the "
        "steepness of recall with length are sampled",
    ),
    Case(
        "cards",
        "learning_rate",
        0.05,
        0.6,
        aim=0.1,
        reason="the net score is not a learning measure: with the PVL-Delta population "
        "(outcome sensitivity, loss aversion and consistency sampled) the learning rate "
        "hardly moves it (mean rho .20-.26; single seeds from -.21 to .56 with 30 players, "
        ".17 to .34 with 60); it is kept to show that, and the learning rate of the battery "
        "comes from Reversal",
    ),
    Case("towers", "planning_skill", 0.5, 1.0),
    Case(
        "reversal",
        "learning_rate",
        0.1,
        0.8,
        aim=0.85,
        reason="160 choices with the inverse temperature, stickiness and lapse sampled: the "
        "MAP learning rate ranks players at .87-.90 on average; single seeds from .73 to .97 "
        "with 12 players, .82 to .92 with 60",
        test_players=12,
    ),
    # Secondary metrics with their own parameters.
    Case(
        "arrows",
        "flanker_interference",
        0.0,
        0.15,
        "flanker_effect_ms",
        aim=0.4,
        reason="a difference of two RT means whose realistic size (0–100 ms) is small beside "
        "the trial-to-trial spread (the reliability paradox of conflict effects, Hedge, "
        "Powell & Sumner 2018); mean rho .46-.52, single seeds .27-.70; a secondary metric",
        test_players=24,
    ),
    Case(
        "exchange_trust",
        "reciprocity",
        0.05,
        0.95,
        "reciprocity",
        circular="the bot draws each amount returned around its reciprocity share; the "
        "metric is the mean share returned",
    ),
    Case(
        "exchange_split",
        "min_acceptable_share",
        0.05,
        0.55,
        "min_acceptable_offer",
        circular="the bot accepts by a logistic rule around its threshold; the metric "
        "estimates that threshold from its accept/reject choices",
    ),
    Case(
        "exchange_split",
        "dictator_share",
        0.0,
        0.6,
        "dictator_share",
        circular="the bot draws each dictator gift around its share; the metric is the "
        "mean share given",
    ),
    Case(
        "arrows",
        "switch_cost_ms",
        20.0,
        150.0,
        "switch_cost_ms",
        aim=0.6,
        reason="the drift lost on switch trials, sampled, adds its own 0-80 ms to the RT "
        "difference",
        circular="this part of the bot's switch cost is a pure shift of non-decision time on "
        "switch trials; the metric is the RT difference it shifts",
        test_players=24,
    ),
    Case("lengths", "drift", 0.06, 0.30, "log_d", test_players=12),
)


@dataclass(frozen=True)
class Recovery:
    """The Spearman ρ of one case on each seed, and their summary."""

    case: Case
    rhos: tuple[float, ...]
    players: int
    seconds: float

    @property
    def mean(self) -> float:
        return float(np.mean(self.rhos))

    @property
    def low(self) -> float:
        return float(np.min(self.rhos))

    @property
    def high(self) -> float:
        return float(np.max(self.rhos))


def recover_seed(
    case: Case,
    *,
    players: int = 60,
    seed: int = 1000,
    params: Mapping[str, Any] | None = None,
) -> float:
    """Spearman ρ between the true parameter and the metric over ``players`` bots.

    The recovered parameter is spread evenly over ``low``–``high``; each player's
    other parameters come from ``BotParams.sample`` with a generator seeded by
    ``seed`` and the case. Player ``k`` plays with schedule seed ``seed + k``. A player
    whose metric is NaN raises :class:`ValueError` naming the case: a recovery figure
    that silently drops players would overstate the metric.
    """
    game = TaskGame(case.game_id)
    task: Any = game.task
    bot: Any = game.bot
    rng = np.random.default_rng([seed, zlib.crc32(case.label.encode())])
    truth = np.linspace(case.low, case.high, players)
    found = []
    for player, value in enumerate(truth):
        bot_params = replace(bot.BotParams.sample(rng), **{case.parameter: float(value)})
        table = task.trial_table(bot.simulate(dict(params or {}), bot_params, seed + player))
        found.append(SCORERS[case.game_id](table, bootstrap=False).value(case.metric_name))
    estimates = np.array(found)
    missing = np.flatnonzero(~np.isfinite(estimates))
    if missing.size:
        raise ValueError(f"{case.label}: {case.metric_name} is NaN for players {missing.tolist()}")
    return float(spearmanr(truth, estimates).statistic)


def recover(
    case: Case,
    *,
    players: int = 60,
    seeds: int = 10,
    seed: int = 1000,
    params: Mapping[str, Any] | None = None,
) -> Recovery:
    """:func:`recover_seed` on ``seeds`` seeds (``seed``, ``seed + 10007``, ...)."""
    started = time.perf_counter()
    rhos = tuple(
        recover_seed(case, players=players, seed=seed + 10007 * k, params=params)
        for k in range(seeds)
    )
    return Recovery(case, rhos, players, time.perf_counter() - started)


def design_params(battery: str | None) -> dict[str, Mapping[str, Any]]:
    """Each game's design: ``{}`` (defaults) without a battery, else the battery's."""
    if battery is None:
        return {}
    from kiosk.battery import load_battery

    return load_battery(battery).params_by_game()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.recovery",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--battery", help="battery name or file (default: default designs)")
    parser.add_argument("--players", type=int, default=60)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--only", help="only the cases of this game")
    args = parser.parse_args(argv)
    designs = design_params(args.battery)
    print(
        f"design: {args.battery or 'default designs'}; {args.players} players per seed, "
        f"{args.seeds} seeds; nuisance parameters sampled from each bot's population"
    )
    header = f"{'game':<15} {'parameter':<21} {'metric':<21} {'mean':>6} {'range':>13} {'aim':>5}"
    print(header)
    below = 0
    notes: list[str] = []
    started = time.perf_counter()
    for case in CASES:
        if args.battery is not None and case.game_id not in designs:
            continue
        if args.only and case.game_id != args.only:
            continue
        result = recover(
            case,
            players=args.players,
            seeds=args.seeds,
            seed=args.seed,
            params=designs.get(case.game_id),
        )
        reached = result.mean >= case.aim
        below += not reached
        marks = []
        if case.circular:
            marks.append("circular")
            notes.append(f"circular {case.label}: {case.circular}")
        if case.aim < 0.9:
            notes.append(f"aim {case.aim:.2f} {case.label}: {case.reason}")
        if not reached:
            marks.append("below aim")
        span = f"{result.low:.3f}–{result.high:.3f}"
        print(
            f"{case.game_id:<15} {case.parameter:<21} {case.metric_name:<21} "
            f"{result.mean:6.3f} {span:>13} {case.aim:5.2f}  {' '.join(marks)}".rstrip(),
            flush=True,
        )
    for note in notes:
        print(note)
    print(f"{time.perf_counter() - started:.0f} s")
    return 1 if below else 0


if __name__ == "__main__":
    raise SystemExit(main())
