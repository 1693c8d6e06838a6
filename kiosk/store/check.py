"""``kiosk store check``: is the store whole, and has anything been edited?

Checks, in order: SQLite's own ``integrity_check`` and ``foreign_key_check``; for
every session, the sequence contiguity and hash chain of its events and that the
last one matches the session's recorded head; the audit log's chain. Reports every
problem found, grouped by where it is, without stopping at the first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import select

from kiosk.store.audit import verify_audit
from kiosk.store.chain import verify_chain
from kiosk.store.database import Store
from kiosk.store.models import AssessmentSession, AuditEntry, Event

__all__ = ["CheckReport", "check_store"]


@dataclass
class CheckReport:
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    sessions_checked: int = 0
    events_checked: int = 0
    audit_entries_checked: int = 0

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())


def check_store(store: Store) -> CheckReport:
    report = CheckReport()
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
        ev = Event.__table__.c
        rows = conn.execute(
            select(
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
        )
        seen: set[str] = set()
        for session_id, group in groupby(rows, key=lambda r: r[0]):
            seen.add(session_id)
            chain = [tuple(r[1:]) for r in group]
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

        au = AuditEntry.__table__.c
        audit_rows = [
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
                ).order_by(au.seq)
            )
        ]
        report.audit_entries_checked = len(audit_rows)
        for problem in verify_audit(audit_rows):
            report.problems["audit log"].append(problem.message)
    return report
