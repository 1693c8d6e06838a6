"""Tower of London: the state space and minimum numbers of moves.

Contract: a *state* is a tuple of three pegs, each a tuple of ball labels from
bottom to top, e.g. ``(("R", "G"), ("B",), ())``.  The pegs hold at most 3, 2
and 1 balls (Shallice 1982).  A move takes the top ball of one peg and puts it
on top of another peg that has room.

* ``all_states(labels)`` enumerates every arrangement of the given distinct
  balls (36 for the classic three balls: 6 colour orders × 6 ways to share
  three balls out over pegs of capacity 3, 2 and 1).
* ``legal_moves(state)`` lists the moves possible from a state.
* ``minimum_moves(start, goal)`` is the length of the shortest solution, found
  by breadth-first search over the whole state graph, which is built once per
  set of labels and cached (the graph is undirected: every move can be undone).

Invalid states (not three pegs, a peg over capacity, repeated balls, start and
goal with different balls) raise ``ValueError`` with the reason.  A state may
be given as lists; it is normalised to tuples.

Source:
    Shallice, T. (1982). Specific impairments of planning. Philosophical
    Transactions of the Royal Society of London B, 298(1089), 199–209.
    doi:10.1098/rstb.1982.0082
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "DEFAULT_LABELS",
    "PEG_CAPACITIES",
    "Move",
    "State",
    "all_states",
    "legal_moves",
    "minimum_moves",
    "normalise_state",
]

#: Capacity of the three pegs, left to right.
PEG_CAPACITIES = (3, 2, 1)
#: The classic red, green and blue balls.
DEFAULT_LABELS = ("R", "G", "B")

State = tuple[tuple[Hashable, ...], tuple[Hashable, ...], tuple[Hashable, ...]]


@dataclass(frozen=True, slots=True)
class Move:
    """Moving ``ball`` from the top of peg ``source`` to peg ``target`` (0-based)."""

    source: int
    target: int
    ball: Hashable
    result: State


def normalise_state(state: Sequence[Sequence[Hashable]]) -> State:
    """Return ``state`` as a tuple of three tuples, checking capacities and repeats.

    Raises ``ValueError`` when the state is not three pegs, a peg holds more
    balls than its capacity, or a ball appears twice.
    """
    if isinstance(state, str) or not isinstance(state, Sequence):
        raise ValueError(f"a state must be a sequence of three pegs, got {state!r}")
    if len(state) != len(PEG_CAPACITIES):
        raise ValueError(f"a state must have exactly 3 pegs, got {len(state)}: {state!r}")
    pegs: list[tuple[Hashable, ...]] = []
    for index, (peg, capacity) in enumerate(zip(state, PEG_CAPACITIES, strict=True)):
        if isinstance(peg, str) or not isinstance(peg, Sequence):
            raise ValueError(f"peg {index} must be a sequence of balls, got {peg!r}")
        if len(peg) > capacity:
            raise ValueError(
                f"peg {index} holds at most {capacity} ball(s), got {len(peg)}: {state!r}"
            )
        pegs.append(tuple(peg))
    balls = [ball for peg in pegs for ball in peg]
    try:
        distinct = len(set(balls))
    except TypeError as error:
        raise ValueError(f"ball labels must be hashable: {state!r}") from error
    if distinct != len(balls):
        raise ValueError(f"each ball may appear only once: {state!r}")
    return (pegs[0], pegs[1], pegs[2])


def legal_moves(state: Sequence[Sequence[Hashable]]) -> tuple[Move, ...]:
    """Every move possible from ``state``, ordered by source then target peg."""
    pegs = normalise_state(state)
    moves: list[Move] = []
    for source, target in itertools.permutations(range(len(pegs)), 2):
        if not pegs[source] or len(pegs[target]) >= PEG_CAPACITIES[target]:
            continue
        ball = pegs[source][-1]
        after = list(pegs)
        after[source] = pegs[source][:-1]
        after[target] = (*pegs[target], ball)
        moves.append(Move(source, target, ball, (after[0], after[1], after[2])))
    return tuple(moves)


def all_states(labels: Sequence[Hashable] = DEFAULT_LABELS) -> tuple[State, ...]:
    """Every arrangement of the distinct ``labels`` on the three pegs.

    Raises ``ValueError`` for repeated labels or more balls than the pegs hold.
    """
    return _all_states(_label_key(labels))


def minimum_moves(start: Sequence[Sequence[Hashable]], goal: Sequence[Sequence[Hashable]]) -> int:
    """Fewest moves from ``start`` to ``goal`` (breadth-first search; 0 if equal).

    Raises ``ValueError`` for an invalid state or when the two states do not
    hold the same balls.
    """
    first = normalise_state(start)
    last = normalise_state(goal)
    start_balls = {ball for peg in first for ball in peg}
    goal_balls = {ball for peg in last for ball in peg}
    if start_balls != goal_balls:
        raise ValueError(
            f"start and goal must hold the same balls: {sorted(map(repr, start_balls))} "
            f"vs {sorted(map(repr, goal_balls))}"
        )
    labels = _label_key(sorted(start_balls, key=repr))
    return _distances_from(labels, first)[last]


def _label_key(labels: Sequence[Hashable]) -> tuple[Hashable, ...]:
    key = tuple(labels)
    if len(set(key)) != len(key):
        raise ValueError(f"ball labels must be distinct, got {key!r}")
    if len(key) > sum(PEG_CAPACITIES):
        raise ValueError(f"the pegs hold at most {sum(PEG_CAPACITIES)} balls, got {len(key)}")
    return key


@lru_cache(maxsize=16)
def _all_states(labels: tuple[Hashable, ...]) -> tuple[State, ...]:
    states: list[State] = []
    n_balls = len(labels)
    for order in itertools.permutations(labels):
        # Split the ordered balls into three consecutive runs that fit the pegs.
        for first in range(min(PEG_CAPACITIES[0], n_balls) + 1):
            for second in range(min(PEG_CAPACITIES[1], n_balls - first) + 1):
                third = n_balls - first - second
                if third > PEG_CAPACITIES[2]:
                    continue
                states.append(
                    (order[:first], order[first : first + second], order[first + second :])
                )
    return tuple(states)


@lru_cache(maxsize=16)
def _state_graph(labels: tuple[Hashable, ...]) -> dict[State, tuple[State, ...]]:
    return {
        state: tuple(move.result for move in legal_moves(state)) for state in _all_states(labels)
    }


@lru_cache(maxsize=256)
def _distances_from(labels: tuple[Hashable, ...], start: State) -> dict[State, int]:
    graph = _state_graph(labels)
    distance = {start: 0}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        for neighbour in graph[state]:
            if neighbour not in distance:
                distance[neighbour] = distance[state] + 1
                queue.append(neighbour)
    return distance
