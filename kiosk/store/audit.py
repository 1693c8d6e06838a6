"""The audit log: every privileged action, appended and hash-chained across the store.

``hash = sha256(bytes.fromhex(prev_hash) + canonical([seq, at_utc_ns, actor, action,
target, details]))``, the first entry linking to the genesis hash. Entries are
appended inside the caller's write transaction, so an action and its audit entry
commit together or not at all.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.store.chain import ChainProblem, canonical_payload
from kiosk.store.models import GENESIS_HASH, AuditEntry

__all__ = ["append_audit", "audit_hash", "verify_audit"]


def audit_hash(
    prev_hash: str,
    seq: int,
    at_utc_ns: int,
    actor: str,
    action: str,
    target: str | None,
    details: str,
) -> str:
    body = json.dumps(
        [seq, at_utc_ns, actor, action, target, details],
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")
    return hashlib.sha256(bytes.fromhex(prev_hash) + body).hexdigest()


def append_audit(
    session: Session,
    actor: str,
    action: str,
    target: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the session's (``BEGIN IMMEDIATE``) transaction."""
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS_HASH if last is None else last.hash
    at = time.time_ns()
    text = canonical_payload(details)
    entry = AuditEntry(
        seq=seq,
        at_utc_ns=at,
        actor=actor,
        action=action,
        target=target,
        details=text,
        prev_hash=prev,
        hash=audit_hash(prev, seq, at, actor, action, target, text),
    )
    session.add(entry)
    session.flush()
    return entry


def verify_audit(
    rows: Iterable[tuple[int, int, str, str, str | None, str, str, str]],
) -> list[ChainProblem]:
    """Check audit rows ``(seq, at_utc_ns, actor, action, target, details, prev, hash)``."""
    problems: list[ChainProblem] = []
    expected, prev = 1, GENESIS_HASH
    for seq, at, actor, action, target, details, prev_hash, stored in rows:
        if seq != expected:
            problems.append(
                ChainProblem(
                    seq,
                    f"audit entries {expected}..{seq - 1} are missing"
                    if seq > expected
                    else f"audit entry {seq} is out of order",
                )
            )
        if prev_hash != prev:
            problems.append(ChainProblem(seq, f"audit entry {seq} does not link to the one before"))
        if audit_hash(prev_hash, seq, at, actor, action, target, details) != stored:
            problems.append(
                ChainProblem(seq, f"audit entry {seq} was changed after it was written")
            )
        expected, prev = seq + 1, stored
    return problems
