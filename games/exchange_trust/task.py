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

Trial table
-----------
:func:`trial_table` gives one row per completed trial (practice rows included,
flagged by ``practice``); an unfinished last trial gives no row. Columns (also in
:data:`COLUMNS`):

``trial_index``     0-based index of the round (int)
``practice``        True for a practice round (bool)
``role``            the candidate's role, 'investor' or 'trustee' (str)
``round``           1-based round within the role's practice or main rounds (int)
``endowment``       each player's endowment (units, int)
``sent``            the investor's transfer, before multiplication (units, int)
``received``        what the trustee received, sent * multiplier (units, int)
``returned``        the trustee's transfer back (units, int)
``sent_share``      sent / endowment (proportion, float)
``returned_share``  returned / received (proportion, float; NaN when 0 received)
``payoff_self``     the candidate's payoff (units, int)
``payoff_partner``  the simulated partner's payoff (units, int)
``rt_ms``           decision onset (trial start if none) to the candidate's input (ms, float)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from games.api import ConfigError, EventRecord, EventSink, GameSummary, completed_trials
from games.engine.params import merge_params

__all__ = [
    "COLUMNS",
    "DEFAULT_PARAMS",
    "DISPLAY_NAME",
    "GAME_ID",
    "ROLES",
    "VERSION",
    "TrustTask",
    "TrustTrial",
    "make_schedule",
    "partner_returns",
    "trial_table",
    "validate_params",
]

GAME_ID = "exchange_trust"
DISPLAY_NAME = "Money Exchange 1"
VERSION = "1.0.0"
ROLES: tuple[str, ...] = ("investor", "trustee")

DEFAULT_PARAMS: Mapping[str, Any] = MappingProxyType(
    {
        "endowment": 10,
        "multiplier": 3,
        "investor_rounds": 5,
        "trustee_sends": (2, 4, 6, 8, 10),
        "partner_return_min": 0.1,
        "partner_return_max": 0.5,
        "role_order": ("investor", "trustee"),
        "n_practice": 0,
    }
)

_INT_RANGES: Mapping[str, tuple[int, int]] = MappingProxyType(
    {
        "endowment": (1, 1000),
        "multiplier": (1, 10),
        "investor_rounds": (0, 50),
        "n_practice": (0, 5),
    }
)


def _bad(key: str, allowed: str, value: object) -> ConfigError:
    return ConfigError(f"{GAME_ID}: parameter {key!r} must be {allowed}, got {value!r}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    Raises :class:`ConfigError` naming the key and the allowed values or range.
    """
    merged = merge_params(GAME_ID, DEFAULT_PARAMS, params)
    for key, (low, high) in _INT_RANGES.items():
        if not _is_int(merged[key]) or not low <= merged[key] <= high:
            raise _bad(key, f"an integer in {low}..{high}", merged[key])
    sends = merged["trustee_sends"]
    endowment = merged["endowment"]
    if (
        isinstance(sends, str)
        or not isinstance(sends, Sequence)
        or len(sends) > 50
        or not all(_is_int(s) and 1 <= s <= endowment for s in sends)
    ):
        raise _bad(
            "trustee_sends", f"a list of at most 50 integers in 1..endowment={endowment}", sends
        )
    merged["trustee_sends"] = tuple(int(s) for s in sends)
    for key in ("partner_return_min", "partner_return_max"):
        value = merged[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise _bad(key, "a number in 0..1 (share of the received amount)", value)
        merged[key] = float(value)
    if merged["partner_return_min"] > merged["partner_return_max"]:
        raise _bad(
            "partner_return_min",
            f"at most partner_return_max={merged['partner_return_max']}",
            merged["partner_return_min"],
        )
    order = merged["role_order"]
    if (
        isinstance(order, str)
        or not isinstance(order, Sequence)
        or not all(isinstance(role, str) for role in order)
        or sorted(order) != sorted(ROLES)
    ):
        raise _bad("role_order", "a list holding 'investor' and 'trustee' once each", order)
    merged["role_order"] = tuple(order)
    if merged["investor_rounds"] + len(merged["trustee_sends"]) == 0:
        raise _bad("investor_rounds", "at least 1 when trustee_sends is empty", 0)
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
class TrustOutcome:
    trial_index: int
    role: str
    sent: int
    received: int
    returned: int
    payoff_self: int
    payoff_partner: int


class TrustTask:
    """The trust game state machine, driven by the view or a bot.

    Read-only state: :attr:`current_trial`, :attr:`trial_running`, :attr:`role`,
    :attr:`received` (trustee rounds), :attr:`earnings` (main rounds' payoffs),
    :attr:`last_outcome`, :attr:`finished`, :attr:`trials_done`, :attr:`trials_planned`.
    """

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        self._params = validate_params(params)
        self._schedule = make_schedule(self._params, seed)
        self._sink = sink
        self._next = 0
        self._running = False
        self._earnings = 0
        self._last: TrustOutcome | None = None
        self._finished = False

    @property
    def params(self) -> Mapping[str, Any]:
        return MappingProxyType(self._params)

    @property
    def schedule(self) -> tuple[TrustTrial, ...]:
        return self._schedule

    @property
    def current_trial(self) -> TrustTrial | None:
        if self._running:
            return self._schedule[self._next - 1]
        return self._schedule[self._next] if self._next < len(self._schedule) else None

    @property
    def trial_running(self) -> bool:
        return self._running

    @property
    def role(self) -> str | None:
        """The candidate's role in the current (or next) round."""
        trial = self.current_trial
        return None if trial is None else trial.role

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
    def earnings(self) -> int:
        return self._earnings

    @property
    def last_outcome(self) -> TrustOutcome | None:
        return self._last

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def trials_done(self) -> int:
        return self._next - 1 if self._running else self._next

    @property
    def trials_planned(self) -> int:
        return len(self._schedule)

    def start_trial(self, t_ns: int) -> TrustTrial:
        """Begin the next round; raises :class:`RuntimeError` if one runs or all are done."""
        if self._finished or self._running:
            raise RuntimeError("start_trial: a round is running or the game has finished")
        trial = self._schedule[self._next]
        self._next += 1
        self._running = True
        payload: dict[str, Any] = {
            "role": trial.role,
            "round": trial.round,
            "practice": trial.practice,
            "endowment": self._params["endowment"],
            "multiplier": self._params["multiplier"],
        }
        if trial.role == "investor":
            payload["partner_return_share"] = trial.partner_return_share
        else:
            payload.update(partner_sent=trial.partner_sent, received=self.received)
        self._sink.emit("trial_start", payload, trial_index=trial.index, t_ns=t_ns)
        return trial

    def stimulus_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The view presented the decision screen at ``t_ns``; ignored between rounds."""
        if not self._running:
            return False
        self._sink.emit(
            "stimulus_onset",
            {"stimulus": "decision", "method": method, "refresh_ns": refresh_ns},
            trial_index=self._schedule[self._next - 1].index,
            t_ns=t_ns,
        )
        return True

    def send(self, amount: int, t_ns: int) -> bool:
        """Investor round: send ``amount`` (0..endowment). Ignored in other states."""
        trial = self.current_trial
        if not self._running or trial is None or trial.role != "investor":
            return False
        endowment = self.endowment
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= endowment:
            raise ValueError(f"send: amount must be an integer in 0..{endowment}, got {amount!r}")
        self._sink.emit(
            "response", {"input": "send", "amount": amount}, trial_index=trial.index, t_ns=t_ns
        )
        received = amount * int(self._params["multiplier"])
        share = float(trial.partner_return_share or 0.0)
        returned = partner_returns(share, received)
        self._sink.emit(
            "partner_return",
            {"received": received, "returned": returned, "share": share},
            trial_index=trial.index,
            t_ns=t_ns,
        )
        self._end(
            trial,
            t_ns,
            sent=amount,
            received=received,
            returned=returned,
            payoff_self=endowment - amount + returned,
            payoff_partner=endowment + received - returned,
        )
        return True

    def return_amount(self, amount: int, t_ns: int) -> bool:
        """Trustee round: return ``amount`` (0..received). Ignored in other states."""
        trial = self.current_trial
        if not self._running or trial is None or trial.role != "trustee":
            return False
        received = self.received
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= received:
            raise ValueError(
                f"return_amount: amount must be an integer in 0..{received}, got {amount!r}"
            )
        self._sink.emit(
            "response", {"input": "return", "amount": amount}, trial_index=trial.index, t_ns=t_ns
        )
        sent = int(trial.partner_sent or 0)
        endowment = self.endowment
        self._end(
            trial,
            t_ns,
            sent=sent,
            received=received,
            returned=amount,
            payoff_self=endowment + received - amount,
            payoff_partner=endowment - sent + amount,
        )
        return True

    def _end(
        self,
        trial: TrustTrial,
        t_ns: int,
        *,
        sent: int,
        received: int,
        returned: int,
        payoff_self: int,
        payoff_partner: int,
    ) -> None:
        outcome = {
            "sent": sent,
            "received": received,
            "returned": returned,
            "payoff_self": payoff_self,
            "payoff_partner": payoff_partner,
        }
        self._sink.emit("feedback", outcome, trial_index=trial.index, t_ns=t_ns)
        self._sink.emit(
            "trial_end",
            {"role": trial.role, **outcome, "practice": trial.practice},
            trial_index=trial.index,
            t_ns=t_ns,
        )
        if not trial.practice:
            self._earnings += payoff_self
        self._last = TrustOutcome(
            trial.index, trial.role, sent, received, returned, payoff_self, payoff_partner
        )
        self._running = False
        self._sink.flush()
        if self._next >= len(self._schedule):
            self._finished = True
            self._sink.flush(durable=True)

    def summary(self) -> GameSummary:
        return GameSummary(
            game_id=GAME_ID,
            completed=self._finished,
            trials_done=self.trials_done,
            trials_planned=self.trials_planned,
            extra={"earnings": self._earnings},
        )


# ---- trial table -------------------------------------------------------------------

COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "trial_index": "0-based index of the round (int)",
        "practice": "True for a practice round (bool)",
        "role": "the candidate's role, 'investor' or 'trustee' (str)",
        "round": "1-based round within the role's practice or main rounds (int)",
        "endowment": "each player's endowment (units, int)",
        "sent": "the investor's transfer, before multiplication (units, int)",
        "received": "what the trustee received, sent * multiplier (units, int)",
        "returned": "the trustee's transfer back (units, int)",
        "sent_share": "sent / endowment (proportion, float)",
        "returned_share": "returned / received (proportion, float; NaN when 0 received)",
        "payoff_self": "the candidate's payoff (units, int)",
        "payoff_partner": "the simulated partner's payoff (units, int)",
        "rt_ms": "decision onset (trial start if none) to the candidate's input (ms, float)",
    }
)


def _first(trial: Sequence[EventRecord], kind: str) -> EventRecord | None:
    return next((e for e in trial if e.kind == kind), None)


def trial_table(events: Sequence[EventRecord]) -> dict[str, NDArray[Any]]:
    """One row per completed round, columns as documented in :data:`COLUMNS`.

    Built from stored events only; an incomplete last round gives no row.
    """
    rows: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    for trial in completed_trials(events):
        start = _first(trial, "trial_start")
        end = _first(trial, "trial_end")
        assert start is not None and end is not None
        onset = _first(trial, "stimulus_onset")
        response = _first(trial, "response")
        t0 = onset.t_ns if onset is not None else start.t_ns
        endowment = int(start.payload["endowment"])
        sent, received = int(end.payload["sent"]), int(end.payload["received"])
        returned = int(end.payload["returned"])
        rows["trial_index"].append(start.trial_index)
        rows["practice"].append(bool(start.payload["practice"]))
        rows["role"].append(str(start.payload["role"]))
        rows["round"].append(int(start.payload["round"]))
        rows["endowment"].append(endowment)
        rows["sent"].append(sent)
        rows["received"].append(received)
        rows["returned"].append(returned)
        rows["sent_share"].append(sent / endowment)
        rows["returned_share"].append(returned / received if received else float("nan"))
        rows["payoff_self"].append(int(end.payload["payoff_self"]))
        rows["payoff_partner"].append(int(end.payload["payoff_partner"]))
        rows["rt_ms"].append(((response.t_ns if response else end.t_ns) - t0) / 1e6)
    dtypes: Mapping[str, Any] = {
        "practice": np.bool_,
        "role": np.dtype("<U8"),
        "sent_share": np.float64,
        "returned_share": np.float64,
        "rt_ms": np.float64,
    }
    return {
        name: np.asarray(values, dtype=dtypes.get(name, np.int64)) for name, values in rows.items()
    }
