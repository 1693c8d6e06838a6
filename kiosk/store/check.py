"""``kiosk store check``: is the store whole, and has anything been edited?

Checks, in order: SQLite's own ``integrity_check`` and ``foreign_key_check``; for
every session, the sequence contiguity and hash chain of its events and that the
last one matches the session's recorded head; the audit log's chain; then what the
hashes cannot prove on their own (anyone can recompute a hash), given a
:class:`Trust` (the station keys pinned on this machine, or an authority the caller
names):

- every audit entry up to the newest is signed by a trusted station key, and the
  newest entry the station recorded outside the store is still there;
- every sealed unit (:mod:`kiosk.store.seals`) matches its newest seal, and every
  session's events up to its sealed chain head are the ones sealed; a session that is
  no longer in progress has no events after its last seal.

Reports every problem found, grouped by where it is, without stopping at the first.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from sqlalchemy import select

from kiosk.store import seals
from kiosk.store.audit import verify_audit
from kiosk.store.chain import verify_chain
from kiosk.store.database import Store
from kiosk.store.models import AssessmentSession, AuditEntry, Event, SessionStatus

__all__ = ["CheckReport", "Trust", "audit_rows_of", "check_session", "check_store", "event_rows"]


@dataclass(frozen=True)
class Trust:
    """Which keys may sign this store's audit log, and its head as recorded outside it.

    ``verify(key_id, digest, signature)`` says whether ``signature`` over ``digest`` is
    by the trusted key ``key_id`` (False for any key not trusted). ``head`` is the
    newest (seq, hash) the station recorded outside the store, if known here.
    """

    verify: Callable[[str, bytes, str], bool]
    head: tuple[int, str] | None
    source: str


@dataclass
class CheckReport:
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    sessions_checked: int = 0
    events_checked: int = 0
    audit_entries_checked: int = 0
    units_checked: int = 0
    trust_source: str = "none"

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())


_HERE = object()  # "the keys pinned on this machine"


def event_rows(conn: Any, session_id: str | None = None) -> Any:
    """Events as ``(session_id, seq, t_ns, run, trial, kind, payload, prev, hash)``."""
    ev = Event.__table__.c
    query = select(
        ev.session_id,
        ev.seq,
        ev.t_ns,
        ev.game_run_id,
        ev.trial_index,
        ev.kind,
        ev.payload,
        ev.prev_hash,
        ev.hash,
    ).order_by(ev.session_id, ev.seq)
    if session_id is not None:
        query = query.where(ev.session_id == session_id)
    return conn.execute(query)


def audit_rows_of(conn: Any) -> list[tuple[Any, ...]]:
    """Audit entries as ``(seq, at, actor, action, target, details, prev, hash,
    signature, key_id)``, oldest first."""
    au = AuditEntry.__table__.c
    return [
        tuple(r)
        for r in conn.execute(
            select(
                au.seq,
                au.at_utc_ns,
                au.actor,
                au.action,
                au.target,
                au.details,
                au.prev_hash,
                au.hash,
                au.signature,
                au.key_id,
            ).order_by(au.seq)
        )
    ]


def check_store(store: Store, trust: Trust | object | None = _HERE) -> CheckReport:
    """Check everything; ``trust`` defaults to this machine's pinned station keys."""
    if trust is _HERE:
        from kiosk.trust.checking import trust_for

        trust = trust_for(store)
    assert trust is None or isinstance(trust, Trust)
    report = CheckReport()
    if trust is not None:
        report.trust_source = trust.source
    with store.engine.execution_options(kiosk_read=True).connect() as conn, conn.begin():
        raw = conn.connection.dbapi_connection
        assert raw is not None
        integrity = [r[0] for r in raw.execute("PRAGMA integrity_check").fetchall()]
        if integrity != ["ok"]:
            report.problems["store"].extend(f"SQLite integrity: {m}" for m in integrity)
        for table, rowid, parent, _fk in raw.execute("PRAGMA foreign_key_check").fetchall():
            report.problems["store"].append(
                f"row {rowid} of {table} refers to a missing row of {parent}"
            )

        heads = {
            sid: (seq, digest)
            for sid, seq, digest in conn.execute(
                select(
                    AssessmentSession.id,
                    AssessmentSession.chain_head_seq,
                    AssessmentSession.chain_head_hash,
                )
            )
        }
        rows = event_rows(conn)
        seen: set[str] = set()
        hashes: dict[str, dict[int, str]] = {}
        for session_id, group in groupby(rows, key=lambda r: r[0]):
            seen.add(session_id)
            chain = [tuple(r[1:]) for r in group]
            hashes[session_id] = {int(r[0]): str(r[7]) for r in chain}
            report.events_checked += len(chain)
            head = heads.get(session_id)
            for problem in verify_chain(
                chain,
                session_id,
                head_seq=None if head is None else head[0],
                head_hash=None if head is None else head[1],
            ):
                report.problems[f"session {session_id}"].append(problem.message)
        for session_id, (seq, _digest) in heads.items():
            if session_id not in seen and seq != 0:
                report.problems[f"session {session_id}"].append(
                    f"the session records {seq} events but the store holds none"
                )
        report.sessions_checked = len(heads)

        audit_rows = audit_rows_of(conn)
        report.audit_entries_checked = len(audit_rows)
        for problem in verify_audit(r[:8] for r in audit_rows):
            report.problems["audit log"].append(problem.message)
        _check_signatures(audit_rows, trust, report.problems["audit log"])
        statuses = {
            sid: status
            for sid, status in conn.execute(select(AssessmentSession.id, AssessmentSession.status))
        }
        _check_seals(conn, audit_rows, hashes, statuses, report)
    return report


def _check_signatures(
    rows: list[tuple[Any, ...]], trust: Trust | None, problems: list[str]
) -> None:
    if trust is None:
        problems.append(
            "cannot tell whether the audit log is this station's: its key folder is not on "
            "this machine; pass --trust CA.pem (the centre authority) to check the signatures"
        )
        return
    last_signed = rows[0][0] - 1 if rows else 0
    bad: list[int] = []
    for seq, *_rest, digest, signature, key_id in rows:
        if signature is None:
            continue
        if not key_id or not trust.verify(str(key_id), bytes.fromhex(digest), str(signature)):
            bad.append(seq)
        else:
            last_signed = seq
    if bad:
        shown = ", ".join(str(s) for s in bad[:10]) + (" ..." if len(bad) > 10 else "")
        problems.append(
            f"audit entries {shown} carry a signature that is not by a trusted station key"
        )
    newest = rows[-1][0] if rows else 0
    if newest > last_signed:
        problems.append(
            f"audit entries {last_signed + 1}..{newest} are not signed by the station: "
            "written outside kiosk"
        )
    if trust.head is not None:
        anchored_seq, anchored_hash = trust.head
        by_seq = {r[0]: r[7] for r in rows}
        if anchored_seq > newest:
            problems.append(
                f"audit entries {newest + 1}..{anchored_seq} are missing: the station recorded "
                f"entry {anchored_seq}, the store ends at {newest} (deleted, or lost in a "
                "power cut)"
            )
        elif by_seq.get(anchored_seq) != anchored_hash:
            problems.append(
                f"audit entry {anchored_seq} is not the one the station recorded outside the store"
            )


def _newest_seals(rows: list[tuple[Any, ...]]) -> dict[seals.Unit, str | None]:
    newest: dict[seals.Unit, str | None] = {}
    for _seq, _at, actor, action, _target, details, *_rest in rows:
        if action not in ("sealed", "baseline") or actor != "system":
            continue
        try:
            listed = json.loads(details).get("seals", [])
        except (ValueError, AttributeError):
            continue
        for table, key, digest in listed:
            newest[(str(table), str(key))] = digest
    return newest


def _check_seals(
    conn: Any,
    rows: list[tuple[Any, ...]],
    hashes: Mapping[str, Mapping[int, str]],
    statuses: Mapping[str, str],
    report: CheckReport,
) -> None:
    newest = _newest_seals(rows)
    current = seals.all_digests(conn)
    report.units_checked = len(current)
    for unit in sorted(set(current) | {u for u, d in newest.items() if d is not None}):
        table, key = unit
        where = f"session {key}" if table == seals.CHAIN or table == "sessions" else table
        if table == seals.CHAIN:
            _check_chain_seal(key, newest.get(unit), hashes.get(key, {}), statuses, report)
            continue
        sealed, now = newest.get(unit), current.get(unit)
        if unit not in newest:
            report.problems[where].append(
                f"{_name(table, key)} was written outside kiosk (no audit entry seals it)"
            )
        elif now is None:
            report.problems[where].append(f"{_name(table, key)} was deleted outside kiosk")
        elif sealed != now:
            report.problems[where].append(
                f"{_name(table, key)} was changed outside kiosk (it no longer matches its seal)"
            )


def _name(table: str, key: str) -> str:
    per_session = {
        "game_runs": "the game runs",
        "scores": "the scores",
        "reports": "the report records",
        "incident_notes": "the incident notes",
    }
    if table in per_session:
        return f"{per_session[table]} of session {key}"
    return f"{table} row {key}"


def _check_chain_seal(
    session_id: str,
    sealed: str | None,
    events: Mapping[int, str],
    statuses: Mapping[str, str],
    report: CheckReport,
) -> None:
    where = f"session {session_id}"
    if sealed is None:
        if events:
            report.problems[where].append("its events were never sealed by the station")
        return
    seq_text, _, head = sealed.partition(":")
    seq = int(seq_text)
    if seq and events.get(seq) != head:
        report.problems[where].append(
            f"event {seq} is not the one the station sealed (events rewritten or removed)"
        )
    newest = max(events, default=0)
    # A completed session records nothing after its end is sealed; live ones do.
    if newest > seq and statuses.get(session_id) == SessionStatus.COMPLETED.value:
        report.problems[where].append(
            f"events {seq + 1}..{newest} were added after the session was sealed"
        )


def _units_of_session(conn: Any, session_id: str) -> list[seals.Unit]:
    units: list[seals.Unit] = [
        (table, session_id)
        for table in ("sessions", "game_runs", "scores", "reports", "incident_notes")
    ]
    units.append((seals.CHAIN, session_id))
    row = conn.exec_driver_sql(
        "SELECT candidate_id, battery_id FROM sessions WHERE id = ?", (session_id,)
    ).first()
    if row is not None:
        units.append(("candidates", str(row[0])))
        if row[1] is not None:
            units.append(("batteries", str(row[1])))
    units += [("stations", str(k)) for (k,) in conn.exec_driver_sql("SELECT id FROM stations")]
    units += [
        ("timing_tests", str(k)) for (k,) in conn.exec_driver_sql("SELECT id FROM timing_tests")
    ]
    return units


def check_session(store: Store, session_id: str, trust: Trust | None) -> list[str]:
    """What is wrong with one session's evidence (empty when a report may be signed).

    Its events' chain and recorded head, the audit log's chain, the newest audit
    entry's signature and the anchored head, and every unit the report reads against
    its newest seal. The whole audit chain is recomputed (cheap), but only its newest
    signature is checked: through the chain, it vouches for every entry before it.
    """
    report = CheckReport()
    with store.engine.execution_options(kiosk_read=True).connect() as conn, conn.begin():
        head = conn.execute(
            select(AssessmentSession.chain_head_seq, AssessmentSession.chain_head_hash).where(
                AssessmentSession.id == session_id
            )
        ).first()
        if head is None:
            return [f"no session {session_id} in {store.path}"]
        chain = [tuple(r[1:]) for r in event_rows(conn, session_id)]
        problems = [
            p.message for p in verify_chain(chain, session_id, head_seq=head[0], head_hash=head[1])
        ]
        rows = audit_rows_of(conn)
        problems += [p.message for p in verify_audit(r[:8] for r in rows)]
        # Only the newest signature: through the chain it vouches for all before it.
        _check_signatures(
            rows[-1:],
            None if trust is None else Trust(trust.verify, None, trust.source),
            report.problems["audit"],
        )
        if trust is not None and trust.head is not None:
            anchored_seq, anchored_hash = trust.head
            by_seq = {r[0]: r[7] for r in rows}
            if by_seq.get(anchored_seq) != anchored_hash:
                report.problems["audit"].append(
                    f"the audit log does not hold entry {anchored_seq} as the station recorded "
                    "it outside the store (entries deleted or rewritten)"
                )
        newest = _newest_seals(rows)
        status = conn.execute(
            select(AssessmentSession.status).where(AssessmentSession.id == session_id)
        ).scalar_one()
        for unit in _units_of_session(conn, session_id):
            if unit[0] == seals.CHAIN:
                _check_chain_seal(
                    session_id,
                    newest.get(unit),
                    {int(r[0]): str(r[7]) for r in chain},
                    {session_id: status},
                    report,
                )
                continue
            now = seals.digest_of(conn, unit)
            if now is None and unit not in newest:
                continue
            if newest.get(unit) != now:
                report.problems["seals"].append(
                    f"{_name(*unit)} does not match what the station sealed"
                )
    return problems + [m for messages in report.problems.values() for m in messages]
