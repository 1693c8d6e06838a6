"""The server's tables: centres and their people, stations, what stations send, and
what the server decides about it (flags, commands, its own audit log).

Station rows are kept apart per station: rows whose station-local id is an integer
are keyed by ``(station_id, local_id)``; sessions and game runs carry a UUID made on
the station and are keyed by it. Each record keeps the station's row as sent
(``data``) beside the few columns the server queries, so a station adding a column
loses nothing; those columns are unbounded text, so no value a station sends is too
long to keep.

No table shares a name with a station table: the station's seal hooks listen to every
SQLAlchemy session in a process, and act on tables by name.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AuditEntry",
    "AuthToken",
    "Base",
    "Batch",
    "Candidate",
    "CandidatePersonal",
    "Centre",
    "Command",
    "EnrolmentCode",
    "EventSpan",
    "Flag",
    "GameRun",
    "IncidentNote",
    "Membership",
    "Report",
    "Score",
    "ServerAudit",
    "SessionChain",
    "SessionRecord",
    "Station",
    "TimingTest",
    "User",
    "new_id",
    "utcnow",
]

GENESIS = "0" * 64


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    # Named constraints, so that migrations can alter them on SQLite (batch mode) too.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, Any: JSON}


UTC = DateTime(timezone=True)


class Centre(Base):
    __tablename__ = "centres"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class User(Base):
    __tablename__ = "console_users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class Membership(Base):
    """A user's role in one centre: ``admin`` or ``proctor``."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "centre_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("console_users.id"), index=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))


class AuthToken(Base):
    """A console sign-in: the token's SHA-256 (the token itself is never stored)."""

    __tablename__ = "auth_tokens"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("console_users.id"), index=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTC)


class EnrolmentCode(Base):
    __tablename__ = "enrolment_codes"

    code_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTC)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    station_id: Mapped[str | None] = mapped_column(String(36))


class Station(Base):
    __tablename__ = "enrolled_stations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    store_id: Mapped[str | None] = mapped_column(String(80))
    certificate_pem: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    enrolled_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    # Every batch 1..applied_through is stored and applied.
    applied_through: Mapped[int] = mapped_column(Integer, default=0)
    last_batch_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    last_heartbeat: Mapped[dt.datetime | None] = mapped_column(UTC)
    outbox_pending: Mapped[int] = mapped_column(Integer, default=0)
    live: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The station's audit chain as far as the server holds it.
    audit_head_seq: Mapped[int] = mapped_column(Integer, default=0)
    audit_head_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (UniqueConstraint("station_id", "batch_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("enrolled_stations.id"))
    batch_seq: Mapped[int] = mapped_column(Integer)
    body_sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    applied_at: Mapped[dt.datetime | None] = mapped_column(UTC)


class EventSpan(Base):
    """Events of one session, consecutive in seq, that were new in one batch: which
    batch holds them (their contents stay in its body, kept byte for byte) and their
    hashes, the raw 32-byte SHA-256 digests of events ``first_seq..last_seq``
    concatenated in seq order (:mod:`server.event_store`). A session's spans never
    overlap: an event the server holds is not stored again."""

    __tablename__ = "event_spans"

    session_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    first_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer)
    # Listing a station's events (server.event_store.stored_events) reads by it.
    station_id: Mapped[str] = mapped_column(ForeignKey("enrolled_stations.id"), index=True)
    batch_seq: Mapped[int] = mapped_column(Integer)
    hashes: Mapped[bytes] = mapped_column(LargeBinary)


class SessionChain(Base):
    """The head of one session's event chain as the server has verified it so far."""

    __tablename__ = "session_chains"

    session_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    head_seq: Mapped[int] = mapped_column(Integer, default=0)
    head_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
    broken: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEntry(Base):
    """One entry of a station's audit log, as sent, with what the server found."""

    __tablename__ = "station_audit"
    __table_args__ = (UniqueConstraint("station_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("enrolled_stations.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at_utc_ns: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str | None] = mapped_column(String(120))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str | None] = mapped_column(Text)
    key_id: Mapped[str | None] = mapped_column(String(64))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)


class Flag(Base):
    """Something sent that did not verify; the data is kept beside it."""

    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("enrolled_stations.id"), index=True)
    session_id: Mapped[str | None] = mapped_column(String(36), index=True)
    batch_seq: Mapped[int | None] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class Command(Base):
    """A proctor's command for a station: pause, resume, void or note."""

    __tablename__ = "commands"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    station_id: Mapped[str] = mapped_column(ForeignKey("enrolled_stations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    session_id: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    issued_by: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    acked_at: Mapped[dt.datetime | None] = mapped_column(UTC)
    outcome: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)


class ServerAudit(Base):
    """What people and stations did on the server."""

    __tablename__ = "server_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str | None] = mapped_column(String(120))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# Records: the current rows of what a station sealed.


class SessionRecord(Base):
    __tablename__ = "received_sessions"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("enrolled_stations.id"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class GameRun(Base):
    __tablename__ = "received_game_runs"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("enrolled_stations.id"), index=True)
    session_id: Mapped[str | None] = mapped_column(Text, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class _StationRow:
    """Rows keyed by ``(station_id, local_id)``: the station's integer id."""

    station_id: Mapped[str] = mapped_column(ForeignKey("enrolled_stations.id"), primary_key=True)
    local_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTC, default=utcnow)


class Candidate(_StationRow, Base):
    __tablename__ = "received_candidates"

    pseudonym: Mapped[str | None] = mapped_column(Text)


class CandidatePersonal(_StationRow, Base):
    """Personal data, only from centres that enabled it (``local_id`` = candidate id)."""

    __tablename__ = "received_candidate_personal"


class Score(_StationRow, Base):
    __tablename__ = "received_scores"

    session_id: Mapped[str | None] = mapped_column(Text, index=True)


class IncidentNote(_StationRow, Base):
    __tablename__ = "received_incident_notes"

    session_id: Mapped[str | None] = mapped_column(Text, index=True)


class TimingTest(_StationRow, Base):
    __tablename__ = "received_timing_tests"


class Report(_StationRow, Base):
    __tablename__ = "received_reports"

    session_id: Mapped[str | None] = mapped_column(Text, index=True)
    # What the station says the PDF's digest is, and the digest of the bytes received.
    sha256: Mapped[str | None] = mapped_column(Text)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
