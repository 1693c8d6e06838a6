"""Fan-out across API processes: a change written through one server reaches the
consoles connected to another (PostgreSQL LISTEN/NOTIFY)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.fanout import InProcessFanout, PostgresFanout
from tests.server.helpers import enrol, make_centre, state_of


def test_each_backend_gets_its_fan_out(database_url: str) -> None:
    app = create_app(database_url)
    expected = PostgresFanout if database_url.startswith("postgresql") else InProcessFanout
    assert type(state_of(app).fanout) is expected


def test_a_heartbeat_on_one_server_reaches_a_console_on_another(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serves from one process: there is no other server to reach")
    with (
        TestClient(create_app(database_url, heartbeat_s=5.0)) as first,
        TestClient(create_app(database_url, heartbeat_s=5.0)) as second,
    ):
        centre = make_centre(first, "North")
        station = enrol(first, centre, "Desk 1")
        with second.websocket_connect(f"/console/v1/ws?token={centre.proctor_token}") as ws:
            assert ws.receive_json()["type"] == "snapshot"
            live = {"session_id": "s-9", "status": "paused"}
            assert station.heartbeat(first, live=live).status_code == 200
            for _ in range(20):
                message = ws.receive_json()
                if message["type"] == "station":
                    break
            assert message["station"]["station_id"] == station.id
            assert message["station"]["live"] == live
