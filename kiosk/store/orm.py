"""The ORM session class of a kiosk store.

Sealing (:mod:`kiosk.store.seals`) and audit anchoring (:mod:`kiosk.store.audit`)
listen on this class only, so that another database in the same process (a test's
centre server, a tool) is never sealed or audited as if it were a station's store.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

__all__ = ["StoreSession"]


class StoreSession(Session):
    """A session on a kiosk store: every commit is sealed and its audit head anchored."""
