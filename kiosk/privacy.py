"""Erasing candidates' personal data so that its bytes are gone, and keeping it no longer
than the station's retention period.

Personal data (name, external reference, demographics and the row's salt) lives in
``candidate_personal``, one row per candidate, with the self-reported answers that
fairness audits use in ``candidate_demographics``; behaviour refers to the pseudonym
only. Erasing a candidate deletes those rows and nothing else: the candidate's pseudonym,
sessions, events, scores and reports stay, so results remain verifiable.

Deleting a row is not enough for the bytes to go. SQLite leaves a deleted or updated
row's old bytes in free space inside its page, in freed pages and in the write-ahead log
(WAL). So an erasure

1. deletes the row in one ``BEGIN IMMEDIATE`` transaction with its audit entry
   (``personal_data_erased``; the details hold the reason, never the erased values), on
   a connection running ``PRAGMA secure_delete = ON``, which overwrites the deleted
   content with zeros;
2. runs ``VACUUM``, which rebuilds the file from live rows only, so older copies left
   by earlier updates of the row go too;
3. runs ``PRAGMA wal_checkpoint(TRUNCATE)``, which copies the WAL into the database file
   and truncates the WAL to zero bytes;
4. does the same to every migration backup beside the store
   (``NAME.before-REV.bak``, written when a store is upgraded), which holds personal
   data as it was then.

A running station may hold a read transaction at the moment of the checkpoint. The
checkpoint then cannot pass that reader's snapshot and the WAL cannot be truncated: old
pages stay in the WAL until a later checkpoint. The checkpoint is tried
:data:`CHECKPOINT_ATTEMPTS` times, each waiting up to :data:`CHECKPOINT_WAIT_MS` for
readers to finish; :attr:`ErasureResult.wal_truncated` says whether it succeeded. If it
did not, the erasure itself is committed; erase the same pseudonym again when the
station is idle (an erasure of a candidate with no personal data left only scrubs).
Backups that cannot be opened or written are listed in :attr:`ErasureResult.backups`
with the reason, never skipped silently.

Out of reach of any file-level erase: blocks the file system has already freed (a
truncated WAL, SQLite's deleted temporary files) and copies made elsewhere. Full-disk
encryption is the answer to the first; the second is the centre's policy.

Retention: the station settings key :data:`RETENTION_KEY` holds a number of days, or
nothing (keep personal data until erased). :func:`purge_due`, run at station start-up,
erases the personal data of every candidate whose last activity (the personal row's
last change, or the creation, start or end of their newest session) is older than that.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from glob import escape
from pathlib import Path

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from kiosk.access.auth import Actor
from kiosk.access.permissions import Action, require
from kiosk.store import Store
from kiosk.store.audit import append_audit
from kiosk.store.models import (
    AssessmentSession,
    Candidate,
    CandidateDemographic,
    CandidatePersonal,
    Station,
)
from kiosk.store.orm import StoreSession

__all__ = [
    "CHECKPOINT_ATTEMPTS",
    "CHECKPOINT_WAIT_MS",
    "RETENTION_KEY",
    "BackupScrub",
    "CandidateRecord",
    "ErasureResult",
    "candidates_on_record",
    "erase_personal",
    "purge_due",
    "purge_expired",
    "purge_expired_report",
    "retention_days",
    "set_retention_days",
]

log = logging.getLogger(__name__)

RETENTION_KEY = "personal_retention_days"
CHECKPOINT_ATTEMPTS = 3
"""How many times a truncating checkpoint is tried before the erasure reports a WAL left."""
CHECKPOINT_WAIT_MS = 1000
"""How long each checkpoint attempt waits for other connections' transactions to end."""

ERASED_ACTION = "personal_data_erased"
LIST_HINT = "`kiosk candidates list` shows the candidates in this store"


@dataclass(frozen=True)
class BackupScrub:
    """What happened to one migration backup beside the store."""

    path: Path
    rows_erased: int
    problem: str | None = None  # why it could not be scrubbed; None when it was


@dataclass(frozen=True)
class ErasureResult:
    """What an erasure or purge did, and whether the bytes are really gone."""

    erased: tuple[str, ...]
    """Pseudonyms whose personal data was erased now."""
    already_erased: tuple[str, ...]
    """Pseudonyms named for erasure that held no personal data any more."""
    vacuumed: bool | None
    """The store was rebuilt without free space; None when nothing needed scrubbing."""
    wal_truncated: bool | None
    """The WAL was checkpointed and truncated to zero bytes; None as for ``vacuumed``."""
    checkpoint_attempts: int
    backups: tuple[BackupScrub, ...]

    @property
    def backup_problems(self) -> tuple[BackupScrub, ...]:
        return tuple(b for b in self.backups if b.problem is not None)

    @property
    def complete(self) -> bool:
        """No copy of the erased data is left in the store, its WAL or its backups."""
        return (
            self.vacuumed is not False
            and self.wal_truncated is not False
            and not self.backup_problems
        )


@dataclass(frozen=True)
class CandidateRecord:
    """One candidate as the privacy commands see them: no personal values, only facts."""

    pseudonym: str
    has_personal_data: bool
    sessions: int
    last_activity: datetime
    """UTC: the latest of the candidate's creation, their personal row's last change and
    their sessions' creation, start and end."""


# -- retention setting ----------------------------------------------------------------


def _check_days(days: object, what: str) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"{what} must be a whole number of days, 1 or more (got {days!r})")
    return days


def retention_days(store: Store) -> int | None:
    """The station's retention period for personal data in days; None keeps it."""
    value = (store.station().settings or {}).get(RETENTION_KEY)
    if value is None:
        return None
    return _check_days(value, f"the station setting {RETENTION_KEY}")


def set_retention_days(store: Store, actor: Actor, days: int | None) -> None:
    """Set (or, with None, remove) the retention period; audited ``retention_changed``."""
    require(actor.role, Action.STATION_SETTINGS)
    if days is not None:
        days = _check_days(days, "a retention period")
    with store.writer() as s, s.begin():
        station = s.scalars(select(Station).order_by(Station.id)).first()
        if station is None:
            raise ValueError(f"{store.path} has no station row; run `kiosk store check`")
        settings = dict(station.settings or {})
        old = settings.get(RETENTION_KEY)
        if days is None:
            settings.pop(RETENTION_KEY, None)
        else:
            settings[RETENTION_KEY] = days
        station.settings = settings  # a new dict, so the JSON column sees the change
        append_audit(
            s,
            actor.username,
            "retention_changed",
            target=station.name,
            details={"from": old, "to": days},
        )


# -- who is on record -----------------------------------------------------------------


def _utc(value: datetime) -> datetime:
    # SQLite keeps no offset; every timestamp the store writes is UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _records(s: Session) -> list[tuple[int, CandidateRecord]]:
    sessions = {
        row[0]: row[1:]
        for row in s.execute(
            select(
                AssessmentSession.candidate_id,
                func.count(),
                func.max(AssessmentSession.created_at),
                func.max(AssessmentSession.started_at),
                func.max(AssessmentSession.ended_at),
            ).group_by(AssessmentSession.candidate_id)
        )
    }
    rows = s.execute(
        select(
            Candidate.id,
            Candidate.pseudonym,
            Candidate.created_at,
            CandidatePersonal.candidate_id,
            CandidatePersonal.updated_at,
        )
        .outerjoin(CandidatePersonal, CandidatePersonal.candidate_id == Candidate.id)
        .order_by(Candidate.id)
    )
    records = []
    for cid, pseudonym, created, personal_id, updated in rows:
        count, *session_times = sessions.get(cid, (0, None, None, None))
        times = [t for t in (created, updated, *session_times) if t is not None]
        records.append(
            (
                cid,
                CandidateRecord(
                    pseudonym=pseudonym,
                    has_personal_data=personal_id is not None,
                    sessions=int(count),
                    last_activity=max(_utc(t) for t in times),
                ),
            )
        )
    return records


def candidates_on_record(store: Store, actor: Actor) -> list[CandidateRecord]:
    """Every candidate in the store, oldest first, without any personal values."""
    require(actor.role, Action.VIEW_SESSIONS)
    with store.reader() as s:
        return [record for _, record in _records(s)]


# -- erasing --------------------------------------------------------------------------


def _wal_is_empty(db_path: Path) -> bool:
    wal = Path(f"{db_path}-wal")
    try:
        return wal.stat().st_size == 0
    except FileNotFoundError:
        return True


def _vacuum_and_truncate(db: sqlite3.Connection, db_path: Path) -> tuple[bool, bool, int]:
    """VACUUM, then checkpoint and truncate the WAL; returns (vacuumed, truncated, tries).

    ``db`` must have no open transaction. Its busy timeout is lowered while checkpointing
    so that a reader elsewhere costs at most :data:`CHECKPOINT_WAIT_MS` per attempt.
    """
    (old_timeout,) = db.execute("PRAGMA busy_timeout").fetchone()
    vacuumed = truncated = False
    attempts = 0
    try:
        db.execute(f"PRAGMA busy_timeout = {int(CHECKPOINT_WAIT_MS)}")
        for attempts in range(1, CHECKPOINT_ATTEMPTS + 1):
            if not vacuumed:
                try:
                    db.execute("VACUUM")
                    vacuumed = True
                except sqlite3.OperationalError as exc:
                    log.warning("VACUUM of %s failed (attempt %d): %s", db_path, attempts, exc)
            # Truncating is worth it even without the VACUUM: the old frames go.
            busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            truncated = busy == 0 and _wal_is_empty(db_path)
            if vacuumed and truncated:
                break
            if attempts < CHECKPOINT_ATTEMPTS:
                time.sleep(0.05 * attempts)
    finally:
        db.execute(f"PRAGMA busy_timeout = {int(old_timeout)}")
    return vacuumed, truncated, attempts


def _backups_beside(store_path: Path) -> list[Path]:
    return sorted(store_path.parent.glob(f"{escape(store_path.name)}.before-*.bak"))


def _scrub_backup(path: Path, pseudonyms: Sequence[str]) -> BackupScrub:
    """Delete these candidates' personal rows from one backup file and rebuild it."""
    erased = 0
    try:
        # mode=rw: a file we cannot write must fail here, not open read-only.
        db = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=rw",
            uri=True,
            isolation_level=None,
            timeout=CHECKPOINT_WAIT_MS / 1000,
        )
    except sqlite3.Error as exc:
        return BackupScrub(path, 0, f"cannot open it ({exc})")
    try:
        db.execute("PRAGMA secure_delete = ON")
        present = [
            p
            for p in pseudonyms
            if db.execute("SELECT 1 FROM candidates WHERE pseudonym = ?", (p,)).fetchone()
        ]
        if not present:
            return BackupScrub(path, 0)
        db.execute("BEGIN IMMEDIATE")
        before = db.total_changes
        if db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'candidate_demographics'"
        ).fetchone():
            db.executemany(
                "DELETE FROM candidate_demographics"
                " WHERE candidate_id IN (SELECT id FROM candidates WHERE pseudonym = ?)",
                [(p,) for p in present],
            )
        db.executemany(
            "DELETE FROM candidate_personal"
            " WHERE candidate_id IN (SELECT id FROM candidates WHERE pseudonym = ?)",
            [(p,) for p in present],
        )
        erased = db.total_changes - before
        db.execute("COMMIT")
        # Rebuilt even when no row was left to delete: an earlier scrub may have
        # committed its delete and then failed to vacuum.
        db.execute("VACUUM")
        (mode,) = db.execute("PRAGMA journal_mode").fetchone()
        if str(mode).lower() == "wal":
            busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy or not _wal_is_empty(path):
                return BackupScrub(path, erased, "its write-ahead log could not be truncated")
    except sqlite3.Error as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
            erased = 0
        return BackupScrub(path, erased, f"cannot scrub it ({exc})")
    finally:
        db.close()
    return BackupScrub(path, erased)


def _erase(
    store: Store,
    actor: Actor,
    choose: Callable[[Session], list[tuple[int, str]]],
    reason: str,
) -> ErasureResult:
    """Erase the personal rows of the candidates ``choose`` picks, then scrub everything.

    ``choose`` runs inside the write transaction, so what it picks cannot change
    before the delete.
    """
    erased: list[str] = []
    already: list[str] = []
    picked: list[str] = []
    with store.engine.connect() as conn:
        db = _sqlite(conn)
        (old_secure,) = db.execute("PRAGMA secure_delete").fetchone()
        db.execute("PRAGMA secure_delete = ON")
        try:
            with StoreSession(bind=conn, expire_on_commit=False) as s, s.begin():
                for cid, pseudonym in choose(s):
                    picked.append(pseudonym)
                    personal = s.get(CandidatePersonal, cid)
                    # Deleted one by one, not by the foreign key's cascade, so the
                    # seals see them go.
                    for answer in s.scalars(
                        select(CandidateDemographic).where(CandidateDemographic.candidate_id == cid)
                    ):
                        s.delete(answer)
                    if personal is None:
                        already.append(pseudonym)
                        continue
                    s.delete(personal)
                    s.flush()
                    append_audit(
                        s,
                        actor.username,
                        ERASED_ACTION,
                        target=pseudonym,
                        details={"reason": reason},
                    )
                    erased.append(pseudonym)
            if not picked:
                return ErasureResult((), (), None, None, 0, ())
            assert not db.in_transaction, "VACUUM cannot run inside a transaction"
            vacuumed, truncated, attempts = _vacuum_and_truncate(db, store.path)
        finally:
            db.execute(f"PRAGMA secure_delete = {int(old_secure)}")
    backups = tuple(_scrub_backup(b, picked) for b in _backups_beside(store.path))
    result = ErasureResult(tuple(erased), tuple(already), vacuumed, truncated, attempts, backups)
    if not result.complete:
        log.warning(
            "personal data of %s erased, but copies may remain: vacuumed=%s, WAL truncated=%s,"
            " backups not scrubbed: %s",
            ", ".join(picked),
            vacuumed,
            truncated,
            ", ".join(f"{b.path.name} ({b.problem})" for b in result.backup_problems) or "none",
        )
    return result


def _sqlite(conn: Connection) -> sqlite3.Connection:
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection), "the store runs on the sqlite3 driver"
    return raw


def erase_personal(
    store: Store, actor: Actor, pseudonym: str, *, reason: str = "request"
) -> ErasureResult:
    """Erase one candidate's personal data; their behavioural data stays.

    ``reason`` goes into the audit entry: say why ("request", "retention"), never who.
    Erasing a candidate whose personal data is already gone only scrubs again, which
    finishes an earlier erasure that could not truncate the WAL or reach a backup.
    Raises :class:`ValueError` for a pseudonym that is not in the store.
    """
    require(actor.role, Action.ERASE_PERSONAL_DATA)
    wanted = pseudonym.strip()

    def choose(s: Session) -> list[tuple[int, str]]:
        cid = s.scalar(select(Candidate.id).where(Candidate.pseudonym == wanted))
        if cid is None:
            raise ValueError(f"no candidate with the pseudonym {wanted!r} here; {LIST_HINT}")
        return [(cid, wanted)]

    return _erase(store, actor, choose, reason)


def purge_expired_report(
    store: Store, actor: Actor, *, older_than_days: int, now: datetime | None = None
) -> ErasureResult:
    """Erase the personal data of every candidate inactive for more than N days.

    Each erasure is audited with the reason ``retention``; the store and backups are
    scrubbed once at the end, not per candidate. Nothing is scrubbed if nobody expired.
    """
    require(actor.role, Action.ERASE_PERSONAL_DATA)
    days = _check_days(older_than_days, "older_than_days")
    cutoff = _utc(now or datetime.now(UTC)) - timedelta(days=days)

    def choose(s: Session) -> list[tuple[int, str]]:
        return [
            (cid, r.pseudonym)
            for cid, r in _records(s)
            if r.has_personal_data and r.last_activity < cutoff
        ]

    return _erase(store, actor, choose, "retention")


def purge_expired(
    store: Store, actor: Actor, *, older_than_days: int, now: datetime | None = None
) -> list[str]:
    """:func:`purge_expired_report`, returning only the pseudonyms purged.

    An incomplete scrub is logged as a warning; callers that must act on it use
    :func:`purge_expired_report`.
    """
    result = purge_expired_report(store, actor, older_than_days=older_than_days, now=now)
    return list(result.erased)


def purge_due(store: Store, actor: Actor) -> ErasureResult | None:
    """Apply the station's retention period; None when none is set (personal data kept)."""
    days = retention_days(store)
    if days is None:
        return None
    return purge_expired_report(store, actor, older_than_days=days)
