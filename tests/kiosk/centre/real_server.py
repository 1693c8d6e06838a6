"""The centre server itself (``server.app.create_app``) on a loopback port, for the
console's end-to-end tests: uvicorn in a process, a centre with a proctor, and
simulated stations that enrol, send signed heartbeats and apply the commands they
receive, as a station's sync would."""

from __future__ import annotations

import socket
import subprocess
import sys
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


# Run in a process of its own: the station's store registers SQLAlchemy session hooks
# process-wide (kiosk.store.seals), which must not see the server's sessions.
_SERVE = """
import sys
import uvicorn
from server import accounts
from server.app import create_app
from server.db import make_engine, make_sessionmaker, upgrade

url, port, heartbeat_s, password = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
engine = make_engine(url)
upgrade(engine)
with make_sessionmaker(engine)() as db:
    centre = accounts.create_centre(db, "test", "North")
    accounts.add_user(db, "test", centre, "ada", "admin", password)
    accounts.add_user(db, "test", centre, "grace", "proctor", password)
    db.commit()
    print(centre.id, flush=True)
engine.dispose()
uvicorn.run(create_app(url, heartbeat_s=heartbeat_s), host="127.0.0.1", port=port,
            log_level="warning", ws="websockets-sansio")
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(folder: Path, heartbeat_s: float = 0.5) -> Iterator[Served]:
    """The centre server (``server.app.create_app`` under uvicorn) on a fresh SQLite
    database, with centre North, its admin ``ada`` and its proctor ``grace``."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    database = f"sqlite:///{folder / 'server.sqlite3'}"
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVE, database, str(port), str(heartbeat_s), PASSWORD],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    try:
        assert process.stdout is not None
        centre_id = process.stdout.readline().strip()
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the centre server did not start: {(folder / 'server.log').read_text()}"
                )
            try:
                httpx.get(f"{url}/api/v1/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield Served(url, centre_id)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        if process.stdout is not None:
            process.stdout.close()
        log.close()


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
