"""Receiving batches: store each exactly once, apply them in order, verify everything.

All of it runs in the caller's transaction, after the station's row is locked
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite serialises writers), so two API
processes handed the same batch at once store and apply it once.

Nothing that fails to verify is dropped: events and audit entries are kept as sent,
and a :class:`~server.db.models.Flag` says what did not hold (``chain_break``,
``bad_audit_signature``, ``checkpoint_mismatch``, ``report_digest_mismatch``).

A batch is read once, straight from its bytes into plain dicts (:func:`parse_batch`:
pydantic-core checks every field on the way, no model objects). Its events stay where
they are, in the batch's body, stored byte for byte; what is written for them is a
span for each run of consecutive seqs of a session that the batch brought new
(:mod:`server.event_store`: the batch, and the events' hashes), a few rows in one
statement. That is done after the chains of their sessions are locked and the events
already held in their ranges are read, so the spans written hold exactly the new
events and no ``ON CONFLICT`` is needed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

from sqlalchemy import (
    Delete,
    FromClause,
    Table,
    bindparam,
    delete,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from server.batch_schema import AuditIn, BatchIn, EventIn, parse_batch
from server.db.models import (
    AuditEntry,
    Base,
    Batch,
    Candidate,
    CandidatePersonal,
    Centre,
    Flag,
    GameRun,
    IncidentNote,
    Report,
    Score,
    SessionChain,
    SessionRecord,
    Station,
    TimingTest,
    utcnow,
)
from server.errors import ApiError, overload_cause
from server.event_store import hash_at, held_in, store_spans
from server.protocol import (
    GENESIS_HASH,
    audit_hash,
    event_hash,
    verify_signature,
)

__all__ = [
    "BatchOutcome",
    "FlagNote",
    "LockedStation",
    "lock_station",
    "receive_batch",
]

log = logging.getLogger("server.ingest")

CHAIN_BREAK = "chain_break"
BAD_AUDIT_SIGNATURE = "bad_audit_signature"
CHECKPOINT_MISMATCH = "checkpoint_mismatch"
REPORT_DIGEST_MISMATCH = "report_digest_mismatch"

_CHAINS = cast(Table, SessionChain.__table__)
_WRITE_HEAD = (
    update(_CHAINS)
    .where(_CHAINS.c.session_id == bindparam("k_session"))
    .values(
        head_seq=bindparam("k_seq"), head_hash=bindparam("k_hash"), broken=bindparam("k_broken")
    )
)


@dataclass(frozen=True)
class FlagNote:
    session_id: str | None
    code: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "code": self.code, "message": self.message}


@dataclass
class BatchOutcome:
    acked_through: int
    flags: list[FlagNote] = field(default_factory=list)
    events_ingested: int = 0
    duplicate: bool = False


def insert_for(db: Session, model: type[Base] | FromClause) -> Any:
    """The dialect's INSERT, which knows ``ON CONFLICT`` on SQLite and PostgreSQL."""
    dialect = db.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model)


def _inserted(db: Session, statement: Any) -> bool:
    """Whether an INSERT ... ON CONFLICT DO NOTHING RETURNING inserted its row (psycopg
    reports no rowcount for it)."""
    return db.execute(statement).first() is not None


@dataclass
class LockedStation:
    station: Station
    personal_data: bool  # whether its centre keeps personal data
    first_waiting: int | None  # the lowest batch_seq stored but not applied yet


def lock_station(db: Session, station_id: str) -> LockedStation | None:
    """The station's row, read afresh and locked until the transaction ends (``FOR
    UPDATE``; SQLite's writer lock already covers it), with what applying a batch needs
    to know besides, in the same round trip; None for no such station."""
    waiting = (
        select(func.min(Batch.batch_seq))
        .where(Batch.station_id == Station.id, Batch.batch_seq > Station.applied_through)
        .scalar_subquery()
    )
    statement = (
        select(Station, Centre.personal_data, waiting)
        .join(Centre, Centre.id == Station.centre_id)
        .where(Station.id == station_id)
        .with_for_update(of=Station)
        .execution_options(populate_existing=True)
    )
    row = db.execute(statement).first()
    if row is None:
        return None
    station, personal_data, first_waiting = row
    return LockedStation(station, bool(personal_data), first_waiting)


def receive_batch(
    db: Session,
    station_id: str,
    batch_seq: int,
    body: bytes,
    personal_data: bool | None = None,
    batch: BatchIn | None = None,
    locked: LockedStation | None = None,
) -> BatchOutcome:
    """Store ``body`` as batch ``batch_seq`` (once) and apply what is contiguous.

    ``personal_data``: whether the station's centre keeps personal data (default: as
    the centre says). ``batch`` is ``body`` already parsed (:func:`parse_batch`), and
    ``locked`` the station as :func:`lock_station` locked it in this transaction, if
    the caller has them. Raises 409 ``batch_conflict`` when that batch is already
    stored with another body.
    """
    if locked is None:
        locked = lock_station(db, station_id)
        if locked is None:
            raise ValueError(f"no station {station_id!r}")
    station = locked.station
    if personal_data is None:
        personal_data = locked.personal_data
    digest = hashlib.sha256(body).hexdigest()
    now = utcnow()
    # The next batch in order is applied in this transaction: stored as applied.
    in_order = batch_seq == station.applied_through + 1
    inserted = _inserted(
        db,
        insert_for(db, Batch)
        .values(
            station_id=station.id,
            batch_seq=batch_seq,
            body_sha256=digest,
            body=body,
            received_at=now,
            applied_at=now if in_order else None,
        )
        .on_conflict_do_nothing(index_elements=["station_id", "batch_seq"])
        .returning(Batch.id),
    )
    outcome = BatchOutcome(acked_through=station.applied_through, duplicate=not inserted)
    if not inserted:
        stored = db.scalar(
            select(Batch.body_sha256).where(
                Batch.station_id == station.id, Batch.batch_seq == batch_seq
            )
        )
        if stored != digest:
            raise ApiError(
                409,
                "batch_conflict",
                f"batch {batch_seq} is already stored with different contents; a batch "
                "is resent byte for byte, never rebuilt: check this station's outbox",
            )
    applier = _Applier(db, station, personal_data, outcome)
    if inserted and in_order:
        applier.apply(batch_seq, batch if batch is not None else parse_batch(body))
        station.applied_through = batch_seq
        station.last_batch_at = now
    # Batches that arrived early, stored until the gap before them was filled (none
    # were stored when the station's row was locked: nothing to look for).
    while locked.first_waiting is not None:
        following = db.execute(
            select(Batch.id, Batch.batch_seq, Batch.body).where(
                Batch.station_id == station.id,
                Batch.batch_seq == station.applied_through + 1,
            )
        ).first()
        if following is None:
            break
        applier.apply(following.batch_seq, parse_batch(following.body))
        db.execute(update(Batch).where(Batch.id == following.id).values(applied_at=utcnow()))
        station.applied_through = following.batch_seq
        station.last_batch_at = utcnow()
    outcome.acked_through = station.applied_through
    db.flush()
    return outcome


@dataclass
class _Head:
    """A session chain's row as read (locked) for this batch, and as it is to be written."""

    session_id: str
    seq: int
    hash: str
    broken: bool
    _as_read: tuple[int, str, bool] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._as_read = (self.seq, self.hash, self.broken)

    @property
    def changed(self) -> bool:
        """The head moved or broke since it was read: the row must be written."""
        return (self.seq, self.hash, self.broken) != self._as_read


def _link_problems(
    item: Mapping[str, Any], head_seq: int, head_hash: str, recomputed: str, noun: str
) -> list[str]:
    """What is wrong with how ``item`` (an event or audit entry) extends its chain,
    whose head is ``(head_seq, head_hash)``; empty when it does."""
    problems = []
    if item["seq"] != head_seq + 1:
        problems.append(f"its seq follows {head_seq}")
    if item["prev_hash"] != head_hash:
        problems.append(f"it does not link to the {noun} before it")
    if recomputed != item["hash"]:
        problems.append("its hash does not match its contents")
    return problems


class _Applier:
    def __init__(
        self, db: Session, station: Station, personal_data: bool, outcome: BatchOutcome
    ) -> None:
        self.db = db
        self.station = station
        self.personal_data = personal_data
        self.outcome = outcome
        self.batch_seq = 0

    def flag(self, session_id: str | None, code: str, message: str) -> None:
        note = FlagNote(session_id, code, message)
        self.outcome.flags.append(note)
        self.db.add(
            Flag(
                station_id=self.station.id,
                session_id=session_id,
                batch_seq=self.batch_seq,
                code=code,
                message=message,
            )
        )
        log.warning(
            "flag %s",
            code,
            extra={"station_id": self.station.id, "session_id": session_id, "detail": message},
        )

    def apply(self, batch_seq: int, batch: BatchIn) -> None:
        self.batch_seq = batch_seq
        self.apply_events(batch["events"])
        sealed_units = self.apply_audit(batch["audit"])
        self.apply_records(batch.get("records") or {}, sealed_units)

    # Events ---------------------------------------------------------------------

    def apply_events(self, events: Sequence[EventIn]) -> None:
        if not events:
            return
        by_session: dict[str, list[EventIn]] = {}
        for event in events:
            by_session.setdefault(event["session_id"], []).append(event)
        # Locked first: whoever else writes these sessions' events waits for them, so
        # what is held below stays what is held until this transaction ends.
        chains = self.chains_of(sorted(by_session))
        held = self.held_events(by_session, chains)
        new: set[tuple[str, int]] = set()
        fresh: list[tuple[str, int, str]] = []
        for e in events:
            key = (e["session_id"], e["seq"])
            if key in held or key in new:
                continue  # a resend (compared below), or twice in this batch (kept once)
            new.add(key)
            fresh.append((key[0], key[1], e["hash"]))
        # The events stay in the batch's stored body: what is written is their spans.
        store_spans(self.db, self.station.id, self.batch_seq, fresh)
        self.outcome.events_ingested += len(new)
        for session_id, session_events in by_session.items():
            self.verify_session(chains[session_id], session_events, new, held)
        self.write_heads(chains.values())

    def chains_of(self, session_ids: list[str]) -> dict[str, _Head]:
        """The chain heads of these sessions (made at the genesis hash for a new one),
        locked until the transaction ends, in one order so two writers cannot deadlock."""
        chains = self._lock_chains(session_ids)
        missing = [sid for sid in session_ids if sid not in chains]
        if missing:
            self.db.execute(
                insert_for(self.db, _CHAINS).on_conflict_do_nothing(index_elements=["session_id"]),
                [
                    {"session_id": sid, "head_seq": 0, "head_hash": GENESIS_HASH, "broken": False}
                    for sid in missing
                ],
            )
            chains.update(self._lock_chains(missing))
        return chains

    def _lock_chains(self, session_ids: list[str]) -> dict[str, _Head]:
        statement = (
            select(_CHAINS.c.session_id, _CHAINS.c.head_seq, _CHAINS.c.head_hash, _CHAINS.c.broken)
            .where(_CHAINS.c.session_id.in_(session_ids))
            .order_by(_CHAINS.c.session_id)
            .with_for_update()
        )
        return {row[0]: _Head(*row) for row in self.db.execute(statement)}

    def write_heads(self, chains: Iterable[_Head]) -> None:
        """The heads that moved (or broke), written in one statement."""
        changed = [
            {"k_session": c.session_id, "k_seq": c.seq, "k_hash": c.hash, "k_broken": c.broken}
            for c in chains
            if c.changed
        ]
        if changed:
            self.db.execute(_WRITE_HEAD, changed)

    def held_events(
        self, by_session: dict[str, list[EventIn]], chains: dict[str, _Head]
    ) -> dict[tuple[str, int], str]:
        """The hashes of the events the server already holds at the seqs sent.

        Every event held for a session has a seq at or below its chain's head (events
        are stored only here, and the head moves on to the highest seq stored), so only
        seqs up to the head can have been received before: read the spans over that
        range, and none at all when a batch only carries on from the head, as a
        station's batches do.
        """
        ranges = []
        for session_id, events in by_session.items():
            head = chains[session_id].seq
            low = min(e["seq"] for e in events)
            if low <= head:
                ranges.append((session_id, low, min(head, max(e["seq"] for e in events))))
        if not ranges:
            return {}
        wanted = {(e["session_id"], e["seq"]) for events in by_session.values() for e in events}
        return {key: digest for key, digest in held_in(self.db, ranges).items() if key in wanted}

    def verify_session(
        self,
        chain: _Head,
        events: list[EventIn],
        new: set[tuple[str, int]],
        held: dict[tuple[str, int], str],
    ) -> None:
        session_id = chain.session_id
        # The head as it moves along, kept in locals (set once, at the end).
        head_seq, head_hash = chain.seq, chain.hash
        for event in events:
            seq, digest = event["seq"], event["hash"]
            if (session_id, seq) not in new:
                kept = held.get((session_id, seq))
                if kept != digest:
                    self.break_chain(
                        chain,
                        f"event {seq} of session {session_id} was sent again with a different "
                        f"hash ({digest}); the server keeps the first ({kept})",
                    )
                continue
            recomputed = event_hash(
                event["prev_hash"],
                session_id,
                seq,
                event["t_ns"],
                event["game_run_id"],
                event["trial_index"],
                event["kind"],
                event["payload"],
            )
            problems = _link_problems(event, head_seq, head_hash, recomputed, "event")
            if problems:
                self.break_chain(
                    chain,
                    f"event {seq} of session {session_id} breaks the chain: "
                    + "; ".join(problems)
                    + " (kept as received)",
                )
            if seq > head_seq:
                # Go on from what was received, so one break is reported once.
                head_seq, head_hash = seq, digest
        chain.seq, chain.hash = head_seq, head_hash

    def break_chain(self, chain: _Head, message: str) -> None:
        chain.broken = True
        self.flag(chain.session_id, CHAIN_BREAK, message)

    # Audit ----------------------------------------------------------------------

    def apply_audit(self, entries: Sequence[AuditIn]) -> set[tuple[str, str]]:
        """Store and verify audit entries; return the units their seals name."""
        station = self.station
        units: set[tuple[str, str]] = set()
        for entry in entries:
            seq = entry["seq"]
            recomputed = audit_hash(
                entry["prev_hash"],
                seq,
                entry["at_utc_ns"],
                entry["actor"],
                entry["action"],
                entry["target"],
                entry["details"],
            )
            problems = _link_problems(
                entry, station.audit_head_seq, station.audit_head_hash, recomputed, "entry"
            )
            # An entry written before the station had its key carries no signature: the
            # chain vouches for it once a later signed entry links to it (as on the
            # station). A signature that is there must hold.
            unsigned = not entry.get("signature")
            signed = not unsigned and self.signature_holds(entry)
            inserted = _inserted(
                self.db,
                insert_for(self.db, AuditEntry)
                .values(
                    station_id=station.id,
                    seq=seq,
                    at_utc_ns=entry["at_utc_ns"],
                    actor=entry["actor"],
                    action=entry["action"],
                    target=entry["target"],
                    details=entry["details"],
                    prev_hash=entry["prev_hash"],
                    hash=entry["hash"],
                    signature=entry.get("signature"),
                    key_id=entry.get("key_id"),
                    verified=signed and not problems,
                )
                .on_conflict_do_nothing(index_elements=["station_id", "seq"])
                .returning(AuditEntry.id),
            )
            if not inserted:
                held = self.db.scalar(
                    select(AuditEntry.hash).where(
                        AuditEntry.station_id == station.id, AuditEntry.seq == seq
                    )
                )
                if held != entry["hash"]:
                    self.flag(
                        None,
                        CHAIN_BREAK,
                        f"audit entry {seq} was sent again with a different hash; the server "
                        "keeps the first",
                    )
                continue
            if problems:
                self.flag(
                    None,
                    CHAIN_BREAK,
                    f"audit entry {seq} breaks the station's audit chain: "
                    + "; ".join(problems)
                    + " (kept as received)",
                )
            if signed and not problems:
                self.vouch_for_unsigned(seq)
            if not signed and not unsigned:
                self.flag(
                    None,
                    BAD_AUDIT_SIGNATURE,
                    f"audit entry {seq} ({entry['action']}) is not signed by this station's "
                    f"key {station.fingerprint[:16]}… (kept as received)",
                )
            if seq > station.audit_head_seq:
                station.audit_head_seq, station.audit_head_hash = seq, entry["hash"]
            if entry["action"] == "sealed":
                units |= self.check_seals(seq, entry["details"])
        return units

    def vouch_for_unsigned(self, seq: int) -> None:
        """A verified signed entry vouches, through the chain, for the unsigned entries
        before it."""
        self.db.execute(
            update(AuditEntry)
            .where(
                AuditEntry.station_id == self.station.id,
                AuditEntry.seq < seq,
                AuditEntry.signature.is_(None),
                AuditEntry.verified.is_(False),
            )
            .values(verified=True)
        )

    def signature_holds(self, entry: AuditIn) -> bool:
        signature, key_id = entry.get("signature"), entry.get("key_id")
        if not signature or key_id != self.station.fingerprint:
            return False
        try:
            digest = bytes.fromhex(entry["hash"])
        except ValueError:
            return False
        return verify_signature(self.station.certificate_pem, digest, signature)

    def check_seals(self, audit_seq: int, details: str) -> set[tuple[str, str]]:
        try:
            seals = json.loads(details).get("seals") or []
            units = [(str(s[0]), str(s[1]), s[2]) for s in seals]
        except (ValueError, TypeError, AttributeError, IndexError):
            self.flag(
                None,
                CHECKPOINT_MISMATCH,
                f"sealed audit entry {audit_seq} does not list its seals readably",
            )
            return set()
        for table, key, digest in units:
            if table == "chain":
                self.check_checkpoint(audit_seq, key, digest)
        return {(table, key) for table, key, _digest in units}

    def check_checkpoint(self, audit_seq: int, session_id: str, digest: object) -> None:
        if digest is None:
            return  # the session was deleted on the station: nothing to compare
        try:
            seq_text, head = str(digest).split(":", 1)
            seq = int(seq_text)
        except ValueError:
            self.flag(
                session_id,
                CHECKPOINT_MISMATCH,
                f"audit entry {audit_seq} seals an unreadable chain head {digest!r}",
            )
            return
        held = GENESIS_HASH if seq == 0 else hash_at(self.db, session_id, seq)
        if held is None:
            self.flag(
                session_id,
                CHECKPOINT_MISMATCH,
                f"audit entry {audit_seq} seals session {session_id} at event {seq}, which "
                "the server has not received",
            )
        elif held != head:
            self.flag(
                session_id,
                CHECKPOINT_MISMATCH,
                f"audit entry {audit_seq} seals session {session_id} at event {seq} with hash "
                f"{head}, but the event the server holds there hashes to {held}",
            )

    # Records --------------------------------------------------------------------

    def apply_records(
        self, records: dict[str, list[dict[str, Any]]], sealed_units: set[tuple[str, str]]
    ) -> None:
        # A sealed unit's current rows replace the server's copy: rows the station
        # deleted (personal data erased, a unit sealed as null) go here too.
        for table, key in sorted(sealed_units):
            statement = self.unit_delete(table, key)
            if statement is not None:
                self.db.execute(statement)
        for table, rows in records.items():
            if not rows:
                continue  # a station sends every table, most of them empty
            upsert = self.upserts.get(table)
            if upsert is None:
                log.info("records of unknown table %r skipped", table)
                continue
            if table == "candidate_personal" and not self.personal_data:
                # Counts only: the rows themselves are the personal data.
                log.warning(
                    "batch %d carried personal data for %d candidate(s) (%d row(s)) to a "
                    "centre that does not keep it; dropped, not stored",
                    self.batch_seq,
                    len({str(row.get("candidate_id")) for row in rows}),
                    len(rows),
                    extra={
                        "station_id": self.station.id,
                        "batch_seq": self.batch_seq,
                        "dropped_rows": len(rows),
                    },
                )
                continue
            for row in rows:
                try:
                    # A row the database refuses (a value of the wrong type, say) is
                    # flagged; the rest of the batch is still applied.
                    with self.db.begin_nested():
                        upsert(self, row)
                except (
                    KeyError,
                    TypeError,
                    ValueError,
                    OverflowError,
                    binascii.Error,
                    DBAPIError,
                ) as exc:
                    if overload_cause(exc) is not None:
                        raise  # the database is too busy: the whole batch waits (503)
                    self.flag(
                        None,
                        "bad_record",
                        f"a {table} record could not be read ({exc!r}); the batch is kept",
                    )

    def unit_delete(self, table: str, key: str) -> Delete | None:
        sid = self.station.id
        local = int(key) if key.lstrip("-").isdigit() else None
        if table == "sessions":
            return delete(SessionRecord).where(SessionRecord.id == key)
        if table == "game_runs":
            return delete(GameRun).where(GameRun.session_id == key)
        if table in ("scores", "reports", "incident_notes"):
            model: Any = {"scores": Score, "reports": Report, "incident_notes": IncidentNote}[table]
            return delete(model).where(model.station_id == sid, model.session_id == key)
        if table in ("candidates", "candidate_personal", "timing_tests") and local is not None:
            by_row: Any = {
                "candidates": Candidate,
                "candidate_personal": CandidatePersonal,
                "timing_tests": TimingTest,
            }[table]
            return delete(by_row).where(
                tuple_(by_row.station_id, by_row.local_id) == tuple_(sid, local)
            )
        return None

    def upsert(self, model: type[Base], keys: Iterable[str], values: dict[str, Any]) -> None:
        values = {**values, "updated_at": utcnow()}
        statement = insert_for(self.db, model).values(values)
        self.db.execute(
            statement.on_conflict_do_update(
                index_elements=list(keys),
                set_={name: statement.excluded[name] for name in values if name not in keys},
            )
        )

    def station_row(
        self, model: type[Base], row: dict[str, Any], key: str = "id", **columns: Any
    ) -> None:
        self.upsert(
            model,
            ("station_id", "local_id"),
            {"station_id": self.station.id, "local_id": int(row[key]), "data": row, **columns},
        )

    def _session(self, row: dict[str, Any]) -> None:
        self.upsert(
            SessionRecord,
            ("id",),
            {
                "id": str(row["id"]),
                "station_id": self.station.id,
                "candidate_id": row.get("candidate_id"),
                "status": row.get("status"),
                "data": row,
            },
        )

    def _game_run(self, row: dict[str, Any]) -> None:
        self.upsert(
            GameRun,
            ("id",),
            {
                "id": str(row["id"]),
                "station_id": self.station.id,
                "session_id": row.get("session_id"),
                "data": row,
            },
        )

    def _candidate(self, row: dict[str, Any]) -> None:
        self.station_row(Candidate, row, pseudonym=row.get("pseudonym"))

    def _personal(self, row: dict[str, Any]) -> None:
        self.station_row(CandidatePersonal, row, key="candidate_id")

    def _score(self, row: dict[str, Any]) -> None:
        self.station_row(Score, row, session_id=row.get("session_id"))

    def _note(self, row: dict[str, Any]) -> None:
        self.station_row(IncidentNote, row, session_id=row.get("session_id"))

    def _timing(self, row: dict[str, Any]) -> None:
        self.station_row(TimingTest, row)

    def _report(self, row: dict[str, Any]) -> None:
        data = {k: v for k, v in row.items() if k != "pdf_b64"}
        pdf = base64.b64decode(row["pdf_b64"], validate=True) if row.get("pdf_b64") else None
        pdf_sha256 = hashlib.sha256(pdf).hexdigest() if pdf is not None else None
        if pdf_sha256 is not None and pdf_sha256 != row.get("sha256"):
            self.flag(
                row.get("session_id"),
                REPORT_DIGEST_MISMATCH,
                f"report {row['id']}'s PDF hashes to {pdf_sha256}, not the {row.get('sha256')} "
                "the station recorded (kept as received)",
            )
        self.station_row(
            Report,
            data,
            session_id=row.get("session_id"),
            sha256=row.get("sha256"),
            pdf=pdf,
            pdf_sha256=pdf_sha256,
        )

    upserts: ClassVar[dict[str, Callable[[_Applier, dict[str, Any]], None]]] = {
        "sessions": _session,
        "game_runs": _game_run,
        "candidates": _candidate,
        "candidate_personal": _personal,
        "scores": _score,
        "incident_notes": _note,
        "timing_tests": _timing,
        "reports": _report,
    }
