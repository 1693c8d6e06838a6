"""Server test fixtures: a fresh server per test on SQLite and, when
``KIOSK_TEST_PG_URL`` names a PostgreSQL database the tests may create databases
from (e.g. ``postgresql://kiosk:kiosk@127.0.0.1:5432/kiosk_test``), on PostgreSQL too.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

# The station's seal hooks listen to every SQLAlchemy session in a process; the whole
# suite imports them, so the server is tested with them loaded.
import kiosk.store.seals  # noqa: F401
from server.app import create_app
from tests.server.helpers import Centre, StationKey, enrol, make_centre

PG_URL = os.environ.get("KIOSK_TEST_PG_URL")
PG_SKIP = "PostgreSQL server tests skipped: KIOSK_TEST_PG_URL is not set"

BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(PG_URL is None, reason=PG_SKIP)),
]


def pytest_report_header() -> str:
    return f"server tests on PostgreSQL: {'yes' if PG_URL else 'NO — ' + PG_SKIP}"


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    assert PG_URL is not None
    name = f"kiosk_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_conninfo(PG_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(PG_URL, name)


def _drop_database(url: str, name: str) -> None:
    """Drop a test database; an autovacuum worker may hold it for a moment (and only
    a superuser may end that), so try again for a while."""
    for attempt in range(50):
        try:
            with psycopg.connect(_conninfo(url), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            if attempt == 49:
                raise
            time.sleep(0.2)


@pytest.fixture
def app(database_url: str) -> FastAPI:
    return create_app(database_url, heartbeat_s=0.3)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def centre(client: TestClient) -> Centre:
    return make_centre(client, "North")


@pytest.fixture
def station(client: TestClient, centre: Centre) -> StationKey:
    return enrol(client, centre, "Station 1")
