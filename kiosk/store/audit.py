"""The audit log: every privileged action, appended and hash-chained across the store.

``hash = sha256(bytes.fromhex(prev_hash) + canonical([seq, at_utc_ns, actor, action,
target, details]))``, the first entry linking to the genesis hash. Entries are
appended inside the caller's write transaction, so an action and its audit entry
commit together or not at all.

The hash alone proves nothing (anyone can recompute it), so each entry is also signed
with the station key when the store is unlocked (:func:`set_signer`): ``signature`` is
the key's signature over the 32 bytes of ``hash``, ``key_id`` the SHA-256 fingerprint
of the certificate that names the key. A signed entry vouches for every entry before
it, through the chain. After each commit that appended entries, the signer's
``record_head`` is told the newest (seq, hash), which the station keeps outside the
store, so deleting the newest entries is seen too.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from kiosk.store.chain import ChainProblem, canonical_payload
from kiosk.store.models import GENESIS_HASH, AuditEntry
from kiosk.store.orm import StoreSession

__all__ = ["AuditSigner", "append_audit", "audit_hash", "set_signer", "signer_for", "verify_audit"]


class AuditSigner(Protocol):
    """What signs audit entries for one store (see :mod:`kiosk.trust.keys`)."""

    @property
    def key_id(self) -> str: ...

    def sign(self, digest: bytes) -> str: ...

    def record_head(self, seq: int, digest: str) -> None: ...


# Signers by database URL: set when a store is unlocked, for every engine on that file.
_SIGNERS: dict[str, AuditSigner] = {}


def set_signer(database_url: str, signer: AuditSigner | None) -> None:
    if signer is None:
        _SIGNERS.pop(database_url, None)
    else:
        _SIGNERS[database_url] = signer


def signer_for(session: Session) -> AuditSigner | None:
    bind = session.get_bind()
    return _SIGNERS.get(str(bind.engine.url))


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
    digest = audit_hash(prev, seq, at, actor, action, target, text)
    signer = signer_for(session)
    entry = AuditEntry(
        seq=seq,
        at_utc_ns=at,
        actor=actor,
        action=action,
        target=target,
        details=text,
        prev_hash=prev,
        hash=digest,
        signature=None if signer is None else signer.sign(bytes.fromhex(digest)),
        key_id=None if signer is None else signer.key_id,
    )
    session.add(entry)
    session.flush()
    if signer is not None:
        session.info["kiosk_audit_head"] = (signer, seq, digest)
    return entry


@event.listens_for(StoreSession, "after_commit")
def _anchor_head(session: Session) -> None:
    pending = session.info.pop("kiosk_audit_head", None)
    if pending is not None:
        signer, seq, digest = pending
        signer.record_head(seq, digest)


@event.listens_for(StoreSession, "after_rollback")
def _drop_head(session: Session) -> None:
    session.info.pop("kiosk_audit_head", None)


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
