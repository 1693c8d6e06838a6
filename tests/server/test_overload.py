"""A database too busy to serve a request in time answers 503 ``server_busy`` with
``Retry-After``, never 500: SQLite's writer lock held by another connection, a pool
with every connection checked out, a PostgreSQL row lock held past ``lock_timeout``,
a PostgreSQL database at its connection limit.
Each is provoked for real, with the waits made short for the test; each time nothing
of the request is kept, the overload is logged and counted, and the same request sent
again afterwards succeeds. Any other database failure is still a 500."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketDisconnect

import server.routes.sync
from kiosk.sync.client import ServerUnavailable, SyncClient
from server.app import create_app
from server.db import DatabaseLimits, make_engine
from server.db.models import AuditEntry, Batch, SessionChain, SessionRecord, Station
from server.errors import OVERLOAD_RETRY_AFTER_S
from server.event_store import stored_events
from server.protocol import canonical_json
from tests.server.conftest import PG_SKIP, PG_URL, _conninfo
from tests.server.helpers import (
    Centre,
    StationKey,
    bearer,
    enrol,
    make_centre,
    sign,
    state_of,
)

SESSION = "0ad10ad0-0000-4000-8000-00000000b05e"
# Short waits, so that a test provokes each overload in a fraction of a second.
LIMITS = DatabaseLimits(wait_s=0.5, pool_size=2, max_overflow=0)

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
postgresql_only = pytest.mark.parametrize(
    "database_url",
    [pytest.param("postgresql", marks=pytest.mark.skipif(PG_URL is None, reason=PG_SKIP))],
    indirect=True,
)


@pytest.fixture
def app(database_url: str) -> FastAPI:
    return create_app(database_url, heartbeat_s=0.3, limits=LIMITS)


def _count(app: FastAPI, model: Any, *where: Any) -> int:
    with state_of(app).sessions() as db:
        return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _events(app: FastAPI) -> int:
    """How many events the server holds."""
    with state_of(app).sessions() as db:
        return len(stored_events(db))


def _applied_through(app: FastAPI, station: StationKey) -> int:
    with state_of(app).sessions() as db:
        row = db.get(Station, station.id)
        assert row is not None
        return row.applied_through


def _samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _assert_busy(response: httpx.Response) -> None:
    """503 with a small whole-second Retry-After and the one error shape."""
    assert response.status_code == 503, response.text
    low, high = OVERLOAD_RETRY_AFTER_S
    assert low <= int(response.headers["Retry-After"]) <= high
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "server_busy"
    assert f"after {response.headers['Retry-After']} seconds" in body["error"]["message"]


def _first_batch(station: StationKey) -> dict[str, Any]:
    """A batch that writes to every kind of table: event spans, audit, a record."""
    events = station.events(SESSION, 5)
    return station.batch(
        events=events,
        audit=[station.seal(["sessions", SESSION, "d"], station.checkpoint(SESSION))],
        records={"sessions": [{"id": SESSION, "status": "in_progress", "chain_head_seq": 5}]},
    )


def _stored(app: FastAPI, station: StationKey) -> tuple[int, ...]:
    """Batches, events, audit entries, session records, and the station's applied_through."""
    batches, audit, records = (_count(app, m) for m in (Batch, AuditEntry, SessionRecord))
    return (batches, _events(app), audit, records, _applied_through(app, station))


NOTHING = (0, 0, 0, 0, 0)
FIRST_BATCH = (1, 5, 1, 1, 1)


@contextmanager
def sqlite_writer_lock(database_url: str) -> Iterator[None]:
    """Another connection to the server's SQLite file holds its writer lock
    (``BEGIN IMMEDIATE``) for the duration."""
    holder = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()


def _overload_logged(caplog: pytest.LogCaptureFixture, cause: str, said: str) -> None:
    """One warning, with the cause and the database's words, and no traceback."""
    (record,) = [r for r in caplog.records if r.name == "server.errors"]
    assert record.levelno == logging.WARNING
    assert record.cause == cause  # type: ignore[attr-defined]
    assert said in record.getMessage()
    assert "/sync/v1/batches" in record.getMessage()
    assert record.exc_info is None  # a busy database, not a bug


def _resend_is_stored(client: TestClient, station: StationKey, batch: dict[str, Any]) -> None:
    """The station sends the same bytes again, once the database is free."""
    again = station.send(client, batch)
    assert again.status_code == 200, again.text
    assert again.json() == {"acked_through": batch["batch_seq"], "flags": []}


def _counted(client: TestClient, cause: str) -> float:
    return _samples(client).get(("kiosk_server_overload_total", (("cause", cause),)), 0.0)


def _turned_away_then_stored(
    overload: tuple[str, str, str],
    response: httpx.Response,
    caplog: pytest.LogCaptureFixture,
    app: FastAPI,
    client: TestClient,
    station: StationKey,
    batch: dict[str, Any],
) -> None:
    """``response`` to the first batch is 503 for ``overload`` (the cause, what the
    answer says of it, what the log quotes of the database), nothing of the batch is
    stored, and the same bytes sent again are, once; the overload is counted once."""
    cause, reason, said = overload
    _assert_busy(response)
    assert reason in response.json()["error"]["message"]
    _overload_logged(caplog, cause, said)
    assert _stored(app, station) == NOTHING
    _resend_is_stored(client, station, batch)
    assert _stored(app, station) == FIRST_BATCH
    assert _counted(client, cause) == 1


@sqlite_only
def test_a_batch_meeting_a_locked_sqlite_database_is_503_and_a_resend_is_stored(
    app: FastAPI,
    client: TestClient,
    station: StationKey,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    batch = _first_batch(station)
    with sqlite_writer_lock(database_url), caplog.at_level(logging.WARNING, "server.errors"):
        response = station.send(client, batch)
    overload = ("sqlite_busy", "database is busy", "database is locked")
    _turned_away_then_stored(overload, response, caplog, app, client, station, batch)
    samples = _samples(client)
    route = (("method", "POST"), ("route", "/sync/v1/batches"))
    assert samples[("kiosk_server_requests_total", (*route, ("status", "503")))] == 1
    assert samples[("kiosk_server_requests_total", (*route, ("status", "200")))] == 1


@sqlite_only
def test_every_request_that_needs_the_locked_database_is_503(
    client: TestClient,
    centre: Centre,
    station: StationKey,
    database_url: str,
) -> None:
    """Reads as much as writes: every transaction on the server's SQLite begins
    IMMEDIATE, so it waits for the writer lock."""
    with sqlite_writer_lock(database_url):
        _assert_busy(station.heartbeat(client))
        _assert_busy(client.get("/console/v1/stations", headers=bearer(centre.proctor_token)))
        # What needs no database still answers.
        assert client.get("/health").status_code == 200


@sqlite_only
def test_the_station_client_takes_503_as_try_again_later(
    app: FastAPI, client: TestClient, station: StationKey, database_url: str
) -> None:
    """The station's own sync client, over the app: a busy server is
    ``ServerUnavailable`` (wait and retry, keep the batch), not a halt."""

    def forward(request: httpx.Request) -> httpx.Response:
        answer = client.request(
            request.method, request.url.path, content=request.read(), headers=request.headers
        )
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    body = canonical_json(_first_batch(station))
    sync = SyncClient(
        "http://centre.test",
        station.id,
        lambda digest: sign(station.key, digest),
        transport=httpx.MockTransport(forward),
    )
    with sync:
        with sqlite_writer_lock(database_url), pytest.raises(ServerUnavailable, match="503"):
            sync.send_batch(body)
        assert _stored(app, station) == NOTHING
        assert sync.send_batch(body) == 1
    assert _stored(app, station) == FIRST_BATCH


def test_a_batch_finding_no_free_connection_is_503_and_a_resend_is_stored(
    app: FastAPI, client: TestClient, station: StationKey, caplog: pytest.LogCaptureFixture
) -> None:
    """Every pooled connection is checked out (by requests still running, say): the
    next request waits the pool's timeout and is told to come back."""
    batch = _first_batch(station)
    engine = state_of(app).engine
    held = [engine.connect() for _ in range(LIMITS.pool_size + LIMITS.max_overflow)]
    try:
        with caplog.at_level(logging.WARNING, logger="server.errors"):
            response = station.send(client, batch)
    finally:
        for connection in held:
            connection.close()
    overload = ("pool_timeout", "every database connection is in use", "QueuePool limit")
    _turned_away_then_stored(overload, response, caplog, app, client, station, batch)


@postgresql_only
def test_a_batch_waiting_past_the_lock_timeout_keeps_nothing_and_a_resend_is_stored(
    app: FastAPI,
    client: TestClient,
    station: StationKey,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A PostgreSQL with ``lock_timeout`` set (here on the database): another
    transaction holds the row of the session's chain head, so the second batch fails
    halfway through its transaction, after storing its body, waiting to lock the chain
    before storing its events. All of that is rolled back."""
    conninfo = _conninfo(database_url)
    name = make_url(database_url).database
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE \"{name}\" SET lock_timeout = '300ms'")
    state_of(app).engine.dispose()  # new connections take the setting

    first = station.send(client, _first_batch(station))
    assert first.json() == {"acked_through": 1, "flags": []}
    second = station.batch(events=station.events(SESSION, 3))
    with psycopg.connect(conninfo) as holder:
        holder.execute("SELECT 1 FROM session_chains WHERE session_id = %s FOR UPDATE", (SESSION,))
        with caplog.at_level(logging.WARNING, logger="server.errors"):
            response = station.send(client, second)
        holder.rollback()
    _assert_busy(response)
    _overload_logged(caplog, "pg_lock_timeout", "lock timeout")
    # Batch 2's body was written inside its transaction: none of it was kept.
    assert _count(app, Batch) == 1
    assert _events(app) == 5
    assert _applied_through(app, station) == 1
    with state_of(app).sessions() as db:
        chain = db.get(SessionChain, SESSION)
        assert chain is not None and chain.head_seq == 5

    _resend_is_stored(client, station, second)
    assert _events(app) == 8
    assert _counted(client, "pg_lock_timeout") == 1


def test_any_other_database_failure_is_still_a_500(
    app: FastAPI,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A database error that is no overload (a table that is not there on SQLite, a
    statement cancelled by its own timeout on PostgreSQL: both OperationalError) is
    the server's failure: 500, logged with its traceback, not counted as overload."""
    postgres = make_url(database_url).get_backend_name() == "postgresql"

    def failing(db: Session, *_args: Any, **_kwargs: Any) -> Any:
        if postgres:
            db.execute(text("SET LOCAL statement_timeout = 1"))
            db.execute(text("SELECT pg_sleep(0.2)"))
        else:
            db.execute(text("SELECT * FROM no_such_table"))
        raise AssertionError("the statement above fails")

    with TestClient(app, raise_server_exceptions=False) as client:
        station = enrol(client, make_centre(client, "North"), "Station 1")
        monkeypatch.setattr(server.routes.sync, "receive_batch", failing)
        with caplog.at_level(logging.WARNING, logger="server.errors"):
            response = station.send(client, station.batch())
        assert response.status_code == 500
        assert "Retry-After" not in response.headers
        assert response.json()["error"]["code"] == "internal_error"
        (record,) = [r for r in caplog.records if r.name == "server.errors"]
        assert record.levelno == logging.ERROR
        assert record.exc_info is not None
        assert not any(name == "kiosk_server_overload_total" for name, _labels in _samples(client))


def test_the_document_declares_503_where_the_database_is_used(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path, method in (
        ("/sync/v1/batches", "post"),
        ("/sync/v1/heartbeat", "post"),
        ("/console/v1/stations", "get"),
        ("/api/v1/sessions", "get"),
    ):
        declared = paths[path][method]["responses"]["503"]
        assert declared["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"
        }
    assert "503" not in paths["/health"]["get"]["responses"]


def test_the_wait_and_pool_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KIOSK_SERVER_DB_WAIT_S", "0.75")
    monkeypatch.setenv("KIOSK_SERVER_DB_POOL_SIZE", "3")
    limits = DatabaseLimits.from_env()
    assert limits == DatabaseLimits(wait_s=0.75, pool_size=3, max_overflow=10)
    engine = make_engine(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 750
        assert engine.pool.size() == 3  # type: ignore[attr-defined]
    finally:
        engine.dispose()
    monkeypatch.setenv("KIOSK_SERVER_DB_WAIT_S", "soon")
    with pytest.raises(ValueError, match="KIOSK_SERVER_DB_WAIT_S='soon' is not a number"):
        DatabaseLimits.from_env()
    monkeypatch.setenv("KIOSK_SERVER_DB_WAIT_S", "0")
    with pytest.raises(ValueError, match="above 0 seconds"):
        DatabaseLimits.from_env()


@postgresql_only
def test_a_database_at_its_connection_limit_is_503_and_a_resend_is_stored(
    app: FastAPI,
    client: TestClient,
    station: StationKey,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """PostgreSQL refuses new connections to the database (its connection limit is
    reached; here the limit is 0): a request needing one is told to come back."""
    assert PG_URL is not None
    name = make_url(database_url).database

    def limit(connections: int) -> None:
        with psycopg.connect(_conninfo(PG_URL), autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" CONNECTION LIMIT {connections}')

    batch = _first_batch(station)
    limit(0)
    try:
        state_of(app).engine.dispose()  # the pool must open a new connection
        with caplog.at_level(logging.WARNING, logger="server.errors"):
            response = station.send(client, batch)
    finally:
        limit(-1)
    overload = ("pg_too_many_connections", "takes no more connections", "too many connections")
    _turned_away_then_stored(overload, response, caplog, app, client, station, batch)


@sqlite_only
def test_the_live_console_meeting_a_locked_database_is_told_to_come_back(
    client: TestClient,
    centre: Centre,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A WebSocket has no status code once open: the busy database ends it with an
    ``error`` message (``server_busy``, ``retry_after_s``) and close code 1013, "try
    again later", logged and counted as a 503 is; once free, a new one is served."""
    url = f"/console/v1/ws?token={centre.proctor_token}"
    with (
        sqlite_writer_lock(database_url),
        caplog.at_level(logging.WARNING, "server.errors"),
        client.websocket_connect(url) as ws,
    ):
        message = ws.receive_json()
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1013
    assert message["type"] == "error" and message["error"]["code"] == "server_busy"
    low, high = OVERLOAD_RETRY_AFTER_S
    assert low <= message["retry_after_s"] <= high
    assert f"after {message['retry_after_s']} seconds" in message["error"]["message"]
    (record,) = [r for r in caplog.records if r.name == "server.errors"]
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "WEBSOCKET /console/v1/ws" in record.getMessage()
    assert "closed 1013" in record.getMessage()
    assert _counted(client, "sqlite_busy") == 1
    with client.websocket_connect(url) as ws:
        assert ws.receive_json()["type"] == "snapshot"
