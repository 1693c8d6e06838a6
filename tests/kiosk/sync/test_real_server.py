"""End to end with the real centre server over HTTP: enrol, sync what a session records,
obey a proctor's commands from the console, and the server holds the station's chain."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytest.importorskip(
    "fastapi", reason="the centre server is an optional extra: pip install .[server]"
)
pytest.importorskip("uvicorn", reason="the centre server is an optional extra")

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from kiosk.incidents import list_incidents
from kiosk.sessions.machine import status_of
from kiosk.store.models import AuditEntry as AuditEntryRow
from kiosk.store.models import SessionStatus
from kiosk.sync.enrolment import enrol
from kiosk.sync.outbox import outbox_status
from kiosk.sync.service import SyncService
from tests.kiosk.sync.conftest import (
    admin_actor,
    finish,
    open_session,
    play_game,
    stored_audit,
    stored_events,
    until,
)

pytestmark = pytest.mark.slow  # a server process, a minute of two cores

PASSWORD = "a proctor's long password"


def kiosk_server(database_url: str, *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "--database-url", database_url, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def centre_server(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """``kiosk-server run`` in its own process on SQLite, with a centre North, a proctor
    and a one-time code: ``(url, database_url, code)``. (Its own process: kiosk's store
    seals every SQLAlchemy session of the process it runs in.)"""
    database_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    kiosk_server(database_url, "migrate")
    kiosk_server(database_url, "centre", "add", "North")
    kiosk_server(
        database_url,
        "user",
        "add",
        "north-proctor",
        "--centre",
        "North",
        "--role",
        "proctor",
        stdin=PASSWORD + "\n",
    )
    code = kiosk_server(database_url, "enrol-code", "--centre", "North").split()[0]
    port = free_port()
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server.cli",
            "--database-url",
            database_url,
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            httpx.get(f"{url}/sync/v1/heartbeat", timeout=1.0)
        except httpx.HTTPError:
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            return False
        return True

    until(answers, 60.0)
    yield url, database_url, code
    child.terminate()
    child.wait(30)


def test_a_station_syncs_with_the_real_server(store, recorder, centre_server) -> None:
    from server.db import models
    from server.event_store import stored_events as server_events

    url, database_url, code = centre_server
    server_db = create_engine(database_url)
    settings = enrol(store, admin_actor(store), url, code)
    assert settings.centre_name == "North" and settings.heartbeat_s > 0
    sid = open_session(store, recorder)
    play_game(store, recorder, sid, 0, trials=25)
    sync = SyncService(store, heartbeat_s=0.2, build_interval_s=0.05, max_events=20)
    sync.start()
    try:
        with httpx.Client(base_url=url) as console:
            answer = console.post(
                "/api/v1/auth/token",
                json={"username": "north-proctor", "password": PASSWORD, "centre": "North"},
            )
            headers = {"Authorization": f"Bearer {answer.json()['token']}"}

            def command(**body: str) -> None:
                issued = console.post(
                    f"/console/v1/stations/{settings.station_id}/commands",
                    json={"session_id": sid, **body},
                    headers=headers,
                )
                assert issued.status_code == 201, issued.text

            command(kind="note", text="Fire drill announced at 10:40.")
            command(kind="pause")
            until(lambda: status_of(store, sid) is SessionStatus.PAUSED)
            command(kind="resume")
            command(kind="resume")  # a second resume: refused by the machine
            until(lambda: status_of(store, sid) is SessionStatus.IN_PROGRESS)
        play_game(store, recorder, sid, 1, trials=25)
        finish(store, recorder, sid)

        def caught_up() -> bool:
            status = outbox_status(store)
            with Session(server_db) as db:
                station = db.get(models.Station, settings.station_id)
                acked_all = station is not None and station.applied_through == status.built_through
                db.expunge_all()
                commands = db.scalars(select(models.Command)).all()
            return (
                status.pending == 0
                and acked_all
                and len(commands) == 4
                and all(c.acked_at is not None for c in commands)
                and station is not None
                and station.audit_head_seq == stored_audit(store)[-1][0]
            )

        until(caught_up)
    finally:
        sync.stop()

    assert sync.status().last_error is None and sync.status().halted is None
    notes = list_incidents(store, admin_actor(store), sid)
    assert [n.text for n in notes] == ["Fire drill announced at 10:40."]
    with Session(server_db) as db:
        events = [
            (e["session_id"], e["seq"], e["hash"])
            for e in server_events(db, station_id=settings.station_id)
        ]
        flags = db.scalars(
            select(models.Flag).where(models.Flag.station_id == settings.station_id)
        ).all()
        outcomes = sorted((c.kind, c.outcome) for c in db.scalars(select(models.Command)).all())
        audit = db.execute(
            select(models.AuditEntry.seq, models.AuditEntry.hash)
            .where(models.AuditEntry.station_id == settings.station_id)
            .order_by(models.AuditEntry.seq)
        ).all()
    assert events == stored_events(store)
    # A store's first entries, sealed before its key existed, are unsigned: the signed
    # entries after them vouch for them, so the server flags nothing.
    with store.reader() as s:
        unsigned = s.scalars(
            select(AuditEntryRow.seq).where(AuditEntryRow.signature.is_(None))
        ).all()
    assert unsigned == [1, 2]
    assert [(f.code, f.message) for f in flags] == []
    assert outcomes == [
        ("note", "applied"),
        ("pause", "applied"),
        ("resume", "applied"),
        ("resume", "refused"),
    ]
    assert [tuple(a) for a in audit] == stored_audit(store)[: len(audit)]
