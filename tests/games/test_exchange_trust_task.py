"""Money Exchange 1 (trust game): schedule, parameters, payoffs, trial table, bot fidelity."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from scipy.stats import spearmanr

from games.api import ConfigError, ListSink
from games.exchange_trust import bot, task

REFRESH = 16_666_667


def test_defaults_follow_science_md() -> None:
    p = task.validate_params({})
    assert p["endowment"] == 10 and p["multiplier"] == 3
    assert p["investor_rounds"] == 5 and len(p["trustee_sends"]) == 5
    assert task.GAME_ID == "exchange_trust" and task.DISPLAY_NAME == "Money Exchange 1"
    assert task.VERSION == "1.0.0"


def test_same_seed_same_schedule_different_seed_different() -> None:
    a = task.make_schedule({}, 1)
    assert a == task.make_schedule({}, 1)
    assert a != task.make_schedule({}, 2)
    assert [t.role for t in a] == ["investor"] * 5 + ["trustee"] * 5
    assert sorted(t.partner_sent for t in a if t.role == "trustee") == [2, 4, 6, 8, 10]
    shares = [t.partner_return_share for t in a if t.role == "investor"]
    assert all(s is not None and 0.1 <= s <= 0.5 for s in shares)
    flipped = task.make_schedule({"role_order": ["trustee", "investor"], "n_practice": 1}, 1)
    assert [(t.role, t.practice) for t in flipped][:2] == [("trustee", True), ("trustee", False)]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"endownment": 10}, "'endownment'"),
        ({"endowment": 0}, "'endowment'"),
        ({"multiplier": 3.0}, "'multiplier'"),
        ({"trustee_sends": [2, 11]}, "'trustee_sends'"),
        ({"trustee_sends": [0]}, "'trustee_sends'"),
        ({"partner_return_max": 1.5}, "'partner_return_max'"),
        ({"partner_return_min": 0.6}, "'partner_return_min'"),
        ({"role_order": ["investor"]}, "'role_order'"),
        ({"role_order": "investor"}, "'role_order'"),
        ({"investor_rounds": 0, "trustee_sends": []}, "'investor_rounds'"),
    ],
)
def test_validate_params_refuses(params: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        task.validate_params(params)


def test_payoffs_in_both_roles() -> None:
    sink = ListSink(clock=lambda: 0)
    params = {"investor_rounds": 1, "trustee_sends": [4]}
    game = task.TrustTask(params, 3, sink)
    first = game.start_trial(0)
    assert first.role == "investor" and first.partner_return_share is not None
    assert not game.return_amount(1, 5)  # wrong role: ignored
    with pytest.raises(ValueError, match=r"0\.\.10"):
        game.send(11, 5)
    assert game.send(6, 10)
    returned = task.partner_returns(first.partner_return_share, 18)
    out = game.last_outcome
    assert out is not None and (out.sent, out.received, out.returned) == (6, 18, returned)
    assert out.payoff_self == 10 - 6 + returned
    assert out.payoff_partner == 10 + 18 - returned
    second = game.start_trial(100)
    assert second.role == "trustee" and game.received == 12
    assert not game.send(3, 105)  # wrong role: ignored
    with pytest.raises(ValueError, match=r"0\.\.12"):
        game.return_amount(13, 105)
    assert game.return_amount(5, 110)
    out = game.last_outcome
    assert out is not None and (out.payoff_self, out.payoff_partner) == (10 + 12 - 5, 10 - 4 + 5)
    assert game.finished and game.summary().completed
    assert not game.send(1, 200)
    with pytest.raises(RuntimeError):
        game.start_trial(201)
    assert sink.flushes == 3


def test_partner_returns_rounds_half_up() -> None:
    assert task.partner_returns(0.5, 9) == 5
    assert task.partner_returns(0.1, 3) == 0
    assert task.partner_returns(1.0, 30) == 30
    assert task.partner_returns(0.3, 0) == 0


def test_trial_table_rows_columns_and_interruption() -> None:
    events = bot.simulate({"n_practice": 1}, bot.BotParams(), 4)
    table = task.trial_table(events)
    assert list(table) == list(task.COLUMNS)
    assert all(len(col) == 12 for col in table.values())
    investor = table["role"] == "investor"
    assert np.all(table["received"] == 3 * table["sent"])
    assert np.all(
        table["payoff_self"][investor] == 10 - table["sent"][investor] + table["returned"][investor]
    )
    assert np.all(table["rt_ms"] > 0)
    assert all(e.trial_index is not None for e in events)
    last_start = max(i for i, e in enumerate(events) if e.kind == "trial_start")
    cut = task.trial_table(events[: last_start + 2])
    assert all(len(col) == 11 for col in cut.values())
    assert len(task.trial_table([])["sent"]) == 0


def test_bot_trust_and_reciprocity_drive_behaviour() -> None:
    rng = np.random.default_rng(5)
    trusts = np.linspace(0.0, 1.0, 40)
    recips = rng.permutation(np.linspace(0.0, 1.0, 40))
    sent, returned = [], []
    for i, (trust, recip) in enumerate(zip(trusts, recips, strict=True)):
        params = replace(bot.BotParams.sample(rng), trust=float(trust), reciprocity=float(recip))
        table = task.trial_table(bot.simulate({}, params, seed=i))
        sent.append(table["sent_share"][table["role"] == "investor"].mean())
        returned.append(np.nanmean(table["returned_share"][table["role"] == "trustee"]))
    rho_trust = spearmanr(trusts, sent).statistic
    rho_recip = spearmanr(recips, returned).statistic
    assert rho_trust > 0.9, rho_trust
    assert rho_recip > 0.9, rho_recip


def test_docstring_documents_every_event_kind() -> None:
    doc = task.__doc__ or ""
    events = bot.simulate({}, bot.BotParams(), 1)
    assert all(f"``{kind}``" in doc for kind in {e.kind for e in events})
    for event in events:
        assert all(f"``{field}``" in doc for field in event.payload), event
