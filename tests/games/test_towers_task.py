"""Towers (Tower of London): board, problems, attempts, trial table and bot fidelity."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from scipy.stats import spearmanr

from games.api import ConfigError, ListSink
from games.towers import bot, task
from scoring import tol

R, G, B = "red", "green", "blue"
REFRESH = 16_666_667


def test_defaults_follow_science_md() -> None:
    p = task.validate_params({})
    assert p["problem_moves"] == (2, 2, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5)
    assert p["max_attempts"] == 3
    assert task.CAPACITY == (3, 2, 1) and len(task.BALLS) == 3
    assert task.DISPLAY_NAME == "Towers" and task.VERSION == "2.0.0"


def test_board_has_36_states_and_longest_path_8() -> None:
    states = task.all_states()
    assert len(set(states)) == 36
    assert max(max(task.distances_to(g).values()) for g in states) == 8
    assert all(len(task.distances_to(g)) == 36 for g in states)


@pytest.mark.parametrize(
    ("start", "goal", "moves"),
    [
        (((R, G), (B,), ()), ((R, G), (B,), ()), 0),
        (((R, G), (B,), ()), ((R,), (B, G), ()), 1),  # green onto blue
        (((R, G), (B,), ()), ((R, G, B), (), ()), 1),  # blue onto green
        (((R, G), (B,), ()), ((R,), (B,), (G,)), 1),  # green to the small peg
        (((R, G), (B,), ()), ((R, B), (G,), ()), 3),  # G->2, B->0, G->1
        # red and green swap: each must leave peg 0 and come back, so at least 4
        (((R, G), (B,), ()), ((G, R), (B,), ()), 4),
        (((R, G, B), (), ()), ((R,), (G,), (B,)), 2),
        # Reversing the full tower: B->2, G->1, R->1, B->0, R->2, G->0, R->0. Each ball
        # must leave peg 0 and come back (>= 6), and any way of clearing peg 0 leaves one
        # ball blocked under another once more.
        (((R, G, B), (), ()), ((B, G, R), (), ()), 7),
    ],
)
def test_min_moves_of_hand_checked_problems(
    start: task.State, goal: task.State, moves: int
) -> None:
    assert task.min_moves(start, goal) == moves
    assert task.min_moves(goal, start) == moves


def test_illegal_state_is_refused() -> None:
    with pytest.raises(ValueError, match="legal"):
        task.min_moves(((R, G, B), (), ()), ((), (R, G, B), ()))  # peg 1 holds two
    with pytest.raises(ValueError, match="legal"):
        task.min_moves(((R,), (G, B), ()), ((), (), (R, G)))


# Shallice (1982) as listed in PEBL's TOL.pbl (function Shallice), written out here in
# PEBL's own coding (1 = red, 2 = yellow/green, 3 = blue; pegs bottom to top) so that
# the mapping onto this game's balls is checked as well as the distances.
PEBL_START = [[2, 1], [3], []]
PEBL_SHALLICE = [
    ([[], [3, 2], [1]], 2),
    ([[2], [1], [3]], 2),
    ([[2, 3], [1], []], 3),
    ([[2], [1, 3], []], 3),
    ([[1, 2], [3], []], 4),
    ([[3], [1, 2], []], 4),
    ([[1, 3], [], [2]], 4),
    ([[], [1, 3], [2]], 4),
    ([[1, 2, 3], [], []], 5),
    ([[1, 3, 2], [], []], 5),
    ([[3, 2], [1], []], 5),
    ([[3], [1], [2]], 5),
]
PEBL_BALLS = {1: R, 2: G, 3: B}


def _from_pebl(pegs: list[list[int]]) -> task.State:
    return tuple(tuple(PEBL_BALLS[b] for b in peg) for peg in pegs)


def test_problem_set_is_shallice_1982_and_every_minimum_is_verified() -> None:
    assert task.SHALLICE_1982_START == ((G, R), (B,), ())
    assert _from_pebl(PEBL_START) == task.SHALLICE_1982_START
    assert tuple((_from_pebl(g), m) for g, m in PEBL_SHALLICE) == task.SHALLICE_1982_PROBLEMS
    assert len(set(task.SHALLICE_1982_PROBLEMS)) == 12
    for goal, moves in task.SHALLICE_1982_PROBLEMS:
        assert task.min_moves(task.SHALLICE_1982_START, goal) == moves
        assert tol.minimum_moves(task.SHALLICE_1982_START, goal) == moves  # second solver
    practice_goal, practice_moves = task.PRACTICE_PROBLEM
    assert task.min_moves(task.SHALLICE_1982_START, practice_goal) == practice_moves == 2
    assert practice_goal not in {goal for goal, _ in task.SHALLICE_1982_PROBLEMS}


def test_every_seed_plays_the_same_problems_in_published_order() -> None:
    a = task.make_schedule({}, 5)
    assert a == task.make_schedule({}, 6) == task.make_schedule({}, 123456)
    assert [t.min_moves for t in a] == [2, 2, 2, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5]
    assert a[0].practice and a[0].item == 0 and a[0].goal == task.PRACTICE_PROBLEM[0]
    assert [t.item for t in a[1:]] == list(range(1, 13))
    assert [t.problem for t in a] == [1, *range(1, 13)]
    assert all(t.start == task.SHALLICE_1982_START for t in a)
    assert all(task.min_moves(t.start, t.goal) == t.min_moves for t in a)


def test_a_shorter_design_plays_a_fixed_subset() -> None:
    # Each entry takes the next problem of that length in the set's order.
    short = task.make_schedule({"n_practice": 0, "problem_moves": [2, 3]}, 9)
    assert [t.item for t in short] == [1, 3]
    eight = task.make_schedule({"problem_moves": [2, 3, 3, 4, 4, 5, 5, 5]}, 1)
    assert [t.item for t in eight] == [0, 1, 3, 4, 5, 6, 9, 10, 11]
    backwards = task.make_schedule({"n_practice": 0, "problem_moves": [5, 2, 5]}, 1)
    assert [(t.item, t.problem, t.min_moves) for t in backwards] == [
        (9, 1, 5),
        (1, 2, 2),
        (10, 3, 5),
    ]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"problems": [2]}, "'problems'"),
        ({"problem_moves": [2, 9]}, "'problem_moves'"),
        ({"problem_moves": [6]}, "'problem_moves'"),  # no 6-move problem in the set
        ({"problem_moves": [2, 2, 2]}, "'problem_moves'"),  # the set has two of 2 moves
        ({"problem_moves": [5] * 13}, "'problem_moves'"),
        ({"practice_moves": 2}, "'practice_moves'"),  # version 1 key: gone
        ({"n_practice": 2}, "'n_practice'"),
        ({"problem_moves": []}, "'problem_moves'"),
        ({"problem_moves": "2345"}, "'problem_moves'"),
        ({"max_attempts": 0}, "'max_attempts'"),
        ({"extra_moves": -1}, "'extra_moves'"),
        ({"attempt_time_limit_s": -1}, "'attempt_time_limit_s'"),
        ({"attempt_time_limit_s": "60"}, "'attempt_time_limit_s'"),
    ],
)
def test_validate_params_refuses(params: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        task.validate_params(params)


def _solve(game: task.TowersTask, t: int) -> int:
    trial = game.current_trial
    assert trial is not None
    dist = task.distances_to(trial.goal)
    while game.trial_running and game.board != trial.goal:
        board = game.board
        move = next(
            m for m in task.legal_moves(board) if dist[task.apply_move(board, *m)] < dist[board]
        )
        t += 100
        assert game.move(*move, t)
    return t


def test_attempts_move_limit_and_scores() -> None:
    params = {"problem_moves": [3, 3], "n_practice": 0, "extra_moves": 1}
    sink = ListSink(clock=lambda: 0)
    game = task.TowersTask(params, 2, sink)
    assert not game.move(0, 1, 0)  # no problem running
    game.start_trial(0)
    assert game.stimulus_shown(10, "paint", REFRESH)
    assert game.move_limit == 4
    # Attempt 1: give up. Attempt 2: waste the move limit. Attempt 3: solve.
    assert game.give_up(20)
    assert game.attempt == 2
    game.stimulus_shown(30, "paint", REFRESH)
    t = 30
    while game.attempt == 2:
        board = game.board
        src, dst = task.legal_moves(board)[0]
        t += 10
        assert game.move(src, dst, t)
        # on Shallice problem 3 the first-listed legal moves never reach the goal
    assert game.attempt == 3
    game.stimulus_shown(t + 1, "paint", REFRESH)
    _solve(game, t + 1)
    assert game.last_outcome is not None
    assert game.last_outcome.solved and game.last_outcome.solved_attempt == 3
    assert game.last_outcome.score == 1
    ends = [e.payload["reason"] for e in sink.events if e.kind == "attempt_end"]
    assert ends[0] == "gave_up" and ends[-1] == "solved"
    # Second problem solved at once scores 3.
    game.start_trial(10_000)
    game.stimulus_shown(10_010, "paint", REFRESH)
    _solve(game, 10_010)
    assert game.last_outcome.score == 3 and game.finished
    table = task.trial_table(sink.events)
    assert list(table["score"]) == [1, 3]
    assert list(table["excess_moves"]) == [0.0, 0.0]
    assert list(table["first_attempt_moves"])[1] == 3


def test_three_failures_score_zero() -> None:
    params = {"problem_moves": [4], "n_practice": 0, "max_attempts": 3}
    game = task.TowersTask(params, 1, ListSink(clock=lambda: 0))
    game.start_trial(0)
    for k in range(3):
        assert game.give_up(10 * k + 5)
    assert game.finished and game.last_outcome is not None
    assert game.last_outcome.score == 0 and not game.last_outcome.solved


def test_illegal_moves_are_recorded_not_applied() -> None:
    sink = ListSink(clock=lambda: 0)
    game = task.TowersTask({"n_practice": 0}, 3, sink)
    game.start_trial(0)
    board = game.board
    src, dst = next(
        (a, b)
        for a in range(3)
        for b in range(3)
        if a != b and (a, b) not in task.legal_moves(board)
    )
    expected = "empty_peg" if not board[src] else "full_peg"
    assert not game.move(src, dst, 10)
    assert not game.move(0, 0, 11)
    assert game.board == board and game.moves_in_attempt == 0
    with pytest.raises(ValueError, match="peg"):
        game.move(0, 3, 12)
    reasons = [e.payload["reason"] for e in sink.events if e.kind == "illegal_move"]
    assert reasons == [expected, "same_peg"]
    assert task.trial_table(sink.events)["illegal_moves"].size == 0  # trial not over
    with pytest.raises(RuntimeError):
        game.start_trial(13)


def test_time_limit_fails_the_attempt() -> None:
    params = {"problem_moves": [3], "n_practice": 0, "attempt_time_limit_s": 1.0}
    sink = ListSink(clock=lambda: 0)
    game = task.TowersTask(params, 4, sink)
    game.start_trial(0)
    game.stimulus_shown(100, "paint", REFRESH)
    assert game.attempt_deadline_ns == 100 + 1_000_000_000
    assert not game.time_out(500)
    assert game.time_out(1_000_000_100)
    assert game.attempt == 2
    game.stimulus_shown(2_000_000_000, "paint", REFRESH)
    src, dst = task.legal_moves(game.board)[0]
    assert not game.move(src, dst, 3_500_000_000)  # after the deadline: attempt 2 fails
    assert game.attempt == 3
    reasons = [e.payload["reason"] for e in sink.events if e.kind == "attempt_end"]
    assert reasons == ["time_limit", "time_limit"]


def test_a_pause_extends_the_time_limit_and_last_attempt_says_why_it_ended() -> None:
    params = {"problem_moves": [3], "n_practice": 0, "attempt_time_limit_s": 1.0}
    sink = ListSink(clock=lambda: 0)
    game = task.TowersTask(params, 4, sink)
    game.start_trial(0)
    assert not game.extend_time_limit(500, 50)  # the board is not on screen yet
    game.stimulus_shown(100, "paint", REFRESH)
    assert game.last_attempt is None
    assert game.extend_time_limit(2_000_000_000, 600_000_000)
    assert not game.extend_time_limit(0, 600_000_000)
    assert game.attempt_deadline_ns == 100 + 3_000_000_000
    assert not game.time_out(1_500_000_000)
    assert game.time_out(3_000_000_100)
    ended = game.last_attempt
    assert ended is not None and (ended.attempt, ended.solved, ended.reason) == (
        1,
        False,
        "time_limit",
    )
    extended = [e for e in sink.events if e.kind == "time_limit_extended"]
    assert [(e.payload["attempt"], e.payload["by_ns"]) for e in extended] == [(1, 2_000_000_000)]
    doc = task.__doc__ or ""
    assert all(f"``{field}``" in doc for e in extended for field in (e.kind, *e.payload))


def test_trial_table_rows_columns_and_interruption() -> None:
    events = bot.simulate({}, bot.BotParams(), 8)
    table = task.trial_table(events)
    assert list(table) == list(task.COLUMNS)
    assert all(len(col) == 13 for col in table.values())
    assert table["practice"].sum() == 1
    assert list(table["item"]) == list(range(13))
    assert list(table["min_moves"]) == [2, 2, 2, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5]
    solved = table["solved"]
    assert np.all(table["excess_moves"][solved] >= 0)
    assert np.all(np.isnan(table["excess_moves"][~solved]))
    assert np.all(table["planning_time_ms"] > 0)
    assert all(e.trial_index is not None for e in events)
    last_start = max(i for i, e in enumerate(events) if e.kind == "trial_start")
    cut = task.trial_table(events[: last_start + 5])
    assert all(len(col) == 12 for col in cut.values())
    assert len(task.trial_table([])["score"]) == 0


@pytest.mark.slow
def test_bot_planning_skill_drives_score_and_planning_time_drives_latency() -> None:
    rng = np.random.default_rng(3)
    skills = np.linspace(0.3, 1.0, 40)
    times = rng.permutation(np.linspace(1.0, 10.0, 40))
    scores, latencies = [], []
    for i, (skill, plan) in enumerate(zip(skills, times, strict=True)):
        params = replace(
            bot.BotParams.sample(rng), planning_skill=float(skill), planning_time_s=float(plan)
        )
        table = task.trial_table(bot.simulate({}, params, seed=i))
        main = ~table["practice"]
        scores.append(table["score"][main].mean())
        latencies.append(np.median(table["planning_time_ms"][main]))
    rho_skill = spearmanr(skills, scores).statistic
    rho_time = spearmanr(times, latencies).statistic
    assert rho_skill > 0.9, rho_skill
    assert rho_time > 0.9, rho_time


def test_docstring_documents_every_event_kind() -> None:
    doc = task.__doc__ or ""
    events = bot.simulate({"attempt_time_limit_s": 0.0}, bot.BotParams(), 1)
    assert all(f"``{kind}``" in doc for kind in {e.kind for e in events})
    for event in events:
        assert all(f"``{field}``" in doc for field in event.payload), event
