"""The console table's cells, in words (colour only repeats them)."""

from __future__ import annotations

from kiosk.centre.model import PendingCommand, parse_station
from kiosk.centre.rows import CONNECTION_LOST, STALE, ago, duration, station_row
from tests.kiosk.centre.fake_centre import station


def texts(cells: dict) -> dict[str, str]:
    return {name: cell.text for name, cell in cells.items()}


def test_a_station_playing() -> None:
    status = parse_station(
        station("a", "Room 1", flags=("too_fast_responding", "long_pauses"), incidents=2)
    )
    cells = station_row(status, age=1.4, stale=False, connected=True)
    assert texts(cells) == {
        "Station": "Room 1",
        "State": "in progress",
        "Command": "",
        "Candidate": "P-7QK2",
        "Game": "balloons",
        "Progress": "game 3 of 12",
        "Elapsed": "6:52",
        "Heartbeat": "1 s ago",
        "Incidents": "2",
        "Quality": "too fast responding, long pauses",
        "Sync": "outbox 0 · acked 16 · lag 0:01",
    }
    assert cells["Quality"].look == "flag"
    assert {cells[n].look for n in cells if n != "Quality"} == {""}


def test_an_idle_stale_or_revoked_station() -> None:
    idle = parse_station({**station("b", "Spare", status=None), "sync_lag_s": 0})
    cells = station_row(idle, age=None, stale=False, connected=True)
    assert cells["State"].text == "idle" and cells["Heartbeat"].text == "never"
    assert cells["Candidate"].text == "–" and cells["Sync"].text == "outbox 0 · acked 16"
    stale = station_row(idle, age=9.0, stale=True, connected=True)
    assert stale["State"].text == STALE and stale["State"].look == "warn-state"
    assert stale["Station"].look == "warn"
    revoked = parse_station({**station("c", "Old"), "revoked": True})
    assert station_row(revoked, age=1.0, stale=False, connected=True)["State"].text == "revoked"


def test_disconnected_rows_say_so_and_are_muted() -> None:
    status = parse_station(station("a", "Room 1"))
    cells = station_row(status, age=30.0, stale=True, connected=False)
    assert cells["State"].text == CONNECTION_LOST
    assert {cell.look for cell in cells.values()} == {"muted"}


def test_pending_commands_count_their_wait() -> None:
    status = parse_station(station("a", "Room 1"))
    pending = [
        PendingCommand("c1", "a", "pause", "sess-a", issued_mono=100.0),
        PendingCommand("c2", "a", "note", "sess-a", issued_mono=60.0),
    ]
    cells = station_row(status, age=0, stale=False, connected=True, pending=pending, now_mono=104)
    assert cells["Command"].text == "pause pending… 4 s; note pending… 44 s (not applied yet)"


def test_durations_and_ages() -> None:
    assert duration(None) == "–" and duration(59.9) == "0:59" and duration(3725) == "62:05"
    assert ago(0.4) == "0 s ago" and ago(89) == "89 s ago" and ago(600) == "10 min ago"
