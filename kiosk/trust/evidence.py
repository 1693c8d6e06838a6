"""A session's evidence: what a signed report carries so it can be tied to its events.

Before a report is signed, :func:`session_evidence` checks the session
(:func:`kiosk.store.check.check_session` against this station's pinned keys) and
refuses (:class:`UntrustedSession`) when its events, the audit log or any row the
report reads does not hold. Otherwise it returns the session's sealed chain head and
the audit entry that seals it, with that entry's signature by the station key: the
report prints them and embeds them machine-readably, inside the PAdES signature.

:func:`evidence_problems` is the other direction, for ``kiosk verify --store``: does
a report's evidence match what this store holds?
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from kiosk.store import Store
from kiosk.store.check import check_session
from kiosk.store.models import AssessmentSession, AuditEntry, Candidate, Event, Report
from kiosk.store.seals import CHAIN
from kiosk.trust.checking import trust_for
from kiosk.trust.keys import is_demo_session
from reports.model import new_report_id

__all__ = ["UntrustedSession", "evidence_problems", "session_evidence"]


class UntrustedSession(ValueError):
    """The session's evidence does not hold; no report may be signed for it."""

    def __init__(self, session_id: str, problems: list[str]) -> None:
        self.problems = problems
        shown = "; ".join(problems[:3]) + (
            f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        )
        super().__init__(
            f"refusing to sign a report for session {session_id}: its evidence does not hold "
            f"({shown}); run `kiosk store check` for the whole picture"
        )


def _sealing_entry(store: Store, session_id: str) -> AuditEntry | None:
    """The newest audit entry that seals the session's chain head."""
    marker = json.dumps([CHAIN, session_id], separators=(",", ":"))[1:-1]
    with store.reader() as s:
        for entry in s.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.action.in_(("sealed", "baseline")), AuditEntry.details.contains(marker)
            )
            .order_by(AuditEntry.seq.desc())
        ):
            return entry
    return None


def session_evidence(store: Store, session_id: str, *, demo: bool = False) -> dict[str, Any]:
    """The evidence to sign into the report, or :class:`UntrustedSession`."""
    problems = check_session(store, session_id, trust_for(store))
    entry = _sealing_entry(store, session_id)
    if entry is None:
        problems.append("the station never sealed its events")
    if problems:
        raise UntrustedSession(session_id, problems)
    assert entry is not None
    sealed = dict((tuple(u[:2]), u[2]) for u in json.loads(entry.details)["seals"])
    seq_text, _, head = str(sealed[(CHAIN, session_id)]).partition(":")
    with store.reader() as s:
        session = s.get(AssessmentSession, session_id)
        assert session is not None
        candidate = s.get(Candidate, session.candidate_id)
    return {
        "format": 1,
        "session_id": session_id,
        "candidate_pseudonym": (candidate.pseudonym if candidate else "") or "?",
        "station_name": store.station().name,
        "chain_head_seq": int(seq_text),
        "chain_head_hash": head,
        "checkpoint_seq": entry.seq,
        "checkpoint_hash": entry.hash,
        "checkpoint_signature": entry.signature or "",
        "key_id": entry.key_id or "",
        "demo": bool(demo or is_demo_session(store, session_id)),
        "report_id": new_report_id(),
    }


def evidence_problems(store: Store, evidence: Mapping[str, Any], report_sha256: str) -> list[str]:
    """What does not match between a report's signed evidence and this store."""
    session_id = str(evidence.get("session_id", ""))
    problems: list[str] = []
    with store.reader() as s:
        session = s.get(AssessmentSession, session_id)
        if session is None:
            return [f"this store holds no session {session_id}"]
        seq = int(evidence.get("chain_head_seq", -1))
        stored = s.scalar(
            select(Event.hash).where(Event.session_id == session_id, Event.seq == seq)
        )
        if seq and stored != evidence.get("chain_head_hash"):
            problems.append(f"event {seq} of session {session_id} is not the one the report names")
        entry = s.scalar(select(AuditEntry).where(AuditEntry.seq == evidence.get("checkpoint_seq")))
        if entry is None or entry.hash != evidence.get("checkpoint_hash"):
            problems.append("the audit entry the report names is not in this store as signed")
        recorded = s.scalars(select(Report.sha256).where(Report.session_id == session_id)).all()
        if report_sha256 not in recorded:
            problems.append(f"the store has no record of this report file for session {session_id}")
        candidate = s.get(Candidate, session.candidate_id)
        if candidate is not None and candidate.pseudonym != evidence.get("candidate_pseudonym"):
            problems.append("the report names another candidate than the store's session")
    problems += check_session(store, session_id, trust_for(store))
    return problems
