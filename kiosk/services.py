"""What proctors and admins do, as functions: each checks permission, acts, audits.

Every function takes the acting :class:`~kiosk.access.auth.Actor` first, calls
:func:`~kiosk.access.permissions.require` before touching anything, and appends its audit
entry in the same transaction as its change, so an action and its record commit
together. Widgets call these through the background runner; they never check roles.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.access.auth import Actor
from kiosk.access.permissions import Action, require
from kiosk.battery import Battery
from kiosk.sessions.machine import CANDIDATE, Move, Transition, apply, moves_from, status_of
from kiosk.store import Store
from kiosk.store.audit import append_audit
from kiosk.store.models import (
    AssessmentSession,
    AuditEntry,
    Candidate,
    CandidatePersonal,
    GameRun,
    IncidentNote,
    Report,
    Score,
    SessionStatus,
    utcnow,
)
from kiosk.store.models import (
    Battery as BatteryRow,
)

__all__ = [
    "SessionView",
    "add_incident",
    "check_in",
    "continue_session",
    "create_candidate",
    "interrupt_session",
    "list_sessions",
    "outcome_of",
    "pause_session",
    "record_consent",
    "record_demographics",
    "resume_session",
    "schedule_session",
    "stop_live_session",
    "void_session",
]

# No 0/O, 1/I/L: codes are read aloud and typed by candidates.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_pseudonym() -> str:
    """A random pseudonym such as ``C-7QK4-M2XH``: carries nothing about the person."""
    return f"C-{_code(4)}-{_code(4)}"


def create_candidate(
    store: Store, actor: Actor, *, external_ref: str | None = None, full_name: str | None = None
) -> Candidate:
    require(actor.role, Action.CREATE_CANDIDATE)
    with store.writer() as s, s.begin():
        candidate = Candidate(pseudonym=new_pseudonym())
        s.add(candidate)
        s.flush()
        if external_ref or full_name:
            s.add(
                CandidatePersonal(
                    candidate_id=candidate.id, external_ref=external_ref, full_name=full_name
                )
            )
        append_audit(s, actor.username, "candidate_created", target=candidate.pseudonym)
    return candidate


def _battery_row(s: Session, battery: Battery) -> BatteryRow:
    row = s.scalar(
        select(BatteryRow).where(
            BatteryRow.name == battery.name, BatteryRow.version == battery.version
        )
    )
    if row is None:
        row = BatteryRow(
            name=battery.name,
            version=battery.version,
            source_sha256=battery.sha256,
            definition=battery.definition(),
        )
        s.add(row)
        s.flush()
    elif row.source_sha256 != battery.sha256:
        raise ValueError(
            f"battery {battery.name} {battery.version} differs from the one already used "
            f"under that version ({battery.source}); give the changed file a new version"
        )
    return row


def schedule_session(store: Store, actor: Actor, candidate_id: int, battery: Battery) -> str:
    """Schedule a session; returns its id. Its check-in code is on the session row."""
    require(actor.role, Action.SCHEDULE_SESSION)
    with store.writer() as s, s.begin():
        candidate = s.get(Candidate, candidate_id)
        if candidate is None:
            raise ValueError(f"no candidate with id {candidate_id}")
        row = _battery_row(s, battery)
        station = store.station()
        session_id = str(uuid.uuid4())
        code = _code(6)
        while s.scalar(select(AssessmentSession.id).where(AssessmentSession.checkin_code == code)):
            code = _code(6)
        s.add(
            AssessmentSession(
                id=session_id,
                candidate_id=candidate.id,
                battery_id=row.id,
                station_id=station.id,
                status=SessionStatus.SCHEDULED.value,
                checkin_code=code,
                created_by=actor.user_id,
            )
        )
        append_audit(
            s,
            actor.username,
            "session_scheduled",
            target=session_id,
            details={"candidate": candidate.pseudonym, "battery": battery.name},
        )
    return session_id


def check_in(store: Store, code: str) -> str:
    """A candidate enters a check-in code; returns the session id or raises ValueError."""
    cleaned = code.strip().upper().replace(" ", "").replace("-", "")
    with store.reader() as s:
        session_id = s.scalar(
            select(AssessmentSession.id).where(
                AssessmentSession.checkin_code == cleaned,
                AssessmentSession.status == SessionStatus.SCHEDULED.value,
            )
        )
    if session_id is None:
        raise ValueError("this code is not valid here; please check it with your proctor")
    apply(store, session_id, Move.CHECK_IN, CANDIDATE)
    return session_id


def record_consent(store: Store, session_id: str, consent_version: str) -> None:
    with store.writer() as s, s.begin():
        session = s.get(AssessmentSession, session_id)
        if session is None:
            raise ValueError(f"no session {session_id}")
        session.consent_version = consent_version
        append_audit(
            s, "candidate", "consent_given", target=session_id, details={"version": consent_version}
        )


def record_demographics(store: Store, session_id: str, answers: dict[str, str]) -> None:
    """Voluntary answers, stored with the personal data, never with behaviour."""
    given = {k: v for k, v in answers.items() if v}
    if not given:
        return
    with store.writer() as s, s.begin():
        session = s.get(AssessmentSession, session_id)
        if session is None:
            raise ValueError(f"no session {session_id}")
        personal = s.get(CandidatePersonal, session.candidate_id)
        if personal is None:
            personal = CandidatePersonal(candidate_id=session.candidate_id)
            s.add(personal)
        personal.demographics = given
        personal.updated_at = utcnow()


def pause_session(store: Store, actor: Actor, session_id: str) -> Transition:
    return apply(store, session_id, Move.PAUSE, actor)


def resume_session(store: Store, actor: Actor, session_id: str) -> Transition:
    return apply(store, session_id, Move.RESUME, actor)


def void_session(store: Store, actor: Actor, session_id: str, reason: str) -> Transition:
    return apply(store, session_id, Move.VOID, actor, reason=reason)


def interrupt_session(store: Store, actor: Actor, session_id: str, why: str) -> Transition:
    """A proctor stops a live session on this station (unlock); it can be continued."""
    return apply(store, session_id, Move.INTERRUPT, actor, details={"why": why})


def stop_live_session(store: Store, actor: Actor, session_id: str, why: str) -> Transition | None:
    """Interrupt a session if it is live (checked in, playing, paused); else nothing.

    What an unlock does to the session on screen: one that has ended stays as it is.
    """
    require(actor.role, Action.UNLOCK_STATION)
    if Move.INTERRUPT not in moves_from(status_of(store, session_id)):
        return None
    return interrupt_session(store, actor, session_id, why)


def continue_session(store: Store, actor: Actor, session_id: str) -> Transition:
    """Continue an interrupted session: to its games, or to consent if none started."""
    return apply(store, session_id, Move.CONTINUE, actor)


def add_incident(store: Store, actor: Actor, session_id: str, text: str) -> IncidentNote:
    require(actor.role, Action.WRITE_INCIDENT)
    if not text.strip():
        raise ValueError("an incident note needs some text")
    with store.writer() as s, s.begin():
        if s.get(AssessmentSession, session_id) is None:
            raise ValueError(f"no session {session_id}")
        note = IncidentNote(session_id=session_id, author=actor.username, text=text.strip())
        s.add(note)
        append_audit(s, actor.username, "incident_noted", target=session_id)
    return note


@dataclass(frozen=True)
class SessionView:
    """One row of the proctor console."""

    id: str
    pseudonym: str
    status: str
    checkin_code: str | None
    battery: str
    games_total: int
    games_done: int
    current_game: str | None
    elapsed_s: float | None
    incidents: int
    current_game_name: str | None = None  # the name candidates see, e.g. "Money Exchange 1"
    outcome: str = ""  # completed sessions: "pending", "scored" or "reported"


# Audit actions that stop a session's clock, and those that start it again.
_CLOCK_STOPS = {"session_paused", "session_interrupted"}
_CLOCK_STARTS = {"session_resumed", "session_continued"}


def stopped_seconds(s: Session, session_id: str, until: datetime) -> float:
    """How long the session stood paused or interrupted, from its audit entries."""
    entries = s.execute(
        select(AuditEntry.action, AuditEntry.at_utc_ns)
        .where(
            AuditEntry.target == session_id,
            AuditEntry.action.in_(_CLOCK_STOPS | _CLOCK_STARTS),
        )
        .order_by(AuditEntry.seq)
    ).all()
    stopped_ns, since = 0, None
    for action, at_ns in entries:
        if action in _CLOCK_STOPS and since is None:
            since = at_ns
        elif action in _CLOCK_STARTS and since is not None:
            stopped_ns += at_ns - since
            since = None
    if since is not None:
        stopped_ns += max(0, int(until.timestamp() * 1e9) - since)
    return stopped_ns / 1e9


def outcome_of(s: Session, session_id: str) -> str:
    """How far a completed session's after-session work got: ``reported``, ``scored``
    or ``pending`` (nothing made yet); see :mod:`kiosk.outcome`."""
    if s.scalar(select(Report.id).where(Report.session_id == session_id).limit(1)):
        return "reported"
    if s.scalar(select(Score.id).where(Score.session_id == session_id).limit(1)):
        return "scored"
    return "pending"


def list_sessions(store: Store, actor: Actor) -> list[SessionView]:
    from games.catalog import TaskGame

    require(actor.role, Action.VIEW_SESSIONS)
    now = datetime.now(UTC)
    rows: list[SessionView] = []
    names: dict[str, str] = {}  # game id -> display name
    with store.reader() as s:
        for session in s.scalars(
            select(AssessmentSession).order_by(AssessmentSession.created_at.desc())
        ):
            candidate = s.get(Candidate, session.candidate_id)
            battery = s.get(BatteryRow, session.battery_id) if session.battery_id else None
            runs = s.scalars(
                select(GameRun).where(GameRun.session_id == session.id).order_by(GameRun.position)
            ).all()
            done = sum(r.status == "completed" for r in runs)
            current = next((r.game_id for r in runs if r.status == "running"), None)
            if current is not None and current not in names:
                try:
                    names[current] = TaskGame(current).display_name
                except ImportError:  # a game this version of the kiosk does not have
                    names[current] = current
            started = session.started_at
            if started is not None and started.tzinfo is None:
                started = started.replace(tzinfo=UTC)
            ended = session.ended_at
            if ended is not None and ended.tzinfo is None:
                ended = ended.replace(tzinfo=UTC)
            elapsed = None
            if started is not None:
                until = ended or now
                elapsed = (until - started).total_seconds() - stopped_seconds(s, session.id, until)
            incidents = len(
                s.scalars(
                    select(IncidentNote.id).where(IncidentNote.session_id == session.id)
                ).all()
            )
            rows.append(
                SessionView(
                    id=session.id,
                    pseudonym=candidate.pseudonym if candidate else "?",
                    status=session.status,
                    checkin_code=session.checkin_code,
                    battery=f"{battery.name} {battery.version}" if battery else "",
                    games_total=len(battery.definition["games"]) if battery else 0,
                    games_done=done,
                    current_game=current,
                    elapsed_s=elapsed,
                    incidents=incidents,
                    outcome=outcome_of(s, session.id)
                    if session.status == SessionStatus.COMPLETED.value
                    else "",
                    current_game_name=names.get(current) if current else None,
                )
            )
    return rows
