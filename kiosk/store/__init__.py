"""The local store: SQLite through SQLAlchemy 2, migrated by Alembic on open.

Public pieces: :func:`open_store` and :class:`Store`, the models in
:mod:`kiosk.store.models`, the chain in :mod:`kiosk.store.chain`, the seals in
:mod:`kiosk.store.seals`, the integrity check in :mod:`kiosk.store.check` and the
errors in :mod:`kiosk.store.errors`.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from kiosk.store import seals as _seals  # noqa: F401  (its listeners seal every commit)
from kiosk.store.database import Store, schema_head
from kiosk.store.database import open_store as _open_store
from kiosk.store.errors import StoreError, StoreOpenError

__all__ = ["Store", "StoreError", "StoreOpenError", "open_store", "schema_head"]

_log = logging.getLogger(__name__)


def open_store(path: str | os.PathLike[str], *, unlock: bool = True, **options: Any) -> Store:
    """Open a store (see :func:`kiosk.store.database.open_store` for ``options``).

    Opened for writing, it is also unlocked for this process when the station key's
    passphrase is at hand (:func:`kiosk.trust.keys.unlock_store`; a new store gets its
    key here), so every audit entry it writes is signed. When the key stays locked
    (its passphrase is typed at start-up, or this is not the station's machine) the
    store still opens; what it writes then is not vouched for, and ``store check``
    says so.
    """
    store = _open_store(path, **options)
    if unlock and not options.get("read_only"):
        from kiosk.trust.keys import unlock_store
        from kiosk.trust.vault import KeyLocked

        try:
            unlock_store(store)
        except KeyLocked as exc:
            _log.warning("%s", exc)
        except BaseException:
            store.close()
            raise
    return store
