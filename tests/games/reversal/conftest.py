"""The reversal view tests share the games' Qt fixture (deferred deletes flushed)."""

from tests.games.ui.conftest import flush_deferred_deletes

__all__ = ["flush_deferred_deletes"]
