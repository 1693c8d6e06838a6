"""Seals: every row that feeds a report or grants a right is vouched for by the audit log.

A hash chain alone proves nothing against whoever holds the file: they can recompute
it. So every write kiosk commits to a *sealed* table appends, in the same
transaction, one audit entry (action ``sealed``) listing, for each unit it changed,
the SHA-256 of that unit's stored rows, and the audit entry is signed with the
station key (:mod:`kiosk.store.audit`), which the store does not hold in usable form.
``kiosk store check`` recomputes every unit and compares it with its newest seal: a
row edited, inserted or deleted outside kiosk no longer matches.

A unit is one row (users, candidates, personal data, stations, batteries, sessions,
timing tests, role-fit model versions), all rows of one session (game runs, scores,
reports, incident notes), all of a candidate's self-reported demographics, or all
imported labels of one role. The digest is ``sha256`` of the canonical JSON of the unit's raw stored
values, in the column order listed in :data:`SEALED` and the rows' ``rowid`` order; a
deleted unit is sealed as ``null``. Columns that change by themselves and grant
nothing (sign-in failure counters; the session's chain head, which the event chain
proves) are left out. Whenever a session or its game runs change, the session's
chain head is sealed too (unit ``chain``), so its events up to that head are vouched
for; the head is sealed at every game start and end and at the session's end.

Tracking is automatic for ORM changes (``after_flush``); code that changes sealed
rows with a bulk statement calls :func:`touch`. Adding a column to a sealed table
means adding it here and resealing in the migration's first unlocked open.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from kiosk.store.orm import StoreSession

__all__ = ["CHAIN", "SEALED", "STATION_ACTIONS", "Unit", "all_digests", "digest_of", "touch"]

CHAIN = "chain"
# Audit actions the station writes for itself, beside the actions people take.
STATION_ACTIONS = ("sealed", "baseline", "signing_identity_created")


@dataclass(frozen=True)
class SealedTable:
    key: str  # the column whose value names the unit
    columns: tuple[str, ...]


SEALED: dict[str, SealedTable] = {
    "users": SealedTable(
        "id", ("id", "username", "display_name", "role", "password_hash", "pin_hash", "active")
    ),
    "candidates": SealedTable("id", ("id", "pseudonym", "created_at")),
    "candidate_personal": SealedTable(
        "candidate_id",
        ("candidate_id", "full_name", "external_ref", "demographics", "salt", "updated_at"),
    ),
    "stations": SealedTable("id", ("id", "name", "settings")),
    "batteries": SealedTable("id", ("id", "name", "version", "source_sha256", "definition")),
    "sessions": SealedTable(
        "id",
        (
            "id",
            "candidate_id",
            "battery_id",
            "station_id",
            "status",
            "checkin_code",
            "consent_version",
            "created_by",
            "created_at",
            "started_at",
            "ended_at",
            "void_reason",
        ),
    ),
    "game_runs": SealedTable(
        "session_id",
        (
            "id",
            "session_id",
            "position",
            "game_id",
            "game_version",
            "seed",
            "config",
            "status",
            "started_at",
            "ended_at",
        ),
    ),
    "scores": SealedTable(
        "session_id",
        (
            "id",
            "session_id",
            "game_run_id",
            "scope",
            "name",
            "value",
            "ci_low",
            "ci_high",
            "n",
            "percentile",
            "flags",
            "scoring_version",
            "norm_version",
        ),
    ),
    "reports": SealedTable("session_id", ("id", "session_id", "path", "sha256", "signer")),
    "incident_notes": SealedTable("session_id", ("id", "session_id", "author", "at", "text")),
    "timing_tests": SealedTable("id", ("id", "station_id", "run_at", "results")),
    # Role-fit models (kiosk.fit_models): a role's imported labels are one unit, a
    # candidate's self-reported answers one, each model version a row.
    "role_incumbents": SealedTable(
        "role", ("id", "role", "candidate_id", "label", "imported_by", "imported_at")
    ),
    "candidate_demographics": SealedTable(
        "candidate_id", ("candidate_id", "attribute", "value", "recorded_at")
    ),
    "fit_model_versions": SealedTable(
        "id",
        (
            "id",
            "content_hash",
            "role",
            "record",
            "status",
            "created_by",
            "created_at",
            "approved_by",
            "approved_at",
            "activated_at",
            "retired_at",
        ),
    ),
}

# Tables whose units are a session's rows: touching them seals the session's chain head.
_BY_SESSION = frozenset({"sessions", "game_runs"})

Unit = tuple[str, str]  # (table or CHAIN, key as text)


def _canonical(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=True)


def digest_of(conn: Connection, unit: Unit) -> str | None:
    """The unit's digest as stored now, or None when it holds no rows."""
    table, key = unit
    if table == CHAIN:
        row = conn.exec_driver_sql(
            "SELECT chain_head_seq, chain_head_hash FROM sessions WHERE id = ?", (key,)
        ).first()
        return None if row is None else f"{int(row[0])}:{row[1]}"
    spec = SEALED[table]
    rows = conn.exec_driver_sql(
        f"SELECT {', '.join(spec.columns)} FROM {table} WHERE {spec.key} = ? ORDER BY rowid",
        (key,),
    ).fetchall()
    if not rows:
        return None
    text = _canonical([table, list(spec.columns), [list(r) for r in rows]])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def all_digests(conn: Connection) -> dict[Unit, str]:
    """Every unit's digest, computed in one pass per table (for ``store check``)."""
    digests: dict[Unit, str] = {}
    for table, spec in SEALED.items():
        key_at = spec.columns.index(spec.key)
        groups: dict[str, list[list[Any]]] = {}
        for row in conn.exec_driver_sql(
            f"SELECT {', '.join(spec.columns)} FROM {table} ORDER BY rowid"
        ):
            groups.setdefault(str(row[key_at]), []).append(list(row))
        for key, rows in groups.items():
            text = _canonical([table, list(spec.columns), rows])
            digests[(table, key)] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    for key, seq, head in conn.exec_driver_sql(
        "SELECT id, chain_head_seq, chain_head_hash FROM sessions"
    ):
        digests[(CHAIN, str(key))] = f"{int(seq)}:{head}"
    return digests


def _touched(session: Session) -> set[Unit]:
    units: set[Unit] = session.info.setdefault("kiosk_touched", set())
    return units


def touch(session: Session, table: str, key: object) -> None:
    """Seal ``table``'s unit ``key`` at this transaction's commit (after bulk statements)."""
    units = _touched(session)
    units.add((table, str(key)))
    if table in _BY_SESSION:
        units.add((CHAIN, str(key)))


def _units_of(obj: object) -> Iterable[Unit]:
    table = getattr(obj, "__tablename__", None)
    spec = SEALED.get(table) if isinstance(table, str) else None
    if spec is None:
        return ()
    key = getattr(obj, spec.key, None)
    if key is None:
        return ()
    return ((str(table), str(key)),)


def _changed_sealed_columns(obj: object) -> bool:
    from sqlalchemy import inspect

    spec = SEALED[obj.__tablename__]  # type: ignore[attr-defined]
    state = inspect(obj)
    return any(state.attrs[c].history.has_changes() for c in spec.columns if c in state.attrs)


@event.listens_for(StoreSession, "after_flush")
def _track(session: Session, _context: object) -> None:
    for obj in (*session.new, *session.deleted):
        for table, key in _units_of(obj):
            touch(session, table, key)
    for obj in session.dirty:
        units = tuple(_units_of(obj))
        if units and _changed_sealed_columns(obj):
            for table, key in units:
                touch(session, table, key)


@event.listens_for(StoreSession, "before_commit")
def _seal(session: Session) -> None:
    if session.info.get("kiosk_sealing"):
        return
    session.flush()
    units = session.info.pop("kiosk_touched", None)
    if not units:
        return
    from kiosk.store.audit import append_audit

    conn = session.connection()
    seals = sorted([table, key, digest_of(conn, (table, key))] for table, key in units)
    session.info["kiosk_sealing"] = True
    try:
        append_audit(session, "system", "sealed", details={"seals": seals})
    finally:
        session.info.pop("kiosk_sealing", None)
        session.info.pop("kiosk_touched", None)


@event.listens_for(StoreSession, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("kiosk_touched", None)
