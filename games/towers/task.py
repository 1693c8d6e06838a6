"""Towers: the rules, problem set and trial table of a Tower of London.

Paradigm: Shallice (1982), "Specific impairments of planning", Phil. Trans. R. Soc.
Lond. B 298, 199-209; attempt scoring after Krikorian, Bartok & Gay (1994), J. Clin.
Exp. Neuropsychol. 16, 840-850.

Board
-----
Three balls (``"red"``, ``"green"``, ``"blue"``) sit on three pegs numbered 0, 1, 2
that hold at most 3, 2 and 1 balls. A state is a tuple of three tuples, one per peg,
listing its balls bottom to top; there are 36 states. A move takes the top ball of one
peg to the top of another peg that has room. The minimum number of moves between two
states is found by breadth-first search (:func:`min_moves`); the longest shortest path
is 8 moves.

Problems
--------
Every candidate plays the same problems: the twelve problems of Shallice (1982), all
from one start position, as listed in the PEBL Tower of London test's "Shallice"
problem set (Mueller, S. T. (2011), The PEBL Tower of London Test, PEBL test
battery, ``battery/tol/TOL.pbl``, function ``Shallice``; balls 1, 2, 3 = red,
yellow/green, blue, mapped here to red, green, blue). Start (pegs 0, 1, 2, bottom to
top): green, red | blue | (empty). Goals (:data:`SHALLICE_1982_PROBLEMS`):

==  ===========================  =====
#   goal: peg 0 | peg 1 | peg 2  moves
==  ===========================  =====
1   -- | blue, green | red       2
2   green | red | blue           2
3   green, blue | red | --       3
4   green | red, blue | --       3
5   red, green | blue | --       4
6   blue | red, green | --       4
7   red, blue | -- | green       4
8   -- | red, blue | green       4
9   red, green, blue | -- | --   5
10  red, blue, green | -- | --   5
11  blue, green | red | --       5
12  blue | red | green          5
==  ===========================  =====

Two problems each of 2 and 3 moves and four each of 4 and 5, as Shallice describes.
Every minimum is checked by this module's breadth-first search (and by
:mod:`scoring.tol`'s) in the tests. ``problem_moves`` picks the main problems by
their minimum moves: each entry takes the next problem of that length from the list
above, in its order, so the default (2, 2, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5) plays all
twelve in their published order and a shorter list plays a fixed subset (for
example (2, 3) plays problems 1 and 3). Asking for more problems of a length than
the set holds, or a length it lacks, is a :class:`ConfigError`. ``n_practice`` (0
or 1, default 1) puts a practice problem first: :data:`PRACTICE_PROBLEM`, 2 moves
from the same start to green, blue | -- | red, which is not one of the twelve. The
seed does not change the problems. (Version 1 of this game drew a random (start,
goal) pair of each length from the seed; its scores are not comparable problem by
problem with this version's.)

Attempts
--------
Each problem allows up to ``max_attempts`` (3) attempts; every attempt starts from the
start state. An attempt succeeds when the board equals the goal. It fails when
``min_moves + extra_moves`` moves (``extra_moves`` default 2) have been made without
reaching the goal (the *move limit*), when ``attempt_time_limit_s`` (60 s; 0 for none)
has passed since the attempt's onset (the *time limit*: the view calls
``time_out(t_ns)`` when its timer fires, and a move stamped after the deadline also
ends the attempt instead of being applied), or when the candidate gives up
(``give_up(t_ns)``). Krikorian et al. count an attempt only when it reaches the goal
in the minimum number of moves (``extra_moves`` = 0); the default of 2 lets a nearly
optimal attempt succeed, so that moves beyond the minimum can be measured, and the
metric ``solved_in_minimum`` keeps the strict criterion. The score is
``max_attempts - attempt + 1`` for success on ``attempt`` (3/2/1 by default) and 0
when every attempt fails. A proctor's pause does not count against the time limit: on
resume the view calls
``extend_time_limit(by_ns, t_ns)`` with the pause's length.

Inputs
------
``start_trial(t_ns)`` begins a problem (and its first attempt); the view reports each
attempt's onset with ``stimulus_shown(t_ns, method, refresh_ns)``. ``move(from_peg,
to_peg, t_ns)``, ``give_up(t_ns)`` and ``time_out(t_ns)`` carry the input's own stamp.
A move that breaks the rules (from an empty peg, to a full peg, to the same peg) is
not applied: it is recorded as an ``illegal_move`` event and ``move`` returns
``False``. Inputs while no problem runs are ignored (``False``); a peg number outside
0..2 raises :class:`ValueError`; ``start_trial`` while a problem runs or after the
end raises :class:`RuntimeError`.

Events (every event carries ``trial_index``, 0-based over practice and main problems)
------------------------------------------------------------------------------------
``trial_start``     ``problem`` (1-based within its block), ``practice``, ``item``
                    (the problem's number in the Shallice set, 0 for practice), ``start``
                    and ``goal`` (lists of pegs, each a list of ball colours bottom to
                    top), ``min_moves``, ``max_attempts``, ``move_limit`` (moves per
                    attempt), ``time_limit_s`` (0: none)
``attempt_start``   (game-specific) ``attempt`` (1-based); the board is reset
``stimulus_onset``  ``stimulus`` = ``"problem"``, ``attempt``, ``method``, ``refresh_ns``
``response``        ``input`` = ``"move"`` with ``from_peg``, ``to_peg``, ``ball``,
                    ``move`` (1-based within the attempt), ``attempt``, ``state``
                    (board after the move); or ``input`` = ``"give_up"`` with
                    ``attempt``
``illegal_move``    (game-specific) ``from_peg``, ``to_peg``, ``attempt``, ``reason``
                    (``"empty_peg"``, ``"full_peg"`` or ``"same_peg"``)
``attempt_end``     (game-specific) ``attempt``, ``solved``, ``moves``, ``reason``
                    (``"solved"``, ``"move_limit"``, ``"time_limit"``, ``"gave_up"``)
``time_limit_extended``  (game-specific) ``attempt``, ``by_ns``: the attempt's deadline
                    moved on by a proctor's pause
``feedback``        ``solved``, ``attempt``, ``reason``, ``attempts_left``
``trial_end``       ``solved``, ``solved_attempt`` (0: none), ``attempts``, ``score``,
                    ``moves`` (all attempts), ``min_moves``, ``practice``

The sink is flushed at each trial end and durably at the end.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from numpy.typing import NDArray

from games.api import TASK_EXPORTS, ConfigError, EventRecord, EventSink, completed_trials
from games.engine.params import ParamSchema, bad_param
from games.engine.trial import TableSchema, TrialTask, first_event, ms_between

__all__ = [
    *TASK_EXPORTS,
    "BALLS",
    "CAPACITY",
    "PRACTICE_PROBLEM",
    "SHALLICE_1982_PROBLEMS",
    "SHALLICE_1982_START",
    "AttemptOutcome",
    "Phase",
    "State",
    "TowersTask",
    "TowersTrial",
    "all_states",
    "apply_move",
    "distances_to",
    "legal_moves",
    "min_moves",
]

GAME_ID = "towers"
DISPLAY_NAME = "Towers"
VERSION = "2.0.0"

BALLS: tuple[str, ...] = ("red", "green", "blue")
CAPACITY: tuple[int, ...] = (3, 2, 1)
State = tuple[tuple[str, ...], ...]

_R, _G, _B = BALLS

# Shallice (1982) as listed in PEBL's Tower of London test (function ``Shallice``):
# one start, twelve goals of 2, 2, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5 minimum moves.
SHALLICE_1982_START: State = ((_G, _R), (_B,), ())
SHALLICE_1982_PROBLEMS: tuple[tuple[State, int], ...] = (
    (((), (_B, _G), (_R,)), 2),
    (((_G,), (_R,), (_B,)), 2),
    (((_G, _B), (_R,), ()), 3),
    (((_G,), (_R, _B), ()), 3),
    (((_R, _G), (_B,), ()), 4),
    (((_B,), (_R, _G), ()), 4),
    (((_R, _B), (), (_G,)), 4),
    (((), (_R, _B), (_G,)), 4),
    (((_R, _G, _B), (), ()), 5),
    (((_R, _B, _G), (), ()), 5),
    (((_B, _G), (_R,), ()), 5),
    (((_B,), (_R,), (_G,)), 5),
)
# The practice problem: 2 moves from the same start, not one of the twelve.
PRACTICE_PROBLEM: tuple[State, int] = (((_G, _B), (), (_R,)), 2)

_PARAMS = ParamSchema.load(
    GAME_ID, problem_moves=tuple(moves for _, moves in SHALLICE_1982_PROBLEMS)
)
DEFAULT_PARAMS: Mapping[str, Any] = _PARAMS.defaults


# ---- the board -----------------------------------------------------------------------


def all_states() -> tuple[State, ...]:
    """The 36 legal states, in a fixed order."""
    states: list[State] = []
    for sizes in itertools.product(*(range(c + 1) for c in CAPACITY)):
        if sum(sizes) != len(BALLS):
            continue
        for order in itertools.permutations(BALLS):
            a, b = sizes[0], sizes[0] + sizes[1]
            states.append((order[:a], order[a:b], order[b:]))
    return tuple(states)


def legal_moves(state: State) -> list[tuple[int, int]]:
    """Every (from_peg, to_peg) move allowed in ``state``."""
    return [
        (src, dst)
        for src in range(len(CAPACITY))
        for dst in range(len(CAPACITY))
        if src != dst and state[src] and len(state[dst]) < CAPACITY[dst]
    ]


def apply_move(state: State, from_peg: int, to_peg: int) -> State:
    """The state after a legal move (no check: see :func:`legal_moves`)."""
    pegs = [list(p) for p in state]
    pegs[to_peg].append(pegs[from_peg].pop())
    return tuple(tuple(p) for p in pegs)


@lru_cache(maxsize=64)
def distances_to(goal: State) -> Mapping[State, int]:
    """Minimum moves from every state to the legal state ``goal``.

    Breadth-first search out from the goal: every move can be undone, so the distance
    from a state to the goal equals the distance from the goal to that state.
    """
    goal = _as_state(goal)
    dist: dict[State, int] = {goal: 0}
    queue = deque([goal])
    while queue:
        state = queue.popleft()
        for src, dst in legal_moves(state):
            nxt = apply_move(state, src, dst)
            if nxt not in dist:
                dist[nxt] = dist[state] + 1
                queue.append(nxt)
    return MappingProxyType(dist)


def min_moves(start: State, goal: State) -> int:
    """The minimum number of moves from ``start`` to ``goal``."""
    return distances_to(_as_state(goal))[_as_state(start)]


def _as_state(pegs: Sequence[Sequence[str]]) -> State:
    state = tuple(tuple(str(b) for b in peg) for peg in pegs)
    if state not in _STATES:
        raise ValueError(f"not a legal Tower of London state: {pegs!r}")
    return state


_STATES = frozenset(all_states())


def _state_json(state: State) -> list[list[str]]:
    return [list(peg) for peg in state]


# ---- parameters and schedule -----------------------------------------------------------


def validate_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``params`` over :data:`DEFAULT_PARAMS` and check every value.

    Raises :class:`ConfigError` naming the key and the allowed values or range.
    """
    merged = _PARAMS.validate(params)
    moves = merged["problem_moves"]
    available = _problems_by_moves()
    if (
        isinstance(moves, str)
        or not isinstance(moves, Sequence)
        or not 1 <= len(moves) <= len(SHALLICE_1982_PROBLEMS)
        or not all(isinstance(m, int) and not isinstance(m, bool) for m in moves)
        or any(moves.count(m) > len(available.get(m, ())) for m in moves)
    ):
        counts = ", ".join(f"{len(v)} of {k}" for k, v in sorted(available.items()))
        raise ConfigError(
            f"{GAME_ID}: parameter 'problem_moves' must be a list of 1..12 minimum move "
            f"counts, each used at most as often as the Shallice (1982) set holds it "
            f"({counts}), got {moves!r}"
        )
    merged["problem_moves"] = tuple(int(m) for m in moves)
    limit = merged["attempt_time_limit_s"]
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not 0 <= limit <= 600:
        raise bad_param(GAME_ID, "attempt_time_limit_s", "a number in 0..600 (0: no limit)", limit)
    merged["attempt_time_limit_s"] = float(limit)
    return merged


def _problems_by_moves() -> dict[int, list[int]]:
    """Each minimum move count to the 1-based numbers of the set's problems of that length."""
    by_moves: dict[int, list[int]] = {}
    for number, (_, moves) in enumerate(SHALLICE_1982_PROBLEMS, start=1):
        by_moves.setdefault(moves, []).append(number)
    return by_moves


@dataclass(frozen=True, slots=True)
class TowersTrial:
    """One problem."""

    index: int  # 0-based over practice and main problems
    problem: int  # 1-based within its block
    practice: bool
    start: State
    goal: State
    min_moves: int
    item: int = 0  # 1-based number in the Shallice (1982) set; 0: practice

    def design(self) -> dict[str, Any]:
        """The problem as a JSON-ready ``trial_start`` payload (without ``index``)."""
        return {
            "problem": self.problem,
            "practice": self.practice,
            "item": self.item,
            "start": _state_json(self.start),
            "goal": _state_json(self.goal),
            "min_moves": self.min_moves,
        }


def make_schedule(params: Mapping[str, Any], seed: int) -> tuple[TowersTrial, ...]:
    """Practice then main problems from the fixed Shallice (1982) set (see the module doc).

    ``seed`` is accepted for the common task interface and does not change the problems.
    """
    del seed  # one problem set for everyone
    p = validate_params(params)
    trials: list[TowersTrial] = []
    for k in range(p["n_practice"]):
        goal, moves = PRACTICE_PROBLEM
        trials.append(TowersTrial(k, k + 1, True, SHALLICE_1982_START, goal, moves))
    queues = _problems_by_moves()
    for k, moves in enumerate(p["problem_moves"]):
        item = queues[moves].pop(0)
        goal, listed = SHALLICE_1982_PROBLEMS[item - 1]
        trials.append(
            TowersTrial(len(trials), k + 1, False, SHALLICE_1982_START, goal, listed, item)
        )
    return tuple(trials)


# ---- the state machine ---------------------------------------------------------------


class Phase(StrEnum):
    """Where the task is; the view draws according to it."""

    IDLE = "idle"  # between problems (or before the first)
    BOARD = "board"  # an attempt has begun: its board is to be shown
    MOVES = "moves"  # the attempt's board is on screen
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class TowersOutcome:
    trial_index: int
    solved: bool
    solved_attempt: int  # 0: not solved
    attempts: int
    score: int
    moves: int


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """How one attempt ended (``reason`` as in the ``attempt_end`` event)."""

    trial_index: int
    attempt: int
    solved: bool
    reason: str
    moves: int


class TowersTask(TrialTask[TowersTrial, Phase, TowersOutcome]):
    """The Tower of London state machine, driven by the view or a bot.

    Read-only state (beyond :class:`~games.engine.trial.TrialTask`'s, whose trial counts
    include practice problems): :attr:`board`, :attr:`attempt`,
    :attr:`moves_in_attempt`, :attr:`move_limit`, :attr:`awaiting_onset`,
    :attr:`attempt_deadline_ns`, :attr:`last_attempt`.
    """

    game_id = GAME_ID

    def __init__(self, params: Mapping[str, Any], seed: int, sink: EventSink) -> None:
        valid = validate_params(params)
        super().__init__(valid, make_schedule(valid, seed), sink, Phase)
        self._board: State = self._schedule[0].start
        self._attempt = 0
        self._moves = 0  # in the current attempt
        self._total_moves = 0
        self._attempt_t0 = 0
        self._last_attempt: AttemptOutcome | None = None

    @property
    def board(self) -> State:
        return self._board

    @property
    def attempt(self) -> int:
        """1-based attempt in progress (0 between problems)."""
        return self._attempt if self.trial_running else 0

    @property
    def moves_in_attempt(self) -> int:
        return self._moves if self.trial_running else 0

    @property
    def move_limit(self) -> int:
        trial = self.current_trial
        return 0 if trial is None else trial.min_moves + int(self._params["extra_moves"])

    @property
    def awaiting_onset(self) -> bool:
        """True when the current attempt's onset has not been reported yet."""
        return self._phase is Phase.BOARD

    @property
    def attempt_deadline_ns(self) -> int | None:
        """When the current attempt times out (``None``: no limit or no attempt)."""
        limit = float(self._params["attempt_time_limit_s"])
        if not self.trial_running or limit <= 0:
            return None
        return self._attempt_t0 + round(limit * 1e9)

    @property
    def last_attempt(self) -> AttemptOutcome | None:
        """How the most recent attempt ended (``None`` before the first ends)."""
        return self._last_attempt

    # ---- inputs ----------------------------------------------------------------
    def start_trial(self, t_ns: int) -> TowersTrial:
        """Begin the next problem; raises :class:`RuntimeError` if one runs or all are done."""
        extra = {
            "max_attempts": self._params["max_attempts"],
            "move_limit": self.move_limit,
            "time_limit_s": self._params["attempt_time_limit_s"],
        }
        trial = self._begin(t_ns, Phase.BOARD, extra)
        self._total_moves = 0
        self._begin_attempt(1, t_ns)
        return trial

    def _begin_attempt(self, attempt: int, t_ns: int) -> None:
        self._attempt = attempt
        self._moves = 0
        self._board = self._running.start
        self._attempt_t0 = t_ns
        self._onset = None
        self._phase = Phase.BOARD
        self._emit("attempt_start", {"attempt": attempt}, t_ns)

    def stimulus_shown(self, t_ns: int, method: str, refresh_ns: int) -> bool:
        """The view presented the attempt's board at ``t_ns``; the time limit runs from here."""
        if self._phase is not Phase.BOARD:
            return False
        self._phase = Phase.MOVES
        self._onset = self._attempt_t0 = t_ns
        self._emit_onset(
            "stimulus_onset", t_ns, method, refresh_ns, stimulus="problem", attempt=self._attempt
        )
        return True

    def move(self, from_peg: int, to_peg: int, t_ns: int) -> bool:
        """Move the top ball of ``from_peg`` onto ``to_peg``; ``True`` when applied."""
        for name, peg in (("from_peg", from_peg), ("to_peg", to_peg)):
            if isinstance(peg, bool) or not isinstance(peg, int) or not 0 <= peg < len(CAPACITY):
                raise ValueError(f"move: {name} must be a peg number 0..2, got {peg!r}")
        if not self.trial_running:
            return False
        deadline = self.attempt_deadline_ns
        if deadline is not None and t_ns > deadline:
            self._end_attempt(False, "time_limit", deadline)
            return False
        pegs = {"from_peg": from_peg, "to_peg": to_peg, "attempt": self._attempt}
        reason = _illegal(self._board, from_peg, to_peg)
        if reason is not None:
            self._emit("illegal_move", {**pegs, "reason": reason}, t_ns)
            return False
        ball = self._board[from_peg][-1]
        self._board = apply_move(self._board, from_peg, to_peg)
        self._moves += 1
        self._total_moves += 1
        state = _state_json(self._board)
        self._emit(
            "response",
            {"input": "move", **pegs, "ball": ball, "move": self._moves, "state": state},
            t_ns,
        )
        if self._board == self._running.goal:
            self._end_attempt(True, "solved", t_ns)
        elif self._moves >= self.move_limit:
            self._end_attempt(False, "move_limit", t_ns)
        return True

    def give_up(self, t_ns: int) -> bool:
        """The candidate abandons the current attempt."""
        if not self.trial_running:
            return False
        self._emit("response", {"input": "give_up", "attempt": self._attempt}, t_ns)
        self._end_attempt(False, "gave_up", t_ns)
        return True

    def time_out(self, t_ns: int) -> bool:
        """The view's timer fired; fails the attempt if its deadline has passed."""
        deadline = self.attempt_deadline_ns
        if deadline is None or t_ns < deadline:
            return False
        self._end_attempt(False, "time_limit", t_ns)
        return True

    def extend_time_limit(self, by_ns: int, t_ns: int) -> bool:
        """Move the running attempt's deadline on by ``by_ns`` (a proctor's pause).

        ``False`` (nothing changes) when no attempt with a time limit is on screen.
        """
        if self.attempt_deadline_ns is None or self._phase is not Phase.MOVES or by_ns <= 0:
            return False
        self._attempt_t0 += by_ns
        self._emit("time_limit_extended", {"attempt": self._attempt, "by_ns": by_ns}, t_ns)
        return True

    def _end_attempt(self, solved: bool, reason: str, t_ns: int) -> None:
        trial = self._running
        max_attempts = int(self._params["max_attempts"])
        left = 0 if solved else max_attempts - self._attempt
        self._last_attempt = AttemptOutcome(trial.index, self._attempt, solved, reason, self._moves)
        ended = {"attempt": self._attempt, "solved": solved, "moves": self._moves, "reason": reason}
        self._emit("attempt_end", ended, t_ns)
        feedback = {"solved": solved, "attempt": self._attempt, "reason": reason}
        self._give_feedback(trial, t_ns, {**feedback, "attempts_left": left})
        if left > 0:
            self._begin_attempt(self._attempt + 1, t_ns)
            return
        solved_attempt = self._attempt if solved else 0
        score = max_attempts - self._attempt + 1 if solved else 0
        end = {
            "solved": solved,
            "solved_attempt": solved_attempt,
            "attempts": self._attempt,
            "score": score,
            "moves": self._total_moves,
            "min_moves": trial.min_moves,
            "practice": trial.practice,
        }
        outcome = TowersOutcome(
            trial.index, solved, solved_attempt, self._attempt, score, self._total_moves
        )
        self._close(trial, t_ns, end, outcome)

    def summary_extra(self) -> Mapping[str, Any]:
        main = [t for t in self._schedule[: self.trials_done] if not t.practice]
        return {"main_problems_done": len(main)}


def _illegal(board: State, from_peg: int, to_peg: int) -> str | None:
    """Why a move breaks the rules (``None``: it is legal)."""
    if from_peg == to_peg:
        return "same_peg"
    if not board[from_peg]:
        return "empty_peg"
    if len(board[to_peg]) >= CAPACITY[to_peg]:
        return "full_peg"
    return None


# ---- trial table -------------------------------------------------------------------

_TABLE = TableSchema.load(GAME_ID)
COLUMNS: Mapping[str, str] = _TABLE.descriptions


def trial_table(events: Sequence[EventRecord]) -> dict[str, NDArray[Any]]:
    """One row per completed problem, columns as declared in ``table.toml`` (:data:`COLUMNS`).

    Built from stored events only; an incomplete last problem gives no row.
    """
    table = _TABLE.builder()
    for trial in completed_trials(events):
        start, end = trial[0], trial[-1]
        design = start.payload
        onset = first_event(trial, "stimulus_onset", attempt=1) or start
        moves = [e for e in trial if e.kind == "response" and e.payload.get("input") == "move"]
        first_moves = [e for e in moves if e.payload.get("attempt") == 1]
        solved_attempt = int(end.payload["solved_attempt"])
        solving = float("nan")
        if solved_attempt:
            solving = float(sum(e.payload.get("attempt") == solved_attempt for e in moves))
        table.add_trial(
            trial,
            item=int(design.get("item", 0)),  # version 1 events: 0
            solved_attempt=solved_attempt,
            first_attempt_moves=len(first_moves),
            solving_moves=solving,
            excess_moves=solving - int(design["min_moves"]),
            total_moves=len(moves),
            illegal_moves=sum(e.kind == "illegal_move" for e in trial),
            planning_time_ms=ms_between(onset, first_moves[0] if first_moves else None),
            first_attempt_ms=ms_between(onset, first_event(trial, "attempt_end", attempt=1) or end),
            problem_time_ms=ms_between(onset, end),
        )
    return table.columns()
