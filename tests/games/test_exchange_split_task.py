"""Money Exchange 2 (ultimatum, dictator): schedule, parameters, payoffs, table, bot fidelity."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from scipy.stats import spearmanr

from games.api import ConfigError, ListSink
from games.exchange_split import bot, task


def test_defaults_follow_science_md() -> None:
    p = task.validate_params({})
    assert p["pot"] == 10
    assert p["responder_offer_shares"] == (0.1, 0.2, 0.3, 0.4, 0.5)
    assert task.GAME_ID == "exchange_split" and task.DISPLAY_NAME == "Money Exchange 2"
    assert task.VERSION == "1.0.0"


def test_same_seed_same_schedule_different_seed_different() -> None:
    a = task.make_schedule({}, 1)
    assert a == task.make_schedule({}, 1)
    assert a != task.make_schedule({}, 2)
    roles = [t.role for t in a]
    assert roles == ["proposer"] * 5 + ["responder"] * 10 + ["dictator"] * 3
    offers = Counter(t.offer for t in a if t.role == "responder")
    assert offers == {1: 2, 2: 2, 3: 2, 4: 2, 5: 2}  # each level twice
    orders = {tuple(t.offer for t in task.make_schedule({}, s) if t.offer) for s in range(5)}
    assert len(orders) > 1  # the order is shuffled by the seed
    thresholds = [t.partner_threshold for t in a if t.role == "proposer"]
    assert all(x is not None and 0.1 <= x <= 0.4 for x in thresholds)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"pott": 10}, "'pott'"),
        ({"pot": 1}, "'pot'"),
        ({"responder_offer_shares": [0.1, 1.5]}, "'responder_offer_shares'"),
        ({"responder_repeats": -1}, "'responder_repeats'"),
        ({"partner_threshold_min": 0.5}, "'partner_threshold_min'"),
        ({"partner_threshold_max": "high"}, "'partner_threshold_max'"),
        ({"role_order": ["proposer", "responder"]}, "'role_order'"),
        ({"role_order": [1, 2, 3]}, "'role_order'"),
        ({"proposer_rounds": 0, "responder_repeats": 0, "dictator_rounds": 0}, "'proposer_rounds'"),
    ],
)
def test_validate_params_refuses(params: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        task.validate_params(params)


def test_payoffs_and_partner_rule() -> None:
    sink = ListSink(clock=lambda: 0)
    params = {"proposer_rounds": 2, "responder_offer_shares": [0.3], "responder_repeats": 2}
    game = task.SplitTask({**params, "dictator_rounds": 1}, 7, sink)
    first = game.start_trial(0)
    assert first.role == "proposer" and first.partner_threshold is not None
    assert not game.give(3, 1)  # wrong role: ignored
    with pytest.raises(ValueError, match="amount"):
        game.offer(11, 1)
    assert game.offer(0, 2)  # nothing offered: below any threshold >= 0.1
    out = game.last_outcome
    assert out is not None and not out.accepted and (out.payoff_self, out.payoff_partner) == (0, 0)
    game.start_trial(10)
    assert game.offer(5, 12)  # half the pot: above any threshold <= 0.4
    out = game.last_outcome
    assert out is not None and out.accepted and (out.payoff_self, out.payoff_partner) == (5, 5)
    game.start_trial(20)
    assert game.offer_to_candidate == 3
    with pytest.raises(ValueError, match="True or False"):
        game.respond(1, 21)  # type: ignore[arg-type]
    assert game.respond(True, 22)
    assert game.last_outcome is not None and game.last_outcome.payoff_self == 3
    game.start_trial(30)
    assert game.respond(False, 32)
    assert game.last_outcome is not None and game.last_outcome.payoff_self == 0
    game.start_trial(40)
    assert game.give(2, 42)
    out = game.last_outcome
    assert out is not None and out.accepted and (out.payoff_self, out.payoff_partner) == (8, 2)
    assert game.finished and game.earnings == 0 + 5 + 3 + 0 + 8
    with pytest.raises(RuntimeError):
        game.start_trial(50)
    decisions = [e.payload["accepted"] for e in sink.events if e.kind == "partner_response"]
    assert decisions == [False, True]


def test_partner_threshold_decides() -> None:
    params = {"proposer_rounds": 30, "responder_repeats": 0, "dictator_rounds": 0}
    game = task.SplitTask(params, 3, ListSink(clock=lambda: 0))
    while not game.finished:
        trial = game.start_trial(0)
        assert trial.partner_threshold is not None
        game.offer(3, 1)
        assert game.last_outcome is not None
        assert game.last_outcome.accepted == (trial.partner_threshold <= 0.3)


def test_trial_table_rows_columns_and_interruption() -> None:
    events = bot.simulate({"n_practice": 1}, bot.BotParams(), 4)
    table = task.trial_table(events)
    assert list(table) == list(task.COLUMNS)
    assert all(len(col) == 18 + 3 for col in table.values())
    assert table["practice"].sum() == 3
    dictator = table["role"] == "dictator"
    assert np.all(table["accepted"][dictator])
    assert np.all(table["payoff_self"][dictator] == 10 - table["offer"][dictator])
    proposer = table["role"] == "proposer"
    assert np.all(np.isnan(table["partner_threshold"][~proposer]))
    assert np.array_equal(
        table["accepted"][proposer],
        table["offer_share"][proposer] >= table["partner_threshold"][proposer],
    )
    assert all(e.trial_index is not None for e in events)
    last_start = max(i for i, e in enumerate(events) if e.kind == "trial_start")
    cut = task.trial_table(events[: last_start + 3])
    assert all(len(col) == 20 for col in cut.values())
    assert len(task.trial_table([])["offer"]) == 0


def test_bot_parameters_drive_behaviour() -> None:
    rng = np.random.default_rng(9)
    n = 40
    offers = np.linspace(0.05, 0.6, n)
    thresholds = rng.permutation(np.linspace(0.0, 0.55, n))
    gifts = rng.permutation(np.linspace(0.0, 0.6, n))
    mean_offer, accept_rate, mean_gift = [], [], []
    for i in range(n):
        params = replace(
            bot.BotParams.sample(rng),
            offer_share=float(offers[i]),
            min_acceptable_share=float(thresholds[i]),
            dictator_share=float(gifts[i]),
        )
        table = task.trial_table(bot.simulate({}, params, seed=i))
        role = table["role"]
        mean_offer.append(table["offer_share"][role == "proposer"].mean())
        accept_rate.append(table["accepted"][role == "responder"].mean())
        mean_gift.append(table["offer_share"][role == "dictator"].mean())
    rho_offer = spearmanr(offers, mean_offer).statistic
    rho_mao = spearmanr(thresholds, accept_rate).statistic
    rho_gift = spearmanr(gifts, mean_gift).statistic
    assert rho_offer > 0.9, rho_offer
    assert rho_mao < -0.9, rho_mao
    assert rho_gift > 0.9, rho_gift


def test_docstring_documents_every_event_kind() -> None:
    doc = task.__doc__ or ""
    events = bot.simulate({}, bot.BotParams(), 1)
    assert all(f"``{kind}``" in doc for kind in {e.kind for e in events})
    for event in events:
        assert all(f"``{field}``" in doc for field in event.payload), event
