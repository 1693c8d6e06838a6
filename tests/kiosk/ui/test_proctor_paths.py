"""Every way back for a proctor, through the real window: unlock over a game and back
to the candidate, unlock that interrupts, continue here, void, and the end screen.

A tiny battery keeps each path to seconds; bots play through real input events.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from games.engine.qt.view import Stage
from kiosk.outcome.pipeline import outcome_state
from kiosk.sessions.machine import status_of
from kiosk.store.models import GameRun, SessionStatus
from tests.kiosk.ui.station import ADMIN, checked_in, chord, playing, select_session, unlock


@pytest.mark.slow
def test_unlock_holds_the_game_and_back_returns_to_it(qtbot, station) -> None:
    sid = playing(qtbot, station)
    play = station.current_screen()
    view = play.host.view
    chord(station)
    assert station.current_screen().name == "unlock"
    assert view.stage is Stage.PAUSED  # no trial runs unseen behind the unlock screen
    qtbot.mouseClick(station.current_screen().cancel, Qt.MouseButton.LeftButton)
    assert station.current_screen() is play and play.host.view is view
    assert view.stage is not Stage.PAUSED
    assert station.candidate_mode
    assert status_of(station.context.store, sid) is SessionStatus.IN_PROGRESS


@pytest.mark.slow
@pytest.mark.long(30)
def test_unlock_mid_game_interrupts_and_continue_here_finishes(qtbot, station) -> None:
    store = station.context.store
    sid = playing(qtbot, station)
    play = station.current_screen()
    unlock(qtbot, station)
    assert not station.candidate_mode
    qtbot.waitUntil(lambda: status_of(store, sid) is SessionStatus.INTERRUPTED, timeout=5000)
    assert play.host.stopped
    qtbot.waitUntil(lambda: play.host.view is None, timeout=10_000)
    with store.reader() as s:
        assert {r.status for r in s.scalars(select(GameRun).where(GameRun.session_id == sid))} == {
            "interrupted"
        }

    console = station.current_screen()
    select_session(qtbot, console, sid)
    assert console.resume_here.isEnabled()
    qtbot.mouseClick(console.resume_here, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: station.current_screen().name == "play", timeout=10_000)
    assert station.candidate_mode
    qtbot.waitUntil(lambda: station.current_screen().name == "complete", timeout=120_000)
    assert status_of(store, sid) is SessionStatus.COMPLETED
    # After-session work runs in the station's window too, off the GUI thread.
    qtbot.waitUntil(lambda: station.outcomes.states.get(sid) == "scored", timeout=60_000)
    assert outcome_state(store, sid) == "scored"


@pytest.mark.slow
def test_void_after_unlock_leaves_the_proctor_on_the_console(qtbot, station) -> None:
    store = station.context.store
    sid = playing(qtbot, station)
    unlock(qtbot, station)
    console = station.current_screen()
    select_session(qtbot, console, sid)
    console.text.setText("candidate felt unwell")
    qtbot.mouseClick(console.void_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_of(store, sid) is SessionStatus.VOIDED, timeout=5000)
    qtbot.wait(300)
    assert station.current_screen().name == "console" and not station.candidate_mode


@pytest.mark.slow
def test_unlock_on_consent_interrupts_and_continue_returns_to_consent(qtbot, station) -> None:
    store = station.context.store
    sid = checked_in(station)
    station.open("consent")
    unlock(qtbot, station)
    assert status_of(store, sid) is SessionStatus.INTERRUPTED
    console = station.current_screen()
    select_session(qtbot, console, sid)
    qtbot.mouseClick(console.resume_here, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: station.current_screen().name == "consent", timeout=10_000)
    assert status_of(store, sid) is SessionStatus.CHECKED_IN
    assert station.context.state.session_id == sid


@pytest.mark.slow
def test_the_end_screen_returns_to_the_console_when_not_in_candidate_mode(qtbot, station) -> None:
    station.context.state.actor = ADMIN
    complete = station.open("complete")
    qtbot.mouseClick(complete.ok, Qt.MouseButton.LeftButton)
    assert station.current_screen().name == "console"


@pytest.mark.slow
def test_unlock_from_the_end_screen_reaches_the_console(qtbot, station) -> None:
    station.set_candidate_mode(True)
    station.open("complete")
    unlock(qtbot, station)
    assert not station.candidate_mode


@pytest.mark.slow
def test_a_completed_session_left_unscored_is_scored_at_start(qtbot, store) -> None:
    """A kill during after-session work: the next start does it."""
    from kiosk.shell.app import create_application
    from kiosk.shell.window import MainWindow
    from tests.helpers import record_simulated_session

    sid = record_simulated_session(store, "short", seed=3)
    assert outcome_state(store, sid) == "pending"
    create_application()
    window = MainWindow(store)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.outcomes.states.get(sid) == "scored", timeout=60_000)
    assert outcome_state(store, sid) == "scored"
    window.close()


@pytest.mark.slow
def test_the_console_shows_after_session_results(qtbot, station) -> None:
    from tests.helpers import record_simulated_session

    store = station.context.store
    sid = record_simulated_session(store, "short", seed=4)
    station.context.state.actor = ADMIN
    console = station.open("console")
    qtbot.waitUntil(lambda: any(s.id == sid for s in console.sessions), timeout=10_000)
    station.outcomes.submit(sid)
    row = next(i for i, s in enumerate(console.sessions) if s.id == sid)
    from kiosk.shell.screens.console import COLUMNS

    results = COLUMNS.index("Results")
    qtbot.waitUntil(lambda: console.table.item(row, results).text() == "scored", timeout=60_000)
