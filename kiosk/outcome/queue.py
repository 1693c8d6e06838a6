"""After-session work for the shell: the pipeline on its own thread, retried at start-up.

:class:`OutcomeQueue` runs :func:`~kiosk.outcome.pipeline.produce` for each completed
session on one worker thread of its own (scoring with bootstrap and signing take a
second or two; the shell's database runner stays free for the next candidate). It
reports every state change with :attr:`OutcomeQueue.changed` — ``working``,
``scored``/``reported``, or ``failed`` with the reason — which the console shows.
A failure is logged and shown, never dropped; since the work is idempotent and what
is missing is read from the store, :meth:`OutcomeQueue.submit_pending` at start-up
retries whatever a kill or a failure left undone.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, Signal

from kiosk.store import Store

if TYPE_CHECKING:
    from kiosk.outcome.pipeline import SessionOutcome

__all__ = ["OutcomeQueue"]

log = logging.getLogger(__name__)


def _produce(
    store: Store, session_id: str, report_dir: Path | None, language: str
) -> SessionOutcome:
    # Scoring and signing load on the worker, when there is work: not at start-up.
    from kiosk.outcome.pipeline import produce

    return produce(store, session_id, report_dir=report_dir, language=language)


def _pending(store: Store, *, want_report: bool) -> list[str]:
    from kiosk.outcome.pipeline import pending_sessions

    return pending_sessions(store, want_report=want_report)


class OutcomeQueue(QObject):
    changed = Signal(str, str, str)  # session id, state, detail
    _done = Signal(object)

    def __init__(
        self,
        store: Store,
        report_dir: Path | None,
        *,
        language: str = "en",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.report_dir = report_dir
        self.language = language
        self.states: dict[str, str] = {}
        self.outcomes: dict[str, SessionOutcome] = {}
        self._queued: set[str] = set()
        self._listing = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-outcome")
        self._done.connect(self._deliver)

    @property
    def busy(self) -> bool:
        """Whether work is queued or running (or pending sessions are being looked up)."""
        return bool(self._queued) or self._listing > 0

    def submit(self, session_id: str) -> None:
        """Score (and report) a completed session; does nothing if already queued."""
        if session_id in self._queued:
            return
        self._queued.add(session_id)
        self._set(session_id, "working", "")
        future = self._pool.submit(_produce, self.store, session_id, self.report_dir, self.language)
        future.add_done_callback(lambda f: self._done.emit((session_id, f)))

    def submit_pending(self) -> None:
        """Queue every completed session whose work is not done (after a kill, a failure)."""
        want_report = self.report_dir is not None
        self._listing += 1
        future = self._pool.submit(_pending, self.store, want_report=want_report)
        future.add_done_callback(lambda f: self._done.emit(("", f)))

    def _deliver(self, item: tuple[str, Future[object]]) -> None:
        session_id, future = item
        exc = future.exception()
        if not session_id:  # the list of pending sessions
            self._listing -= 1
            if exc is not None:
                log.error("after-session work: cannot list pending sessions: %s", exc)
                return
            result = future.result()
            assert isinstance(result, list)
            for pending in result:
                self.submit(pending)
            return
        self._queued.discard(session_id)
        if exc is not None:
            log.error("after-session work for session %s failed", session_id, exc_info=exc)
            self._set(session_id, "failed", f"{type(exc).__name__}: {exc}")
            return
        outcome = cast("SessionOutcome", future.result())
        self.outcomes[session_id] = outcome
        self._set(session_id, "reported" if outcome.reports else "scored", "")

    def _set(self, session_id: str, state: str, detail: str) -> None:
        self.states[session_id] = state
        self.changed.emit(session_id, state, detail)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
