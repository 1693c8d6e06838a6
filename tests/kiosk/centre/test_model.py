"""The live feed's messages, staleness on the console's own clock, pending commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.centre.model import (
    Board,
    PendingCommand,
    Ping,
    ProtocolError,
    ServerError,
    Snapshot,
    StationChanged,
    Unknown,
    command_reflected,
    heartbeat_age_s,
    is_stale,
    parse_message,
    parse_station,
)
from tests.kiosk.centre.fake_centre import station

T0 = datetime(2026, 12, 4, 18, 0, 0, tzinfo=UTC)


def test_a_snapshot_becomes_frozen_station_statuses() -> None:
    text = json.dumps(
        {
            "type": "snapshot",
            "stations": [
                station("a", "Room 1", flags=("too_fast_responding",), incidents=2, heartbeat=T0),
                station("b", "Room 2", status=None, outbox_pending=3, heartbeat=T0),
            ],
        }
    )
    message = parse_message(text)
    assert isinstance(message, Snapshot)
    first, second = message.stations
    assert first.name == "Room 1" and first.last_heartbeat == T0
    assert first.live is not None
    assert (first.live.game, first.live.game_index, first.live.games_total) == ("balloons", 3, 12)
    assert first.live.quality_flags == ("too_fast_responding",)
    assert first.live.incidents == 2 and first.live.elapsed_s == 412.0
    assert second.live is None and second.outbox_pending == 3 and second.sync_lag_s == 1.5
    with pytest.raises(AttributeError):
        first.name = "x"  # type: ignore[misc]


def test_station_ping_and_unknown_messages() -> None:
    changed = parse_message(json.dumps({"type": "station", "station": station("a", "R")}))
    assert isinstance(changed, StationChanged) and changed.station.station_id == "a"
    assert parse_message('{"type": "ping"}') == Ping()
    assert parse_message('{"type": "server_news", "x": 1}') == Unknown("server_news")
    error = '{"type": "error", "error": {"code": "unauthenticated", "message": "sign in"}}'
    assert parse_message(error) == ServerError("unauthenticated", "sign in")
    with pytest.raises(ProtocolError):
        parse_message('{"type": "error", "error": "no"}')


def test_a_heartbeat_written_with_z_or_without_zone_is_utc() -> None:
    zulu = parse_station({"station_id": "a", "last_heartbeat": "2026-12-04T18:00:00Z"})
    naive = parse_station({"station_id": "a", "last_heartbeat": "2026-12-04T18:00:00"})
    assert zulu.last_heartbeat == naive.last_heartbeat == T0
    assert parse_station({"station_id": "a"}).last_heartbeat is None


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1, 2]",
        '{"no": "type"}',
        '{"type": "snapshot", "stations": {}}',
        '{"type": "station", "station": {"name": "no id"}}',
        '{"type": "station", "station": {"station_id": "a", "last_heartbeat": "yesterday"}}',
        '{"type": "station", "station": {"station_id": "a", "outbox_pending": "3"}}',
        '{"type": "station", "station": {"station_id": "a", "acked_through": true}}',
        '{"type": "station", "station": {"station_id": "a", "live": []}}',
        '{"type": "station", "station": {"station_id": "a", "live": {"quality_flags": [1]}}}',
    ],
)
def test_malformed_messages_are_refused(text: str) -> None:
    with pytest.raises(ProtocolError):
        parse_message(text)


def test_age_counts_from_arrival_on_the_monotonic_clock() -> None:
    status = parse_station(station("a", "R", heartbeat=T0))
    # A server clock an hour behind this machine's does not matter once a heartbeat arrived.
    assert heartbeat_age_s(status, 100.0, 104.5, T0 + timedelta(hours=1)) == 4.5
    # From a snapshot: the wall clocks, never negative.
    assert heartbeat_age_s(status, None, 0.0, T0 + timedelta(seconds=7)) == 7.0
    assert heartbeat_age_s(status, None, 0.0, T0 - timedelta(seconds=7)) == 0.0
    never = parse_station({"station_id": "a"})
    assert heartbeat_age_s(never, None, 0.0, T0) is None


def test_stale_after_three_heartbeat_periods_or_when_the_server_says_so() -> None:
    status = parse_station(station("a", "R"))
    assert status.heartbeat_s == 2.0
    assert not is_stale(status, 6.0)
    assert is_stale(status, 6.01)
    assert is_stale(parse_station({**station("a", "R"), "stale": True}), 0.5)
    assert is_stale(status, None)  # never heard from
    quick = parse_station({**station("a", "R"), "heartbeat_s": 0.5})
    assert is_stale(quick, 1.6) and not is_stale(quick, 1.4)


def test_board_keeps_a_heartbeats_arrival_time_until_a_new_one_comes() -> None:
    board = Board()
    board.apply(Snapshot((parse_station(station("a", "R", heartbeat=T0)),)), now_mono=50.0)
    # From the snapshot: wall-clock age.
    assert board.age_s("a", 50.0, T0 + timedelta(seconds=1)) == 1.0
    later = parse_station(station("a", "R", heartbeat=T0 + timedelta(seconds=2)))
    board.apply(StationChanged(later), now_mono=52.0)
    assert board.age_s("a", 59.0, T0 + timedelta(hours=5)) == 7.0
    assert board.stale("a", 59.0, T0)
    # The same heartbeat again (a batch or command changed something else): age goes on.
    same = parse_station({**station("a", "R", heartbeat=T0 + timedelta(seconds=2)), "name": "R2"})
    board.apply(StationChanged(same), now_mono=58.0)
    assert board.age_s("a", 59.0, T0) == 7.0
    assert board.station("a") is not None and board.station("a").name == "R2"  # type: ignore[union-attr]


def test_a_new_snapshot_replaces_the_board() -> None:
    board = Board()
    board.apply(
        Snapshot((parse_station(station("b", "Bay")), parse_station(station("a", "Aisle")))), 0.0
    )
    assert [s.name for s in board.stations()] == ["Aisle", "Bay"]
    board.apply(Snapshot((parse_station(station("c", "Corner")),)), 1.0)
    assert [s.name for s in board.stations()] == ["Corner"]
    assert board.apply(Ping(), 2.0) == []


@pytest.mark.parametrize(
    ("kind", "live_status", "incidents", "reflected"),
    [
        ("pause", "in_progress", 0, False),
        ("pause", "paused", 0, True),
        ("resume", "paused", 0, False),
        ("resume", "in_progress", 0, True),
        ("void", "paused", 0, False),
        ("void", "voided", 0, True),
        ("note", "in_progress", 1, False),
        ("note", "in_progress", 2, True),
    ],
)
def test_command_reflected(kind: str, live_status: str, incidents: int, reflected: bool) -> None:
    command = PendingCommand("c1", "a", kind, "sess-a", 0.0, incidents_before=1)
    status = parse_station(station("a", "R", status=live_status, incidents=incidents))
    assert command_reflected(command, status) is reflected


def test_a_command_for_a_session_that_ended_is_no_longer_pending() -> None:
    command = PendingCommand("c1", "a", "pause", "sess-a", 0.0)
    assert command_reflected(command, parse_station(station("a", "R", status=None)))
    other = {**station("a", "R"), "live": {**station("a", "R")["live"], "session_id": "other"}}
    assert command_reflected(command, parse_station(other))


def test_pending_commands_settle_when_the_station_shows_them() -> None:
    board = Board()
    board.apply(Snapshot((parse_station(station("a", "R")), parse_station(station("b", "S")))), 0)
    assert board.add_pending(PendingCommand("c1", "a", "pause", "sess-a", 0.0))
    assert [c.command_id for c in board.pending_for("a")] == ["c1"]
    # Another station pausing settles nothing here.
    assert board.apply(StationChanged(parse_station(station("b", "S", status="paused"))), 1) == []
    done = board.apply(StationChanged(parse_station(station("a", "R", status="paused"))), 2)
    assert [c.command_id for c in done] == ["c1"] and board.pending_for("a") == []
    # The station's status overtook the server's answer: nothing to wait for.
    assert not board.add_pending(PendingCommand("c2", "a", "pause", "sess-a", 3.0))
    assert board.pending == {}


def test_board_keeps_each_stations_heartbeat_intervals() -> None:
    board = Board()
    board.apply(Snapshot((parse_station(station("a", "R", heartbeat=T0)),)), now_mono=10.0)
    for mono, offset in ((12.1, 2), (14.0, 4), (14.5, 4), (19.9, 10)):
        beat = parse_station(station("a", "R", heartbeat=T0 + timedelta(seconds=offset)))
        board.apply(StationChanged(beat), now_mono=mono)
    # The same heartbeat twice adds nothing; spacing is the station's (server clock).
    assert board.intervals("a") == [(12.1, 2.0), (14.0, 2.0), (19.9, 6.0)]
    # A reconnect's snapshot keeps the history.
    board.apply(
        Snapshot((parse_station(station("a", "R", heartbeat=T0 + timedelta(seconds=12))),)), 30.0
    )
    assert board.intervals("a")[-1] == (30.0, 2.0)
    assert board.intervals("unknown") == []
