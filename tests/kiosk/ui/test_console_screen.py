"""The proctor console: incident notes read back, game names, and why a button is off."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt

from kiosk import incidents, services
from kiosk.access import auth
from kiosk.access.permissions import PermissionDenied
from kiosk.battery import load_battery
from kiosk.store.models import GameRun, Role

NOW_PLAYING = 5  # column of the session table


@pytest.fixture
def proctor(store) -> auth.Actor:
    auth.create_user(store, auth.SYSTEM, "ada", "correct horse", Role.ADMIN, pin="1234")
    ada = auth.authenticate(store, "ada", "correct horse")
    auth.create_user(store, ada, "pat", "proctor pass", Role.PROCTOR, pin="2468")
    return auth.authenticate(store, "pat", "proctor pass")


@pytest.fixture
def console(window, qtbot, proctor):
    window.context.state.actor = proctor
    screen = window.open("console")
    yield screen
    screen.timer.stop()


def _schedule(store, actor) -> str:
    candidate = services.create_candidate(store, actor)
    return services.schedule_session(store, actor, candidate.id, load_battery("short"))


def _select(qtbot, console, sid: str) -> None:
    console.refresh()
    qtbot.waitUntil(lambda: any(s.id == sid for s in console.sessions), timeout=10_000)
    console.table.selectRow(next(i for i, s in enumerate(console.sessions) if s.id == sid))


@pytest.mark.slow
def test_incident_notes_can_be_read_back(console, qtbot, store, proctor, artefacts) -> None:
    sid = _schedule(store, proctor)
    other = _schedule(store, proctor)
    services.add_incident(store, proctor, sid, "fire alarm at 10:05, candidate left the room")
    services.add_incident(store, proctor, other, "a note on another session")
    _select(qtbot, console, sid)
    qtbot.waitUntil(lambda: "fire alarm" in console.notes.toPlainText(), timeout=10_000)
    assert console.notes.isReadOnly()
    assert " · pat: fire alarm at 10:05" in console.notes.toPlainText()
    assert "another session" not in console.notes.toPlainText()

    # A note written here appears at once, after the earlier one.
    qtbot.keyClicks(console.text, "back at 10:12, continued")
    qtbot.mouseClick(console.note_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "back at 10:12" in console.notes.toPlainText(), timeout=10_000)
    lines = console.notes.toPlainText().splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "fire alarm at 10:05, candidate left the room",
        "back at 10:12, continued",
    ]
    # A note written elsewhere (another station) shows at the next refresh.
    services.add_incident(store, proctor, sid, "written at the desk")
    console.refresh()
    qtbot.waitUntil(lambda: "written at the desk" in console.notes.toPlainText(), timeout=10_000)
    console.window().grab().save(str(artefacts / "console-notes.png"))

    # Another session: its own notes, or a plain word that there are none.
    fresh = _schedule(store, proctor)
    _select(qtbot, console, fresh)
    qtbot.waitUntil(
        lambda: console.notes.toPlainText() == "No notes on this session.", timeout=10_000
    )


@pytest.mark.slow
def test_reading_notes_needs_the_right_to_view_sessions(store, proctor) -> None:
    sid = _schedule(store, proctor)
    services.add_incident(store, proctor, sid, "noted")
    [note] = incidents.list_incidents(store, proctor, sid)
    assert (note.author, note.text) == ("pat", "noted") and note.at.tzinfo is not None
    with pytest.raises(PermissionDenied):
        incidents.list_incidents(store, auth.CANDIDATE, sid)
    with pytest.raises(ValueError, match="no session"):
        incidents.list_incidents(store, proctor, str(uuid.uuid4()))


@pytest.mark.slow
def test_now_playing_shows_the_games_display_name(console, qtbot, store, proctor) -> None:
    sid = _schedule(store, proctor)
    with store.writer() as s, s.begin():
        s.add(
            GameRun(
                id=str(uuid.uuid4()),
                session_id=sid,
                position=1,
                game_id="exchange_trust",
                game_version="1",
                seed=1,
                config={},
                status="running",
            )
        )
    _select(qtbot, console, sid)
    row = next(i for i, s in enumerate(console.sessions) if s.id == sid)
    shown = console.table.item(row, NOW_PLAYING).text()
    assert shown == load_battery("short").games[1].display_name
    assert shown != "exchange_trust"


@pytest.mark.slow
def test_buttons_say_why_they_are_off(console, qtbot, store, proctor) -> None:
    sid = _schedule(store, proctor)
    console.refresh()
    qtbot.waitUntil(lambda: len(console.sessions) == 1, timeout=10_000)
    actions = (
        console.pause_button,
        console.resume_button,
        console.void_button,
        console.note_button,
        console.resume_here,
    )
    for button in actions:
        assert not button.isEnabled()
        assert button.toolTip() == "Select a session in the table first."
    assert console.hint.text().startswith("Select a session in the table")

    # Reached without the buttons (e.g. a shortcut), an action explains instead of nothing.
    console.hint.clear()
    console.note()
    assert console.hint.text() == "Select a session in the table first."

    _select(qtbot, console, sid)
    assert console.hint.text() == ""
    assert console.void_button.isEnabled() and console.void_button.toolTip() == ""
    assert console.note_button.isEnabled()
    assert not console.pause_button.isEnabled()
    assert console.pause_button.toolTip() == (
        "Only a session in progress can be paused; this one is scheduled."
    )
    assert console.resume_button.toolTip() == (
        "Only a paused session can be resumed; this one is scheduled."
    )
    assert console.resume_here.toolTip() == (
        "Only an interrupted session can be continued here; this one is scheduled."
    )
    # The periodic refresh keeps the selection and the reasons.
    console.refresh()
    qtbot.wait(200)
    assert console.selected() is not None and console.selected().id == sid
    assert console.void_button.isEnabled()
