"""Operations: health, readiness, metrics, logs, and one error shape everywhere."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from server.app import create_app
from server.logs import JsonFormatter
from tests.server.helpers import StationKey


def _samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.mark.slow
def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json() == {"status": "ready"}


def test_not_ready_until_migrated(database_url: str) -> None:
    with TestClient(create_app(database_url, migrate=False)) as client:
        assert client.get("/health").status_code == 200
        response = client.get("/ready")
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "database_not_migrated"


def test_not_ready_without_a_database(tmp_path: object) -> None:
    url = "postgresql://nobody:wrong@127.0.0.1:1/none"
    with TestClient(create_app(url, migrate=False)) as client:
        response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unreachable"


@pytest.mark.slow
def test_metrics_count_requests_events_flags_and_apply_time(
    client: TestClient, station: StationKey
) -> None:
    session = "c0ffee00-0000-4000-8000-000000000001"
    events = station.events(session, 3)
    events[2]["prev_hash"] = "12" * 32
    station.send(client, station.batch(events=events))
    station.send(client, station.batch(events=station.events(session, 2)))
    samples = _samples(client)
    assert samples[("kiosk_server_events_ingested_total", ())] == 5
    assert samples[("kiosk_server_flags_total", (("code", "chain_break"),))] == 1
    assert samples[("kiosk_server_batch_apply_seconds_count", ())] == 2
    batches = (
        "kiosk_server_requests_total",
        (("method", "POST"), ("route", "/sync/v1/batches"), ("status", "200")),
    )
    assert samples[batches] == 2


@pytest.mark.slow
def test_every_error_has_the_same_shape(client: TestClient) -> None:
    responses = {
        404: client.get("/no/such/page"),
        405: client.get("/sync/v1/batches"),
        422: client.post("/api/v1/auth/token", json={"username": "x"}),
        401: client.get("/console/v1/stations"),
    }
    for status, response in responses.items():
        assert response.status_code == status
        body = response.json()
        assert set(body) == {"error"}
        assert set(body["error"]) == {"code", "message"}
        assert body["error"]["message"]
    assert responses[404].json()["error"]["code"] == "not_found"
    assert responses[405].json()["error"]["code"] == "method_not_allowed"
    assert responses[422].json()["error"]["code"] == "invalid_request"
    assert "password" in responses[422].json()["error"]["message"]
    broken = client.post(
        "/api/v1/auth/token", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 422
    assert broken.json()["error"]["code"] == "invalid_request"


def test_logs_are_json_lines() -> None:
    record = logging.LogRecord(
        "server.ingest", logging.WARNING, __file__, 1, "flag %s", ("x",), None
    )
    record.station_id = "s-1"
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["level"] == "warning"
    assert entry["logger"] == "server.ingest"
    assert entry["message"] == "flag x"
    assert entry["station_id"] == "s-1"
    assert "\n" not in line
