"""Talking to the centre server: sign-in, proctor commands, and the live feed.

- :func:`parse_server_url` checks a server address once, up front, and says what is
  wrong with a bad one (:class:`CentreError`).
- :class:`CentreApi` makes the HTTP requests with httpx and short timeouts:
  ``POST /api/v1/auth/token`` (:meth:`CentreApi.sign_in`) and
  ``POST /console/v1/stations/{id}/commands`` (:meth:`CentreApi.send_command`, the
  token as a bearer token). Every failure is a :class:`CentreError` whose message
  a proctor can act on (the server's own ``{"error": {"code", "message"}}`` when it
  sent one). The calls block: the window runs them off its GUI thread.
- :class:`LiveFeed` keeps the WebSocket ``/console/v1/ws?token=...`` open on its own
  thread and hands every parsed message and every change of its :class:`FeedState`
  to callbacks (called on that thread). A connection that drops, fails to open or
  stays silent for :data:`SILENCE_S` (the server pings every 5 s) is reopened after
  a :class:`ReconnectPolicy` delay, and never sooner than a busy server asked
  (``server_busy`` with ``retry_after_s``); a refused token (an HTTP 401/403 at the
  handshake, an ``error`` message such as ``unauthenticated``, or close code 1008)
  stops it (``signed_out``).

Nothing here imports Qt; the token never appears in a message or a log line.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI, WebSocketException
from websockets.sync.client import ClientConnection, connect

from kiosk.centre.model import (
    COMMAND_KINDS,
    Message,
    ProtocolError,
    ServerError,
    Snapshot,
    parse_message,
)

__all__ = [
    "SILENCE_S",
    "CentreApi",
    "CentreError",
    "CommandRequest",
    "FeedState",
    "LiveFeed",
    "ReconnectPolicy",
    "Token",
    "feed_url",
    "parse_server_url",
]

# Error codes (and the WebSocket close code) with which the server refuses a token.
SIGNED_OUT_CODES = frozenset({"unauthenticated", "token_expired", "forbidden"})
POLICY_VIOLATION = 1008
SILENCE_S = 15.0  # three missed pings: the connection is dead even if TCP has not noticed
HTTP_TIMEOUT_S = 5.0
SIGNED_OUT = "the server no longer accepts this sign-in"


class _SignedOut(Exception):
    pass


class CentreError(Exception):
    """A request to the centre server failed; the message says why and what to do."""

    def __init__(self, message: str, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status

    @property
    def signed_out(self) -> bool:
        """The server no longer accepts the token (sign in again)."""
        return self.status == 401


def parse_server_url(text: str) -> str:
    """The server's base URL (``http(s)://host[:port][/prefix]``, no trailing slash)."""
    text = text.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise CentreError(f"{text!r} is not a server address: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise CentreError(
            f"{text!r} is not a server address: write it as http://HOST:PORT or https://HOST"
        )
    if not parts.hostname:
        raise CentreError(f"{text!r} names no host: write it as http://HOST:PORT")
    if parts.query or parts.fragment:
        raise CentreError(f"{text!r}: a server address has no ?query or #fragment")
    del port  # only checked
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def feed_url(base_url: str, token: str) -> str:
    """The live feed's WebSocket URL for a base URL from :func:`parse_server_url`."""
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    path = f"{parts.path}/console/v1/ws"
    return urlunsplit((scheme, parts.netloc, path, f"token={quote(token, safe='')}", ""))


@dataclass(frozen=True)
class Token:
    token: str
    expires_at: str | None
    username: str
    centre: str

    def __repr__(self) -> str:  # the secret stays out of logs and tracebacks
        return f"Token(username={self.username!r}, centre={self.centre!r}, expires_at=...)"


@dataclass(frozen=True)
class CommandRequest:
    """A proctor's command for the session open on a station."""

    station_id: str
    kind: str
    session_id: str
    reason: str | None = None  # void
    text: str | None = None  # note

    def __post_init__(self) -> None:
        if self.kind not in COMMAND_KINDS:
            raise ValueError(f"unknown command {self.kind!r}")
        if self.kind == "void" and not (self.reason or "").strip():
            raise ValueError("voiding a session needs a reason")
        if self.kind == "note" and not (self.text or "").strip():
            raise ValueError("a note needs some text")

    def body(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "session_id": self.session_id,
            "reason": self.reason,
            "text": self.text,
        }


def _error_from(response: httpx.Response, doing: str) -> CentreError:
    code, message = "", ""
    try:
        error = response.json().get("error")
        if isinstance(error, Mapping):
            code, message = str(error.get("code", "")), str(error.get("message", ""))
    except (ValueError, AttributeError):
        pass
    if not message:
        message = {
            401: "the server did not accept the sign-in; sign in again",
            403: "your account may not do this at this centre",
            404: "the server does not know this (is it a centre server, and up to date?)",
        }.get(response.status_code, f"the server answered {response.status_code}")
    return CentreError(f"{doing}: {message}", code, response.status_code)


class CentreApi:
    """The centre server's HTTP endpoints the console uses (blocking, short timeouts)."""

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = HTTP_TIMEOUT_S,
    ) -> None:
        self.base_url = parse_server_url(base_url)
        self._client = httpx.Client(
            base_url=self.base_url, transport=transport, timeout=timeout, follow_redirects=False
        )

    def close(self) -> None:
        self._client.close()

    def _post(self, path: str, body: Mapping[str, Any], doing: str, **kw: Any) -> Any:
        try:
            response = self._client.post(path, json=body, **kw)
        except httpx.TimeoutException:
            raise CentreError(
                f"{doing}: the centre server at {self.base_url} did not answer in time"
            ) from None
        except httpx.TransportError as exc:
            raise CentreError(
                f"{doing}: cannot reach the centre server at {self.base_url} ({exc}); "
                "check the address and that the server is running"
            ) from None
        if response.status_code not in (200, 201):
            raise _error_from(response, doing)
        try:
            return response.json()
        except ValueError:
            raise CentreError(f"{doing}: the server's answer is not JSON") from None

    def check_reachable(self) -> None:
        """Raise :class:`CentreError` unless something answers HTTP at the base URL."""
        try:
            self._client.get("/api/v1/openapi.json")
        except httpx.TimeoutException:
            raise CentreError(
                f"the centre server at {self.base_url} did not answer in time"
            ) from None
        except httpx.TransportError as exc:
            raise CentreError(
                f"cannot reach the centre server at {self.base_url} ({exc}); "
                "check the address and that the server is running"
            ) from None

    def sign_in(self, username: str, password: str, centre: str) -> Token:
        body = {"username": username, "password": password, "centre": centre}
        data = self._post("/api/v1/auth/token", body, "signing in")
        token = data.get("token") if isinstance(data, Mapping) else None
        if not isinstance(token, str) or not token:
            raise CentreError("signing in: the server's answer holds no token")
        expires = data.get("expires_at")
        return Token(token, expires if isinstance(expires, str) else None, username, centre)

    def send_command(self, token: Token, command: CommandRequest) -> str:
        """Send ``command``; returns the id the server gave it."""
        path = f"/console/v1/stations/{quote(command.station_id, safe='')}/commands"
        data = self._post(
            path,
            command.body(),
            f"sending {command.kind}",
            headers={"Authorization": f"Bearer {token.token}"},
        )
        command_id = data.get("id") if isinstance(data, Mapping) else None
        if not isinstance(command_id, str):
            raise CentreError(f"sending {command.kind}: the server's answer holds no id")
        return command_id


@dataclass(frozen=True)
class ReconnectPolicy:
    """Exponential backoff with full jitter: ``uniform(0, min(cap, base * 2**attempt))``,
    never under ``floor`` (no busy loop against a server that refuses at once)."""

    base_s: float = 0.5
    cap_s: float = 10.0
    floor_s: float = 0.2

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        ceiling = min(self.cap_s, self.base_s * 2 ** min(attempt, 30))
        return max(self.floor_s, (rng or random).uniform(0.0, ceiling))


@dataclass(frozen=True)
class FeedState:
    """Where the live feed is: ``connecting``, ``live``, ``lost`` (retrying in
    ``retry_in_s``) or ``signed_out`` (the token was refused; the feed has ended)."""

    state: str
    detail: str = ""
    retry_in_s: float | None = None
    attempt: int = 0


class LiveFeed:
    """The console's WebSocket, kept open on a background thread (see the module doc)."""

    def __init__(
        self,
        base_url: str,
        token: Token,
        on_message: Callable[[Message], object],
        on_state: Callable[[FeedState], object],
        *,
        policy: ReconnectPolicy | None = None,
        silence_s: float = SILENCE_S,
        open_timeout_s: float = 5.0,
    ) -> None:
        self._url = feed_url(parse_server_url(base_url), token.token)
        self._base_url = parse_server_url(base_url)
        self._deliver_message = on_message
        self._deliver_state = on_state
        self._muted = False  # set by stop(): no callback runs after it returns
        self._callbacks = threading.Lock()
        self._policy = policy or ReconnectPolicy()
        self._silence_s = silence_s
        self._open_timeout_s = open_timeout_s
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._socket: ClientConnection | None = None
        self._retry_after_s = 0.0  # what the server last asked to wait (busy)
        self._thread = threading.Thread(target=self._run, name="centre-feed", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _on_state(self, state: FeedState) -> None:
        with self._callbacks:
            if not self._muted:
                self._deliver_state(state)

    def _on_message(self, message: Message) -> None:
        with self._callbacks:
            if not self._muted:
                self._deliver_message(message)

    def stop(self, timeout: float = 5.0) -> None:
        """Close the connection and end the thread. No callback runs once this returns,
        even if the thread needs longer than ``timeout`` to notice (a connection still
        opening): the receiver of the callbacks may be gone by then."""
        self._stop.set()
        if threading.current_thread() is not self._thread:
            with self._callbacks:
                self._muted = True
        with self._lock:
            socket = self._socket
        if socket is not None:
            socket.close()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def drop(self) -> None:
        """Close the current connection as if the network dropped it (it reconnects)."""
        with self._lock:
            socket = self._socket
        if socket is not None:
            socket.close()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            self._on_state(FeedState("connecting", attempt=attempt))
            got_snapshot = False
            try:
                got_snapshot, detail = self._session()
            except _SignedOut as exc:
                self._on_state(FeedState("signed_out", str(exc)))
                return
            except InvalidStatus as exc:
                status = exc.response.status_code
                if status in (401, 403):
                    self._on_state(FeedState("signed_out", SIGNED_OUT))
                    return
                detail = f"the server refused the live feed ({status})"
            except TimeoutError:
                detail = f"no answer from {self._base_url}"
            except (OSError, WebSocketException) as exc:
                detail = _describe(exc)
            if self._stop.is_set():
                break
            attempt = 0 if got_snapshot else attempt + 1
            # a busy server says how long to wait: never come back sooner
            delay = max(self._policy.delay(attempt), self._retry_after_s)
            self._on_state(FeedState("lost", detail, retry_in_s=delay, attempt=attempt))
            if self._stop.wait(delay):
                break

    def _session(self) -> tuple[bool, str]:
        """One connection, until it ends: (whether it delivered a snapshot, why it ended)."""
        got_snapshot = False
        self._retry_after_s = 0.0
        with connect(self._url, open_timeout=self._open_timeout_s, close_timeout=2) as socket:
            with self._lock:
                if self._stop.is_set():
                    return False, "stopped"
                self._socket = socket
            try:
                while not self._stop.is_set():
                    text = socket.recv(timeout=self._silence_s)
                    message = parse_message(text)
                    if isinstance(message, ServerError):
                        if message.code in SIGNED_OUT_CODES:
                            raise _SignedOut(f"{SIGNED_OUT} ({message.message})")
                        self._retry_after_s = message.retry_after_s or 0.0
                        return got_snapshot, f"the server said: {message.message}"
                    if isinstance(message, Snapshot) and not got_snapshot:
                        got_snapshot = True
                        self._on_state(FeedState("live"))
                    if got_snapshot:
                        self._on_message(message)
            except TimeoutError:
                return got_snapshot, f"no message from the server for {self._silence_s:.0f} s"
            except ConnectionClosed as exc:
                if exc.rcvd is not None and exc.rcvd.code == POLICY_VIOLATION:
                    raise _SignedOut(SIGNED_OUT) from None
                return got_snapshot, "the connection dropped"
            except ProtocolError as exc:
                return got_snapshot, f"the server sent something unexpected ({exc})"
            finally:
                with self._lock:
                    self._socket = None
        return got_snapshot, "stopped"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "the server refused the connection (is it running?)"
    if isinstance(exc, InvalidURI):
        return "the server address is not usable for a WebSocket"
    text = str(exc) or type(exc).__name__
    return text.split("?token=")[0]  # never show the token
