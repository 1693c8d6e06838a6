"""The local store: SQLite through SQLAlchemy 2, migrated by Alembic on open.

Public pieces: :func:`open_store` and :class:`Store`, the models in
:mod:`kiosk.store.models`, the chain in :mod:`kiosk.store.chain`, the integrity
check in :mod:`kiosk.store.check` and the errors in :mod:`kiosk.store.errors`.
"""

from kiosk.store.database import Store, open_store, schema_head
from kiosk.store.errors import StoreError, StoreOpenError

__all__ = ["Store", "StoreError", "StoreOpenError", "open_store", "schema_head"]
