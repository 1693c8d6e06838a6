"""What every game's widget keeps, checked for each game in the catalog.

Each game is built the way the kiosk builds it (``games.catalog`` and its
``create_widget``), from its default parameters with a few overrides (the table
:data:`FAST`) that only shorten it; its bot plays it through real input events. The
per-game files keep what only one game has: its screens, keys, timings and tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from games.api import EventRecord, GameConfig, ListSink
from games.catalog import GAME_IDS, registry
from games.engine.qt.driver import BotDriver
from games.engine.qt.view import Stage
from tests.games.ui.bot_play import (
    RESPONSE_KINDS,
    Played,
    check_stamps,
    check_trial_table,
    record,
    save_screenshot,
)

pytestmark = pytest.mark.slow  # each case plays a game through Qt


@dataclass(frozen=True)
class Fast:
    """How a game is shortened for the contract: parameters, its bot, the view's pace."""

    params: dict[str, Any]
    bot: dict[str, Any] = field(default_factory=dict)  # BotParams overrides
    speed: float | None = None  # None: real time for timed views, 0.05 for the others
    iti_ms: int | None = None  # a choice view's interval between rounds (its outcome shown)
    german_size: tuple[int, int] = (720, 900)  # the other window shape of the German run
    inputs: tuple[str, ...] = RESPONSE_KINDS  # the kinds of events the candidate's inputs make


FAST: dict[str, Fast] = {
    "balloons": Fast({"n_balloons": 3, "n_practice": 1}, {"pump_target": 6}, iti_ms=150),
    "exchange_trust": Fast(
        {"investor_rounds": 1, "trustee_sends": [4], "n_practice": 1},
        {"trust": 0.6, "reciprocity": 0.4, "rt_mean_s": 2.0},
        iti_ms=200,
        german_size=(1280, 600),
    ),
    "exchange_split": Fast(
        {
            "proposer_rounds": 1,
            "responder_offer_shares": [0.3],
            "responder_repeats": 1,
            "dictator_rounds": 1,
            "n_practice": 1,
        },
        {"offer_share": 0.4, "dictator_share": 0.3, "rt_mean_s": 2.0},
        iti_ms=200,
    ),
    "keypresses": Fast(
        {
            "n_practice": 1,
            "practice_ms": 1000,
            "trials_per_hand": 1,
            "trial_ms": 2000,
            "ready_ms": 400,
            "iti_ms": 400,
        },
        inputs=("tap",),
    ),
    "arrows": Fast(
        {
            "n_practice": 2,
            "n_blocks": 1,
            "trials_per_block": 6,
            "cue_ms": 300,
            "response_window_ms": 1500,
            "feedback_ms": 250,
            "iti_ms": 250,
        },
        speed=0.6,
    ),
    "lengths": Fast(
        {
            "n_practice": 2,
            "n_blocks": 1,
            "trials_per_block": 6,
            "rich_rewards_per_block": 3,
            "lean_rewards_per_block": 1,
            "fixation_ms": 200,
            "face_ms": 200,
            "response_window_ms": 1500,
            "feedback_ms": 300,
            "iti_ms": 200,
        },
        {"drift": 0.3},
        speed=0.6,
    ),
    "faces": Fast(
        {
            "n_practice": 1,
            "intensities": [0.6],
            "repeats": 1,
            "n_neutral": 1,
            "fixation_ms": 250,
            "feedback_ms": 400,
            "iti_ms": 250,
        },
        {"recognition": 6.0},
        speed=0.4,
    ),
    "hard_or_easy": Fast(
        {
            "n_practice": 1,
            "n_trials": 2,
            "easy_presses": 5,
            "easy_time_ms": 2000,
            "hard_presses": 8,
            "hard_time_ms": 3000,
            "choice_time_ms": 3000,
            "ready_ms": 300,
            "feedback_ms": 500,
            "iti_ms": 300,
        },
        speed=0.5,
        inputs=("choice", "press"),
    ),
    "stop": Fast(
        {
            "n_practice": 2,
            "n_blocks": 1,
            "trials_per_block": 6,
            "max_rt_ms": 900,
            "ssd_max_ms": 800,
            "fixation_ms": 150,
            "feedback_ms": 300,
            "iti_ms": 200,
        }
    ),
    "digits": Fast(
        {
            "directions": ["forward", "backward"],
            "forward_start": 2,
            "backward_start": 2,
            "max_length": 2,
            "trials_per_length": 1,
            "failures_to_stop": 1,
            "n_practice": 1,
            "practice_length": 2,
            "digit_interval_ms": 300,
            "digit_duration_ms": 200,
        },
        {"span": 9.0, "backward_span": 9.0, "lapse": 0.0, "first_entry_s": 0.5},
        iti_ms=200,
        german_size=(1280, 600),
    ),
    "cards": Fast(
        {"n_picks": 4, "n_practice": 1, "picks_per_block": 2}, {"rt_mean_s": 1.0}, iti_ms=150
    ),
    "towers": Fast(
        {"n_practice": 1, "problem_moves": [2, 3]},
        {"planning_skill": 0.7, "planning_time_s": 2.0, "move_time_s": 1.0},
        iti_ms=150,
    ),
    "reversal": Fast({"n_trials": 6, "n_practice": 1}, iti_ms=150),
}

SEED = 7
TIMEOUT_MS = 40_000


def test_the_table_names_every_game_of_the_catalog() -> None:
    assert set(FAST) == set(GAME_IDS) == set(registry().ids())


def build(
    qtbot: Any,
    game_id: str,
    language: str = "en",
    size: tuple[int, int] = (1024, 720),
    resume_events: list[EventRecord] | None = None,
) -> Played:
    """The game's widget as the kiosk builds it, shown and recorded."""
    game = registry().get(game_id)
    fast = FAST[game_id]
    config = GameConfig(game_id, SEED, game.validate_params(fast.params), language)
    sink = ListSink()
    if resume_events is None:
        view = game.create_widget(config, sink)
    else:  # the kiosk continuing a crashed run
        view = game.view_class()(config, sink, resume_events=resume_events)
    assert isinstance(view, game.view_class()) and view.game_id == game_id
    if fast.iti_ms is not None:
        view.iti_ms = fast.iti_ms
    return record(qtbot, view, sink, size)


def bot_driver(played: Played, game_id: str, seed: int = 3) -> BotDriver:
    fast = FAST[game_id]
    bot = registry().get(game_id).bot
    player = bot.Bot(bot.BotParams(**fast.bot), np.random.default_rng(seed))
    speed = fast.speed
    if speed is None:
        speed = 1.0 if played.view.bot_in_real_time else 0.05
    return BotDriver(played.view, player, speed=speed)


def in_a_later_trial(played: Played) -> bool:
    """A trial after the first is on screen: its stimulus shown, no answer yet."""
    view = played.view
    return view.task.trials_done >= 1 and view.task.trial_running and not view.awaiting_onset


def check_order(events: list[EventRecord]) -> None:
    """Events in order of emission, trials one after another, each opened then closed."""
    seqs = [e.seq for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    open_trial: int | None = None
    ended: list[int] = []
    for event in events:
        if event.kind == "trial_start":
            assert event.trial_index == len(ended), f"{event} out of turn"
            open_trial = event.trial_index
        elif event.kind == "trial_end":
            assert event.trial_index == open_trial, f"{event} ends a trial that is not open"
            ended.append(event.trial_index)
            open_trial = None
        elif event.kind == "stimulus_onset":
            assert event.trial_index == open_trial, f"{event} outside its trial"
    onsets = {e.trial_index for e in events if e.kind == "stimulus_onset"}
    assert set(ended) <= onsets, "a trial ended without a stimulus onset"
    # Frame-stamped events (onsets, frame_stats) come in the order of their frames.
    framed = [e.t_ns for e in events if e.payload and e.payload.get("method") == "paint_end"]
    assert framed == sorted(framed)


def check_frame_stamps(played: Played) -> None:
    """Each onset is the stamp of a frame the view presented, at the display's refresh."""
    presented = set(played.view.frames.presented_ns)
    for onset in played.of("stimulus_onset"):
        assert onset.t_ns in presented, f"{onset} is not a presented frame's stamp"
        assert onset.payload["refresh_ns"] == played.view.frames.refresh_ns


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_bot_plays_the_whole_game_through_the_widget(qtbot, game_id: str) -> None:
    played = build(qtbot, game_id)
    view = played.view
    assert view.stage is Stage.INSTRUCTIONS and not played.events  # instructions first
    bot_driver(played, game_id)
    qtbot.waitUntil(lambda: played.finished, timeout=TIMEOUT_MS)
    qtbot.wait(100)
    assert len(played.summaries) == 1, "finished fired more than once"
    summary = played.summaries[0]
    assert summary.game_id == game_id and summary.completed
    assert view.stage is Stage.DONE

    events = played.events
    kinds = [e.kind for e in events]
    assert kinds[0] == "instructions_done" and kinds[-1] == "frame_stats"
    assert kinds.index("instructions_done") < kinds.index("trial_start")
    ends = played.of("trial_end")
    assert len(ends) == summary.trials_done == summary.trials_planned == view.task.trials_done
    assert [e.trial_index for e in ends] == list(range(summary.trials_done))
    table = check_trial_table(played, registry().get(game_id).task)
    assert table["trial_index"].tolist() == list(range(summary.trials_done))
    check_order(events)
    check_stamps(played, FAST[game_id].inputs)
    check_frame_stamps(played)
    assert events[-1].payload["frames"] > 10 and events[-1].payload["dropped"] >= 0


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_interrupt_keeps_only_complete_trials_in_german(
    qtbot, artefacts: Path, game_id: str
) -> None:
    # German texts in another window shape: every screen on the way is painted.
    played = build(qtbot, game_id, language="de", size=FAST[game_id].german_size)
    view = played.view
    driver = bot_driver(played, game_id)
    qtbot.waitUntil(lambda: in_a_later_trial(played), timeout=TIMEOUT_MS)
    save_screenshot(played, artefacts, f"{game_id}_de")
    driver.stop()
    view.interrupt("proctor")
    qtbot.waitUntil(lambda: played.finished, timeout=1000)
    view.interrupt("again")  # a second interrupt changes nothing
    assert len(played.summaries) == 1
    summary = played.summaries[0]
    assert not summary.completed and view.stage is Stage.DONE
    table = check_trial_table(played, registry().get(game_id).task)
    done = view.task.trials_done
    assert len(table["trial_index"]) == done == summary.trials_done >= 1
    assert len(played.of("trial_start")) == done + 1  # the last one started, never ended
    assert [e.kind for e in played.events][-2:] == ["game_interrupted", "frame_stats"]
    assert played.of("game_interrupted")[0].payload["reason"] == "proctor"


def stored_after(stored: list[EventRecord], sink: ListSink) -> list[EventRecord]:
    """What the store holds: the events before the crash, then the continuation's."""
    start = stored[-1].seq if stored else 0
    return stored + [
        EventRecord(start + i, e.t_ns, e.kind, e.trial_index, e.payload)
        for i, e in enumerate(sink.events, start=1)
    ]


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_a_crashed_game_continues_after_its_last_committed_trial(qtbot, game_id: str) -> None:
    """Replayed task calls rebuild the task; the game goes on where it broke."""
    crashed = build(qtbot, game_id)
    driver = bot_driver(crashed, game_id)
    qtbot.waitUntil(lambda: in_a_later_trial(crashed), timeout=TIMEOUT_MS)
    driver.stop()
    crashed.view.canvas.stop()
    stored = list(crashed.events)  # what reached the store before the "crash"
    last_end = crashed.of("trial_end")[-1]

    played = build(qtbot, game_id, resume_events=stored)
    view = played.view
    gap = played.events[0]
    assert gap.kind == "resume_gap"
    assert gap.payload["last_committed_trial"] == last_end.trial_index
    assert view.task.trials_done == last_end.trial_index + 1 and not view.task.trial_running
    assert view.stage is Stage.MESSAGE  # a word of welcome, then straight on
    bot_driver(played, game_id, seed=4)
    qtbot.waitUntil(lambda: played.finished, timeout=TIMEOUT_MS)
    summary = played.summaries[0]
    assert summary.completed and summary.trials_done == summary.trials_planned
    task = registry().get(game_id).task
    after = task.trial_table(played.events)
    assert after["trial_index"].tolist() == list(
        range(last_end.trial_index + 1, summary.trials_done)
    )
    # The store's events, before the crash and after, make one whole table.
    whole = task.trial_table(stored_after(stored, played.sink))
    assert whole["trial_index"].tolist() == list(range(summary.trials_done))
    check_stamps(played, FAST[game_id].inputs)
