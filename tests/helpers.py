"""Small builders shared by tests."""

from __future__ import annotations

import uuid


def new_session(store: object, n: int = 1) -> list[str]:
    """Create ``n`` sessions (with one candidate each) and return their ids."""
    from kiosk.store.models import AssessmentSession, Candidate

    ids = []
    with store.writer() as s, s.begin():  # type: ignore[attr-defined]
        for _ in range(n):
            candidate = Candidate(pseudonym=uuid.uuid4().hex[:12])
            s.add(candidate)
            s.flush()
            sid = str(uuid.uuid4())
            s.add(AssessmentSession(id=sid, candidate_id=candidate.id))
            ids.append(sid)
    return ids
