"""A simulated Towers (Tower of London) player.

Policy. Each move is, with probability ``planning_skill``, one of the optimal moves
(those that bring the board one move closer to the goal; chosen at random when there
are several), and otherwise one of the non-optimal legal moves: ``1 - planning_skill``
is the per-move error probability. A skilled bot solves problems on the first attempt
in the minimum number of moves; an unskilled one wanders, exceeds the move limit and
needs more attempts. The bot never breaks the rules and never gives up.

Delays are gamma distributed (coefficient of variation ``rt_cv``). Before the first
move of an attempt the mean is ``planning_time_s * min_moves / 3`` (planning time
grows with problem length; ``planning_time_s`` is the mean for a 3-move problem);
between later moves it is ``move_time_s``.

On screen a move takes two inputs: lift the ball from one peg, put it on another. The
bot decides a move once per board position; asked again before the board changed (the
view still needs the second input), it repeats the same move after a short delay of
mean ``drop_time_s``. :func:`simulate` applies each move at once and never asks twice.

:class:`Bot` is a pure policy over the task's public state; its input's ``action`` is
``("move", (from_peg, to_peg))``. :func:`simulate` plays
:class:`~games.towers.task.TowersTask` with a simulated nanosecond clock, and calls
``time_out`` when the bot would move after an attempt's deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from games.api import BotInput, EventRecord, ListSink
from games.engine.simclock import REFRESH_NS, SimClock, gamma_delay
from games.towers.task import TowersTask, apply_move, distances_to, legal_moves

__all__ = ["Bot", "BotInput", "BotParams", "simulate"]

ITI_S = 1.5  # pause between problems and attempts (feedback), s


@dataclass(frozen=True, slots=True)
class BotParams:
    """Behavioural parameters of a simulated player."""

    planning_skill: float = 0.85  # probability that a move is optimal (1 - error rate)
    planning_time_s: float = 4.0  # mean time to the first move of a 3-move problem (s)
    move_time_s: float = 1.2  # mean time between later moves (s)
    rt_cv: float = 0.4  # coefficient of variation of every delay
    drop_time_s: float = 0.4  # on screen: mean time from lifting a ball to putting it down (s)

    @classmethod
    def sample(cls, rng: np.random.Generator) -> BotParams:
        """A plausible population member.

        ``planning_skill ~ Beta(8, 2)`` (mean 0.8) clipped to 0.3..1;
        ``planning_time_s ~ U(2, 8)``; ``move_time_s ~ U(0.7, 2)``;
        ``rt_cv ~ U(0.25, 0.5)``.
        """
        return cls(
            planning_skill=float(np.clip(rng.beta(8.0, 2.0), 0.3, 1.0)),
            planning_time_s=float(rng.uniform(2.0, 8.0)),
            move_time_s=float(rng.uniform(0.7, 2.0)),
            rt_cv=float(rng.uniform(0.25, 0.5)),
        )


class Bot:
    """The noisy optimal-move policy."""

    def __init__(self, params: BotParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng
        self._planned: tuple[tuple[int, int, int], BotInput] | None = None

    def next_input(self, task: TowersTask) -> BotInput | None:
        """The next move while a problem runs, else ``None``."""
        trial = task.current_trial
        if not task.trial_running or trial is None:
            return None
        position = (trial.index, task.attempt, task.moves_in_attempt)
        if self._planned is not None and self._planned[0] == position:
            # The board has not changed: the view needs another input for the same move.
            delay = gamma_delay(self._rng, self.params.drop_time_s, self.params.rt_cv)
            return replace(self._planned[1], delay_s=delay)
        board = task.board
        dist = distances_to(trial.goal)
        moves = legal_moves(board)
        best = [m for m in moves if dist[apply_move(board, *m)] < dist[board]]
        worse = [m for m in moves if m not in best]
        pool = best if (not worse or self._rng.random() < self.params.planning_skill) else worse
        src, dst = pool[int(self._rng.integers(len(pool)))]
        p = self.params
        if task.moves_in_attempt == 0:
            mean = p.planning_time_s * trial.min_moves / 3.0
        else:
            mean = p.move_time_s
        move = BotInput(("move", (src, dst)), gamma_delay(self._rng, mean, p.rt_cv))
        self._planned = (position, move)
        return move


def simulate(params: Mapping[str, Any], bot: BotParams, seed: int) -> list[EventRecord]:
    """Play a whole game with a simulated clock; ``seed`` seeds the player's choices and
    delays (the problems are the same fixed set for every seed)."""
    clock = SimClock(now=0)
    sink = ListSink(clock=lambda: clock.now)
    task = TowersTask(params, seed, sink)
    player = Bot(bot, np.random.default_rng([seed, 0xB07]))
    while not task.finished:
        task.start_trial(clock.wait_s(ITI_S))
        while task.trial_running:
            if task.awaiting_onset:
                shown = clock.wait_s(ITI_S) if task.attempt > 1 else clock.wait_frames(2)
                task.stimulus_shown(shown, "simulated", REFRESH_NS)
            move = player.next_input(task)
            assert move is not None
            due = clock.now + max(1, round(move.delay_s * 1e9))
            deadline = task.attempt_deadline_ns
            if deadline is not None and due >= deadline:
                clock.now = deadline
                task.time_out(deadline)
                continue
            clock.now = due
            if move.kind == "move":
                from_peg, to_peg = move.value
                task.move(from_peg, to_peg, due)
            else:
                task.give_up(due)
    return sink.events
