"""Stations enrolled with the in-memory centre, and sessions that produce data to sync."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from sqlalchemy import select, text

from kiosk.access import auth
from kiosk.access.auth import Actor
from kiosk.recorder import Recorder
from kiosk.sessions.lifecycle import end_game_run, end_session, start_game_run, start_session
from kiosk.sessions.machine import Move, apply
from kiosk.store.models import Role, User
from kiosk.sync.enrolment import enrol, sync_settings
from kiosk.sync.service import Syncer
from tests.helpers import ADMIN, ensure_admin, new_session
from tests.kiosk.sync.fake_server import CODE, FakeServer, transport

URL = "http://centre.test"


def admin_actor(store) -> Actor:
    ensure_admin(store)
    with store.reader() as s:
        user = s.scalars(select(User).where(User.username == ADMIN)).one()
        return Actor.of(user)


def enrol_with(store, server: FakeServer) -> None:
    enrol(store, admin_actor(store), URL, CODE, transport=transport(server))


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


@pytest.fixture
def enrolled(store, server):
    enrol_with(store, server)
    return store


@pytest.fixture
def recorder(store) -> Iterator[Recorder]:
    rec = Recorder(store)
    yield rec
    rec.close()


def open_session(store, recorder: Recorder) -> str:
    """A session checked in and started: in progress, with its clock anchored."""
    (sid,) = new_session(store)
    apply(store, sid, Move.CHECK_IN)
    start_session(store, recorder, sid)
    return sid


def play_game(store, recorder: Recorder, sid: str, position: int, trials: int) -> str:
    """One game run with ``trials`` response events, ended (its events durable)."""
    run = start_game_run(
        store,
        recorder,
        sid,
        position=position,
        game_id="balloons",
        game_version="1",
        seed=position,
        config={"params": {}},
    )
    for i in range(trials):
        recorder.emit(sid, "response", {"i": i, "key": "space"}, game_run_id=run, trial_index=i)
    end_game_run(store, recorder, run)
    return run


def finish(store, recorder: Recorder, sid: str) -> None:
    end_session(store, recorder, sid)


def steps_over(store, handler: httpx.BaseTransport, **options) -> Syncer:
    """The enrolled station's sync steps over ``handler`` (one connection per request)."""
    settings = sync_settings(store)
    assert settings is not None
    return Syncer.open(store, settings, transport=handler, keepalive=False, **options)


def until(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not come true in time")
        time.sleep(0.02)


def stored_events(store) -> list[tuple[str, int, str]]:
    with store.reader() as s:
        rows = s.execute(text("SELECT session_id, seq, hash FROM events ORDER BY id")).all()
    return [tuple(r) for r in rows]


def stored_audit(store) -> list[tuple[int, str]]:
    with store.reader() as s:
        rows = s.execute(text("SELECT seq, hash FROM audit_log ORDER BY seq")).all()
    return [tuple(r) for r in rows]


def proctor(store) -> Actor:
    auth.create_user(store, auth.SYSTEM, "pat", "a proctor's password", Role.PROCTOR)
    return Actor(None, "pat", Role.PROCTOR)


@pytest.fixture
def centre() -> Iterator[tuple[FakeServer, str]]:
    """The fake centre on a local port: ``(server, url)``."""
    fake = FakeServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            request = httpx.Request(
                "POST", f"http://centre{self.path}", headers=dict(self.headers), content=body
            )
            try:
                answer = fake.handle(request)
            except httpx.ConnectError:
                self.connection.close()  # "down": hang up without an answer
                return
            answer.read()
            self.send_response(answer.status_code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        def log_message(self, *args: object) -> None:
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{http.server_address[1]}"
    http.shutdown()
    http.server_close()
