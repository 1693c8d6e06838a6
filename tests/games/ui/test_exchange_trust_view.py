"""Money Exchange 1 view: the bot sets amounts with − / + and confirms; keys and scale."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from games.exchange_trust import bot, task
from games.exchange_trust.view import TrustView
from tests.games.ui.bot_play import (
    check_pause,
    check_stamps,
    make_view,
    play_to_end,
    screenshot_when,
)
from tests.games.ui.test_view_contract import FAST

SHORT = FAST["exchange_trust"].params
PLAYER = bot.BotParams(trust=0.6, reciprocity=0.4, rt_mean_s=2.0)
ITI_MS = 1000  # half the real interval: four rounds and four messages stay quick


def _bot(seed: int = 2) -> bot.Bot:
    return bot.Bot(PLAYER, np.random.default_rng(seed))


def _deciding(view: TrustView) -> bool:
    return view.task.trial_running and not view.awaiting_onset


def _start(qtbot, played) -> None:
    view = played.view
    while not _deciding(view):  # instructions, the role's announcement
        if view.continue_ready():  # a continue screen that takes a press by now
            QTest.keyClick(view.canvas, Qt.Key.Key_Space)
        qtbot.wait(20)


@pytest.mark.slow
def test_bot_plays_both_roles(qtbot, artefacts: Path) -> None:
    played = make_view(qtbot, TrustView, task, SHORT, seed=4, iti_ms=ITI_MS)
    shot = screenshot_when(
        played,
        artefacts,
        "exchange_trust",
        lambda v: v.task.trials_done >= 1 and _deciding(v) and v.amount >= 2,
    )
    seconds = play_to_end(qtbot, played, _bot(), speed=0.05, timeout_ms=25_000)

    summary = played.summaries[0]
    assert summary.trials_done == 4
    table = task.trial_table(played.events)
    assert table["role"].tolist() == ["investor", "investor", "trustee", "trustee"]
    assert table["practice"].tolist() == [True, False, True, False]
    assert table["received"][2:].tolist() == [15, 12]
    # Each decision is the amount the selector showed: its last change in the round.
    for response in played.of("response"):
        changes = [
            e.payload["amount"]
            for e in played.of("amount_changed")
            if e.trial_index == response.trial_index
        ]
        assert response.payload["amount"] == (changes[-1] if changes else 0)
    assert summary.extra["earnings"] == int(table["payoff_self"][~table["practice"]].sum())
    texts = played.view.texts
    practice_over = texts.get("common", "practice_over")
    assert played.messages == [
        texts.get("exchange_trust", "investor_part", endowment=10, multiplier=3),
        practice_over,
        texts.get("exchange_trust", "trustee_part", endowment=10, multiplier=3),
        practice_over,
    ]
    # The partner's return shares were the seeded schedule's.
    shares = [e.payload["partner_return_share"] for e in played.of("trial_start")[:2]]
    assert shares == [t.partner_return_share for t in task.make_schedule(SHORT, 4)[:2]]
    assert shot and shot[0].exists()
    assert seconds < 15


def test_same_seed_same_partners(qtbot) -> None:
    a = make_view(qtbot, TrustView, task, SHORT, seed=8).view.task
    b = make_view(qtbot, TrustView, task, SHORT, seed=8).view.task
    assert a.schedule == b.schedule
    assert a.schedule != task.make_schedule(SHORT, 9)


@pytest.mark.slow
def test_keys_scale_and_pause(qtbot) -> None:
    played = make_view(qtbot, TrustView, task, SHORT)
    view = played.view
    canvas = view.canvas
    _start(qtbot, played)
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Left):
        QTest.keyClick(canvas, key)
    assert view.amount == 2
    QTest.keyClick(canvas, Qt.Key.Key_Left)
    QTest.keyClick(canvas, Qt.Key.Key_Left)
    QTest.keyClick(canvas, Qt.Key.Key_Left)  # cannot go below 0: no change recorded
    assert view.amount == 0
    scale = view._layout(view.rect().toRectF())["scale"]
    at_seven = scale.left() + scale.width() * 0.7
    QTest.mouseClick(
        canvas,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(round(at_seven), round(scale.center().y())),
    )
    assert view.amount == 7
    assert [e.payload["via"] for e in played.of("amount_changed")][-1] == "scale"
    check_pause(qtbot, played, lambda: QTest.keyClick(canvas, Qt.Key.Key_Return))
    assert view.task.trial_running
    QTest.keyClick(canvas, Qt.Key.Key_Return)
    assert not view.task.trial_running
    assert played.of("response")[-1].payload == {"input": "send", "amount": 7}
    check_stamps(played)
