"""Commands: issued by a proctor, delivered with every heartbeat until acknowledged."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from server.db.models import Command, ServerAudit
from tests.server.helpers import Centre, StationKey, bearer, enrol, make_centre, state_of

SESSION = "8f7e7d20-1f9a-4c55-a0a8-6a7e4d1f0b11"


def _issue(client: TestClient, token: str, station: StationKey, **body: str) -> str:
    response = client.post(
        f"/console/v1/stations/{station.id}/commands",
        json={"session_id": SESSION, **body},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.slow
def test_a_command_is_delivered_until_acknowledged(
    client: TestClient, centre: Centre, station: StationKey
) -> None:
    assert station.heartbeat(client).json() == {"commands": []}
    pause = _issue(client, centre.proctor_token, station, kind="pause")
    void = _issue(client, centre.admin_token, station, kind="void", reason="candidate unwell")

    for _ in range(2):
        commands = station.heartbeat(client).json()["commands"]
        assert [(c["id"], c["kind"]) for c in commands] == [(pause, "pause"), (void, "void")]
    assert commands[0]["issued_by"] == "North-proctor"
    assert commands[1]["reason"] == "candidate unwell"
    assert commands[1]["session_id"] == SESSION

    ack = station.ack(client, pause)
    assert ack.status_code == 200, ack.text
    assert ack.json()["outcome"] == "applied"
    assert [c["id"] for c in station.heartbeat(client).json()["commands"]] == [void]

    refused = station.ack(client, void, "refused", "the session is completed")
    assert refused.json()["outcome"] == "refused"
    assert station.heartbeat(client).json() == {"commands": []}
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        stored = db.get(Command, void)
        assert stored is not None
        assert (stored.outcome, stored.detail) == ("refused", "the session is completed")
        actions = db.scalars(select(ServerAudit.action)).all()
    assert actions.count("command_issued") == 2
    assert actions.count("command_acked") == 2


@pytest.mark.slow
def test_an_ack_is_idempotent(client: TestClient, centre: Centre, station: StationKey) -> None:
    note = _issue(client, centre.proctor_token, station, kind="note", text="fire alarm at 10:04")
    first = station.ack(client, note, "applied", "noted")
    again = station.ack(client, note, "refused", "changed my mind")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert again.json()["outcome"] == "applied"
    assert again.json()["detail"] == "noted"
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        acked = db.scalars(select(ServerAudit).where(ServerAudit.action == "command_acked")).all()
    assert len(acked) == 1


@pytest.mark.slow
def test_a_station_acks_only_its_own_commands(
    client: TestClient, centre: Centre, station: StationKey
) -> None:
    other = enrol(client, centre, "Station 2")
    pause = _issue(client, centre.proctor_token, station, kind="pause")
    response = other.ack(client, pause)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "command_not_found"
    assert [c["id"] for c in station.heartbeat(client).json()["commands"]] == [pause]
    assert other.heartbeat(client).json() == {"commands": []}


@pytest.mark.slow
def test_commands_need_a_proctor_of_that_centre(
    client: TestClient, centre: Centre, station: StationKey
) -> None:
    path = f"/console/v1/stations/{station.id}/commands"
    body = {"kind": "pause", "session_id": SESSION}
    assert client.post(path, json=body).status_code == 401
    assert client.post(path, json=body, headers=bearer("made-up")).status_code == 401
    elsewhere = make_centre(client, "South")
    foreign = client.post(path, json=body, headers=bearer(elsewhere.admin_token))
    assert foreign.status_code == 404
    assert foreign.json()["error"]["code"] == "station_not_found"
    assert station.heartbeat(client).json() == {"commands": []}


@pytest.mark.slow
def test_a_command_must_make_sense(client: TestClient, centre: Centre, station: StationKey) -> None:
    path = f"/console/v1/stations/{station.id}/commands"
    headers = bearer(centre.proctor_token)
    cases = [
        ({"kind": "reboot", "session_id": SESSION}, "invalid_request"),
        ({"kind": "void", "session_id": SESSION}, "reason_required"),
        ({"kind": "note", "session_id": SESSION, "text": "  "}, "text_required"),
        ({"kind": "pause"}, "invalid_request"),
    ]
    for body, code in cases:
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == code
    assert station.heartbeat(client).json() == {"commands": []}
