"""The centre console (proctor desk): sign-in, station snapshot, commands, and the
live WebSocket (snapshot, then a message per station change, staleness re-evaluated
every second, a ping every 5 s). A database too busy to serve the live view ends it
with an ``error`` message (``server_busy``, with ``retry_after_s``) and close code
1013, "try again later", as an HTTP request gets 503 with Retry-After."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from typing import Any, Literal

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from server.accounts import Principal, audit, issue_token, principal_for_token
from server.db.models import Command, Station, utcnow
from server.deps import AppState, Console, Database, State, require_role
from server.errors import BODY_NOT_JSON, ApiError, error_responses, overload_cause, turn_away
from server.protocol import error_body
from server.status import StationStatus, StatusRead, centre_statuses, is_stale, station_status

__all__ = ["router"]

router = APIRouter(tags=["console"])

PING_EVERY_S = 5.0
STALENESS_EVERY_S = 1.0


class TokenIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1000)
    centre: str = Field(min_length=1, max_length=120)


class TokenOut(BaseModel):
    token: str
    expires_at: str
    centre_id: str
    role: str


class StationsOut(BaseModel):
    stations: list[StationStatus]


class CommandCreated(BaseModel):
    id: str


# Every endpoint behind a console sign-in.
SIGNED_IN = error_responses(401, s401="not signed in, or the sign-in expired")


@router.post(
    "/api/v1/auth/token",
    responses=error_responses(
        400, 401, 422, s400=BODY_NOT_JSON, s401="wrong user name, password or centre"
    ),
)
def sign_in(payload: TokenIn, db: Database) -> TokenOut:
    token, expires, principal = issue_token(db, payload.username, payload.password, payload.centre)
    db.commit()
    return TokenOut(
        token=token,
        expires_at=expires.isoformat(),
        centre_id=principal.centre_id,
        role=principal.role,
    )


@router.get("/console/v1/stations", responses=SIGNED_IN)
def list_stations(principal: Console, db: Database, state: State) -> StationsOut:
    statuses = centre_statuses(db, principal.centre_id, state.heartbeat_s)
    return StationsOut(stations=[StationStatus.model_validate(s) for s in statuses])


class CommandIn(BaseModel):
    kind: Literal["pause", "resume", "void", "note"]
    session_id: str = Field(min_length=1, max_length=36)
    reason: str | None = Field(default=None, max_length=2000)
    text: str | None = Field(default=None, max_length=2000)


@router.post(
    "/console/v1/stations/{station_id}/commands",
    status_code=201,
    responses={
        **SIGNED_IN,
        **error_responses(
            400,
            403,
            404,
            409,
            422,
            s400=BODY_NOT_JSON,
            s404="your centre has no such station",
            s409="the station is revoked",
        ),
    },
)
def issue_command(
    station_id: str, payload: CommandIn, principal: Console, db: Database, state: State
) -> CommandCreated:
    station = db.get(Station, station_id)
    if station is None or station.centre_id != principal.centre_id:
        raise ApiError(404, "station_not_found", "your centre has no station with that id")
    require_role(principal, station.centre_id, "proctor", "admin")
    if station.revoked_at is not None:
        raise ApiError(409, "station_revoked", "that station is revoked: it takes no commands")
    if payload.kind == "void" and not (payload.reason or "").strip():
        raise ApiError(422, "reason_required", "voiding a session needs a reason")
    if payload.kind == "note" and not (payload.text or "").strip():
        raise ApiError(422, "text_required", "a note needs its text")
    command = Command(
        station_id=station.id,
        kind=payload.kind,
        session_id=payload.session_id,
        reason=payload.reason,
        text=payload.text,
        issued_by=principal.username,
        issued_at=utcnow(),
    )
    db.add(command)
    db.flush()
    audit(
        db,
        principal.username,
        "command_issued",
        command.id,
        {"station_id": station.id, "kind": payload.kind, "session_id": payload.session_id},
    )
    state.fanout.notify(db, station.id)
    db.commit()
    return CommandCreated(id=command.id)


# The live console ---------------------------------------------------------------


def _authenticate(state: AppState, token: str) -> Principal | None:
    with state.sessions() as db:
        return principal_for_token(db, token)


def _centre_statuses(state: AppState, centre_id: str) -> list[dict[str, Any]]:
    with state.sessions() as db:
        return centre_statuses(db, centre_id, state.heartbeat_s)


def _read_status(state: AppState, station_id: str) -> StatusRead:
    with state.sessions() as db:
        station = db.get(Station, station_id)
        if station is None:
            return None
        return station.centre_id, station_status(station, state.heartbeat_s)


async def _one_status(
    state: AppState, centre_id: str, station_id: str, heard: int
) -> dict[str, Any] | None:
    """The station's status as of at least ``heard`` announced changes, if it is in
    ``centre_id``: one read shared by every console waiting for the same change."""
    read = await state.status_reads.read(
        station_id,
        heard,
        state.fanout.announced,
        lambda: run_in_threadpool(_read_status, state, station_id),
    )
    if read is None or read[0] != centre_id:
        return None
    return dict(read[1])  # this console's own copy: its staleness is updated in place


def _heartbeat_of(status: dict[str, Any]) -> dt.datetime | None:
    text = status.get("last_heartbeat")
    return None if text is None else dt.datetime.fromisoformat(text)


#: WebSocket close code "try again later" (RFC 6455 registry): the database was busy.
TRY_AGAIN_LATER = 1013


@router.websocket("/console/v1/ws")
async def live(websocket: WebSocket, token: str = "") -> None:
    state: AppState = websocket.app.state.kiosk
    await websocket.accept()
    try:
        await _serve(websocket, state, token)
    except Exception as exc:
        cause = overload_cause(exc)
        if cause is None:
            raise  # a failure of the server: logged with its traceback, closed 1011
        where = f"WEBSOCKET {websocket.url.path}"
        retry_after, body = turn_away(cause, exc, where, "closed 1013", state.metrics)
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await websocket.send_json({"type": "error", "retry_after_s": retry_after, **body})
            await websocket.close(code=TRY_AGAIN_LATER)


async def _serve(websocket: WebSocket, state: AppState, token: str) -> None:
    """The live view for one console, until it leaves or its sign-in ends."""
    principal = await run_in_threadpool(_authenticate, state, token) if token else None
    if principal is None:
        await _refuse(websocket, "sign in and pass ?token=TOKEN")
        return
    queue = state.fanout.subscribe()
    # Waits for the client to leave (the console sends nothing we need).
    leaving = asyncio.create_task(_until_closed(websocket))
    try:
        statuses = {
            s["station_id"]: s
            for s in await run_in_threadpool(_centre_statuses, state, principal.centre_id)
        }
        await websocket.send_json({"type": "snapshot", "stations": list(statuses.values())})
        next_tick = time.monotonic() + STALENESS_EVERY_S
        next_ping = time.monotonic() + PING_EVERY_S
        while not leaving.done():
            changed: set[str] = set()
            with contextlib.suppress(TimeoutError):
                timeout = max(0.0, next_tick - time.monotonic())
                changed.add(await asyncio.wait_for(queue.get(), timeout))
            while not queue.empty():
                changed.add(queue.get_nowait())
            heard = state.fanout.announced
            for station_id in sorted(changed):
                status = await _one_status(state, principal.centre_id, station_id, heard)
                if status is not None:
                    statuses[station_id] = status
                    await websocket.send_json({"type": "station", "station": status})
            now_mono = time.monotonic()
            if now_mono >= next_tick:
                next_tick = now_mono + STALENESS_EVERY_S
                now = utcnow()
                for status in statuses.values():
                    stale = is_stale(_heartbeat_of(status), state.heartbeat_s, now)
                    if stale != status["stale"]:
                        status["stale"] = stale
                        await websocket.send_json({"type": "station", "station": status})
            if now_mono >= next_ping:
                next_ping = now_mono + PING_EVERY_S
                # A token that expired (or a user disabled) ends the live view too.
                if await run_in_threadpool(_authenticate, state, token) is None:
                    await _refuse(websocket, "the sign-in expired: sign in again")
                    return
                await websocket.send_json({"type": "ping"})
    except (WebSocketDisconnect, RuntimeError):
        pass  # the console went away while we were sending
    finally:
        state.fanout.unsubscribe(queue)
        leaving.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await leaving


async def _refuse(websocket: WebSocket, message: str) -> None:
    await websocket.send_json({"type": "error", **error_body("unauthenticated", message)})
    await websocket.close(code=1008)


async def _until_closed(websocket: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
