"""The centre server itself (``server.app.create_app``) on a loopback port, for the
console's end-to-end tests: uvicorn in a thread, a centre with a proctor, and
simulated stations that enrol, send signed heartbeats and apply the commands they
receive, as a station's sync would."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PROCTOR, PASSWORD, CENTRE = "grace", "correct horse battery", "North"


@dataclass(frozen=True)
class Served:
    url: str
    centre_id: str


@contextmanager
def running_server(folder: Path, heartbeat_s: float = 0.5) -> Iterator[Served]:
    """The server on a fresh SQLite database, with centre North, its admin ``ada`` and
    its proctor ``grace``."""
    import uvicorn

    from server import accounts
    from server.app import create_app

    app = create_app(f"sqlite:///{folder / 'server.sqlite3'}", heartbeat_s=heartbeat_s)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, log_level="warning", ws="websockets-sansio")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the centre server did not start")
            time.sleep(0.05)
        with app.state.kiosk.sessions() as db:
            centre = accounts.create_centre(db, "test", CENTRE)
            accounts.add_user(db, "test", centre, "ada", "admin", PASSWORD)
            accounts.add_user(db, "test", centre, PROCTOR, "proctor", PASSWORD)
            db.commit()
            centre_id = centre.id
        yield Served(f"http://127.0.0.1:{port}", centre_id)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def _token(client: httpx.Client, username: str) -> str:
    body = {"username": username, "password": PASSWORD, "centre": CENTRE}
    response = client.post("/api/v1/auth/token", json=body)
    response.raise_for_status()
    return str(response.json()["token"])


@dataclass
class SimulatedStation:
    """A station that heartbeats every ``period_s`` while ``beating`` and applies pause,
    resume, void and note commands to its ``live`` session, then acknowledges them."""

    server: Served
    name: str
    live: dict[str, Any] | None
    period_s: float = 0.25
    beating: bool = True
    outbox_pending: int = 0
    applied: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        from tests.server.helpers import StationKey, enrol_request, new_key

        self._client = httpx.Client(base_url=self.server.url, timeout=5)
        admin = _token(self._client, "ada")
        centre_id = self.server.centre_id
        code = self._client.post(
            f"/api/v1/centres/{centre_id}/enrolment-codes",
            headers={"Authorization": f"Bearer {admin}"},
        )
        code.raise_for_status()
        key, pem = new_key()
        enrolled = self._client.post(
            "/sync/v1/enrol", json=enrol_request(code.json()["code"], pem, self.name)
        )
        enrolled.raise_for_status()
        self.key = StationKey(enrolled.json()["station_id"], key, pem)
        self.id = self.key.id
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.beat()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def beat(self) -> None:
        with self._lock:
            response = self.key.heartbeat(self._client, self.live, self.outbox_pending)
            response.raise_for_status()
            for command in response.json()["commands"]:
                self._apply(command)

    def _apply(self, command: dict[str, Any]) -> None:
        live = self.live
        outcome = "applied"
        if live is None or live["session_id"] != command["session_id"]:
            outcome = "refused"
        elif command["kind"] == "pause":
            live["status"] = "paused"
        elif command["kind"] == "resume":
            live["status"] = "in_progress"
        elif command["kind"] == "void":
            live["status"] = "voided"
        else:
            live["incidents"] += 1
        self.applied.append(command)
        self.key.ack(self._client, command["id"], outcome).raise_for_status()

    def _run(self) -> None:
        while not self._stop.wait(self.period_s):
            if self.beating:
                self.beat()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._client.close()


def live_session(session_id: str, pseudonym: str, **changes: Any) -> dict[str, Any]:
    live: dict[str, Any] = {
        "session_id": session_id,
        "status": "in_progress",
        "pseudonym": pseudonym,
        "game": "balloons",
        "game_index": 3,
        "games_total": 12,
        "elapsed_s": 412.0,
        "incidents": 0,
        "quality_flags": [],
    }
    live.update(changes)
    return live
