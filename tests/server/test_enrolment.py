"""Enrolment: one-time codes that expire, and station authentication afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from server.db.models import EnrolmentCode, ServerAudit, Station
from server.protocol import certificate_fingerprint
from tests.server.helpers import (
    Centre,
    StationKey,
    bearer,
    body_digest,
    enrol_request,
    enrolment_code,
    new_key,
    sign,
    state_of,
)


@pytest.mark.slow
def test_a_code_enrols_one_station_once(client: TestClient, centre: Centre) -> None:
    code = enrolment_code(client, centre)
    assert len(code.replace("-", "")) == 20
    _, pem = new_key()
    # Typed in lower case, the code still works.
    response = client.post("/sync/v1/enrol", json=enrol_request(code.lower(), pem, "Desk 4"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["centre_id"] == centre.id
    assert body["centre_name"] == "North"
    assert body["personal_data"] is False
    assert body["heartbeat_s"] == 0.3
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        station = db.get(Station, body["station_id"])
        assert station is not None
        assert station.name == "Desk 4"
        assert station.fingerprint == certificate_fingerprint(pem)
        stored = db.scalars(select(EnrolmentCode)).one()
        # Only the code's digest is kept.
        assert code not in stored.code_sha256
        assert stored.station_id == station.id
        assert "station_enrolled" in db.scalars(select(ServerAudit.action)).all()

    _, other = new_key()
    again = client.post("/sync/v1/enrol", json=enrol_request(code, other))
    assert again.status_code == 403
    assert again.json()["error"]["code"] == "enrolment_code_invalid"


@pytest.mark.slow
def test_an_expired_or_unknown_code_is_refused(client: TestClient, centre: Centre) -> None:
    code = enrolment_code(client, centre)
    with state_of(client.app).sessions() as db:  # type: ignore[arg-type]
        db.execute(
            update(EnrolmentCode).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            )
        )
        db.commit()
    _, pem = new_key()
    expired = client.post("/sync/v1/enrol", json=enrol_request(code, pem))
    assert expired.status_code == 403
    assert expired.json()["error"]["code"] == "enrolment_code_invalid"
    unknown = client.post("/sync/v1/enrol", json=enrol_request("AAAA-BBBB-CCCC-DDDD-EEEE", pem))
    assert unknown.status_code == 403


@pytest.mark.slow
def test_a_code_lasts_a_day(client: TestClient, centre: Centre) -> None:
    response = client.post(
        f"/api/v1/centres/{centre.id}/enrolment-codes", headers=bearer(centre.admin_token)
    )
    expires = dt.datetime.fromisoformat(response.json()["expires_at"])
    left = expires - dt.datetime.now(dt.UTC)
    assert dt.timedelta(hours=23, minutes=59) < left <= dt.timedelta(hours=24)


@pytest.mark.slow
def test_a_certificate_must_be_one(client: TestClient, centre: Centre) -> None:
    code = enrolment_code(client, centre)
    response = client.post("/sync/v1/enrol", json=enrol_request(code, "not a certificate"))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "bad_certificate"
    # The code was not used up by the failed attempt.
    _, pem = new_key()
    assert client.post("/sync/v1/enrol", json=enrol_request(code, pem)).status_code == 201


@pytest.mark.slow
def test_requests_are_signed_by_the_enrolled_key(client: TestClient, station: StationKey) -> None:
    assert station.heartbeat(client).status_code == 200

    other_key, _ = new_key()
    forged = station.post(
        client,
        "/sync/v1/heartbeat",
        {"protocol": 1, "station_id": station.id, "outbox_pending": 0, "live": None},
        key=other_key,
    )
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "bad_signature"

    # A body changed after signing.
    body = b'{"live":null,"outbox_pending":0,"protocol":1,"station_id":"%s"}' % station.id.encode()
    good = station.post(client, "/sync/v1/heartbeat", body)
    assert good.status_code == 200
    tampered = client.post(
        "/sync/v1/heartbeat",
        content=body.replace(b":0", b":9"),
        headers={
            "X-Kiosk-Station": station.id,
            "X-Kiosk-Signature": sign(station.key, body_digest(body)),
        },
    )
    assert tampered.status_code == 401

    stranger = StationKey(
        "00000000-0000-0000-0000-000000000000", station.key, station.certificate_pem
    )
    unknown = stranger.heartbeat(client)
    assert unknown.status_code == 401
    assert unknown.json()["error"]["code"] == "unknown_station"

    unsigned = client.post("/sync/v1/heartbeat", json={"protocol": 1})
    assert unsigned.status_code == 401
    assert unsigned.json()["error"]["code"] == "unauthenticated"


@pytest.mark.slow
def test_a_revoked_station_is_refused(
    client: TestClient, centre: Centre, station: StationKey
) -> None:
    # A proctor may not revoke.
    refused = client.post(
        f"/api/v1/stations/{station.id}/revoke", headers=bearer(centre.proctor_token)
    )
    assert refused.status_code == 403
    assert station.heartbeat(client).status_code == 200

    revoked = client.post(
        f"/api/v1/stations/{station.id}/revoke", headers=bearer(centre.admin_token)
    )
    assert revoked.status_code == 200, revoked.text
    for response in (station.heartbeat(client), station.send(client, station.batch())):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "station_revoked"


@pytest.mark.slow
def test_a_body_naming_another_station_is_refused(client: TestClient, station: StationKey) -> None:
    batch = station.batch()
    batch["station_id"] = "someone-else"
    response = station.send(client, batch)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "station_mismatch"
