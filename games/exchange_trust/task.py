"""Money Exchange 1: the rules, partner policy and trial table of a two-role trust game.

Paradigm: Berg, Dickhaut & McCabe (1995), "Trust, reciprocity, and social history",
Games and Economic Behavior 10, 122-142.

Rules
-----
Both players hold an ``endowment`` of 10 units in every round.

* Investor rounds (``investor_rounds``, 5): the candidate sends any whole amount
  ``0..endowment`` to the partner; it is multiplied by ``multiplier`` (3) on the way;
  the simulated partner returns part of what it received.
  Payoffs: candidate ``endowment - sent + returned``, partner
  ``endowment + multiplier * sent - returned``.
* Trustee rounds: a simulated investor sends an amount; the candidate receives it
  multiplied and decides how much of the received amount (``0..received``) to return.
  Payoffs: candidate ``endowment + received - returned``, partner
  ``endowment - sent + returned``.

Roles are played in blocks, in the order of ``role_order`` (investor first by
default); ``n_practice`` (0) practice rounds open each block. No round's outcome is
carried into the next: each round is a one-shot exchange with a new partner.

Partner policy (documented, seeded)
-----------------------------------
* As trustee, the simulated partner returns a share of what it received drawn
  independently for each investor round, ``share ~ Uniform(partner_return_min,
  partner_return_max)`` = U(0.1, 0.5) by default (mean 0.3: on average the candidate
  gets back about 90% of what was sent, as in Berg et al.'s no-history data); the
  amount returned is ``floor(share * received + 0.5)``. The share does not depend on
  what the candidate sends.
* As investor, the simulated partner sends each amount of ``trustee_sends``
  (2, 4, 6, 8, 10) once, in an order shuffled by the seed (one trustee round per
  amount). Practice trustee rounds send ``max(1, endowment // 2)``.

Inputs
------
``start_trial(t_ns)``, then ``stimulus_shown(t_ns, method, refresh_ns)`` when the
decision screen is visible, then ``send(amount, t_ns)`` in investor rounds or
``return_amount(amount, t_ns)`` in trustee rounds, with the input's own stamp. An input
for the other role, or while no round runs, is *ignored* (returns ``False``); an amount
outside its range (or not an integer) raises :class:`ValueError`; ``start_trial`` while
a round runs or after the end raises :class:`RuntimeError`.

Events (every event carries ``trial_index``, 0-based over all rounds)
-------------------------------------------------------------------
``trial_start``     ``role`` ("investor"/"trustee": the candidate's role), ``round``
                    (1-based within the role's practice or main rounds), ``practice``,
                    ``endowment``, ``multiplier``; investor rounds: ``partner_return_share``
                    (the partner's scheduled share); trustee rounds: ``partner_sent``
                    and ``received`` (= multiplier * partner_sent)
``stimulus_onset``  ``stimulus`` = ``"decision"``, ``method``, ``refresh_ns``
``response``        ``input`` = ``"send"`` or ``"return"``, ``amount`` (units)
``partner_return``  (game-specific, investor rounds) ``received``, ``returned``,
                    ``share``: the simulated trustee's decision
``feedback``        ``sent``, ``received``, ``returned``, ``payoff_self``,
                    ``payoff_partner`` (units)
``trial_end``       ``role``, ``sent``, ``received``, ``returned``, ``payoff_self``,
                    ``payoff_partner``, ``practice``

``sent`` is always the investor's transfer and ``returned`` the trustee's, whoever
plays them. Feedback and trial end carry the decision's stamp. The sink is flushed at
each trial end and durably at the end.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from games.api import TASK_EXPORTS, EventRecord, EventSink, completed_trials
from games.engine.params import ParamSchema, bad_param, check_bound, is_int
from games.engine.trial import RoleOutcome, RoleTask, TableSchema, first_event, ms_between

__all__ = [*TASK_EXPORTS, "ROLES", "TrustTask", "TrustTrial", "partner_returns"]

GAME_ID = "exchange_trust"
DISPLAY_NAME = "Money Exchange 1"
VERSION = "1.0.0"

_PARAMS = ParamSchema.load(GAME_ID)
DEFAULT_PARAMS: Mapping[str, Any] = _PARAMS.defaults
ROLES: tuple[str, ...] = DEFAULT_PARAMS["role_order"]  # each once in a ``role_order``


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    Raises :class:`~games.api.ConfigError` naming the key and the allowed values or
    range (as ``params.toml`` declares them, and the transfers checked here).
    """
    merged = _PARAMS.validate(params)
    sends = merged["trustee_sends"]
    endowment = merged["endowment"]
    if (
        isinstance(sends, str)
        or not isinstance(sends, Sequence)
        or len(sends) > 50
        or not all(is_int(s) and 1 <= s <= endowment for s in sends)
    ):
        allowed = f"a list of at most 50 integers in 1..endowment={endowment}"
        raise bad_param(GAME_ID, "trustee_sends", allowed, sends)
    merged["trustee_sends"] = tuple(int(s) for s in sends)
    for key in ("partner_return_min", "partner_return_max"):
        value = merged[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise bad_param(GAME_ID, key, "a number in 0..1 (share of the received amount)", value)
        merged[key] = float(value)
    check_bound(GAME_ID, merged, "partner_return_min", "at most", "partner_return_max")
    if merged["investor_rounds"] + len(merged["trustee_sends"]) == 0:
        raise bad_param(GAME_ID, "investor_rounds", "at least 1 when trustee_sends is empty", 0)
    return merged


@dataclass(frozen=True, slots=True)
class TrustTrial:
    """One round. ``partner_return_share`` is set in investor rounds, ``partner_sent``
    in trustee rounds."""

    index: int  # 0-based over all rounds
    role: str  # the candidate's role
    round: int  # 1-based within the role's practice or main rounds
    practice: bool
    partner_return_share: float | None
    partner_sent: int | None

    def design(self) -> dict[str, Any]:
        """The round as a JSON-ready ``trial_start`` payload (without ``index``, the
        endowment, the multiplier and what the candidate receives)."""
        design: dict[str, Any] = {"role": self.role, "round": self.round, "practice": self.practice}
        if self.role == "investor":
            design["partner_return_share"] = self.partner_return_share
        else:
            design["partner_sent"] = self.partner_sent
        return design


def make_schedule(params: Mapping[str, Any], seed: int) -> tuple[TrustTrial, ...]:
    """All rounds in order: per role block, practice then main rounds."""
    p = validate_params(params)
    rng = np.random.default_rng(seed)
    low, high = p["partner_return_min"], p["partner_return_max"]
    n_practice = p["n_practice"]
    shares = rng.uniform(low, high, size=n_practice + p["investor_rounds"])
    sends = [int(s) for s in rng.permutation(np.array(p["trustee_sends"], dtype=np.int64))]
    practice_send = max(1, p["endowment"] // 2)
    trials: list[TrustTrial] = []
    for role in p["role_order"]:
        if role == "investor":
            for k in range(n_practice + p["investor_rounds"]):
                practice = k < n_practice
                rnd = k + 1 if practice else k - n_practice + 1
                trials.append(TrustTrial(len(trials), role, rnd, practice, float(shares[k]), None))
        else:
            for k in range(n_practice + len(sends)):
                practice = k < n_practice
                rnd = k + 1 if practice else k - n_practice + 1
                sent = practice_send if practice else sends[k - n_practice]
                trials.append(TrustTrial(len(trials), role, rnd, practice, None, sent))
    return tuple(trials)


def partner_returns(share: float, received: int) -> int:
    """What the simulated trustee returns: ``floor(share * received + 0.5)``."""
    return min(received, math.floor(share * received + 0.5))


@dataclass(frozen=True, slots=True)
class TrustOutcome(RoleOutcome):
    """How a round ended (the ``trial_end`` payload as a value)."""

    sent: int
    received: int
    returned: int


class TrustTask(RoleTask[TrustTrial, TrustOutcome]):
    """The trust game state machine, driven by the view or a bot.

    Read-only state beyond :class:`~games.engine.trial.RoleTask`'s: :attr:`endowment`,
    :attr:`received` (trustee rounds).
    """

    game_id = GAME_ID

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        valid = validate_params(params)
        super().__init__(valid, make_schedule(valid, seed), sink)

    # ---- read-only state -------------------------------------------------------
    @property
    def endowment(self) -> int:
        return int(self._params["endowment"])

    @property
    def received(self) -> int:
        """In a trustee round: the multiplied amount the candidate holds (else 0)."""
        trial = self.current_trial
        if trial is None or trial.partner_sent is None:
            return 0
        return trial.partner_sent * int(self._params["multiplier"])

    @property
    def amount_limit(self) -> int:
        """The most the candidate may send (the endowment) or return (what it received)."""
        return self.endowment if self.role == "investor" else self.received

    # ---- calls from the view -----------------------------------------------------
    def start_trial(self, t_ns: int) -> TrustTrial:
        """Begin the next round; raises :class:`RuntimeError` if one runs or all are done."""
        extra: dict[str, Any] = {
            "endowment": self._params["endowment"],
            "multiplier": self._params["multiplier"],
        }
        if self.role == "trustee":
            extra["received"] = self.received
        return self._begin_round(t_ns, extra)

    def send(self, amount: int, t_ns: int) -> bool:
        """Investor round: send ``amount`` (0..endowment). Ignored in other states."""
        trial = self._running_as("investor")
        if trial is None:
            return False
        endowment = self.endowment
        self._check_amount("send", amount)
        self._emit("response", {"input": "send", "amount": amount}, t_ns)
        received = amount * int(self._params["multiplier"])
        share = float(trial.partner_return_share or 0.0)
        returned = partner_returns(share, received)
        self._emit(
            "partner_return", {"received": received, "returned": returned, "share": share}, t_ns
        )
        kept = endowment - amount + returned
        self._end(trial, t_ns, amount, received, returned, (kept, endowment + received - returned))
        return True

    def return_amount(self, amount: int, t_ns: int) -> bool:
        """Trustee round: return ``amount`` (0..received). Ignored in other states."""
        trial = self._running_as("trustee")
        if trial is None:
            return False
        received = self.received
        self._check_amount("return_amount", amount)
        self._emit("response", {"input": "return", "amount": amount}, t_ns)
        sent = int(trial.partner_sent or 0)
        kept = self.endowment + received - amount
        self._end(trial, t_ns, sent, received, amount, (kept, self.endowment - sent + amount))
        return True

    def _end(
        self,
        trial: TrustTrial,
        t_ns: int,
        sent: int,
        received: int,
        returned: int,
        payoffs: tuple[int, int],
    ) -> None:
        """Close the round: ``payoffs`` are (the candidate's, the partner's)."""
        shown = {
            "sent": sent,
            "received": received,
            "returned": returned,
            "payoff_self": payoffs[0],
            "payoff_partner": payoffs[1],
        }
        outcome = TrustOutcome(trial.index, trial.role, **shown)
        self._end_round(trial, t_ns, shown, shown, outcome)


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
        sent, received, returned = (int(end.payload[k]) for k in ("sent", "received", "returned"))
        table.add_trial(
            trial,
            sent_share=sent / int(start.payload["endowment"]),
            returned_share=returned / received if received else float("nan"),
            rt_ms=ms_between(onset, first_event(trial, "response") or end),
        )
    return table.columns()
