"""Stop (stop-signal task): schedule, SSD staircase, race bot and trial table."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy.stats import spearmanr

from games.api import ConfigError, ListSink
from games.stop import bot, task

SMALL = {"n_practice": 4, "n_blocks": 2, "trials_per_block": 12}
MS = 1_000_000


class RecordingSink(ListSink):
    def __init__(self) -> None:
        super().__init__(clock=lambda: 0)
        self.durable: list[bool] = []

    def flush(self, durable: bool = False) -> None:
        super().flush(durable)
        self.durable.append(durable)


def integration_ssrt(t: dict[str, np.ndarray]) -> float:
    """Integration method with go omissions replaced by the maximum go RT (SCIENCE.md)."""
    main = ~t["practice"]
    go, stop = main & ~t["stop"], main & t["stop"]
    p_respond = t["responded"][stop].mean()
    rts = t["rt_ms"][go].copy()
    rts[np.isnan(rts)] = np.nanmax(rts)
    rts.sort()
    nth = max(1, int(np.ceil(p_respond * len(rts))))
    return float(rts[nth - 1] - np.nanmean(t["ssd_ms"][stop]))


def test_identity_and_consensus_defaults() -> None:
    assert (task.GAME_ID, task.DISPLAY_NAME, task.VERSION) == ("stop", "Stop", "1.0.0")
    p = task.validate_params({})
    assert (p["ssd_start_ms"], p["ssd_step_ms"], p["ssd_min_ms"], p["max_rt_ms"]) == (
        200,
        50,
        0,
        1250,
    )
    main = [t for t in task.make_schedule({}, 0) if not t.practice]
    assert len(main) >= 200 and sum(t.stop for t in main) >= 50
    assert sum(t.stop for t in main) / len(main) == pytest.approx(0.25)


def test_same_seed_same_schedule_different_seed_different() -> None:
    assert task.make_schedule({}, 21) == task.make_schedule({}, 21)
    assert task.make_schedule({}, 21) != task.make_schedule({}, 22)


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"p_stop": 0.8}, "p_stop"),
        ({"ssd_step_ms": -50}, "ssd_step_ms"),
        ({"ssd_start_ms": 1200}, "ssd_start_ms"),
        ({"ssd_max_ms": 1300}, "ssd_max_ms"),
        ({"max_rt_ms": "slow"}, "max_rt_ms"),
        ({"stop_signal": "smell"}, "stop_signal"),
        ({"main_feedback": 1}, "main_feedback"),
        ({"key_left": "right"}, "key_left"),
        ({"ssd": 100}, "ssd"),
    ],
)
def test_validate_params_names_the_bad_key(params: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        task.validate_params(params)


def test_blocks_hold_a_quarter_stop_trials_with_balanced_directions() -> None:
    for seed in range(10):
        schedule = task.make_schedule({}, seed)
        for block in range(1, 6):
            trials = [t for t in schedule if t.block == block]
            stops = [t for t in trials if t.stop]
            gos = [t for t in trials if not t.stop]
            assert len(trials) == 40 and len(stops) == 10
            assert sum(t.direction == "left" for t in stops) == 5
            assert sum(t.direction == "left" for t in gos) == 15
        assert sum(t.stop for t in schedule if t.practice) == 4


def _run_trial(game: task.StopTask, t: int, *, respond_ms: float | None) -> None:
    """One trial with the signal shown on time; respond at ``respond_ms`` after the arrow."""
    trial = game.start_trial(t)
    onset = t + 250 * MS
    game.stimulus_shown(onset, "paint", 16_666_667)
    due = game.stop_signal_due_ns
    respond_at = None if respond_ms is None else onset + round(respond_ms * MS)
    if due is not None and (respond_at is None or respond_at > due):
        assert game.stop_signal_shown(due, "paint", 16_666_667)
    if respond_at is None:
        game.timeout(onset + 1250 * MS)
    else:
        game.respond(str(game.params[f"key_{trial.direction}"]), respond_at)


def test_ssd_tracks_up_after_success_down_after_failure_within_bounds() -> None:
    sink = RecordingSink()
    params = {"n_practice": 0, "n_blocks": 1, "trials_per_block": 200, "p_stop": 0.5}
    params |= {"ssd_start_ms": 100, "ssd_max_ms": 300}
    game = task.StopTask(params, 3, sink)
    history: list[tuple[int, bool, int]] = []
    pattern = [False, False, False, True, True, True, True, True, True, False] * 10
    k, t = 0, 0
    while not game.finished:
        trial = game.current_trial
        assert trial is not None
        t += 3_000 * MS
        before = game.ssd_ms
        if trial.stop:
            stop_ok = pattern[k % len(pattern)]
            k += 1
            _run_trial(game, t, respond_ms=None if stop_ok else 600.0)
            history.append((before, stop_ok, game.ssd_ms))
        else:
            _run_trial(game, t, respond_ms=400.0)
            assert game.ssd_ms == before  # go trials leave the tracker alone
    assert history[0][0] == 100
    for before, stop_ok, after in history:
        expected = min(300, before + 50) if stop_ok else max(0, before - 50)
        assert after == expected
    assert {0, 300} <= {after for _, _, after in history}  # both bounds reached
    starts = [e for e in sink.events if e.kind == "trial_start" and e.payload["stop"]]
    assert [e.payload["ssd_ms"] for e in starts] == [b for b, _, _ in history]
    assert all(e.payload["ssd_ms"] is None for e in sink.events
               if e.kind == "trial_start" and not e.payload["stop"])  # fmt: skip
    assert sink.durable[-1] and sink.durable.count(True) == 1


def test_response_before_the_signal_is_a_failed_stop_and_hides_the_signal() -> None:
    sink = ListSink(clock=lambda: 0)
    params = {"n_practice": 0, "n_blocks": 1, "trials_per_block": 8, "p_stop": 0.5}
    game = task.StopTask(params, 1, sink)
    first_stop = next(t for t in game.schedule if t.stop)
    for i in range(first_stop.index):
        _run_trial(game, i * 3_000 * MS, respond_ms=400.0)
    t = 100_000 * MS
    trial = game.start_trial(t)
    assert trial.stop
    game.stimulus_shown(t + 250 * MS, "paint", 1)
    assert game.trial_ssd_ms == 200
    assert game.stop_signal_due_ns == t + 450 * MS
    assert game.respond(str(game.params[f"key_{trial.direction}"]), t + 350 * MS)  # RT 100 ms
    assert not game.stop_signal_shown(t + 450 * MS, "paint", 1)
    outcome = game.last_outcome
    assert outcome is not None and outcome.responded and not outcome.correct
    assert game.ssd_ms == 150
    table = task.trial_table(sink.events)
    last = {k: v[-1] for k, v in table.items()}
    assert last["stop"] and not last["signal_shown"] and np.isnan(last["ssd_actual_ms"])
    assert last["rt_ms"] == pytest.approx(100.0) and last["ssd_ms"] == 200.0


def test_simulated_staircase_and_table() -> None:
    events = bot.simulate({}, bot.BotParams(), 17)
    table = task.trial_table(events)
    planned = len(task.make_schedule({}, 17))
    assert list(table) == list(task.COLUMNS)
    assert {len(c) for c in table.values()} == {planned}
    stop = table["stop"]
    ssd = table["ssd_ms"][stop]
    stopped = ~table["responded"][stop]
    assert ssd[0] == 200.0 and np.isnan(table["ssd_ms"][~stop]).all()
    step = np.diff(ssd)
    expected = np.where(stopped[:-1], 50.0, -50.0)
    clipped = np.clip(ssd[:-1] + expected, 0, 1150) - ssd[:-1]
    assert (step == clipped).all()
    shown = table["signal_shown"]
    assert (np.abs(table["ssd_actual_ms"][shown] - table["ssd_ms"][shown]) < 17).all()
    assert (table["omission"] == (~stop & ~table["responded"])).all()
    assert 0.25 <= table["responded"][stop].mean() <= 0.75
    signal_respond = np.nanmean(table["rt_ms"][stop])
    assert signal_respond < np.nanmean(table["rt_ms"][~stop])  # race model prediction
    assert all(e.trial_index is not None for e in events)


def test_interrupted_game_gives_rows_for_complete_trials_only() -> None:
    events = bot.simulate(SMALL, bot.BotParams(), 2)
    ends = [i for i, e in enumerate(events) if e.kind == "trial_end"]
    table = task.trial_table(events[: ends[11] + 2])
    assert list(table["trial_index"]) == list(range(12))
    assert task.trial_table([])["rt_ms"].shape == (0,)


def test_ignored_inputs() -> None:
    sink = ListSink(clock=lambda: 0)
    game = task.StopTask(SMALL, 0, sink)
    assert not game.respond("left", 5)  # no trial: nothing recorded
    game.start_trial(0)
    assert not game.respond("left", 10)
    game.stimulus_shown(100, "paint", 1)
    assert not game.respond("space", 200)
    assert not game.respond("left", 100 + 1251 * MS)
    assert game.last_outcome is not None and not game.last_outcome.responded
    reasons = [e.payload["reason"] for e in sink.events if e.kind == "ignored_input"]
    assert reasons == ["before_onset", "unknown_key", "late"]


@pytest.mark.slow
def test_bot_fidelity_ssrt() -> None:
    """ssrt_ms moves the integration SSRT (staircase) and p(respond|signal) (fixed SSD)."""
    ssrts = np.linspace(120.0, 380.0, 40)
    rng = np.random.default_rng(0)
    estimated, p_respond = [], []
    for i, ssrt in enumerate(ssrts):
        player = replace(bot.BotParams.sample(rng), ssrt_ms=float(ssrt))
        t = task.trial_table(bot.simulate({"n_practice": 0}, player, 10 + i))
        estimated.append(integration_ssrt(t))
        fixed = {"n_practice": 0, "ssd_step_ms": 0}
        t = task.trial_table(
            bot.simulate(fixed, replace(bot.BotParams(), ssrt_ms=float(ssrt)), 60 + i)
        )
        p_respond.append(t["responded"][t["stop"]].mean())
    rho_ssrt = spearmanr(ssrts, estimated).statistic
    rho_p = spearmanr(ssrts, p_respond).statistic
    assert rho_ssrt > 0.85, rho_ssrt
    assert rho_p > 0.9, rho_p


def test_population_sample_is_plausible() -> None:
    rng = np.random.default_rng(3)
    for _ in range(100):
        p = bot.BotParams.sample(rng)
        assert 120 <= p.ssrt_ms <= 380 and 0 <= p.go_omission <= 0.03
