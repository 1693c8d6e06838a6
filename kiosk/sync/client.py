"""The HTTP side of sync: signed requests to the centre server and what their answers mean.

Every request body is canonical JSON signed with the station key: ``X-Kiosk-Station``
names the station, ``X-Kiosk-Signature`` is the key's signature over the SHA-256 of
the exact bytes sent (``server/PROTOCOL.md``). Answers are sorted into three kinds of
error, so the caller knows whether to wait and retry or to stop:

- :class:`ServerUnavailable` — the network failed, the server answered 5xx, 429 or
  something that is not the protocol's JSON (cut short, garbage): retry later;
- :class:`StationRevoked` — 401 or 403: the server no longer accepts this station;
- :class:`BatchConflict` — 409: the server holds a different batch under the same
  number, so this station's history diverged from what it sent before.

:func:`backoff_delay` is the protocol's retry schedule: exponential with full jitter.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from server import protocol

__all__ = [
    "BACKOFF_BASE_S",
    "BACKOFF_CAP_S",
    "BatchConflict",
    "ServerUnavailable",
    "StationRevoked",
    "SyncClient",
    "SyncError",
    "SyncHalted",
    "backoff_delay",
]

BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0


class SyncError(Exception):
    """A request did not get the answer it needed; the message says why."""


class ServerUnavailable(SyncError):
    """Nothing usable came back; try again later (nothing is lost).

    ``retry_after_s``: how long the server asked the station to wait (its
    ``Retry-After`` header on a 503 or 429, capped at :data:`BACKOFF_CAP_S`), or None.
    """

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class SyncHalted(SyncError):
    """The server will not take this station's data as it stands: stop and tell someone."""

    reason = "halted"


class StationRevoked(SyncHalted):
    reason = "revoked"


class BatchConflict(SyncHalted):
    reason = "conflict"


def backoff_delay(
    attempt: int,
    *,
    base: float = BACKOFF_BASE_S,
    cap: float = BACKOFF_CAP_S,
    uniform: Callable[[float, float], float] = random.uniform,
) -> float:
    """Seconds to wait before retry ``attempt`` (0, 1, 2 ...): full jitter."""
    return uniform(0.0, min(cap, base * 2 ** min(attempt, 60)))


def _retry_after(response: httpx.Response) -> float | None:
    """The seconds a 503 or 429 asks for (``Retry-After`` as a number of seconds;
    an HTTP date or anything else is ignored), capped at :data:`BACKOFF_CAP_S`."""
    if response.status_code not in (429, 503):
        return None
    try:
        seconds = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    if not 0 <= seconds < float("inf"):
        return None
    return min(seconds, BACKOFF_CAP_S)


def _error_text(response: httpx.Response) -> tuple[str, str]:
    try:
        error = response.json()["error"]
        return str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        return "", response.text[:200]


class SyncClient:
    """Signed requests for one enrolled station. ``keepalive=False`` opens a connection
    per request (fault tests cut connections; a long-lived one can hide that)."""

    def __init__(
        self,
        base_url: str,
        station_id: str,
        sign: Callable[[bytes], str],
        *,
        transport: httpx.BaseTransport | None = None,
        keepalive: bool = True,
        timeout_s: float = 15.0,
    ) -> None:
        self.station_id = station_id
        self._sign = sign
        limits = httpx.Limits() if keepalive else httpx.Limits(max_keepalive_connections=0)
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            transport=transport,
            timeout=timeout_s,
            limits=limits,
            headers={"Content-Type": "application/json"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def post(self, path: str, body: bytes) -> dict[str, Any]:
        """POST signed ``body``; the answer's JSON object, or one of this module's errors."""
        headers = {
            protocol.HEADER_STATION: self.station_id,
            protocol.HEADER_SIGNATURE: self._sign(protocol.body_digest(body)),
        }
        try:
            response = self._http.post(path, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ServerUnavailable(
                f"no answer from {self._http.base_url} ({exc.__class__.__name__}: {exc})"
            ) from exc
        status = response.status_code
        if status in (401, 403):
            code, message = _error_text(response)
            raise StationRevoked(
                f"the server refuses this station ({status} {code or 'refused'}: {message}); "
                "syncing has stopped: ask the centre admin, then enrol the station again"
            )
        if status == 409:
            code, message = _error_text(response)
            raise BatchConflict(
                f"the server holds a different batch under the same number ({code}: "
                f"{message}); this station's history diverged from what it sent before, so "
                "syncing has stopped: keep this store as it is and call the centre admin"
            )
        if status != 200:
            code, message = _error_text(response)
            raise ServerUnavailable(
                f"{path} answered {status} {code}: {message}".rstrip(": "),
                retry_after_s=_retry_after(response),
            )
        try:
            answer = response.json()
        except ValueError:
            raise ServerUnavailable(f"{path} answered something that is not JSON") from None
        if not isinstance(answer, dict):
            raise ServerUnavailable(f"{path} answered JSON that is not an object")
        return answer

    def send_batch(self, body: bytes) -> int:
        """Send one batch's exact bytes; returns the server's ``acked_through``."""
        answer = self.post("/sync/v1/batches", body)
        acked = answer.get("acked_through")
        if not isinstance(acked, int) or isinstance(acked, bool) or acked < 0:
            raise ServerUnavailable("the batch answer carries no acked_through")
        return acked

    def heartbeat(self, status: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Send the live status; returns the commands waiting for this station."""
        body = protocol.canonical_json(
            {"protocol": protocol.PROTOCOL_VERSION, "station_id": self.station_id, **status}
        )
        commands = self.post("/sync/v1/heartbeat", body).get("commands")
        if not isinstance(commands, list):
            raise ServerUnavailable("the heartbeat answer carries no command list")
        return [c for c in commands if _well_formed(c)]

    def ack(self, command_id: str, outcome: str, detail: str) -> None:
        body = protocol.canonical_json(
            {
                "protocol": protocol.PROTOCOL_VERSION,
                "station_id": self.station_id,
                "outcome": outcome,
                "detail": detail,
            }
        )
        self.post(f"/sync/v1/commands/{command_id}/ack", body)


def _well_formed(command: object) -> bool:
    """A command the station can act on or refuse: an id that is safe in a URL and the
    audit log, and a kind (anything else is ignored, and so never acknowledged)."""
    if not isinstance(command, dict):
        return False
    cid = command.get("id")
    return (
        isinstance(cid, str)
        and 0 < len(cid) <= 64
        and all(c.isalnum() or c in "-_." for c in cid)
        and isinstance(command.get("kind"), str)
    )
