"""Cards: the rules, deck schedule and trial table of an Iowa Gambling Task.

Paradigm: Bechara, Damasio, Damasio & Anderson (1994), "Insensitivity to future
consequences following damage to human prefrontal cortex", Cognition 50, 7-15.

Rules
-----
The candidate starts with a ``loan`` of 2000 and makes ``n_picks`` (100) picks from
four decks A, B, C and D. Every card pays the deck's win (``deck_win``: A and B 100,
C and D 50); some cards also carry a loss. ``deck_losses`` gives each deck's fixed
sequence of losses, card by card (0: no loss); when a deck's sequence is used up it
starts again from its first card.

The default sequences are the fixed 40-card schedule of Bechara et al. (1994, their
Figure 1), the "traditional payoff scheme with variable loss in deck C" (payoff
scheme 1) as tabulated by Steingroever, Wetzels, Horstmann, Neumann & Wagenmakers
(2013), "Performance of healthy participants on the Iowa Gambling Task",
Psychological Assessment 25, 180-193. Cards with a loss (1-based position: loss):

====  ===  ==============================================================  ========
deck  win  losses                                                          net/40
====  ===  ==============================================================  ========
A     100  3:150 5:300 7:200 9:250 10:350 12:350 14:250 15:200 17:300      -1000
           18:150 22:300 24:350 26:200 27:250 28:150 31:350 32:200
           33:250 37:150 38:300
B     100  9:1250 14:1250 21:1250 32:1250                                  -1000
C     50   3:50 5:50 7:50 9:50 10:50 12:25 13:75 17:25 18:75 20:50         +1000
           24:50 25:25 26:50 29:75 30:50 34:25 35:25 37:75 39:50 40:75
D     50   10:250 20:250 29:250 35:250                                     +1000
====  ===  ==============================================================  ========

So every run of 10 cards of a deck nets -250 (A, B) or +250 (C, D), as SCIENCE.md
says; A and C lose often and little, B and D rarely and much. A deck is
*advantageous* when its net over its sequence is positive (C and D).

One schedule for everyone. The sequences do not depend on the seed: every candidate
meets the same cards in the same order from each deck, as in Bechara et al.'s task,
so that differences between candidates' scores come from their choices, not from
their luck. (Version 1 of this game shuffled the loss positions within each 10 cards
by seed; scores from the two versions are not comparable card by card.)
:func:`make_schedule` returns every deck's cards as a tuple of :class:`DeckCard`
(deck, position, win, loss), by deck then position; its ``seed`` is ignored.

Practice picks (``n_practice``, default 0) come first; they show only the chosen
deck's win, and leave the bank and the decks' card positions untouched.

Inputs
------
``start_trial(t_ns)`` begins a pick, ``stimulus_shown(t_ns, method, refresh_ns)``
reports when the decks became visible, ``choose(deck, t_ns)`` is the candidate's
click with its own stamp. ``choose`` outside a running pick is *ignored* (returns
``False``); an unknown deck name raises :class:`ValueError`; ``start_trial`` while a
pick is running or after the end raises :class:`RuntimeError`.

Events (every event carries ``trial_index``, 0-based over practice and main picks)
---------------------------------------------------------------------------------
``trial_start``     ``pick`` (1-based within its block), ``practice`` (bool),
                    ``block`` (1-based block of ``picks_per_block`` main picks;
                    0 for practice)
``stimulus_onset``  ``stimulus`` = ``"decks"``, ``method``, ``refresh_ns``
``response``        ``input`` = ``"deck"``, ``deck`` ("A".."D"), ``deck_pick``
                    (1-based count of main picks from that deck; 0 for practice)
``feedback``        ``deck``, ``win``, ``loss``, ``net`` (win - loss), ``bank``
``trial_end``       ``deck``, ``win``, ``loss``, ``net``, ``bank`` (after the pick),
                    ``advantageous`` (bool), ``practice``

Money is in task units (the loan is 2000). Feedback and trial end carry the stamp of
the choice. The sink is flushed at each trial end and durably at the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from numpy.typing import NDArray

from games.api import TASK_EXPORTS, ConfigError, EventRecord, EventSink, completed_trials
from games.engine.params import ParamSchema, is_int
from games.engine.trial import OpenPhase, TableSchema, TrialTask, first_event, ms_between

__all__ = [
    *TASK_EXPORTS,
    "BECHARA_1994_LOSSES",
    "DECKS",
    "CardsTask",
    "CardsTrial",
    "DeckCard",
    "net_per_sequence",
]

GAME_ID = "cards"
DISPLAY_NAME = "Cards"
VERSION = "2.0.0"
DECKS: tuple[str, ...] = ("A", "B", "C", "D")

# Bechara et al. (1994), Figure 1; Steingroever et al. (2013), payoff scheme 1: the loss
# on each of a deck's 40 cards, in order (0: no loss).
# fmt: off
BECHARA_1994_LOSSES: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {
        "A": (0, 0, 150, 0, 300, 0, 200, 0, 250, 350, 0, 350, 0, 250, 200, 0, 300, 150, 0, 0,
              0, 300, 0, 350, 0, 200, 250, 150, 0, 0, 350, 200, 250, 0, 0, 0, 150, 300, 0, 0),
        "B": (0, 0, 0, 0, 0, 0, 0, 0, 1250, 0, 0, 0, 0, 1250, 0, 0, 0, 0, 0, 0,
              1250, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1250, 0, 0, 0, 0, 0, 0, 0, 0),
        "C": (0, 0, 50, 0, 50, 0, 50, 0, 50, 50, 0, 25, 75, 0, 0, 0, 25, 75, 0, 50,
              0, 0, 0, 50, 25, 50, 0, 0, 75, 50, 0, 0, 0, 25, 25, 0, 75, 0, 50, 75),
        "D": (0, 0, 0, 0, 0, 0, 0, 0, 0, 250, 0, 0, 0, 0, 0, 0, 0, 0, 0, 250,
              0, 0, 0, 0, 0, 0, 0, 0, 250, 0, 0, 0, 0, 0, 250, 0, 0, 0, 0, 0),
    }
)
# fmt: on

_PARAMS = ParamSchema.load(GAME_ID, deck_losses=BECHARA_1994_LOSSES)
DEFAULT_PARAMS: Mapping[str, Any] = _PARAMS.defaults
_MAX_AMOUNT = 100_000
_MAX_SEQUENCE = 1000


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    The counts are checked as ``params.toml`` declares them; ``deck_win`` maps each of
    A-D to an integer 0..100000; ``deck_losses`` maps each of A-D to a non-empty list
    of at most 1000 integers 0..100000 (0: no loss). Raises :class:`ConfigError` naming
    the key and the allowed values.
    """
    merged = _PARAMS.validate(params)
    wins = merged["deck_win"]
    if not isinstance(wins, Mapping) or set(wins) != set(DECKS):
        raise ConfigError(
            f"{GAME_ID}: parameter 'deck_win' must map exactly the decks A, B, C, D to "
            f"integers in 0..{_MAX_AMOUNT}, got {wins!r}"
        )
    for deck in DECKS:
        if not is_int(wins[deck]) or not 0 <= wins[deck] <= _MAX_AMOUNT:
            raise ConfigError(
                f"{GAME_ID}: parameter 'deck_win' for deck {deck} must be an integer in "
                f"0..{_MAX_AMOUNT}, got {wins[deck]!r}"
            )
    losses = merged["deck_losses"]
    if not isinstance(losses, Mapping) or set(losses) != set(DECKS):
        raise ConfigError(
            f"{GAME_ID}: parameter 'deck_losses' must map exactly the decks A, B, C, D to "
            f"lists of loss amounts, got {losses!r}"
        )
    for deck in DECKS:
        amounts = losses[deck]
        if (
            isinstance(amounts, str | bytes)
            or not isinstance(amounts, Sequence)
            or not 1 <= len(amounts) <= _MAX_SEQUENCE
            or not all(is_int(a) and 0 <= a <= _MAX_AMOUNT for a in amounts)
        ):
            raise ConfigError(
                f"{GAME_ID}: parameter 'deck_losses' for deck {deck} must be a list of 1 to "
                f"{_MAX_SEQUENCE} integers in 0..{_MAX_AMOUNT} (one per card), got {amounts!r}"
            )
    merged["deck_win"] = {deck: int(wins[deck]) for deck in DECKS}
    merged["deck_losses"] = {deck: tuple(int(a) for a in losses[deck]) for deck in DECKS}
    return merged


def net_per_sequence(params: Mapping[str, Any]) -> dict[str, int]:
    """Each deck's net outcome over one pass through its loss sequence."""
    p = validate_params(params)
    return {
        d: len(p["deck_losses"][d]) * p["deck_win"][d] - sum(p["deck_losses"][d]) for d in DECKS
    }


@dataclass(frozen=True, slots=True)
class DeckCard:
    """One card of a deck: the ``position``-th (0-based) card drawn from ``deck``."""

    deck: str
    position: int
    win: int
    loss: int


@dataclass(frozen=True, slots=True)
class CardsTrial:
    """One pick."""

    index: int  # 0-based over practice and main picks
    pick: int  # 1-based within its block (practice or main)
    practice: bool
    block: int  # 1-based block of picks_per_block main picks; 0 for practice

    def design(self) -> dict[str, Any]:
        """The pick's design as a ``trial_start`` payload (without ``index``)."""
        return {"pick": self.pick, "practice": self.practice, "block": self.block}


def make_schedule(params: Mapping[str, Any], seed: int = 0) -> tuple[DeckCard, ...]:
    """Every deck's cards (deck A's, then B's ...), ``n_picks`` of each.

    Each deck's loss sequence repeats as often as needed. ``seed`` is accepted for the
    games' common interface and ignored: the schedule is the same for everyone.
    """
    del seed
    p = validate_params(params)
    cards: list[DeckCard] = []
    for deck in DECKS:
        sequence = p["deck_losses"][deck]
        for k in range(p["n_picks"]):
            cards.append(DeckCard(deck, k, p["deck_win"][deck], sequence[k % len(sequence)]))
    return tuple(cards)


def _trials(p: Mapping[str, Any]) -> tuple[CardsTrial, ...]:
    n_practice = p["n_practice"]
    trials = [CardsTrial(i, i + 1, True, 0) for i in range(n_practice)]
    for k in range(p["n_picks"]):
        trials.append(CardsTrial(n_practice + k, k + 1, False, k // p["picks_per_block"] + 1))
    return tuple(trials)


@dataclass(frozen=True, slots=True)
class PickOutcome:
    """What one pick paid."""

    trial_index: int
    deck: str
    win: int
    loss: int
    bank: int
    practice: bool

    @property
    def net(self) -> int:
        return self.win - self.loss


class CardsTask(TrialTask[CardsTrial, OpenPhase, PickOutcome]):
    """The IGT state machine, driven by the view or a bot.

    Read-only state (beyond :class:`~games.engine.trial.TrialTask`'s): :attr:`trials`
    (the picks, as :attr:`schedule`), :attr:`bank`, :attr:`deck_counts` (main picks
    per deck). :attr:`trials_done` and :attr:`trials_planned` count practice picks.
    """

    game_id = GAME_ID
    stimulus = "decks"

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        valid = validate_params(params)
        super().__init__(valid, _trials(valid), sink, OpenPhase)
        self._cards: dict[str, list[DeckCard]] = {d: [] for d in DECKS}
        for card in make_schedule(valid, seed):
            self._cards[card.deck].append(card)
        self._advantageous = {d: n > 0 for d, n in net_per_sequence(valid).items()}
        self._bank = int(valid["loan"])
        self._counts = dict.fromkeys(DECKS, 0)

    @property
    def trials(self) -> tuple[CardsTrial, ...]:
        return self.schedule

    @property
    def bank(self) -> int:
        return self._bank

    @property
    def deck_counts(self) -> Mapping[str, int]:
        return MappingProxyType(self._counts)

    def start_trial(self, t_ns: int) -> CardsTrial:
        """Begin the next pick; raises :class:`RuntimeError` if one is running or done."""
        return self._begin(t_ns, OpenPhase.OPEN, {})

    def choose(self, deck: str, t_ns: int) -> bool:
        """Take the top card of ``deck``; ``False`` (ignored) when no pick is running."""
        if deck not in DECKS:
            raise ValueError(f"unknown deck {deck!r}; decks are {', '.join(DECKS)}")
        if not self.trial_running:
            return False
        trial = self._running
        if trial.practice:
            win, loss, deck_pick = int(self._params["deck_win"][deck]), 0, 0
        else:
            card = self._cards[deck][self._counts[deck]]
            self._counts[deck] += 1
            win, loss, deck_pick = card.win, card.loss, self._counts[deck]
            self._bank += win - loss
        self._close_on_input(
            t_ns,
            {"input": "deck", "deck": deck, "deck_pick": deck_pick},
            {"deck": deck, "win": win, "loss": loss, "net": win - loss, "bank": self._bank},
            {"advantageous": self._advantageous[deck], "practice": trial.practice},
            PickOutcome(trial.index, deck, win, loss, self._bank, trial.practice),
        )
        return True

    def summary_extra(self) -> Mapping[str, Any]:
        return {"bank": self._bank, "deck_counts": dict(self._counts)}


# ---- trial table -------------------------------------------------------------------

_TABLE = TableSchema.load(GAME_ID)
COLUMNS: Mapping[str, str] = _TABLE.descriptions


def trial_table(events: Sequence[EventRecord]) -> dict[str, NDArray[Any]]:
    """One row per completed pick, columns as declared in ``table.toml`` (:data:`COLUMNS`).

    Built from stored events only; an incomplete last pick gives no row.
    """
    table = _TABLE.builder()
    for trial in completed_trials(events):
        start, end = trial[0], trial[-1]
        response = first_event(trial, "response")
        table.add_trial(
            trial,
            deck_number=DECKS.index(str(end.payload["deck"])),
            deck_pick=int(response.payload["deck_pick"]) if response else 0,
            rt_ms=ms_between(first_event(trial, "stimulus_onset") or start, response or end),
        )
    return table.columns()
