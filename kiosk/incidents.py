"""Reading a session's incident notes back: who wrote what, and when.

Notes are written with :func:`kiosk.services.add_incident`. Reading them needs
:attr:`~kiosk.access.permissions.Action.VIEW_SESSIONS`, the permission that already shows
a note count in the console: the people who watch sessions (proctors and admins)
are the ones who write and need to read the notes, so no separate action is
needed. Reading is not audited, as listing sessions is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from kiosk.access.auth import Actor
from kiosk.access.permissions import Action, require
from kiosk.store import Store
from kiosk.store.models import AssessmentSession, IncidentNote

__all__ = ["IncidentView", "list_incidents"]


@dataclass(frozen=True)
class IncidentView:
    """One note as the console shows it; ``at`` is in UTC."""

    author: str
    at: datetime
    text: str


def list_incidents(store: Store, actor: Actor, session_id: str) -> list[IncidentView]:
    """A session's notes, oldest first."""
    require(actor.role, Action.VIEW_SESSIONS)
    with store.reader() as s:
        if s.get(AssessmentSession, session_id) is None:
            raise ValueError(f"no session {session_id}")
        notes = s.scalars(
            select(IncidentNote)
            .where(IncidentNote.session_id == session_id)
            .order_by(IncidentNote.at, IncidentNote.id)
        ).all()
        return [
            IncidentView(
                n.author,
                n.at if n.at.tzinfo is not None else n.at.replace(tzinfo=UTC),  # SQLite: naive
                n.text,
            )
            for n in notes
        ]
