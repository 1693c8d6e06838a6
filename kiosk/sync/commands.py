"""Commands from the centre: applied once each, through the station's own rules.

A proctor at the centre console can pause, resume or void a session on this station,
or add an incident note to it. Each command arrives with every heartbeat until it is
acknowledged, so the station remembers what it did in its audit log: an entry with
action ``remote_command`` and target the command's id, whose details hold the outcome.
A command found there is not applied again (after a restart too); its outcome is
simply acknowledged again.

Moves go through :func:`kiosk.sessions.machine.apply`, as a proctor named
``remote:<issued_by>``; the machine's own audit entry carries the command id too, so
a command applied just before the process died is recognised even though its
``remote_command`` entry was never written. A note is written with its audit entries
in one transaction. Whatever the machine refuses (resume a completed session, void
without a reason, an unknown session) is acknowledged ``refused`` with its message.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from kiosk.access.auth import Actor
from kiosk.access.permissions import Action, PermissionDenied, require
from kiosk.sessions.machine import Move, Transition, TransitionError, apply
from kiosk.store import Store
from kiosk.store.audit import append_audit
from kiosk.store.models import AssessmentSession, AuditEntry, IncidentNote, Role

__all__ = ["APPLIED", "REFUSED", "CommandOutcome", "apply_command"]

APPLIED, REFUSED = "applied", "refused"
AUDIT_ACTION = "remote_command"
_MOVES = {"pause": Move.PAUSE, "resume": Move.RESUME, "void": Move.VOID}


@dataclass(frozen=True)
class CommandOutcome:
    command_id: str
    outcome: str  # APPLIED or REFUSED
    detail: str
    transition: Transition | None = None  # set when a move was made just now
    repeated: bool = False  # known from an earlier delivery: nothing was done now


def _actor(command: Mapping[str, Any]) -> Actor:
    issued_by = str(command.get("issued_by") or "centre")
    return Actor(None, f"remote:{issued_by}"[:80], Role.PROCTOR)


def _earlier(store: Store, command_id: str) -> CommandOutcome | None:
    with store.reader() as s:
        entry = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == AUDIT_ACTION, AuditEntry.target == command_id)
            .order_by(AuditEntry.seq)
            .limit(1)
        ).first()
        if entry is not None:
            kept = json.loads(entry.details)
            return CommandOutcome(
                command_id, str(kept["outcome"]), str(kept.get("detail", "")), repeated=True
            )
        # Applied by the machine, but the process stopped before the record was written.
        moved = s.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.details.contains(
                    f'"{AUDIT_ACTION}":{json.dumps(command_id)}', autoescape=True
                )
            )
            .limit(1)
        ).first()
    if moved is None:
        return None
    return CommandOutcome(command_id, APPLIED, f"{moved.action} ({moved.target})", repeated=True)


def _record(store: Store, command: Mapping[str, Any], outcome: CommandOutcome) -> None:
    with store.writer() as s, s.begin():
        _append_record(s, command, outcome)


def _append_record(s: Any, command: Mapping[str, Any], outcome: CommandOutcome) -> None:
    append_audit(
        s,
        _actor(command).username,
        AUDIT_ACTION,
        target=outcome.command_id,
        details={
            "kind": str(command.get("kind")),
            "session_id": command.get("session_id"),
            "outcome": outcome.outcome,
            "detail": outcome.detail,
            "issued_at": command.get("issued_at"),
        },
    )


def _note(store: Store, command: Mapping[str, Any]) -> CommandOutcome:
    """The note, its ``incident_noted`` entry and the ``remote_command`` record: one commit."""
    actor = _actor(command)
    cid = str(command["id"])
    require(actor.role, Action.WRITE_INCIDENT)
    text = str(command.get("text") or "").strip()
    session_id = str(command.get("session_id") or "")
    if not text:
        raise ValueError("an incident note needs some text")
    outcome = CommandOutcome(cid, APPLIED, f"note added to session {session_id}")
    with store.writer() as s, s.begin():
        if s.get(AssessmentSession, session_id) is None:
            raise ValueError(f"no session {session_id} on this station")
        s.add(IncidentNote(session_id=session_id, author=actor.username, text=text))
        append_audit(
            s, actor.username, "incident_noted", target=session_id, details={AUDIT_ACTION: cid}
        )
        _append_record(s, command, outcome)
    return outcome


def apply_command(
    store: Store,
    command: Mapping[str, Any],
    on_transition: Callable[[Transition], object] | None = None,
) -> CommandOutcome:
    """Apply one command from the server once; the outcome to acknowledge."""
    cid = str(command["id"])
    earlier = _earlier(store, cid)
    if earlier is not None:
        return earlier
    kind = str(command.get("kind"))
    try:
        if kind == "note":
            return _note(store, command)
        move = _MOVES.get(kind)
        if move is None:
            raise ValueError(
                f"unknown command {kind!r}; this station knows pause, resume, void and note"
            )
        transition = apply(
            store,
            str(command.get("session_id") or ""),
            move,
            _actor(command),
            reason=str(command.get("reason") or "") or None,
            details={AUDIT_ACTION: cid},
        )
        outcome = CommandOutcome(
            cid,
            APPLIED,
            f"session {transition.session_id} is {transition.target.value.replace('_', ' ')}",
            transition,
        )
    except (TransitionError, PermissionDenied, ValueError) as exc:
        outcome = CommandOutcome(cid, REFUSED, str(exc))
    _record(store, command, outcome)
    if outcome.transition is not None and on_transition is not None:
        on_transition(outcome.transition)
    return outcome
