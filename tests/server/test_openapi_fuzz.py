"""Every operation of the OpenAPI document, fuzzed by schemathesis against the app in
process: no input gets a 5xx, and every answer (status, content type, body) is one the
document declares. Authentication is real: a console admin's token, an API key with
every scope, and station requests signed over the exact bytes sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
import requests
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import strategies as st
from schemathesis.python.asgi import ASGIClient
from sqlalchemy.engine import make_url

from server.app import create_app
from server.protocol import HEADER_SIGNATURE, HEADER_STATION, body_digest
from server.ratelimit import RateLimiter, RateLimits
from tests.server.conftest import BACKENDS, PG_URL, _conninfo, _drop_database
from tests.server.helpers import Centre, StationKey, bearer, enrol, make_centre, sign
from tests.server.test_integration_api import make_key, push, session_rows

pytestmark = pytest.mark.slow

CONFIG = {
    "seed": 20261204,
    "generation": {"mode": "all", "max-examples": 30, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "checks": {
        "enabled": False,
        "not_a_server_error": {"enabled": True},
        "status_code_conformance": {"enabled": True},
        "content_type_conformance": {"enabled": True},
        "response_schema_conformance": {"enabled": True},
    },
}

# Operations that take a console sign-in rather than an API key, though under /api/v1.
CONSOLE_PATHS = ("/api/v1/centres", "/api/v1/api-keys", "/api/v1/stations")


class StationSignature(requests.auth.AuthBase):
    """Signs the body exactly as it goes on the wire, as a station does."""

    def __init__(self, station: StationKey) -> None:
        self.station = station

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        raw = body.encode() if isinstance(body, str) else body
        assert isinstance(raw, bytes)
        request.headers[HEADER_STATION] = self.station.id
        request.headers[HEADER_SIGNATURE] = sign(self.station.key, body_digest(raw))
        return request


@dataclass
class World:
    app: FastAPI
    centre: Centre
    station: StationKey
    api_key: str
    # Not entered: the app already runs under the test client's lifespan.
    transport: ASGIClient


# Ids of rows that exist in the current world, read when a case is drawn.
KNOWN: dict[str, list[str]] = {}
WORLD: list[World] = []


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """One server per backend for every operation: seeded, keys made, limits lifted."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'server.sqlite3'}"
        name = None
    else:
        assert PG_URL is not None
        name = f"kiosk_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(_conninfo(PG_URL), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        app = create_app(url, heartbeat_s=0.3)
        with TestClient(app) as client:
            yield _seed(app, client)
    finally:
        WORLD.clear()
        KNOWN.clear()
        if name is not None:
            assert PG_URL is not None
            _drop_database(PG_URL, name)


def _seed(app: FastAPI, client: TestClient) -> World:
    app.state.rate_limiter = RateLimiter(
        RateLimits(per_key_per_minute=1e9, per_ip_per_minute=1e9, burst_key=10**9, burst_ip=10**9)
    )
    centre = make_centre(client, "North")
    station = enrol(client, centre, "Station 1")
    push(client, station, session_rows(station, 3))
    decoy = enrol(client, centre, "Station 2")
    issued = client.post(
        f"/console/v1/stations/{station.id}/commands",
        json={"kind": "pause", "session_id": str(uuid.UUID(int=1))},
        headers=bearer(centre.proctor_token),
    )
    assert issued.status_code == 201, issued.text
    beat = station.heartbeat(client, live={"session_id": str(uuid.UUID(int=1))})
    assert beat.status_code == 200, beat.text
    spare = client.post(
        f"/api/v1/centres/{centre.id}/api-keys",
        json={"name": "spare", "scopes": ["sessions:read"]},
        headers=bearer(centre.admin_token),
    )
    assert spare.status_code == 201, spare.text
    KNOWN.update(
        session_id=[str(uuid.UUID(int=i + 1)) for i in range(3)],
        centre_id=[centre.id],
        command_id=[issued.json()["id"]],
        key_id=[spare.json()["id"]],
        station_id=[station.id],
        # Revocation is fuzzed on a second station, so that the first one keeps syncing.
        revoke_station_id=[decoy.id],
    )
    world = World(app, centre, station, make_key(client, centre), ASGIClient(app))
    WORLD[:] = [world]
    return world


def _document() -> dict[str, Any]:
    # The document does not depend on the database; it is read before any server runs.
    with TestClient(create_app("sqlite://", migrate=False)) as client:
        response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


schema = schemathesis.openapi.from_dict(_document(), config=schemathesis.Config.from_dict(CONFIG))


@schemathesis.serializer("application/pdf")
def _pdf(_context: schemathesis.SerializationContext, value: Any) -> bytes:
    """Report files go as they are: any bytes, which the server must judge."""
    return value if isinstance(value, bytes) else str(value).encode()


def _known(name: str, path: str) -> str | None:
    if name == "station_id" and path.endswith("/revoke"):
        name = "revoke_station_id"
    return (
        name
        if name
        in ("session_id", "centre_id", "command_id", "key_id", "station_id", "revoke_station_id")
        else None
    )


@schema.hook
def before_generate_path_parameters(
    context: schemathesis.HookContext, strategy: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """Half the time, ids of rows that exist, so that lookups get past 404."""
    operation = context.operation
    assert operation is not None
    names = [p.name for p in operation.path_parameters]
    keys = [_known(n, operation.path) for n in names]
    if not names or None in keys:
        return strategy
    real = st.fixed_dictionaries(
        {
            n: st.integers(0, 7).map(lambda i, k=k: KNOWN[k][i % len(KNOWN[k])])
            for n, k in zip(names, keys, strict=True)
        }
    )
    return st.one_of(strategy, real)


@schema.hook
def map_body(context: schemathesis.HookContext, body: Any) -> Any:
    """The station's own id in its requests, so that fuzzing reaches past 403."""
    if isinstance(body, dict) and "station_id" in body and WORLD:
        return {**body, "station_id": WORLD[0].station.id}
    return body


def credentials(case: schemathesis.Case, world: World) -> dict[str, Any]:
    path = case.operation.path
    if path.startswith("/sync/v1/") and path != "/sync/v1/enrol":
        return {"auth": StationSignature(world.station)}
    if path.startswith("/console/") or path.startswith(CONSOLE_PATHS):
        return {"headers": bearer(world.centre.admin_token)}
    if path.startswith("/api/v1/") and path != "/api/v1/auth/token":
        return {"headers": bearer(world.api_key)}
    return {}


@schema.parametrize()
def test_no_input_gets_a_5xx_and_every_answer_matches_the_document(
    case: schemathesis.Case, world: World
) -> None:
    case.call_and_validate(session=world.transport, **credentials(case, world))
