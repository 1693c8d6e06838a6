"""Station endpoints, ``/sync/v1``: enrolment, batches, heartbeat, command acks.

Every request after enrolment is signed over its raw body (:mod:`server.deps`), so
bodies are read as bytes and parsed here, never re-serialised.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlalchemy import select

from server.accounts import as_utc, audit, claim_enrolment_code
from server.db.models import Centre, Command, Station, new_id, utcnow
from server.deps import Database, RawBody, SignedStation, State
from server.errors import ApiError, describe_validation
from server.ingest import receive_batch
from server.protocol import MAX_EVENTS_PER_BATCH, PROTOCOL_VERSION, certificate_fingerprint

__all__ = ["router"]

router = APIRouter(prefix="/sync/v1", tags=["sync"])

Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class EnrolIn(BaseModel):
    protocol: int
    code: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=120)
    store_id: str | None = Field(default=None, max_length=80)
    certificate_pem: str = Field(min_length=1, max_length=20000)


class EventIn(BaseModel):
    session_id: str = Field(min_length=1, max_length=36)
    seq: int = Field(ge=1)
    t_ns: int
    game_run_id: str | None = Field(max_length=36)
    trial_index: int | None
    kind: str = Field(min_length=1, max_length=40)
    payload: str
    prev_hash: Hex64
    hash: Hex64


class AuditIn(BaseModel):
    seq: int = Field(ge=1)
    at_utc_ns: int
    actor: str = Field(max_length=80)
    action: str = Field(max_length=60)
    target: str | None = Field(max_length=120)
    details: str
    prev_hash: Hex64
    hash: Hex64
    signature: str | None = None
    key_id: str | None = Field(default=None, max_length=64)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    protocol: Literal[1]
    station_id: str
    batch_seq: int = Field(ge=1)
    created_at: str
    events: list[EventIn] = Field(max_length=MAX_EVENTS_PER_BATCH)
    audit: list[AuditIn]
    records: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)


class HeartbeatIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    protocol: Literal[1]
    station_id: str
    sent_at: str | None = None
    acked_through: int | None = None
    outbox_pending: int = Field(default=0, ge=0)
    live: dict[str, Any] | None = None


class AckIn(BaseModel):
    protocol: Literal[1]
    station_id: str
    outcome: Literal["applied", "refused"]
    detail: str | None = Field(default=None, max_length=4000)


ModelT = TypeVar("ModelT", bound=BaseModel)


def _parse(model: type[ModelT], body: bytes) -> ModelT:
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise ApiError(422, "invalid_request", describe_validation(exc.errors())) from exc


def _same_station(station: Station, claimed: str) -> None:
    if claimed != station.id:
        raise ApiError(
            403,
            "station_mismatch",
            "the body's station_id is not the station that signed the request",
        )


@router.post("/enrol", status_code=201)
def enrol(payload: EnrolIn, db: Database, state: State) -> dict[str, Any]:
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
    return {
        "station_id": station_id,
        "centre_id": centre.id,
        "centre_name": centre.name,
        "personal_data": centre.personal_data,
        "heartbeat_s": state.heartbeat_s,
        "server_time": utcnow().isoformat(),
    }


@router.post("/batches")
def post_batch(station: SignedStation, body: RawBody, db: Database, state: State) -> dict[str, Any]:
    batch = _parse(BatchIn, body)
    _same_station(station, batch.station_id)
    centre = db.get(Centre, station.centre_id)
    started = time.perf_counter()
    outcome = receive_batch(
        db, station.id, batch.batch_seq, body, personal_data=bool(centre and centre.personal_data)
    )
    state.fanout.notify(db, station.id)
    db.commit()
    metrics = state.metrics
    metrics.batch_apply_seconds.observe(time.perf_counter() - started)
    metrics.events_ingested.inc(outcome.events_ingested)
    for flag in outcome.flags:
        metrics.flags.labels(flag.code).inc()
    return {
        "acked_through": outcome.acked_through,
        "flags": [flag.as_json() for flag in outcome.flags],
    }


def _command_json(command: Command) -> dict[str, Any]:
    return {
        "id": command.id,
        "kind": command.kind,
        "session_id": command.session_id,
        "reason": command.reason,
        "text": command.text,
        "issued_by": command.issued_by,
        "issued_at": as_utc(command.issued_at).isoformat(),
    }


@router.post("/heartbeat")
def heartbeat(station: SignedStation, body: RawBody, db: Database, state: State) -> dict[str, Any]:
    beat = _parse(HeartbeatIn, body)
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
    return {"commands": [_command_json(c) for c in commands]}


@router.post("/commands/{command_id}/ack")
def ack_command(
    command_id: str, station: SignedStation, body: RawBody, db: Database, state: State
) -> dict[str, Any]:
    ack = _parse(AckIn, body)
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
    return {
        "id": command.id,
        "outcome": command.outcome,
        "detail": command.detail,
        "acked_at": as_utc(command.acked_at).isoformat(),
    }
