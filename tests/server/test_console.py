"""The centre console: sign-in, roles, the station snapshot and the live WebSocket."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from server.app import create_app
from server.db.models import AuthToken
from server.routes import console
from tests.server.helpers import (
    PASSWORD,
    Centre,
    StationKey,
    bearer,
    enrol,
    make_centre,
    state_of,
    token,
)


@pytest.mark.slow
def test_sign_in_needs_the_right_password_and_a_role_in_the_centre(
    client: TestClient, centre: Centre
) -> None:
    make_centre(client, "South")
    cases = [
        {"username": "North-admin", "password": "wrong password", "centre": "North"},
        {"username": "nobody", "password": PASSWORD, "centre": "North"},
        {"username": "South-admin", "password": PASSWORD, "centre": "North"},
        {"username": "North-admin", "password": PASSWORD, "centre": "Nowhere"},
    ]
    for body in cases:
        response = client.post("/api/v1/auth/token", json=body)
        assert response.status_code == 401, body
        assert response.json()["error"]["code"] == "bad_credentials"
    good = client.post(
        "/api/v1/auth/token",
        json={"username": "North-admin", "password": PASSWORD, "centre": "North"},
    )
    assert good.status_code == 200
    assert good.json()["role"] == "admin"
    expires = dt.datetime.fromisoformat(good.json()["expires_at"])
    assert expires > dt.datetime.now(dt.UTC)


@pytest.mark.slow
def test_an_expired_token_is_refused(client: TestClient, centre: Centre) -> None:
    headers = bearer(centre.proctor_token)
    assert client.get("/console/v1/stations", headers=headers).status_code == 200
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        db.execute(
            update(AuthToken).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
        db.commit()
    response = client.get("/console/v1/stations", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.slow
def test_only_admins_administer_and_only_their_centre(
    client: TestClient, centre: Centre, station: StationKey
) -> None:
    south = make_centre(client, "South")
    proctor = bearer(centre.proctor_token)
    for path in (
        "/api/v1/centres",
        f"/api/v1/centres/{centre.id}/users",
        f"/api/v1/centres/{centre.id}/enrolment-codes",
    ):
        body = {"name": "East", "username": "eve", "role": "proctor", "password": "x" * 12}
        response = client.post(path, json=body, headers=proctor)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "forbidden"
    # An admin of another centre acts only there.
    elsewhere = client.post(
        f"/api/v1/centres/{centre.id}/enrolment-codes", headers=bearer(south.admin_token)
    )
    assert elsewhere.status_code == 403
    revoke = client.post(f"/api/v1/stations/{station.id}/revoke", headers=bearer(south.admin_token))
    assert revoke.status_code == 404


@pytest.mark.slow
def test_an_admin_adds_people_and_centres(client: TestClient, centre: Centre) -> None:
    admin = bearer(centre.admin_token)
    added = client.post(
        f"/api/v1/centres/{centre.id}/users",
        json={"username": "paula", "role": "proctor", "password": "long enough pw"},
        headers=admin,
    )
    assert added.status_code == 201, added.text
    assert token(client, "paula", "North", "long enough pw")
    short = client.post(
        f"/api/v1/centres/{centre.id}/users",
        json={"username": "quentin", "role": "proctor", "password": "short"},
        headers=admin,
    )
    assert short.status_code == 422
    assert short.json()["error"]["code"] == "password_too_short"

    east = client.post("/api/v1/centres", json={"name": "East"}, headers=admin)
    assert east.status_code == 201
    # The admin who created it administers it.
    assert token(client, "North-admin", "East")
    again = client.post("/api/v1/centres", json={"name": "East"}, headers=admin)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "centre_exists"


@pytest.mark.slow
def test_the_snapshot_lists_this_centres_stations(
    client: TestClient, centre: Centre, station: StationKey
) -> None:
    south = make_centre(client, "South")
    enrol(client, south, "Elsewhere")
    live = {"session_id": "s-1", "status": "in_progress", "game": "balloons"}
    station.heartbeat(client, live=live, outbox_pending=2)
    response = client.get("/console/v1/stations", headers=bearer(centre.proctor_token))
    assert response.status_code == 200
    [status] = response.json()["stations"]
    assert status["station_id"] == station.id
    assert status["name"] == "Station 1"
    assert status["live"] == live
    assert status["outbox_pending"] == 2
    assert status["acked_through"] == 0
    assert status["revoked"] is False
    assert status["stale"] is False
    assert status["sync_lag_s"] >= 0
    assert status["heartbeat_s"] == 0.3  # the app fixture's
    assert set(status) == {
        "station_id",
        "name",
        "last_heartbeat",
        "stale",
        "live",
        "acked_through",
        "outbox_pending",
        "sync_lag_s",
        "revoked",
        "heartbeat_s",
    }


def _next(
    ws: WebSocketTestSession, wanted: Callable[[dict[str, Any]], bool], limit: int = 40
) -> dict[str, Any]:
    """The next message ``wanted`` accepts (pings keep arriving, so this ends)."""
    for _ in range(limit):
        message: dict[str, Any] = ws.receive_json()
        if wanted(message):
            return message
    raise AssertionError(f"no such message among the next {limit}")


@pytest.mark.slow
def test_the_live_console(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "PING_EVERY_S", 0.4)
    with TestClient(create_app(database_url, heartbeat_s=1.0)) as client:
        centre = make_centre(client, "North")
        station = enrol(client, centre, "Desk 1")
        south = make_centre(client, "South")
        foreign = enrol(client, south, "Elsewhere")
        url = f"/console/v1/ws?token={centre.proctor_token}"
        with client.websocket_connect(url) as ws:
            snapshot = ws.receive_json()
            assert snapshot["type"] == "snapshot"
            [status] = snapshot["stations"]
            assert status["station_id"] == station.id
            assert status["stale"] is True  # never heard from

            ping = _next(ws, lambda m: m["type"] == "ping")
            assert ping == {"type": "ping"}

            foreign.heartbeat(client)
            live = {
                "session_id": "s-1",
                "status": "in_progress",
                "game": "cards",
                "game_index": 2,
                "games_total": 12,
            }
            station.heartbeat(client, live=live)
            change = _next(ws, lambda m: m["type"] == "station")
            # Only this centre's station is pushed.
            assert change["station"]["station_id"] == station.id
            assert change["station"]["live"] == live
            assert change["station"]["stale"] is False

            # No heartbeat for three periods: the server pushes the station as stale.
            stale = _next(ws, lambda m: m["type"] == "station")
            assert stale["station"]["station_id"] == station.id
            assert stale["station"]["stale"] is True
            last = dt.datetime.fromisoformat(stale["station"]["last_heartbeat"])
            assert dt.datetime.now(dt.UTC) - last > dt.timedelta(seconds=3)

            # A batch changes it too.
            station.send(client, station.batch())
            after_batch = _next(ws, lambda m: m["type"] == "station")
            assert after_batch["station"]["acked_through"] == 1


def test_the_live_console_needs_a_token(client: TestClient) -> None:
    with client.websocket_connect("/console/v1/ws?token=wrong") as ws:
        message = ws.receive_json()
        assert message["type"] == "error"
        assert message["error"]["code"] == "unauthenticated"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1008


@pytest.mark.slow
def test_the_live_console_ends_when_the_sign_in_expires(
    client: TestClient, centre: Centre, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "PING_EVERY_S", 0.3)
    with client.websocket_connect(f"/console/v1/ws?token={centre.proctor_token}") as ws:
        assert ws.receive_json()["type"] == "snapshot"
        assert _next(ws, lambda m: m["type"] == "ping") == {"type": "ping"}
        with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
            db.execute(
                update(AuthToken).values(
                    expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
                )
            )
            db.commit()
        error = _next(ws, lambda m: m["type"] == "error")
        assert error["error"]["code"] == "unauthenticated"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1008


@pytest.mark.slow
def test_a_nul_character_in_a_sign_in_is_refused_not_a_server_failure(
    client: TestClient, centre: Centre
) -> None:
    # PostgreSQL takes no NUL in text: the server answers 422, SQLite just finds no user.
    body = {"username": "North-admin\x00", "password": PASSWORD, "centre": "North"}
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code in {401, 422}, response.text
    assert response.json()["error"]["code"] in {"bad_credentials", "invalid_request"}


def test_consoles_told_of_one_change_share_one_read(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every live console hears of a station's change; the station's row is read once
    for all of them, and each gets the status as of that change."""
    reads: list[str] = []
    read_status = console._read_status

    def counted(state: Any, station_id: str) -> Any:
        reads.append(station_id)
        return read_status(state, station_id)

    monkeypatch.setattr(console, "_read_status", counted)
    with TestClient(create_app(database_url, heartbeat_s=60.0)) as client:
        centre = make_centre(client, "North")
        station = enrol(client, centre, "Desk 1")
        url = f"/console/v1/ws?token={centre.proctor_token}"
        with contextlib.ExitStack() as stack:
            consoles = [stack.enter_context(client.websocket_connect(url)) for _ in range(6)]
            for ws in consoles:
                assert ws.receive_json()["type"] == "snapshot"
            live = {"session_id": "s-1", "status": "in_progress"}
            assert station.heartbeat(client, live=live).status_code == 200
            for ws in consoles:
                change = _next(ws, lambda m: m["type"] == "station")
                assert change["station"]["live"] == live
    assert reads == [station.id]
