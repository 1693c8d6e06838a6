"""Money Exchange 2: the rules, partner policy and trial table of ultimatum and dictator games.

Paradigms: the ultimatum game of Güth, Schmittberger & Schwarze (1982), J. Econ. Behav.
Organ. 3, 367-388, and the dictator game of Forsythe, Horowitz, Savin & Sefton (1994),
Games Econ. Behav. 6, 347-369.

Rules
-----
Every round splits a ``pot`` of 10 units between the candidate and a simulated partner
(a new partner each round; one-shot).

* Proposer rounds (``proposer_rounds``, 5): the candidate offers the partner a whole
  amount ``0..pot``. If the partner accepts, the partner gets the offer and the
  candidate the rest; if it rejects, both get 0.
* Responder rounds: the partner offers the candidate an amount; the candidate accepts
  (the split stands) or rejects (both get 0). Each share of
  ``responder_offer_shares`` (10%, 20%, 30%, 40%, 50% of the pot) is offered
  ``responder_repeats`` (2) times, all in one order shuffled by the seed. The amount is
  ``floor(share * pot + 0.5)``.
* Dictator rounds (``dictator_rounds``, 3): the candidate gives the partner any amount
  ``0..pot``; there is no veto.

Roles are played in blocks in the order of ``role_order`` (proposer, responder,
dictator by default); ``n_practice`` (0) practice rounds open each block that has main
rounds. Practice responder rounds offer half the pot.

Partner policy (documented, seeded)
-----------------------------------
The simulated responder of each proposer round has a minimum acceptable share drawn
from the seed, ``threshold ~ Uniform(partner_threshold_min, partner_threshold_max)``
= U(0.1, 0.4) by default, and accepts when ``offer / pot >= threshold``. With the
defaults, offers of 40% or more are always accepted, offers under 10% always rejected,
20% accepted with probability 1/3 and 30% with probability 2/3, in line with the
rejection rates reported across ultimatum studies (Camerer 2003, Behavioral Game
Theory, ch. 2). The threshold does not depend on earlier rounds.

Inputs
------
``start_trial(t_ns)``, ``stimulus_shown(t_ns, method, refresh_ns)`` when the decision
screen is visible, then one decision with the input's own stamp: ``offer(amount,
t_ns)`` (proposer), ``respond(accept, t_ns)`` (responder) or ``give(amount, t_ns)``
(dictator). A decision for another role, or while no round runs, is *ignored*
(returns ``False``); an amount outside ``0..pot`` or a non-bool ``accept`` raises
:class:`ValueError`; ``start_trial`` while a round runs or after the end raises
:class:`RuntimeError`.

Events (every event carries ``trial_index``, 0-based over all rounds)
-------------------------------------------------------------------
``trial_start``       ``role`` ("proposer"/"responder"/"dictator": the candidate's
                      role), ``round`` (1-based within the role's practice or main
                      rounds), ``practice``, ``pot``; responder rounds: ``offer``
                      (units offered to the candidate) and ``offer_share``; proposer
                      rounds: ``partner_threshold`` (the simulated responder's minimum
                      acceptable share)
``stimulus_onset``    ``stimulus`` = ``"decision"``, ``method``, ``refresh_ns``
``response``          ``input`` = ``"offer"`` or ``"give"`` with ``amount`` (units), or
                      ``input`` = ``"respond"`` with ``accept`` (bool)
``partner_response``  (game-specific, proposer rounds) ``accepted``, ``threshold``
``feedback``          ``accepted``, ``payoff_self``, ``payoff_partner`` (units)
``trial_end``         ``role``, ``offer`` (units going to the non-proposing side: the
                      candidate's offer or gift, or the partner's offer to the
                      candidate), ``offer_share`` (offer / pot), ``accepted`` (always
                      true in dictator rounds), ``payoff_self``, ``payoff_partner``,
                      ``practice``

Feedback and trial end carry the decision's stamp. The sink is flushed at each trial
end and durably at the end.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from games.api import TASK_EXPORTS, EventRecord, EventSink, completed_trials
from games.engine.params import ParamSchema, bad_param, check_bound
from games.engine.trial import RoleOutcome, RoleTask, TableSchema, first_event, ms_between

__all__ = [*TASK_EXPORTS, "ROLES", "SplitTask", "SplitTrial", "offer_amount"]

GAME_ID = "exchange_split"
DISPLAY_NAME = "Money Exchange 2"
VERSION = "1.0.0"

_PARAMS = ParamSchema.load(GAME_ID)
DEFAULT_PARAMS: Mapping[str, Any] = _PARAMS.defaults
ROLES: tuple[str, ...] = DEFAULT_PARAMS["role_order"]  # each once in a ``role_order``


def _is_share(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and 0 <= value <= 1


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    Raises :class:`~games.api.ConfigError` naming the key and the allowed values or
    range (as ``params.toml`` declares them, and the shares and rounds checked here).
    """
    merged = _PARAMS.validate(params)
    shares = merged["responder_offer_shares"]
    if (
        isinstance(shares, str)
        or not isinstance(shares, Sequence)
        or len(shares) > 20
        or not all(_is_share(s) for s in shares)
    ):
        allowed = "a list of at most 20 numbers in 0..1"
        raise bad_param(GAME_ID, "responder_offer_shares", allowed, shares)
    merged["responder_offer_shares"] = tuple(float(s) for s in shares)
    for key in ("partner_threshold_min", "partner_threshold_max"):
        if not _is_share(merged[key]):
            raise bad_param(GAME_ID, key, "a number in 0..1 (share of the pot)", merged[key])
        merged[key] = float(merged[key])
    check_bound(GAME_ID, merged, "partner_threshold_min", "at most", "partner_threshold_max")
    if sum(_main_rounds(merged, role) for role in ROLES) == 0:
        raise bad_param(GAME_ID, "proposer_rounds", "at least 1 when no other role has rounds", 0)
    return merged


def _main_rounds(p: Mapping[str, Any], role: str) -> int:
    if role == "proposer":
        return int(p["proposer_rounds"])
    if role == "dictator":
        return int(p["dictator_rounds"])
    return len(p["responder_offer_shares"]) * int(p["responder_repeats"])


def offer_amount(share: float, pot: int) -> int:
    """The whole amount for ``share`` of ``pot``: ``floor(share * pot + 0.5)``."""
    return min(pot, math.floor(share * pot + 0.5))


@dataclass(frozen=True, slots=True)
class SplitTrial:
    """One round. ``offer`` is set in responder rounds, ``partner_threshold`` in
    proposer rounds."""

    index: int  # 0-based over all rounds
    role: str  # the candidate's role
    round: int  # 1-based within the role's practice or main rounds
    practice: bool
    offer: int | None  # units the partner offers the candidate (responder rounds)
    partner_threshold: float | None  # simulated responder's minimum share (proposer)

    def design(self) -> dict[str, Any]:
        """The round as a JSON-ready ``trial_start`` payload (without ``index`` and ``pot``)."""
        design: dict[str, Any] = {"role": self.role, "round": self.round, "practice": self.practice}
        if self.role == "responder":
            design["offer"] = self.offer
        elif self.role == "proposer":
            design["partner_threshold"] = self.partner_threshold
        return design


def make_schedule(params: Mapping[str, Any], seed: int) -> tuple[SplitTrial, ...]:
    """All rounds in order: per role block with main rounds, practice then main."""
    p = validate_params(params)
    rng = np.random.default_rng(seed)
    pot, n_practice = p["pot"], p["n_practice"]
    low, high = p["partner_threshold_min"], p["partner_threshold_max"]
    thresholds = rng.uniform(low, high, size=n_practice + p["proposer_rounds"])
    levels = np.tile(
        np.array(p["responder_offer_shares"], dtype=np.float64), p["responder_repeats"]
    )
    offers = [offer_amount(float(s), pot) for s in rng.permutation(levels)]
    trials: list[SplitTrial] = []
    for role in p["role_order"]:
        n_main = _main_rounds(p, role)
        if n_main == 0:
            continue
        for k in range(n_practice + n_main):
            practice = k < n_practice
            rnd = k + 1 if practice else k - n_practice + 1
            offer: int | None = None
            threshold: float | None = None
            if role == "responder":
                offer = offer_amount(0.5, pot) if practice else offers[k - n_practice]
            elif role == "proposer":
                threshold = float(thresholds[k])
            trials.append(SplitTrial(len(trials), role, rnd, practice, offer, threshold))
    return tuple(trials)


@dataclass(frozen=True, slots=True)
class SplitOutcome(RoleOutcome):
    """How a round ended (the ``trial_end`` payload as a value)."""

    offer: int
    accepted: bool


class SplitTask(RoleTask[SplitTrial, SplitOutcome]):
    """The ultimatum / dictator state machine, driven by the view or a bot.

    Read-only state beyond :class:`~games.engine.trial.RoleTask`'s: :attr:`pot` (also
    the :attr:`amount_limit`), :attr:`offer_to_candidate` (responder rounds).
    """

    game_id = GAME_ID

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        valid = validate_params(params)
        super().__init__(valid, make_schedule(valid, seed), sink)

    # ---- read-only state -------------------------------------------------------
    @property
    def pot(self) -> int:
        return int(self._params["pot"])

    @property
    def amount_limit(self) -> int:
        """The most the candidate may offer or give: the pot."""
        return self.pot

    @property
    def offer_to_candidate(self) -> int:
        """In a responder round: the partner's offer (else 0)."""
        trial = self.current_trial
        return 0 if trial is None or trial.offer is None else trial.offer

    # ---- calls from the view -----------------------------------------------------
    def start_trial(self, t_ns: int) -> SplitTrial:
        """Begin the next round; raises :class:`RuntimeError` if one runs or all are done."""
        offer = self.offer_to_candidate
        extra: dict[str, Any] = {"pot": self.pot}
        if self.role == "responder":
            extra["offer_share"] = offer / self.pot
        return self._begin_round(t_ns, extra)

    def offer(self, amount: int, t_ns: int) -> bool:
        """Proposer round: offer ``amount`` to the partner. Ignored in other states."""
        self._check_amount("offer", amount)
        trial = self._running_as("proposer")
        if trial is None:
            return False
        self._emit("response", {"input": "offer", "amount": amount}, t_ns)
        threshold = float(trial.partner_threshold or 0.0)
        accepted = amount / self.pot >= threshold
        self._emit("partner_response", {"accepted": accepted, "threshold": threshold}, t_ns)
        split = (self.pot - amount, amount) if accepted else (0, 0)
        self._end(trial, t_ns, amount, accepted, split)
        return True

    def respond(self, accept: bool, t_ns: int) -> bool:
        """Responder round: accept or reject the partner's offer. Ignored in other states."""
        if not isinstance(accept, bool):
            raise ValueError(f"respond: accept must be True or False, got {accept!r}")
        trial = self._running_as("responder")
        if trial is None:
            return False
        self._emit("response", {"input": "respond", "accept": accept}, t_ns)
        amount = self.offer_to_candidate
        split = (amount, self.pot - amount) if accept else (0, 0)
        self._end(trial, t_ns, amount, accept, split)
        return True

    def give(self, amount: int, t_ns: int) -> bool:
        """Dictator round: give ``amount`` to the partner. Ignored in other states."""
        self._check_amount("give", amount)
        trial = self._running_as("dictator")
        if trial is None:
            return False
        self._emit("response", {"input": "give", "amount": amount}, t_ns)
        self._end(trial, t_ns, amount, True, (self.pot - amount, amount))
        return True

    def _end(
        self, trial: SplitTrial, t_ns: int, offer: int, accepted: bool, split: tuple[int, int]
    ) -> None:
        """Close the round: ``split`` is (the candidate's payoff, the partner's)."""
        payoffs = {"payoff_self": split[0], "payoff_partner": split[1]}
        end = {"offer": offer, "offer_share": offer / self.pot, "accepted": accepted, **payoffs}
        outcome = SplitOutcome(trial.index, trial.role, *split, offer=offer, accepted=accepted)
        self._end_round(trial, t_ns, {"accepted": accepted, **payoffs}, end, outcome)


# ---- trial table -------------------------------------------------------------------

_TABLE = TableSchema.load(GAME_ID)
COLUMNS: Mapping[str, str] = _TABLE.descriptions


def trial_table(events: Sequence[EventRecord]) -> dict[str, NDArray[Any]]:
    """One row per completed round, columns as declared in ``table.toml`` (:data:`COLUMNS`).

    Built from stored events only; an incomplete last round gives no row.
    """
    table = _TABLE.builder()
    for trial in completed_trials(events):
        start, end = trial[0], trial[-1]
        onset = first_event(trial, "stimulus_onset") or start
        threshold = start.payload.get("partner_threshold")
        table.add_trial(
            trial,
            offer_share=int(end.payload["offer"]) / int(start.payload["pot"]),
            partner_threshold=float("nan") if threshold is None else float(threshold),
            rt_ms=ms_between(onset, first_event(trial, "response") or end),
        )
    return table.columns()
