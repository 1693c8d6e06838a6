"""A stand-in centre server for the console's tests, per server/PROTOCOL.md.

The live feed is a real WebSocket server (``websockets``, on a loopback port, in a
thread): a client with the right ``?token=`` gets a snapshot, then every
:meth:`FakeCentre.push`; a wrong token gets an ``error`` message and close code 1008
(as the centre server does), or HTTP 401 with ``reject_in_handshake``. :meth:`FakeCentre.drop`
closes every connection, and ``refuse`` answers new ones 503, as a server that went
away would. The HTTP endpoints (token, commands) are an ``httpx.MockTransport``
that records each request (:attr:`FakeCentre.requests`).
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from websockets.sync.server import Server, ServerConnection, serve

TOKEN = "tok-3f9a"
USERS = {("grace", "correct horse", "North")}


def station(
    station_id: str,
    name: str,
    *,
    status: str | None = "in_progress",
    pseudonym: str = "P-7QK2",
    game: str = "balloons",
    game_index: int = 3,
    games_total: int = 12,
    incidents: int = 0,
    flags: tuple[str, ...] = (),
    heartbeat: datetime | None = None,
    stale: bool = False,
    outbox_pending: int = 0,
    acked_through: int = 16,
) -> dict[str, Any]:
    live = (
        None
        if status is None
        else {
            "session_id": f"sess-{station_id}",
            "status": status,
            "pseudonym": pseudonym,
            "game": game,
            "game_index": game_index,
            "games_total": games_total,
            "elapsed_s": 412.0,
            "incidents": incidents,
            "quality_flags": list(flags),
        }
    )
    return {
        "station_id": station_id,
        "name": name,
        "last_heartbeat": (heartbeat or datetime.now(UTC)).isoformat(),
        "stale": stale,
        "live": live,
        "acked_through": acked_through,
        "outbox_pending": outbox_pending,
        "sync_lag_s": 1.5,
        "revoked": False,
    }


class FakeCentre:
    def __init__(self) -> None:
        self.stations: dict[str, dict[str, Any]] = {}
        self.requests: list[httpx.Request] = []
        self.refuse = False
        self.reject_in_handshake = False  # a bad token: HTTP 401 instead of an error message
        self.busy_retry_after_s: int | None = None  # the database is busy: come back later
        self.connections_opened = 0
        self._clients: set[ServerConnection] = set()
        self._lock = threading.Lock()
        self._server: Server = serve(
            self._handle, "127.0.0.1", 0, process_request=self._check, compression=None
        )
        self.port = self._server.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.transport = httpx.MockTransport(self._http)

    # -- the live feed ---------------------------------------------------------------------

    def _check(self, connection: ServerConnection, request: Any) -> Any:
        parts = urlsplit(request.path)
        if parts.path != "/console/v1/ws":
            return connection.respond(404, "not found\n")
        if self.refuse:
            return connection.respond(503, "going away\n")
        if self.reject_in_handshake and parse_qs(parts.query).get("token") != [TOKEN]:
            return connection.respond(401, "bad token\n")
        return None

    def _handle(self, connection: ServerConnection) -> None:
        query = parse_qs(urlsplit(connection.request.path).query)  # type: ignore[union-attr]
        if query.get("token") != [TOKEN]:
            # As the centre server does: accept, say why, close with "policy violation".
            error = {"code": "unauthenticated", "message": "sign in and pass ?token=TOKEN"}
            connection.send(json.dumps({"type": "error", "error": error}))
            connection.close(code=1008)
            return
        if self.busy_retry_after_s is not None:
            # As the centre server does when its database is busy: say so, "try again later".
            wait = self.busy_retry_after_s
            error = {"code": "server_busy", "message": f"send it again after {wait} seconds"}
            connection.send(json.dumps({"type": "error", "retry_after_s": wait, "error": error}))
            connection.close(code=1013)
            return
        with self._lock:
            self.connections_opened += 1
            snapshot = {"type": "snapshot", "stations": list(self.stations.values())}
            connection.send(json.dumps(snapshot))
            self._clients.add(connection)
        try:
            for _ in connection:  # the console sends nothing; wait for the close
                pass
        finally:
            with self._lock:
                self._clients.discard(connection)

    @property
    def clients(self) -> int:
        with self._lock:
            return len(self._clients)

    def push(self, status: dict[str, Any]) -> None:
        """A station changed: keep it and send it to every console."""
        with self._lock:
            self.stations[status["station_id"]] = status
            for client in list(self._clients):
                client.send(json.dumps({"type": "station", "station": status}))

    def ping(self) -> None:
        with self._lock:
            for client in list(self._clients):
                client.send(json.dumps({"type": "ping"}))

    def drop(self) -> None:
        """Close every console's connection (as a server restart would)."""
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            client.close()

    def close(self) -> None:
        self.drop()
        self._server.shutdown()
        self._thread.join(5)

    # -- the HTTP endpoints ------------------------------------------------------------------

    def _http(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.method == "POST" and path == "/api/v1/auth/token":
            body = json.loads(request.content)
            if (body.get("username"), body.get("password"), body.get("centre")) in USERS:
                return httpx.Response(
                    200, json={"token": TOKEN, "expires_at": "2026-12-05T06:00:00Z"}
                )
            return httpx.Response(
                401,
                json={
                    "error": {
                        "code": "bad_credentials",
                        "message": "unknown user, wrong password or wrong centre",
                    }
                },
            )
        if request.method == "POST" and path.startswith("/console/v1/stations/"):
            if request.headers.get("Authorization") != f"Bearer {TOKEN}":
                return httpx.Response(
                    401, json={"error": {"code": "bad_token", "message": "sign in again"}}
                )
            station_id = path.split("/")[4]
            if station_id not in self.stations:
                return httpx.Response(
                    404, json={"error": {"code": "unknown_station", "message": "no such station"}}
                )
            return httpx.Response(201, json={"id": f"cmd-{len(self.requests)}"})
        return httpx.Response(404, json={"error": {"code": "not_found", "message": path}})

    def commands(self) -> list[tuple[str, dict[str, Any]]]:
        """(station id, body) of every command request received."""
        return [
            (r.url.path.split("/")[4], json.loads(r.content))
            for r in self.requests
            if r.url.path.startswith("/console/v1/stations/")
        ]
