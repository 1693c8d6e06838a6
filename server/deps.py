"""What endpoints depend on: the app's state, a database session per request, the
console user behind a token, and the station behind a signed request."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from server.accounts import Principal, principal_for_token
from server.db.models import Station
from server.errors import ApiError
from server.fanout import Fanout
from server.metrics import Metrics
from server.protocol import HEADER_SIGNATURE, HEADER_STATION, body_digest, verify_signature
from server.status import StatusReads

__all__ = [
    "AppState",
    "Console",
    "Database",
    "RawBody",
    "SignedStation",
    "State",
    "app_state",
    "check_signed",
    "get_db",
    "require_role",
    "station_headers",
]


@dataclass
class AppState:
    database_url: str
    engine: Engine
    sessions: sessionmaker[Session]
    fanout: Fanout
    metrics: Metrics
    heartbeat_s: float
    # The live consoles' shared reads of station statuses (server.routes.console).
    status_reads: StatusReads = field(default_factory=StatusReads)


async def app_state(request: Request) -> AppState:
    # Async: resolved on the event loop, not handed to a worker thread and back.
    state: AppState = request.app.state.kiosk
    return state


State = Annotated[AppState, Depends(app_state)]


def get_db(state: State) -> Iterator[Session]:
    """One session per request. Endpoints commit what they change; whatever is left
    uncommitted (an error) is rolled back when the session closes."""
    with state.sessions() as db:
        yield db


Database = Annotated[Session, Depends(get_db)]


async def raw_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]


def station_headers(request: Request) -> tuple[str, str]:
    """The station id and the signature a station request carries."""
    station_id = request.headers.get(HEADER_STATION)
    signature = request.headers.get(HEADER_SIGNATURE)
    if not station_id or not signature:
        raise ApiError(
            401,
            "unauthenticated",
            f"station requests carry {HEADER_STATION} and {HEADER_SIGNATURE} headers",
        )
    return station_id, signature


def check_signed(station: Station | None, body: bytes, signature: str) -> Station:
    """``station`` if it signed ``body`` (``signature``) and may still sync."""
    if station is None:
        raise ApiError(
            401,
            "unknown_station",
            "this server does not know that station: enrol it (kiosk sync enrol URL CODE)",
        )
    if not verify_signature(station.certificate_pem, body_digest(body), signature):
        raise ApiError(
            401,
            "bad_signature",
            "the request's signature does not verify against the station's certificate: "
            "sign the exact bytes sent with the key enrolled",
        )
    if station.revoked_at is not None:
        raise ApiError(
            403,
            "station_revoked",
            "this station was revoked by its centre: it may not sync; ask the centre's admin",
        )
    return station


def signed_station(request: Request, body: RawBody, db: Database) -> Station:
    """The station whose key signed this request's raw body, if it may still sync."""
    station_id, signature = station_headers(request)
    return check_signed(db.get(Station, station_id), body, signature)


SignedStation = Annotated[Station, Depends(signed_station)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def console_user(request: Request, db: Database) -> Principal:
    token = bearer_token(request)
    principal = principal_for_token(db, token) if token else None
    if principal is None:
        raise ApiError(
            401,
            "unauthenticated",
            "sign in first (POST /api/v1/auth/token) and send Authorization: Bearer TOKEN; "
            "an expired token needs a new sign-in",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


Console = Annotated[Principal, Depends(console_user)]


def require_role(principal: Principal, centre_id: str, *roles: str) -> None:
    if principal.centre_id != centre_id or principal.role not in roles:
        raise ApiError(
            403,
            "forbidden",
            f"this needs the role {' or '.join(roles)} in that centre; you are "
            f"{principal.role} in the centre you signed in to",
        )
