"""Money Exchange 2 view: offers and gifts set with − / +, offers answered with buttons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from games.engine.qt.view import Stage
from games.exchange_split import bot, task
from games.exchange_split.view import SplitView
from tests.games.ui.bot_play import (
    check_pause,
    check_stamps,
    make_view,
    play_to_end,
    screenshot_when,
)
from tests.games.ui.test_view_contract import FAST

SHORT = FAST["exchange_split"].params
PLAYER = bot.BotParams(offer_share=0.4, dictator_share=0.3, rt_mean_s=2.0)
ITI_MS = 800  # shorter than the real 2 s: six rounds and six messages stay quick
ROLES = ["proposer", "responder", "dictator"]


def _bot(seed: int = 2) -> bot.Bot:
    return bot.Bot(PLAYER, np.random.default_rng(seed))


def _deciding(view: SplitView) -> bool:
    return view.task.trial_running and not view.awaiting_onset


def _next_round(qtbot, view: SplitView) -> None:
    while not _deciding(view):  # instructions, announcements, practice over
        if view.continue_ready():  # a continue screen that takes a press by now
            QTest.keyClick(view.canvas, Qt.Key.Key_Space)
        qtbot.wait(20)


@pytest.mark.slow
def test_bot_plays_every_role(qtbot, artefacts: Path) -> None:
    played = make_view(qtbot, SplitView, task, SHORT, seed=4, iti_ms=ITI_MS)
    shot = screenshot_when(
        played,
        artefacts,
        "exchange_split",
        lambda v: v.task.trials_done >= 1 and _deciding(v) and v.amount >= 2,
    )
    seconds = play_to_end(qtbot, played, _bot(), speed=0.05, timeout_ms=25_000)

    summary = played.summaries[0]
    assert summary.trials_done == 6
    table = task.trial_table(played.events)
    assert table["role"].tolist() == [r for r in ROLES for _ in range(2)]
    assert table["practice"].tolist() == [True, False] * 3
    assert table["offer"][2:4].tolist() == [5, 3]  # half the pot in practice, then 30%
    inputs = [e.payload["input"] for e in played.of("response")]
    assert inputs == ["offer", "offer", "respond", "respond", "give", "give"]
    for response in played.of("response"):
        if response.payload["input"] == "respond":
            continue
        changes = [
            e.payload["amount"]
            for e in played.of("amount_changed")
            if e.trial_index == response.trial_index
        ]
        assert response.payload["amount"] == (changes[-1] if changes else 0)
    texts = played.view.texts
    practice_over = texts.get("common", "practice_over")
    parts = [texts.get("exchange_split", f"{role}_part", pot=10) for role in ROLES]
    assert played.messages == [m for part in parts for m in (part, practice_over)]
    schedule = task.make_schedule(SHORT, 4)
    thresholds = [e.payload.get("partner_threshold") for e in played.of("trial_start")]
    assert thresholds == [t.partner_threshold for t in schedule]
    assert shot and shot[0].exists()
    assert seconds < 15


def test_same_seed_same_partners(qtbot) -> None:
    a = make_view(qtbot, SplitView, task, SHORT, seed=8).view.task
    b = make_view(qtbot, SplitView, task, SHORT, seed=8).view.task
    assert a.schedule == b.schedule
    assert a.schedule != task.make_schedule(SHORT, 9)


@pytest.mark.slow
def test_keys_and_clicks_in_every_role_and_pause(qtbot) -> None:
    played = make_view(qtbot, SplitView, task, {**SHORT, "n_practice": 0}, iti_ms=300)
    view = played.view
    canvas = view.canvas
    _next_round(qtbot, view)
    assert view.task.role == "proposer"
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Right, Qt.Key.Key_Down):
        QTest.keyClick(canvas, key)
    check_pause(qtbot, played, lambda: QTest.keyClick(canvas, Qt.Key.Key_Return))
    QTest.keyClick(canvas, Qt.Key.Key_Enter)
    assert played.of("response")[-1].payload == {"input": "offer", "amount": 2}

    _next_round(qtbot, view)
    assert view.task.role == "responder"
    changes = len(played.of("amount_changed"))
    QTest.keyClick(canvas, Qt.Key.Key_Right)  # no amount to set here: unused
    assert len(played.of("amount_changed")) == changes and view.task.trial_running
    QTest.keyClick(canvas, Qt.Key.Key_R)
    assert played.of("response")[-1].payload == {"input": "respond", "accept": False}

    _next_round(qtbot, view)
    assert view.task.role == "dictator"
    boxes = view._layout(view.rect().toRectF())
    scale = boxes["scale"]
    QTest.mouseClick(
        canvas,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(round(scale.left() + scale.width() * 0.5), round(scale.center().y())),
    )
    QTest.mouseClick(
        canvas,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        boxes["minus"].center().toPoint(),
    )
    QTest.mouseClick(
        canvas,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        boxes["confirm"].center().toPoint(),
    )
    assert played.of("response")[-1].payload == {"input": "give", "amount": 4}
    vias = [e.payload["via"] for e in played.of("amount_changed") if e.trial_index == 2]
    assert vias == ["scale", "button"]
    qtbot.waitUntil(lambda: played.finished or view.stage is Stage.END, timeout=5000)
    check_stamps(played)
