"""Station endpoints, ``/sync/v1``: enrolment, batches, heartbeat, command acks.

Every request after enrolment is signed over its raw body (:mod:`server.deps`), so
bodies are read as bytes and parsed here, never re-serialised.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from sqlalchemy import select

from server.accounts import as_utc, audit, claim_enrolment_code
from server.batch_schema import BATCH_SCHEMA, Int32, parse_batch
from server.db.models import Command, Station, new_id, utcnow
from server.deps import Database, RawBody, SignedStation, State, check_signed, station_headers
from server.errors import ApiError, describe_validation, error_responses
from server.ingest import lock_station, receive_batch
from server.protocol import PROTOCOL_VERSION, certificate_fingerprint

__all__ = ["router"]

router = APIRouter(prefix="/sync/v1", tags=["sync"])


class EnrolIn(BaseModel):
    protocol: int
    code: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=120)
    store_id: str | None = Field(default=None, max_length=80)
    certificate_pem: str = Field(min_length=1, max_length=20000)


class HeartbeatIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    protocol: Literal[1]
    station_id: str
    sent_at: str | None = None
    acked_through: Int32 | None = None
    outbox_pending: int = Field(default=0, ge=0, le=2**31 - 1)
    live: dict[str, Any] | None = None


class AckIn(BaseModel):
    protocol: Literal[1]
    station_id: str
    outcome: Literal["applied", "refused"]
    detail: str | None = Field(default=None, max_length=4000)


class EnrolOut(BaseModel):
    station_id: str
    centre_id: str
    centre_name: str
    personal_data: bool
    heartbeat_s: float = Field(description="seconds between heartbeats")
    server_time: str


class FlagOut(BaseModel):
    session_id: str | None
    code: str
    message: str


class BatchOut(BaseModel):
    acked_through: int = Field(description="every batch 1..N is stored")
    flags: list[FlagOut]


class CommandOut(BaseModel):
    id: str
    kind: str
    session_id: str | None
    reason: str | None
    text: str | None
    issued_by: str
    issued_at: str


class HeartbeatOut(BaseModel):
    commands: list[CommandOut] = Field(description="every command not yet acknowledged")


class AckOut(BaseModel):
    id: str
    outcome: str | None
    detail: str | None
    acked_at: str


def _json_body(model: type[BaseModel] | TypeAdapter[Any]) -> dict[str, Any]:
    """``openapi_extra`` declaring ``model`` as the JSON body of an endpoint that reads
    its raw bytes (they are signed), with the model's definitions inlined."""
    schema = model.json_schema() if isinstance(model, TypeAdapter) else model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline(schema)}},
        }
    }


_SIGNED = error_responses(
    401,
    403,
    422,
    s401="no station headers, an unknown station, or a signature that does not verify",
    s403="the station is revoked, or the body names another station",
)

ParsedT = TypeVar("ParsedT")


def _parse(validate: Callable[[bytes], ParsedT], body: bytes) -> ParsedT:
    """``validate(body)`` (a model's ``model_validate_json``, say), its errors a 422."""
    try:
        return validate(body)
    except ValidationError as exc:
        raise ApiError(422, "invalid_request", describe_validation(exc.errors())) from exc


def _same_station(station: Station, claimed: str) -> None:
    if claimed != station.id:
        raise ApiError(
            403,
            "station_mismatch",
            "the body's station_id is not the station that signed the request",
        )


@router.post(
    "/enrol",
    status_code=201,
    responses=error_responses(
        400,
        403,
        422,
        s400="the body is not JSON, or speaks another protocol version",
        s403="the enrolment code is used, expired or unknown",
    ),
)
def enrol(payload: EnrolIn, db: Database, state: State) -> EnrolOut:
    if payload.protocol != PROTOCOL_VERSION:
        raise ApiError(
            400,
            "unsupported_protocol",
            f"this server speaks protocol {PROTOCOL_VERSION}, not {payload.protocol}: "
            "update the station or the server",
        )
    try:
        fingerprint = certificate_fingerprint(payload.certificate_pem)
    except ValueError as exc:
        raise ApiError(
            422, "bad_certificate", "certificate_pem is not a PEM X.509 certificate"
        ) from exc
    station_id = new_id()
    centre = claim_enrolment_code(db, payload.code, station_id)
    station = Station(
        id=station_id,
        centre_id=centre.id,
        name=payload.name,
        store_id=payload.store_id,
        certificate_pem=payload.certificate_pem,
        fingerprint=fingerprint,
    )
    db.add(station)
    db.flush()
    audit(
        db,
        f"station:{station_id}",
        "station_enrolled",
        station_id,
        {"name": payload.name, "centre": centre.name, "fingerprint": fingerprint},
    )
    state.fanout.notify(db, station_id)
    db.commit()
    return EnrolOut(
        station_id=station_id,
        centre_id=centre.id,
        centre_name=centre.name,
        personal_data=centre.personal_data,
        heartbeat_s=state.heartbeat_s,
        server_time=utcnow().isoformat(),
    )


@router.post(
    "/batches",
    responses={
        **_SIGNED,
        **error_responses(409, s409="that batch is stored with other bytes (batch_conflict)"),
    },
    openapi_extra=_json_body(BATCH_SCHEMA),
)
def post_batch(request: Request, body: RawBody, state: State) -> BatchOut:
    # The database session is opened here rather than by the Database dependency: the
    # whole request then runs in one worker thread instead of three hand-offs.
    with state.sessions() as db:
        # The station's row is read and locked at once (what SignedStation does, plus
        # the lock receiving a batch takes anyway): one round trip, not two.
        station_id, signature = station_headers(request)
        locked = lock_station(db, station_id)
        station = check_signed(locked.station if locked else None, body, signature)
        batch = _parse(parse_batch, body)
        _same_station(station, batch["station_id"])
        started = time.perf_counter()
        outcome = receive_batch(
            db, station.id, batch["batch_seq"], body, batch=batch, locked=locked
        )
        state.fanout.notify(db, station.id)
        db.commit()
    metrics = state.metrics
    metrics.batch_apply_seconds.observe(time.perf_counter() - started)
    metrics.events_ingested.inc(outcome.events_ingested)
    for flag in outcome.flags:
        metrics.flags.labels(flag.code).inc()
    return BatchOut(
        acked_through=outcome.acked_through,
        flags=[FlagOut.model_validate(flag.as_json()) for flag in outcome.flags],
    )


def _command_out(command: Command) -> CommandOut:
    return CommandOut(
        id=command.id,
        kind=command.kind,
        session_id=command.session_id,
        reason=command.reason,
        text=command.text,
        issued_by=command.issued_by,
        issued_at=as_utc(command.issued_at).isoformat(),
    )


@router.post("/heartbeat", responses=_SIGNED, openapi_extra=_json_body(HeartbeatIn))
def heartbeat(station: SignedStation, body: RawBody, db: Database, state: State) -> HeartbeatOut:
    beat = _parse(HeartbeatIn.model_validate_json, body)
    _same_station(station, beat.station_id)
    station.last_heartbeat = utcnow()
    station.outbox_pending = beat.outbox_pending
    station.live = beat.live
    state.fanout.notify(db, station.id)
    commands = db.scalars(
        select(Command)
        .where(Command.station_id == station.id, Command.acked_at.is_(None))
        .order_by(Command.issued_at, Command.id)
    ).all()
    db.commit()
    return HeartbeatOut(commands=[_command_out(c) for c in commands])


@router.post(
    "/commands/{command_id}/ack",
    responses={**_SIGNED, **error_responses(404, s404="this station has no such command")},
    openapi_extra=_json_body(AckIn),
)
def ack_command(
    command_id: str, station: SignedStation, body: RawBody, db: Database, state: State
) -> AckOut:
    ack = _parse(AckIn.model_validate_json, body)
    _same_station(station, ack.station_id)
    command = db.get(Command, command_id)
    if command is None or command.station_id != station.id:
        raise ApiError(404, "command_not_found", "this station has no command with that id")
    if command.acked_at is None:
        command.acked_at = utcnow()
        command.outcome = ack.outcome
        command.detail = ack.detail
        audit(
            db,
            f"station:{station.id}",
            "command_acked",
            command.id,
            {"outcome": ack.outcome, "detail": ack.detail, "kind": command.kind},
        )
        state.fanout.notify(db, station.id)
        db.commit()
    assert command.acked_at is not None
    return AckOut(
        id=command.id,
        outcome=command.outcome,
        detail=command.detail,
        acked_at=as_utc(command.acked_at).isoformat(),
    )
