"""The integration API: scoped keys, centre confinement, pagination, scores, reports,
verification, export, rate limits and the one error shape."""

from __future__ import annotations

import hashlib
import io
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from fastapi import FastAPI
from fastapi.testclient import TestClient
from reportlab.pdfgen import canvas

from reports.pki import create_centre_authority, issue_station_certificate
from reports.signing import sign_pdf
from server.ratelimit import RateLimiter, RateLimits
from tests.server.helpers import (
    Centre,
    StationKey,
    bearer,
    enrol_request,
    enrolment_code,
    make_centre,
    pdf_record,
)

ALL_SCOPES = ["export:read", "reports:read", "scores:read", "sessions:read"]


def make_key(client: TestClient, centre: Centre, scopes: list[str] = ALL_SCOPES) -> str:
    response = client.post(
        f"/api/v1/centres/{centre.id}/api-keys",
        json={"name": "tracking system", "scopes": scopes},
        headers=bearer(centre.admin_token),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["key"].startswith(f"kk_{body['id']}_")
    return str(body["key"])


def session_rows(station: StationKey, count: int, candidate: int = 1) -> dict[str, Any]:
    ids = [str(uuid.UUID(int=i + 1)) for i in range(count)]
    return {
        "candidates": [{"id": candidate, "pseudonym": "CAND-0001"}],
        "sessions": [
            {"id": sid, "candidate_id": candidate, "status": "completed", "battery": "standard"}
            for sid in ids
        ],
        "scores": [
            {
                "id": 10 * i + j,
                "session_id": sid,
                "scope": scope,
                "name": name,
                "value": 0.5 + j,
                "ci_low": 0.25 + j,
                "ci_high": 0.75 + j,
                "n": 40,
                "percentile": 62.5,
                "flags": {},
                "scoring_version": "1",
                "norm_version": "provisional-0.2",
            }
            for i, sid in enumerate(ids)
            for j, (scope, name) in enumerate(
                [("metric", "balloons.adjusted_pumps"), ("trait", "risk_tolerance")]
            )
        ],
    }


def push(client: TestClient, station: StationKey, records: dict[str, Any]) -> None:
    response = station.send(client, station.batch(records=records))
    assert response.status_code == 200, response.text


@pytest.mark.slow
def test_a_key_reads_its_centres_sessions_scores_and_traits(
    client: TestClient, centre: Centre, station: StationKey
) -> None:
    push(client, station, session_rows(station, 2))
    key = make_key(client, centre)
    listed = client.get("/api/v1/sessions", headers=bearer(key))
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert {i["candidate_pseudonym"] for i in items} == {"CAND-0001"}
    assert {i["status"] for i in items} == {"completed"}
    sid = items[0]["id"]
    assert client.get(f"/api/v1/sessions/{sid}", headers=bearer(key)).json()["id"] == sid

    scores = client.get(f"/api/v1/sessions/{sid}/scores", headers=bearer(key)).json()["items"]
    assert {(s["scope"], s["name"]) for s in scores} == {
        ("metric", "balloons.adjusted_pumps"),
        ("trait", "risk_tolerance"),
    }
    metric = next(s for s in scores if s["scope"] == "metric")
    assert (metric["value"], metric["ci_low"], metric["ci_high"]) == (0.5, 0.25, 0.75)
    traits = client.get(f"/api/v1/sessions/{sid}/traits", headers=bearer(key)).json()["items"]
    assert [t["name"] for t in traits] == ["risk_tolerance"]


@pytest.mark.slow
def test_another_centre_sees_nothing_of_this_one(
    client: TestClient, centre: Centre, station: StationKey
) -> None:
    push(client, station, session_rows(station, 1))
    other = make_centre(client, "South")
    key = make_key(client, other)
    assert client.get("/api/v1/sessions", headers=bearer(key)).json()["items"] == []
    sid = str(uuid.UUID(int=1))
    response = client.get(f"/api/v1/sessions/{sid}/scores", headers=bearer(key))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "session_not_found"


@pytest.mark.slow
def test_scopes_are_enforced_and_keys_can_be_revoked(
    client: TestClient, centre: Centre, station: StationKey
) -> None:
    push(client, station, session_rows(station, 1))
    key = make_key(client, centre, ["sessions:read"])
    assert client.get("/api/v1/sessions", headers=bearer(key)).status_code == 200
    sid = str(uuid.UUID(int=1))
    refused = client.get(f"/api/v1/sessions/{sid}/scores", headers=bearer(key))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "missing_scope"
    assert "scores:read" in refused.json()["error"]["message"]

    key_id = key.split("_")[1]
    # A proctor may not revoke; the admin may.
    assert (
        client.post(
            f"/api/v1/api-keys/{key_id}/revoke", headers=bearer(centre.proctor_token)
        ).status_code
        == 403
    )
    revoked = client.post(f"/api/v1/api-keys/{key_id}/revoke", headers=bearer(centre.admin_token))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    gone = client.get("/api/v1/sessions", headers=bearer(key))
    assert gone.status_code == 401 and gone.json()["error"]["code"] == "invalid_api_key"


@pytest.mark.parametrize(
    "header",
    [None, "Bearer nonsense", "Bearer kk_abc_wrong", "Basic a2s6eA=="],
)
@pytest.mark.slow
def test_no_or_wrong_key_is_401_with_the_error_shape(
    client: TestClient, centre: Centre, header: str | None
) -> None:
    make_key(client, centre)
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/sessions", headers=headers)
    assert response.status_code == 401
    assert set(response.json()) == {"error"}
    assert response.json()["error"]["code"] == "invalid_api_key"


@pytest.mark.slow
def test_a_wrong_secret_for_a_real_key_id_is_refused(client: TestClient, centre: Centre) -> None:
    key = make_key(client, centre)
    forged = key[: key.rindex("_") + 1] + "x" * 43
    assert client.get("/api/v1/sessions", headers=bearer(forged)).status_code == 401


@pytest.mark.slow
def test_unknown_scopes_are_refused_at_creation(client: TestClient, centre: Centre) -> None:
    response = client.post(
        f"/api/v1/centres/{centre.id}/api-keys",
        json={"name": "x", "scopes": ["sessions:write"]},
        headers=bearer(centre.admin_token),
    )
    assert response.status_code == 422
    assert "sessions:write" in response.json()["error"]["message"]


@pytest.mark.slow
def test_pages_cover_every_session_once_and_a_bad_cursor_is_400(
    client: TestClient, centre: Centre, station: StationKey
) -> None:
    push(client, station, session_rows(station, 7))
    key = make_key(client, centre)
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/sessions", params=params, headers=bearer(key)).json()
        seen += [i["id"] for i in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == sorted({str(uuid.UUID(int=i + 1)) for i in range(7)})
    bad = client.get("/api/v1/sessions", params={"cursor": "garbage"}, headers=bearer(key))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_cursor"
    too_many = client.get("/api/v1/sessions", params={"limit": 10_000}, headers=bearer(key))
    assert too_many.status_code == 422


@pytest.mark.slow
def test_export_pages_through_every_score(
    client: TestClient, centre: Centre, station: StationKey
) -> None:
    push(client, station, session_rows(station, 5))
    key = make_key(client, centre, ["export:read"])
    rows: list[tuple[str, str]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/export/scores", params=params, headers=bearer(key)).json()
        rows += [(r["session_id"], r["score"]["name"]) for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(rows) == len(set(rows)) == 10
    assert {r[1] for r in rows} == {"balloons.adjusted_pumps", "risk_tolerance"}


def _report_pdf() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 800, "Assessment report")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.mark.slow
def test_a_signed_report_downloads_and_verifies_as_known_and_trusted(
    client: TestClient, centre: Centre
) -> None:
    identity = issue_station_certificate(create_centre_authority("North"), "Station 9")
    pem = identity.certificate.public_bytes(Encoding.PEM).decode()
    enrolled = client.post(
        "/sync/v1/enrol", json=enrol_request(enrolment_code(client, centre), pem, "Station 9")
    )
    assert enrolled.status_code == 201, enrolled.text
    station = StationKey(enrolled.json()["station_id"], identity.private_key, pem)  # type: ignore[arg-type]
    signed = sign_pdf(
        _report_pdf(), identity, reason="report", location="Room 1", signer_label="Station 9"
    )
    sid = str(uuid.UUID(int=1))
    records = session_rows(station, 1)
    records["reports"] = [pdf_record(1, sid, signed)]
    push(client, station, records)
    key = make_key(client, centre, ["reports:read"])

    download = client.get(f"/api/v1/sessions/{sid}/report", headers=bearer(key))
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.content == signed
    assert download.headers["x-report-sha256"] == hashlib.sha256(signed).hexdigest()

    verdict = client.post(
        "/api/v1/reports/verify",
        content=signed,
        headers={**bearer(key), "Content-Type": "application/pdf"},
    ).json()
    assert verdict["valid"] and verdict["trusted"] and verdict["known"], verdict
    assert verdict["session_id"] == sid

    # One byte changed inside what the signature covers (the original document).
    at = len(_report_pdf()) // 2
    tampered = signed[:at] + bytes([signed[at] ^ 0x01]) + signed[at + 1 :]
    verdict = client.post(
        "/api/v1/reports/verify",
        content=tampered,
        headers={**bearer(key), "Content-Type": "application/pdf"},
    ).json()
    assert not verdict["valid"] and not verdict["known"]

    stranger = issue_station_certificate(create_centre_authority("North"), "Station 9")
    forged = sign_pdf(
        _report_pdf(), stranger, reason="report", location="Room 1", signer_label="Station 9"
    )
    verdict = client.post(
        "/api/v1/reports/verify",
        content=forged,
        headers={**bearer(key), "Content-Type": "application/pdf"},
    ).json()
    assert not verdict["valid"] and not verdict["trusted"] and not verdict["known"], verdict

    unsigned = client.post(
        "/api/v1/reports/verify",
        content=_report_pdf(),
        headers={**bearer(key), "Content-Type": "application/pdf"},
    ).json()
    assert not unsigned["valid"] and unsigned["problems"]
    wrong_type = client.post(
        "/api/v1/reports/verify", content=b"{}", headers={**bearer(key), "Content-Type": "text/x"}
    )
    assert wrong_type.status_code == 415


@pytest.mark.slow
def test_a_missing_report_is_404(client: TestClient, centre: Centre, station: StationKey) -> None:
    push(client, station, session_rows(station, 1))
    key = make_key(client, centre)
    response = client.get(f"/api/v1/sessions/{uuid.UUID(int=1)}/report", headers=bearer(key))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "report_not_found"


@pytest.mark.slow
def test_rate_limits_answer_429_with_retry_after_per_key(
    app: FastAPI, client: TestClient, centre: Centre
) -> None:
    now = [0.0]
    app.state.rate_limiter = RateLimiter(
        RateLimits(per_key_per_minute=60, per_ip_per_minute=6000, burst_key=3, burst_ip=1000),
        clock=lambda: now[0],
    )
    first, second = make_key(client, centre), make_key(client, centre)
    codes = [client.get("/api/v1/sessions", headers=bearer(first)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/api/v1/sessions", headers=bearer(first))
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "1"
    assert limited.json()["error"]["code"] == "rate_limited"
    # Another key is not held back by the first one's limit ...
    assert client.get("/api/v1/sessions", headers=bearer(second)).status_code == 200
    # ... and the first gets through again once its bucket has refilled.
    now[0] += 1.0
    assert client.get("/api/v1/sessions", headers=bearer(first)).status_code == 200


def test_rate_limits_per_address_hold_even_without_a_valid_key(
    app: FastAPI, client: TestClient
) -> None:
    app.state.rate_limiter = RateLimiter(
        RateLimits(per_key_per_minute=6000, per_ip_per_minute=30, burst_key=100, burst_ip=2),
        clock=lambda: 0.0,
    )
    codes = [client.get("/api/v1/sessions").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    assert int(client.get("/api/v1/sessions").headers["retry-after"]) == 2
