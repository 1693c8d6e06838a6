"""The store's schema as typed SQLAlchemy 2 models.

Mutable records (stations, users, candidates, sessions, game runs, scores, reports,
audit, outbox) are ORM models. The append-only event stream has a model too, so the
schema lives in one place, but the recorder writes it with Core ``executemany``.

Personal data (names, external references, demographics) sits in its own table,
``candidate_personal``, away from the behavioural data, which refers only to the
candidate's random pseudonym. Deleting a row there erases the person.

Constraint names follow :data:`NAMING_CONVENTION` so migrations can alter them
(SQLite's batch mode needs names).
"""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first event of every session and of the first audit entry."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    COMPLETED = "completed"
    VOIDED = "voided"
    INTERRUPTED = "interrupted"


class Role(enum.StrEnum):
    CANDIDATE = "candidate"
    PROCTOR = "proctor"
    ADMIN = "admin"


class GameRunStatus(enum.StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"
    SKIPPED = "skipped"


def _one_of(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Station(Base):
    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_one_of("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Wrong unlock PINs count apart from wrong passwords: a locked PIN keeps sign-in open.
    pin_failed_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    pin_locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Candidate(Base):
    """A candidate as behavioural data sees them: a random pseudonym, nothing else."""

    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    personal: Mapped[CandidatePersonal | None] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", passive_deletes=True
    )


class CandidatePersonal(Base):
    """Personal data, kept apart; erased on request without touching behaviour."""

    __tablename__ = "candidate_personal"

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    full_name: Mapped[str | None] = mapped_column(String(200))
    external_ref: Mapped[str | None] = mapped_column(String(200))
    demographics: Mapped[dict[str, Any] | None] = mapped_column()
    # Random per row: the audit log seals a salted digest, unguessable once erased.
    salt: Mapped[str | None] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    candidate: Mapped[Candidate] = relationship(back_populates="personal")


class Battery(Base):
    __tablename__ = "batteries"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(40))
    source_sha256: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AssessmentSession(Base):
    """One candidate's sitting of one battery. ``id`` is a UUID so stores can merge."""

    __tablename__ = "sessions"
    __table_args__ = (CheckConstraint(_one_of("status", SessionStatus), name="status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    battery_id: Mapped[int | None] = mapped_column(ForeignKey("batteries.id"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.SCHEDULED.value)
    checkin_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    consent_version: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    void_reason: Mapped[str | None] = mapped_column(Text)
    # The chain head, updated in the same transaction as the events it covers.
    chain_head_seq: Mapped[int] = mapped_column(Integer, default=0)
    chain_head_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)

    game_runs: Mapped[list[GameRun]] = relationship(
        back_populates="session", order_by="GameRun.position"
    )


class GameRun(Base):
    __tablename__ = "game_runs"
    __table_args__ = (
        UniqueConstraint("session_id", "position"),
        CheckConstraint(_one_of("status", GameRunStatus), name="status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    game_id: Mapped[str] = mapped_column(String(40))
    game_version: Mapped[str] = mapped_column(String(20))
    seed: Mapped[int] = mapped_column(BigInteger)
    config: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default=GameRunStatus.PLANNED.value)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    session: Mapped[AssessmentSession] = relationship(back_populates="game_runs")


class Event(Base):
    """One stimulus, response or state change; append-only and hash-chained per session.

    ``hash = sha256(bytes.fromhex(prev_hash) + canonical(event))``; see
    :mod:`kiosk.store.chain`. ``t_ns`` is ``time.perf_counter_ns()``.
    """

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("session_id", "seq"),
        Index("ix_events_game_run_trial", "game_run_id", "trial_index"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"))
    seq: Mapped[int] = mapped_column(Integer)
    t_ns: Mapped[int] = mapped_column(BigInteger)
    game_run_id: Mapped[str | None] = mapped_column(ForeignKey("game_runs.id"))
    trial_index: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Score(Base):
    """One scored value: a game metric or a trait, with the versions that produced it."""

    __tablename__ = "scores"
    __table_args__ = (
        CheckConstraint("scope IN ('metric', 'trait')", name="scope"),
        Index("ix_scores_session_scope", "session_id", "scope"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"))
    game_run_id: Mapped[str | None] = mapped_column(ForeignKey("game_runs.id"))
    scope: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(80))
    value: Mapped[float | None] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    n: Mapped[int | None] = mapped_column(Integer)
    percentile: Mapped[float | None] = mapped_column(Float)
    flags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    scoring_version: Mapped[str] = mapped_column(String(20))
    norm_version: Mapped[str | None] = mapped_column(String(40))
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"), index=True)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    signer: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """A privileged action, hash-chained across the whole store (see kiosk.store.audit)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at_utc_ns: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str | None] = mapped_column(String(120))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The station key's signature over ``hash`` (see kiosk.store.audit) and which key.
    signature: Mapped[str | None] = mapped_column(Text)
    key_id: Mapped[str | None] = mapped_column(String(64))


class OutboxItem(Base):
    """Something to push to the centre's server when one is configured."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    ref_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class TimingTest(Base):
    """A run of ``kiosk timing-test`` on a station; reports cite the latest."""

    __tablename__ = "timing_tests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), index=True)
    run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    results: Mapped[dict[str, Any]] = mapped_column()


class IncidentNote(Base):
    """A proctor's note about something that happened during a session."""

    __tablename__ = "incident_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id"), index=True)
    author: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    text: Mapped[str] = mapped_column(Text)


class FitModelStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    ACTIVE = "active"
    RETIRED = "retired"


class RoleIncumbent(Base):
    """One imported label for a role-fit model: 1 an incumbent, 0 an explicit baseline row."""

    __tablename__ = "role_incumbents"
    __table_args__ = (
        UniqueConstraint("role", "candidate_id"),
        CheckConstraint("label IN (0, 1)", name="label"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(80), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    label: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(80))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CandidateDemographic(Base):
    """One self-reported answer (attribute, value), personal data: erased with the person."""

    __tablename__ = "candidate_demographics"

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidate_personal.candidate_id", ondelete="CASCADE"), primary_key=True
    )
    attribute: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FitModelVersion(Base):
    """A role-fit model version: its frozen record (scoring.fit) and its approval state."""

    __tablename__ = "fit_model_versions"
    __table_args__ = (CheckConstraint(_one_of("status", FitModelStatus), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(80), index=True)
    record: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=FitModelStatus.DRAFT.value)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(80))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
