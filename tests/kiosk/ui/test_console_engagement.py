"""The proctor console shows each live session's engagement flags."""

from __future__ import annotations

import pytest

from games.catalog import TaskGame
from kiosk.access import auth
from kiosk.shell.screens.console import COLUMNS
from kiosk.store.models import Role
from tests.kiosk.engagement_helpers import StuckFastPlayer, record_games

ENGAGEMENT = COLUMNS.index("Engagement")


@pytest.fixture
def console(window, qtbot, store):
    auth.create_user(store, auth.SYSTEM, "ada", "correct horse", Role.ADMIN, pin="1234")
    auth.create_user(store, auth.SYSTEM, "pat", "proctor pass", Role.PROCTOR, pin="2468")
    window.context.state.actor = auth.authenticate(store, "pat", "proctor pass")
    screen = window.open("console")
    yield screen
    screen.timer.stop()


def _row(console, sid: str) -> int:
    return next(i for i, s in enumerate(console.sessions) if s.id == sid)


@pytest.mark.slow
def test_a_live_session_answering_too_fast_is_flagged(
    console, qtbot, store, monkeypatch, artefacts
) -> None:
    monkeypatch.setattr(TaskGame("arrows").bot, "Bot", StuckFastPlayer)
    flagged = record_games(store, ["arrows"])
    monkeypatch.undo()
    normal = record_games(store, ["arrows"])
    console.refresh()

    def shown(sid: str) -> str:
        if not any(s.id == sid for s in console.sessions):
            return ""
        item = console.table.item(_row(console, sid), ENGAGEMENT)
        return item.text() if item is not None else ""

    qtbot.waitUntil(lambda: "too fast" in shown(flagged), timeout=60_000)
    item = console.table.item(_row(console, flagged), ENGAGEMENT)
    assert item.text() == "too fast, same key, at chance"
    assert "Arrows: " in item.toolTip() and "faster than 150 ms" in item.toolTip()
    assert shown(normal) == ""
    # A refresh refills the table without losing what is known.
    console.refresh()
    qtbot.wait(200)
    assert "too fast" in shown(flagged)
    console.window().grab().save(str(artefacts / "console-engagement.png"))
