"""A store that stops taking writes mid-game (a full disk): the game pauses, the
candidate sees a calm message, the proctor's console says what is wrong, nothing
recorded is lost, and the session continues once space is freed.

The disk fills for real as far as SQLite can tell: every connection of the store gets
``PRAGMA max_page_count`` set to the current size, so the next write fails with
SQLITE_FULL ("database or disk is full"), exactly as on a full disk.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import event, select

from games.balloons import task as balloons
from games.engine.qt.view import Stage
from kiosk.sessions.machine import status_of
from kiosk.store.check import check_store
from kiosk.store.events import events_for_run
from kiosk.store.models import GameRun, SessionStatus
from tests.kiosk.ui.station import playing, select_session, unlock


class Disk:
    """Every connection the store opens from now on, to fill and free its 'disk'."""

    def __init__(self, store) -> None:
        self.connections: list = []
        store.engine.dispose()
        event.listen(store.engine, "connect", lambda conn, _: self.connections.append(conn))

    def fill(self) -> None:
        for conn in self.connections:
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages}")

    def free(self) -> None:
        for conn in self.connections:
            conn.execute("PRAGMA max_page_count = 1073741823")


@pytest.mark.slow
@pytest.mark.long(35)
def test_disk_full_mid_game_pauses_tells_and_continues_losing_nothing(qtbot, station) -> None:
    store = station.context.store
    disk = Disk(store)
    sid = playing(qtbot, station)
    play = station.current_screen()
    view = play.host.view
    qtbot.waitUntil(lambda: view.task.trials_done >= 1, timeout=20_000)

    disk.fill()
    qtbot.waitUntil(lambda: play.problem.isVisible(), timeout=20_000)
    assert view.stage is Stage.PAUSED
    assert "proctor" in play.problem.text() and "lost" in play.problem.text()
    trials_when_full = view.task.trials_done
    qtbot.wait(1500)
    assert view.task.trials_done == trials_when_full  # no trial runs while nothing is durable
    kept = len(station.recorder().unwritten)
    assert kept > 0

    unlock(qtbot, station)  # the interrupt cannot be written yet: the game stays held
    console = station.current_screen()
    assert console.problem.isVisible() and "database or disk is full" in console.problem.text()
    assert console.retry_button.isVisible()

    qtbot.mouseClick(console.retry_button, Qt.MouseButton.LeftButton)  # still full
    qtbot.waitUntil(lambda: "Still cannot write" in console.status.text(), timeout=10_000)
    assert console.problem.isVisible()

    disk.free()
    qtbot.mouseClick(console.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not console.problem.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: status_of(store, sid) is SessionStatus.INTERRUPTED, timeout=10_000)
    assert station.recorder().unwritten == [] and check_store(store).ok

    select_session(qtbot, console, sid)
    # The console's list catches up with the interrupt (as a proctor would wait to see it).
    qtbot.waitUntil(console.resume_here.isEnabled, timeout=10_000)
    qtbot.mouseClick(console.resume_here, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: station.current_screen().name == "complete", timeout=120_000)
    assert status_of(store, sid) is SessionStatus.COMPLETED
    with store.reader() as s:
        run_id = s.scalar(
            select(GameRun.id).where(GameRun.session_id == sid, GameRun.game_id == "balloons")
        )
    table = balloons.trial_table(events_for_run(store, run_id))
    assert table["trial_index"].tolist() == [0, 1, 2]
    assert check_store(store).ok
