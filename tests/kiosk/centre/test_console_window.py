"""The centre console window against a stand-in server: live rows, staleness, a lost
connection, and commands."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.centre import CentreApi, ReconnectPolicy, Token
from tests.kiosk.centre.fake_centre import TOKEN, FakeCentre, station

FAST = ReconnectPolicy(base_s=0.05, cap_s=0.2, floor_s=0.02)


class Clock:
    """The window's clocks, moved by the test (the feed itself runs in real time)."""

    def __init__(self) -> None:
        self.mono = 1000.0
        self.wall = datetime.now(UTC).replace(microsecond=0)

    def monotonic(self) -> float:
        return self.mono

    def now(self) -> datetime:
        return self.wall

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def flush_deferred_deletes(qapp) -> Iterator[None]:
    yield
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def console(qtbot, centre: FakeCentre, clock: Clock):
    from kiosk.shell.centre_console import CentreConsole

    centre.stations["a"] = station(
        "a", "Room 1", pseudonym="P-7QK2", flags=("too_fast_responding",), heartbeat=clock.wall
    )
    centre.stations["b"] = station(
        "b", "Room 2", pseudonym="P-M3XD", game="arrows", game_index=5, heartbeat=clock.wall
    )
    centre.stations["c"] = station("c", "Room 3", status=None, heartbeat=clock.wall)
    api = CentreApi(centre.url, transport=centre.transport)
    window = CentreConsole(
        api,
        Token(TOKEN, None, "grace", "North"),
        policy=FAST,
        monotonic=clock.monotonic,
        wall=clock.now,
    )
    qtbot.addWidget(window)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.table.rowCount() == 3, timeout=5000)
    yield window
    window.close()
    api.close()


def cell(window, name: str, column: str) -> str:
    from kiosk.shell.centre_console import COL

    for row in range(window.table.rowCount()):
        if window.table.item(row, COL["Station"]).text() == name:
            return window.table.item(row, COL[column]).text()
    raise AssertionError(f"no row for {name}")


def column(window, name: str) -> list[str]:
    from kiosk.shell.centre_console import COL

    return [window.table.item(r, COL[name]).text() for r in range(window.table.rowCount())]


def select(qtbot, window, name: str) -> None:
    station_id = next(s.station_id for s in window.board.stations() if s.name == name)
    window.select_station(station_id)
    assert window.selected_id() == station_id


@pytest.mark.slow
def test_stations_appear_from_the_snapshot(console, artefacts: Path) -> None:
    assert column(console, "Station") == ["Room 1", "Room 2", "Room 3"]
    assert column(console, "State") == ["in progress", "in progress", "idle"]
    assert cell(console, "Room 1", "Candidate") == "P-7QK2"
    assert cell(console, "Room 2", "Game") == "arrows"
    assert cell(console, "Room 2", "Progress") == "game 5 of 12"
    assert cell(console, "Room 1", "Elapsed") == "6:52"
    assert cell(console, "Room 1", "Quality") == "too fast responding"
    assert cell(console, "Room 1", "Sync") == "outbox 0 · acked 16 · lag 0:01"
    assert cell(console, "Room 1", "Heartbeat") == "0 s ago"
    assert cell(console, "Room 3", "Candidate") == "–"
    assert console.connection.text() == "● live" and not console.banner.isVisible()
    console.grab().save(str(artefacts / "centre_console.png"))


@pytest.mark.slow
def test_a_change_message_updates_its_row(qtbot, console, centre: FakeCentre, clock) -> None:
    centre.push(
        station(
            "b",
            "Room 2",
            pseudonym="P-M3XD",
            game="digits",
            game_index=6,
            incidents=1,
            outbox_pending=2,
            acked_through=20,
            heartbeat=clock.wall,
        )
    )
    qtbot.waitUntil(lambda: cell(console, "Room 2", "Progress") == "game 6 of 12", timeout=5000)
    assert cell(console, "Room 2", "Game") == "digits"
    assert cell(console, "Room 2", "Incidents") == "1"
    assert cell(console, "Room 2", "Sync") == "outbox 2 · acked 20 · lag 0:01"
    assert cell(console, "Room 1", "Game") == "balloons"  # the others are untouched


@pytest.mark.slow
def test_a_silent_station_turns_stale_within_three_heartbeats(
    qtbot, console, centre: FakeCentre, clock: Clock, artefacts: Path
) -> None:
    """Room 1 keeps beating every 2 s; Room 2 falls silent. The server never flags it:
    the console sees it from the heartbeat's age alone."""
    from kiosk.shell.centre_console import STALE

    for beat in range(1, 5):
        clock.advance(2.0)
        sent = clock.wall
        centre.push(station("a", "Room 1", heartbeat=sent))
        qtbot.waitUntil(lambda sent=sent: console.board.station("a").last_heartbeat == sent)
        console.refresh()
        room2 = cell(console, "Room 2", "State")
        if beat <= 3:  # 6 s = three heartbeats: not yet
            assert room2 == "in progress", beat
    assert cell(console, "Room 2", "State") == STALE
    assert cell(console, "Room 2", "Heartbeat") == "8 s ago"
    assert centre.stations["b"]["stale"] is False
    assert cell(console, "Room 1", "State") == "in progress"
    assert cell(console, "Room 1", "Heartbeat") == "0 s ago"
    # Room 1's heartbeats, plotted under the table when it is selected.
    assert not console.sparkline.isVisible()
    select(qtbot, console, "Room 1")
    assert console.sparkline.isVisible()
    assert [gap for _, gap in console.sparkline.points] == [2.0, 2.0, 2.0, 2.0]
    assert [round(x) for x, _ in console.sparkline.points] == [-6, -4, -2, 0]
    assert console.sparkline.threshold.value() == 6.0
    assert "stale after 6 s" in console.beats_heading.text()
    console.grab().save(str(artefacts / "centre_console_stale.png"))
    # A heartbeat brings it back.
    centre.push(station("b", "Room 2", heartbeat=clock.wall))
    qtbot.waitUntil(lambda: cell(console, "Room 2", "State") == "in progress", timeout=5000)


@pytest.mark.slow
def test_staleness_is_checked_every_second_without_any_message(qtbot, centre: FakeCentre) -> None:
    """On the real clocks: a station that announces a 0.2 s heartbeat and then says
    nothing is shown stale by the window's own timer."""
    from kiosk.shell.centre_console import CentreConsole

    centre.stations["q"] = {**station("q", "Quick"), "heartbeat_s": 0.2}
    api = CentreApi(centre.url, transport=centre.transport)
    window = CentreConsole(api, Token(TOKEN, None, "grace", "North"), policy=FAST)
    qtbot.addWidget(window)
    window.start()
    try:
        qtbot.waitUntil(lambda: window.table.rowCount() == 1, timeout=5000)
        qtbot.waitUntil(lambda: cell(window, "Quick", "State").startswith("STALE"), timeout=3000)
    finally:
        window.close()
        api.close()


@pytest.mark.slow
def test_a_dropped_connection_shows_on_every_row_and_recovers(
    qtbot, console, centre: FakeCentre, artefacts: Path
) -> None:
    from kiosk.shell.centre_console import CONNECTION_LOST

    select(qtbot, console, "Room 1")
    assert console.pause_button.isEnabled()
    centre.refuse = True  # the server is away: reconnecting fails for now
    centre.drop()
    qtbot.waitUntil(lambda: column(console, "State") == [CONNECTION_LOST] * 3, timeout=5000)
    assert console.banner.isVisible()
    assert "reconnecting" in console.banner.text()
    assert console.connection.text() == CONNECTION_LOST
    assert not console.pause_button.isEnabled()
    assert "Not connected" in console.pause_button.toolTip()
    qtbot.waitUntil(lambda: "503" in console.banner.text(), timeout=5000)
    console.grab().save(str(artefacts / "centre_console_lost.png"))
    centre.push(station("a", "Room 1", status="paused"))  # changed while we were away
    centre.refuse = False
    qtbot.waitUntil(lambda: console.live, timeout=5000)
    assert column(console, "State") == ["paused", "in progress", "idle"]
    assert not console.banner.isVisible()
    assert console.resume_button.isEnabled()  # the selection survived, with its new state


@pytest.mark.slow
def test_pause_sends_the_command_and_waits_for_the_station(
    qtbot, console, centre: FakeCentre, clock: Clock
) -> None:
    select(qtbot, console, "Room 2")
    assert not console.resume_button.isEnabled()
    qtbot.mouseClick(console.pause_button, _left())
    qtbot.waitUntil(lambda: centre.commands() != [], timeout=5000)
    assert centre.commands() == [
        ("b", {"kind": "pause", "session_id": "sess-b", "reason": None, "text": None})
    ]
    qtbot.waitUntil(lambda: "pause pending" in cell(console, "Room 2", "Command"), timeout=5000)
    assert cell(console, "Room 2", "State") == "in progress"
    # No second pause (nor a void) while the first is on its way.
    for widget in (console.pause_button, console.void_button):
        assert not widget.isEnabled()
        assert "on its way" in widget.toolTip()
    assert console.note_button.isEnabled()
    assert "waiting for the station" in console.status.text()
    centre.push(station("b", "Room 2", status="paused", heartbeat=clock.wall))
    qtbot.waitUntil(lambda: cell(console, "Room 2", "State") == "paused", timeout=5000)
    assert cell(console, "Room 2", "Command") == ""
    assert console.status.text() == "pause applied on Room 2"
    assert console.resume_button.isEnabled() and not console.pause_button.isEnabled()


@pytest.mark.slow
def test_a_command_that_takes_long_says_so(qtbot, console, centre: FakeCentre, clock) -> None:
    select(qtbot, console, "Room 1")
    console.send("pause")
    qtbot.waitUntil(lambda: "pause pending" in cell(console, "Room 1", "Command"), timeout=5000)
    clock.advance(31)
    console.refresh()
    assert cell(console, "Room 1", "Command") == "pause pending… 31 s (not applied yet)"


@pytest.mark.slow
def test_void_asks_a_reason_and_a_confirmation(qtbot, console, centre: FakeCentre) -> None:
    select(qtbot, console, "Room 1")
    questions: list[str] = []
    answers = iter([False, True])
    console.ask_void_reason = lambda status: None
    console.void()
    assert centre.commands() == [] and "reason is needed" in console.status.text()
    console.ask_void_reason = lambda status: "candidate unwell"
    console.confirm = lambda question: questions.append(question) or next(answers)
    console.void()
    assert centre.commands() == [] and console.status.text() == "Not voided."
    console.void()
    qtbot.waitUntil(lambda: centre.commands() != [], timeout=5000)
    assert centre.commands() == [
        ("a", {"kind": "void", "session_id": "sess-a", "reason": "candidate unwell", "text": None})
    ]
    assert "P-7QK2" in questions[0] and "Room 1" in questions[0]
    assert "candidate unwell" in questions[0]


@pytest.mark.slow
def test_a_note_is_pending_until_the_incident_count_grows(
    qtbot, console, centre: FakeCentre, clock
) -> None:
    select(qtbot, console, "Room 1")
    console.ask_note = lambda status: "fire alarm at 10:14"
    console.note()
    qtbot.waitUntil(lambda: "note pending" in cell(console, "Room 1", "Command"), timeout=5000)
    assert centre.commands()[-1][1]["text"] == "fire alarm at 10:14"
    centre.push(station("a", "Room 1", incidents=1, heartbeat=clock.wall))
    qtbot.waitUntil(lambda: cell(console, "Room 1", "Command") == "", timeout=5000)


@pytest.mark.slow
def test_an_idle_station_has_nothing_to_act_on(console) -> None:
    select(None, console, "Room 3")
    for widget in (console.pause_button, console.resume_button, console.void_button):
        assert not widget.isEnabled()
    assert "no session open" in console.note_button.toolTip()


@pytest.mark.slow
def test_a_refused_command_is_shown(qtbot, console, centre: FakeCentre) -> None:
    select(qtbot, console, "Room 1")
    console.token = Token("expired", None, "grace", "North")
    console.send("pause")
    qtbot.waitUntil(lambda: "Not done" in console.status.text(), timeout=5000)
    assert "sign in again" in console.status.text()
    assert console.sign_in_again.isVisible()
    assert cell(console, "Room 1", "Command") == ""


def test_sign_in_dialog(qtbot, centre: FakeCentre) -> None:
    from PySide6.QtWidgets import QDialog

    from kiosk.shell.centre_signin import CentreSignIn
    from kiosk.shell.worker import BackgroundRunner

    api = CentreApi(centre.url, transport=centre.transport)
    runner = BackgroundRunner()
    dialog = CentreSignIn(api, runner, username="grace", centre="North")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.sign_in()
    assert "Fill in" in dialog.message.text() and centre.requests == []
    dialog.password.setText("wrong")
    dialog.sign_in()
    qtbot.waitUntil(lambda: "wrong password" in dialog.message.text(), timeout=5000)
    assert dialog.password.text() == "" and dialog.submit.isEnabled()
    dialog.password.setText("correct horse")
    dialog.sign_in()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=5000)
    assert dialog.token is not None and dialog.token.token == TOKEN
    runner.shutdown()
    api.close()


def _left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


@pytest.mark.slow
def test_a_token_the_server_refuses_asks_to_sign_in_again(qtbot, centre: FakeCentre) -> None:
    from kiosk.shell.centre_console import CentreConsole

    api = CentreApi(centre.url, transport=centre.transport)
    window = CentreConsole(api, Token("expired", None, "grace", "North"), policy=FAST)
    qtbot.addWidget(window)
    window.show()
    window.start()
    try:
        qtbot.waitUntil(lambda: window.feed_state.state == "signed_out", timeout=5000)
        assert window.sign_in_again.isVisible()
        assert "Sign in again" in window.banner.text()
        assert window.connection.text() == "signed out"
        qtbot.waitUntil(lambda: window.feed is not None and not window.feed.running)
    finally:
        window.close()
        api.close()


@pytest.mark.slow
def test_the_banner_counts_down_to_the_next_try(console, clock: Clock) -> None:
    from kiosk.centre import FeedState

    console._on_state(FeedState("lost", "the connection dropped", retry_in_s=8.0, attempt=3))
    assert "Next try in 8 s" in console.banner.text()
    assert "down for 0:00" in console.banner.text()
    clock.advance(5)
    console.refresh()
    assert "Next try in 3 s" in console.banner.text()
    assert "down for 0:05" in console.banner.text()
    clock.advance(3)
    console.refresh()
    assert "Trying again." in console.banner.text()
